//! Longer than 400 lines on purpose: one flat table of rows reads better than rows spread over
//! files.
//!
//! The CI table, row by row: one row per CI × trigger (pull request, default branch, schedule,
//! other branch, and tags), with the variables each CI documents, plus the gotchas
//! (`BUILDKITE_PULL_REQUEST=false`, GitLab's matrix trap, 1-based indexes, missing variables)
//! and the `FLOTILLA_*` overrides.

use super::*;

type Vars = &'static [(&'static str, &'static str)];

/// One environment and what `detect` must make of it.
struct Row {
    name: &'static str,
    /// Layers of variables; later layers win.
    env: &'static [Vars],
    vendor: Vendor,
    trigger: Trigger,
    /// A variable the trigger's reason must name.
    because: Option<&'static str>,
    branch: Option<&'static str>,
    default_branch: Option<&'static str>,
    commit: Option<&'static str>,
    pr: Option<u64>,
    /// (0-based index, total).
    node: Option<(u32, u32)>,
    build_id: Option<&'static str>,
    retry: Option<u32>,
    /// A fragment of the one expected warning.
    warning: Option<&'static str>,
}

const NONE: Row = Row {
    name: "",
    env: &[],
    vendor: Vendor::None,
    trigger: Trigger::Unknown,
    because: None,
    branch: None,
    default_branch: None,
    commit: None,
    pr: None,
    node: None,
    build_id: None,
    retry: None,
    warning: None,
};

const SHA: &str = "4f1c0a9e8b7d6c5b4a39281706f5e4d3c2b1a090";

const BUILDKITE: Vars = &[
    ("CI", "true"),
    ("BUILDKITE", "true"),
    ("BUILDKITE_BUILD_ID", "0190f4a2-5b6c-4d7e-8f90-a1b2c3d4e5f6"),
    ("BUILDKITE_BUILD_NUMBER", "1234"),
    ("BUILDKITE_STEP_ID", "0190f4a2-0000-4d7e-8f90-a1b2c3d4e5f6"),
    ("BUILDKITE_JOB_ID", "0190f4a2-1111-4d7e-8f90-a1b2c3d4e5f6"),
    ("BUILDKITE_COMMIT", SHA),
    ("BUILDKITE_PIPELINE_DEFAULT_BRANCH", "main"),
    ("BUILDKITE_SOURCE", "webhook"),
    ("BUILDKITE_TAG", ""),
    ("BUILDKITE_PULL_REQUEST", "false"),
    ("BUILDKITE_PULL_REQUEST_BASE_BRANCH", ""),
    ("BUILDKITE_PARALLEL_JOB", "2"),
    ("BUILDKITE_PARALLEL_JOB_COUNT", "4"),
    ("BUILDKITE_RETRY_COUNT", "0"),
];

const GITHUB: Vars = &[
    ("CI", "true"),
    ("GITHUB_ACTIONS", "true"),
    ("GITHUB_RUN_ID", "9876543210"),
    ("GITHUB_RUN_NUMBER", "77"),
    ("GITHUB_RUN_ATTEMPT", "1"),
    ("GITHUB_JOB", "test"),
    ("GITHUB_WORKFLOW", "CI"),
    ("GITHUB_SHA", SHA),
    ("GITHUB_REPOSITORY", "acme/app"),
];

const GITLAB: Vars = &[
    ("CI", "true"),
    ("GITLAB_CI", "true"),
    ("CI_PIPELINE_ID", "100200"),
    ("CI_JOB_ID", "5550001"),
    ("CI_COMMIT_SHA", SHA),
    ("CI_DEFAULT_BRANCH", "main"),
    ("CI_JOB_NAME", "rspec 2/3"),
    ("CI_NODE_INDEX", "2"),
    ("CI_NODE_TOTAL", "3"),
];

const CIRCLECI: Vars = &[
    ("CI", "true"),
    ("CIRCLECI", "true"),
    ("CIRCLE_SHA1", SHA),
    ("CIRCLE_WORKFLOW_ID", "6a2b3c4d-0000-4e5f-8a9b-0c1d2e3f4a5b"),
    ("CIRCLE_BUILD_NUM", "88"),
    ("CIRCLE_JOB", "test"),
    ("CIRCLE_NODE_INDEX", "0"),
    ("CIRCLE_NODE_TOTAL", "2"),
];

const AZURE: Vars = &[
    ("TF_BUILD", "True"),
    ("BUILD_BUILDID", "555"),
    ("BUILD_SOURCEVERSION", SHA),
    ("SYSTEM_JOBID", "1f2e3d4c-0000-4b5a-9687-a1b2c3d4e5f6"),
    ("SYSTEM_JOBATTEMPT", "1"),
    ("SYSTEM_JOBPOSITIONINPHASE", "3"),
    ("SYSTEM_TOTALJOBSINPHASE", "3"),
];

const JENKINS: Vars = &[
    ("JENKINS_URL", "https://ci.example.com/"),
    ("BUILD_TAG", "jenkins-app-main-17"),
    ("BUILD_NUMBER", "17"),
    ("GIT_COMMIT", SHA),
    ("EXECUTOR_NUMBER", "3"),
];

const KUBERNETES: Vars = &[
    ("JOB_COMPLETION_INDEX", "3"),
    ("FLOTILLA_NODE_TOTAL", "8"),
    ("FLOTILLA_BUILD_ID", "run-42"),
    ("FLOTILLA_COMMIT", SHA),
];

const BK_UUID: &str = "0190f4a2-5b6c-4d7e-8f90-a1b2c3d4e5f6";
const CIRCLE_WF: &str = "6a2b3c4d-0000-4e5f-8a9b-0c1d2e3f4a5b";

#[rustfmt::skip]
const ROWS: &[Row] = &[
    // ── Buildkite ───────────────────────────────────────────────────────────────────────────
    Row { name: "buildkite pull request",
        env: &[BUILDKITE, &[("BUILDKITE_PULL_REQUEST", "42"), ("BUILDKITE_BRANCH", "feature/x"), ("BUILDKITE_PULL_REQUEST_BASE_BRANCH", "main")]],
        vendor: Vendor::Buildkite, trigger: Trigger::PullRequest, because: Some("BUILDKITE_PULL_REQUEST"),
        branch: Some("feature/x"), default_branch: Some("main"), commit: Some(SHA), pr: Some(42),
        node: Some((2, 4)), build_id: Some(BK_UUID), retry: Some(0), ..NONE },
    Row { name: "buildkite default branch (BUILDKITE_PULL_REQUEST is the string false)",
        env: &[BUILDKITE, &[("BUILDKITE_BRANCH", "main")]],
        vendor: Vendor::Buildkite, trigger: Trigger::DefaultBranch, because: Some("BUILDKITE_PIPELINE_DEFAULT_BRANCH"),
        branch: Some("main"), default_branch: Some("main"), commit: Some(SHA),
        node: Some((2, 4)), build_id: Some(BK_UUID), retry: Some(0), ..NONE },
    Row { name: "buildkite schedule",
        env: &[BUILDKITE, &[("BUILDKITE_SOURCE", "schedule"), ("BUILDKITE_BRANCH", "main")]],
        vendor: Vendor::Buildkite, trigger: Trigger::Schedule, because: Some("BUILDKITE_SOURCE"),
        branch: Some("main"), default_branch: Some("main"), commit: Some(SHA),
        node: Some((2, 4)), build_id: Some(BK_UUID), retry: Some(0), ..NONE },
    Row { name: "buildkite other branch",
        env: &[BUILDKITE, &[("BUILDKITE_BRANCH", "feature/x")]],
        vendor: Vendor::Buildkite, trigger: Trigger::OtherBranch, because: Some("BUILDKITE_BRANCH"),
        branch: Some("feature/x"), default_branch: Some("main"), commit: Some(SHA),
        node: Some((2, 4)), build_id: Some(BK_UUID), retry: Some(0), ..NONE },
    Row { name: "buildkite tag (BUILDKITE_BRANCH is the tag's name, not a branch)",
        env: &[BUILDKITE, &[("BUILDKITE_TAG", "v1.2.0"), ("BUILDKITE_BRANCH", "v1.2.0")]],
        vendor: Vendor::Buildkite, trigger: Trigger::Tag, because: Some("BUILDKITE_TAG"),
        default_branch: Some("main"), commit: Some(SHA),
        node: Some((2, 4)), build_id: Some(BK_UUID), retry: Some(0), ..NONE },
    Row { name: "buildkite retried job without parallelism",
        env: &[BUILDKITE, &[("BUILDKITE_BRANCH", "main"), ("BUILDKITE_RETRY_COUNT", "2"), ("BUILDKITE_PARALLEL_JOB", ""), ("BUILDKITE_PARALLEL_JOB_COUNT", "")]],
        vendor: Vendor::Buildkite, trigger: Trigger::DefaultBranch, because: Some("BUILDKITE_BRANCH"),
        branch: Some("main"), default_branch: Some("main"), commit: Some(SHA),
        node: None, build_id: Some(BK_UUID), retry: Some(2), ..NONE },
    // ── GitHub Actions ──────────────────────────────────────────────────────────────────────
    Row { name: "github pull_request",
        env: &[GITHUB, &[("GITHUB_EVENT_NAME", "pull_request"), ("GITHUB_REF", "refs/pull/7/merge"), ("GITHUB_REF_NAME", "7/merge"), ("GITHUB_REF_TYPE", "branch"), ("GITHUB_HEAD_REF", "feature/x"), ("GITHUB_BASE_REF", "main")]],
        vendor: Vendor::GitHubActions, trigger: Trigger::PullRequest, because: Some("GITHUB_EVENT_NAME"),
        branch: Some("feature/x"), commit: Some(SHA), pr: Some(7), build_id: Some("9876543210"), retry: Some(0), ..NONE },
    Row { name: "github pull_request_target (GITHUB_REF is the base branch)",
        env: &[GITHUB, &[("GITHUB_EVENT_NAME", "pull_request_target"), ("GITHUB_REF", "refs/heads/main"), ("GITHUB_REF_NAME", "main"), ("GITHUB_REF_TYPE", "branch"), ("GITHUB_HEAD_REF", "feature/x"), ("GITHUB_BASE_REF", "main")]],
        vendor: Vendor::GitHubActions, trigger: Trigger::PullRequest, because: Some("GITHUB_EVENT_NAME"),
        branch: Some("feature/x"), commit: Some(SHA), build_id: Some("9876543210"), retry: Some(0), ..NONE },
    Row { name: "github merge queue counts as a pull request",
        env: &[GITHUB, &[("GITHUB_EVENT_NAME", "merge_group"), ("GITHUB_REF", "refs/heads/gh-readonly-queue/main/pr-7-abc"), ("GITHUB_REF_NAME", "gh-readonly-queue/main/pr-7-abc"), ("GITHUB_REF_TYPE", "branch"), ("GITHUB_HEAD_REF", "")]],
        vendor: Vendor::GitHubActions, trigger: Trigger::PullRequest, because: Some("GITHUB_EVENT_NAME"),
        branch: Some("gh-readonly-queue/main/pr-7-abc"), commit: Some(SHA), build_id: Some("9876543210"), retry: Some(0), ..NONE },
    Row { name: "github push to main (no default-branch variable: main assumed)",
        env: &[GITHUB, &[("GITHUB_EVENT_NAME", "push"), ("GITHUB_REF", "refs/heads/main"), ("GITHUB_REF_NAME", "main"), ("GITHUB_REF_TYPE", "branch"), ("GITHUB_HEAD_REF", "")]],
        vendor: Vendor::GitHubActions, trigger: Trigger::DefaultBranch, because: Some("GITHUB_REF_NAME"),
        branch: Some("main"), commit: Some(SHA), build_id: Some("9876543210"), retry: Some(0), ..NONE },
    Row { name: "github push to a default branch named by FLOTILLA_DEFAULT_BRANCH",
        env: &[GITHUB, &[("GITHUB_EVENT_NAME", "push"), ("GITHUB_REF_NAME", "trunk"), ("GITHUB_REF_TYPE", "branch"), ("FLOTILLA_DEFAULT_BRANCH", "trunk")]],
        vendor: Vendor::GitHubActions, trigger: Trigger::DefaultBranch, because: Some("FLOTILLA_DEFAULT_BRANCH"),
        branch: Some("trunk"), default_branch: Some("trunk"), commit: Some(SHA), build_id: Some("9876543210"), retry: Some(0), ..NONE },
    Row { name: "github schedule",
        env: &[GITHUB, &[("GITHUB_EVENT_NAME", "schedule"), ("GITHUB_REF", "refs/heads/main"), ("GITHUB_REF_NAME", "main"), ("GITHUB_REF_TYPE", "branch")]],
        vendor: Vendor::GitHubActions, trigger: Trigger::Schedule, because: Some("GITHUB_EVENT_NAME"),
        branch: Some("main"), commit: Some(SHA), build_id: Some("9876543210"), retry: Some(0), ..NONE },
    Row { name: "github push to another branch",
        env: &[GITHUB, &[("GITHUB_EVENT_NAME", "push"), ("GITHUB_REF", "refs/heads/feature/x"), ("GITHUB_REF_NAME", "feature/x"), ("GITHUB_REF_TYPE", "branch")]],
        vendor: Vendor::GitHubActions, trigger: Trigger::OtherBranch, because: Some("GITHUB_REF_NAME"),
        branch: Some("feature/x"), commit: Some(SHA), build_id: Some("9876543210"), retry: Some(0), ..NONE },
    Row { name: "github tag push",
        env: &[GITHUB, &[("GITHUB_EVENT_NAME", "push"), ("GITHUB_REF", "refs/tags/v1.2.0"), ("GITHUB_REF_NAME", "v1.2.0"), ("GITHUB_REF_TYPE", "tag")]],
        vendor: Vendor::GitHubActions, trigger: Trigger::Tag, because: Some("GITHUB_REF_TYPE"),
        commit: Some(SHA), build_id: Some("9876543210"), retry: Some(0), ..NONE },
    Row { name: "github matrix leg with FLOTILLA_NODE_* and a re-run (GITHUB_RUN_ATTEMPT is 1-based)",
        env: &[GITHUB, &[("GITHUB_EVENT_NAME", "push"), ("GITHUB_REF_NAME", "main"), ("GITHUB_REF_TYPE", "branch"), ("GITHUB_RUN_ATTEMPT", "2"), ("FLOTILLA_NODE_INDEX", "1"), ("FLOTILLA_NODE_TOTAL", "3")]],
        vendor: Vendor::GitHubActions, trigger: Trigger::DefaultBranch, because: Some("GITHUB_REF_NAME"),
        branch: Some("main"), commit: Some(SHA), node: Some((1, 3)), build_id: Some("9876543210"), retry: Some(1), ..NONE },
    // ── GitLab ──────────────────────────────────────────────────────────────────────────────
    Row { name: "gitlab merge request (no CI_COMMIT_BRANCH)",
        env: &[GITLAB, &[("CI_PIPELINE_SOURCE", "merge_request_event"), ("CI_MERGE_REQUEST_IID", "15"), ("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "feature/x"), ("CI_MERGE_REQUEST_TARGET_BRANCH_NAME", "main"), ("CI_COMMIT_REF_NAME", "feature/x")]],
        vendor: Vendor::GitLab, trigger: Trigger::PullRequest, because: Some("CI_PIPELINE_SOURCE"),
        branch: Some("feature/x"), default_branch: Some("main"), commit: Some(SHA), pr: Some(15),
        node: Some((1, 3)), build_id: Some("100200"), ..NONE },
    Row { name: "gitlab external pull request (GitHub mirror)",
        env: &[GITLAB, &[("CI_PIPELINE_SOURCE", "external_pull_request_event"), ("CI_EXTERNAL_PULL_REQUEST_IID", "8"), ("CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME", "feature/x"), ("CI_COMMIT_BRANCH", "feature/x")]],
        vendor: Vendor::GitLab, trigger: Trigger::PullRequest, because: Some("CI_PIPELINE_SOURCE"),
        branch: Some("feature/x"), default_branch: Some("main"), commit: Some(SHA), pr: Some(8),
        node: Some((1, 3)), build_id: Some("100200"), ..NONE },
    Row { name: "gitlab push to the default branch",
        env: &[GITLAB, &[("CI_PIPELINE_SOURCE", "push"), ("CI_COMMIT_BRANCH", "main"), ("CI_COMMIT_REF_NAME", "main")]],
        vendor: Vendor::GitLab, trigger: Trigger::DefaultBranch, because: Some("CI_DEFAULT_BRANCH"),
        branch: Some("main"), default_branch: Some("main"), commit: Some(SHA),
        node: Some((1, 3)), build_id: Some("100200"), ..NONE },
    Row { name: "gitlab schedule",
        env: &[GITLAB, &[("CI_PIPELINE_SOURCE", "schedule"), ("CI_COMMIT_BRANCH", "main")]],
        vendor: Vendor::GitLab, trigger: Trigger::Schedule, because: Some("CI_PIPELINE_SOURCE"),
        branch: Some("main"), default_branch: Some("main"), commit: Some(SHA),
        node: Some((1, 3)), build_id: Some("100200"), ..NONE },
    Row { name: "gitlab push to another branch",
        env: &[GITLAB, &[("CI_PIPELINE_SOURCE", "push"), ("CI_COMMIT_BRANCH", "feature/x")]],
        vendor: Vendor::GitLab, trigger: Trigger::OtherBranch, because: Some("CI_COMMIT_BRANCH"),
        branch: Some("feature/x"), default_branch: Some("main"), commit: Some(SHA),
        node: Some((1, 3)), build_id: Some("100200"), ..NONE },
    Row { name: "gitlab tag pipeline (no CI_COMMIT_BRANCH)",
        env: &[GITLAB, &[("CI_PIPELINE_SOURCE", "push"), ("CI_COMMIT_TAG", "v1.2.0"), ("CI_COMMIT_REF_NAME", "v1.2.0")]],
        vendor: Vendor::GitLab, trigger: Trigger::Tag, because: Some("CI_COMMIT_TAG"),
        default_branch: Some("main"), commit: Some(SHA),
        node: Some((1, 3)), build_id: Some("100200"), ..NONE },
    Row { name: "gitlab parallel:matrix job: CI_NODE_INDEX is not a shard",
        env: &[GITLAB, &[("CI_PIPELINE_SOURCE", "push"), ("CI_COMMIT_BRANCH", "main"), ("CI_JOB_NAME", "test: [ruby, 3.2]"), ("CI_NODE_INDEX", "1"), ("CI_NODE_TOTAL", "4")]],
        vendor: Vendor::GitLab, trigger: Trigger::DefaultBranch, because: Some("CI_COMMIT_BRANCH"),
        branch: Some("main"), default_branch: Some("main"), commit: Some(SHA),
        node: None, build_id: Some("100200"), warning: Some("parallel: matrix:"), ..NONE },
    Row { name: "gitlab matrix job split explicitly with FLOTILLA_NODE_*",
        env: &[GITLAB, &[("CI_PIPELINE_SOURCE", "push"), ("CI_COMMIT_BRANCH", "main"), ("CI_JOB_NAME", "test: [ruby, 3.2]"), ("CI_NODE_INDEX", "1"), ("CI_NODE_TOTAL", "4"), ("FLOTILLA_NODE_INDEX", "0"), ("FLOTILLA_NODE_TOTAL", "2")]],
        vendor: Vendor::GitLab, trigger: Trigger::DefaultBranch, because: Some("CI_COMMIT_BRANCH"),
        branch: Some("main"), default_branch: Some("main"), commit: Some(SHA),
        node: Some((0, 2)), build_id: Some("100200"), ..NONE },
    Row { name: "gitlab with a retry counter",
        env: &[GITLAB, &[("CI_PIPELINE_SOURCE", "push"), ("CI_COMMIT_BRANCH", "main"), ("CI_JOB_RETRY_COUNT", "1")]],
        vendor: Vendor::GitLab, trigger: Trigger::DefaultBranch, because: Some("CI_COMMIT_BRANCH"),
        branch: Some("main"), default_branch: Some("main"), commit: Some(SHA),
        node: Some((1, 3)), build_id: Some("100200"), retry: Some(1), ..NONE },
    Row { name: "gitlab is detected before the others",
        env: &[JENKINS, BUILDKITE, GITHUB, GITLAB, &[("CI_PIPELINE_SOURCE", "push"), ("CI_COMMIT_BRANCH", "main")]],
        vendor: Vendor::GitLab, trigger: Trigger::DefaultBranch, because: Some("CI_COMMIT_BRANCH"),
        branch: Some("main"), default_branch: Some("main"), commit: Some(SHA),
        node: Some((1, 3)), build_id: Some("100200"), ..NONE },
    // ── CircleCI ────────────────────────────────────────────────────────────────────────────
    Row { name: "circleci pull request",
        env: &[CIRCLECI, &[("CIRCLE_PULL_REQUEST", "https://github.com/acme/app/pull/9"), ("CIRCLE_BRANCH", "feature/x")]],
        vendor: Vendor::CircleCi, trigger: Trigger::PullRequest, because: Some("CIRCLE_PULL_REQUEST"),
        branch: Some("feature/x"), commit: Some(SHA), pr: Some(9), node: Some((0, 2)), build_id: Some(CIRCLE_WF), ..NONE },
    Row { name: "circleci pull request from a fork",
        env: &[CIRCLECI, &[("CIRCLE_PULL_REQUEST", "https://github.com/acme/app/pull/11"), ("CIRCLE_PR_NUMBER", "11"), ("CIRCLE_BRANCH", "pull/11")]],
        vendor: Vendor::CircleCi, trigger: Trigger::PullRequest, because: Some("CIRCLE_PULL_REQUEST"),
        branch: Some("pull/11"), commit: Some(SHA), pr: Some(11), node: Some((0, 2)), build_id: Some(CIRCLE_WF), ..NONE },
    Row { name: "circleci default branch (main assumed)",
        env: &[CIRCLECI, &[("CIRCLE_BRANCH", "main")]],
        vendor: Vendor::CircleCi, trigger: Trigger::DefaultBranch, because: Some("CIRCLE_BRANCH"),
        branch: Some("main"), commit: Some(SHA), node: Some((0, 2)), build_id: Some(CIRCLE_WF), ..NONE },
    Row { name: "circleci scheduled pipeline, marked by FLOTILLA_TRIGGER",
        env: &[CIRCLECI, &[("CIRCLE_BRANCH", "main"), ("FLOTILLA_TRIGGER", "schedule")]],
        vendor: Vendor::CircleCi, trigger: Trigger::Schedule, because: Some("FLOTILLA_TRIGGER"),
        branch: Some("main"), commit: Some(SHA), node: Some((0, 2)), build_id: Some(CIRCLE_WF), ..NONE },
    Row { name: "circleci scheduled pipeline without the override looks like its branch",
        env: &[CIRCLECI, &[("CIRCLE_BRANCH", "main")]],
        vendor: Vendor::CircleCi, trigger: Trigger::DefaultBranch, because: Some("CIRCLE_BRANCH"),
        branch: Some("main"), commit: Some(SHA), node: Some((0, 2)), build_id: Some(CIRCLE_WF), ..NONE },
    Row { name: "circleci other branch",
        env: &[CIRCLECI, &[("CIRCLE_BRANCH", "feature/x")]],
        vendor: Vendor::CircleCi, trigger: Trigger::OtherBranch, because: Some("CIRCLE_BRANCH"),
        branch: Some("feature/x"), commit: Some(SHA), node: Some((0, 2)), build_id: Some(CIRCLE_WF), ..NONE },
    Row { name: "circleci tag",
        env: &[CIRCLECI, &[("CIRCLE_TAG", "v1.2.0")]],
        vendor: Vendor::CircleCi, trigger: Trigger::Tag, because: Some("CIRCLE_TAG"),
        commit: Some(SHA), node: Some((0, 2)), build_id: Some(CIRCLE_WF), ..NONE },
    // ── Azure Pipelines ─────────────────────────────────────────────────────────────────────
    Row { name: "azure pull request (GitHub: number differs from id)",
        env: &[AZURE, &[("BUILD_REASON", "PullRequest"), ("BUILD_SOURCEBRANCH", "refs/pull/31/merge"), ("BUILD_SOURCEBRANCHNAME", "merge"), ("SYSTEM_PULLREQUEST_SOURCEBRANCH", "refs/heads/feature/x"), ("SYSTEM_PULLREQUEST_TARGETBRANCH", "refs/heads/main"), ("SYSTEM_PULLREQUEST_PULLREQUESTID", "1234"), ("SYSTEM_PULLREQUEST_PULLREQUESTNUMBER", "31")]],
        vendor: Vendor::AzurePipelines, trigger: Trigger::PullRequest, because: Some("BUILD_REASON"),
        branch: Some("feature/x"), commit: Some(SHA), pr: Some(31), node: Some((2, 3)), build_id: Some("555"), retry: Some(0), ..NONE },
    Row { name: "azure individual CI build of main",
        env: &[AZURE, &[("BUILD_REASON", "IndividualCI"), ("BUILD_SOURCEBRANCH", "refs/heads/main"), ("BUILD_SOURCEBRANCHNAME", "main")]],
        vendor: Vendor::AzurePipelines, trigger: Trigger::DefaultBranch, because: Some("BUILD_SOURCEBRANCH"),
        branch: Some("main"), commit: Some(SHA), node: Some((2, 3)), build_id: Some("555"), retry: Some(0), ..NONE },
    Row { name: "azure schedule",
        env: &[AZURE, &[("BUILD_REASON", "Schedule"), ("BUILD_SOURCEBRANCH", "refs/heads/main"), ("BUILD_SOURCEBRANCHNAME", "main")]],
        vendor: Vendor::AzurePipelines, trigger: Trigger::Schedule, because: Some("BUILD_REASON"),
        branch: Some("main"), commit: Some(SHA), node: Some((2, 3)), build_id: Some("555"), retry: Some(0), ..NONE },
    Row { name: "azure other branch (BUILD_SOURCEBRANCHNAME would say only `x`)",
        env: &[AZURE, &[("BUILD_REASON", "BatchedCI"), ("BUILD_SOURCEBRANCH", "refs/heads/feature/x"), ("BUILD_SOURCEBRANCHNAME", "x")]],
        vendor: Vendor::AzurePipelines, trigger: Trigger::OtherBranch, because: Some("BUILD_SOURCEBRANCH"),
        branch: Some("feature/x"), commit: Some(SHA), node: Some((2, 3)), build_id: Some("555"), retry: Some(0), ..NONE },
    Row { name: "azure tag",
        env: &[AZURE, &[("BUILD_REASON", "IndividualCI"), ("BUILD_SOURCEBRANCH", "refs/tags/v1.2.0"), ("BUILD_SOURCEBRANCHNAME", "v1.2.0")]],
        vendor: Vendor::AzurePipelines, trigger: Trigger::Tag, because: Some("BUILD_SOURCEBRANCH"),
        commit: Some(SHA), node: Some((2, 3)), build_id: Some("555"), retry: Some(0), ..NONE },
    Row { name: "azure re-run without parallel (position 1 of 1, attempt 2)",
        env: &[AZURE, &[("BUILD_REASON", "Manual"), ("BUILD_SOURCEBRANCH", "refs/heads/main"), ("SYSTEM_JOBPOSITIONINPHASE", "1"), ("SYSTEM_TOTALJOBSINPHASE", "1"), ("SYSTEM_JOBATTEMPT", "2")]],
        vendor: Vendor::AzurePipelines, trigger: Trigger::DefaultBranch, because: Some("BUILD_REASON"),
        branch: Some("main"), commit: Some(SHA), node: Some((0, 1)), build_id: Some("555"), retry: Some(1), ..NONE },
    // ── Jenkins ─────────────────────────────────────────────────────────────────────────────
    Row { name: "jenkins change request (BRANCH_NAME is PR-24)",
        env: &[JENKINS, &[("CHANGE_ID", "24"), ("BRANCH_NAME", "PR-24"), ("CHANGE_BRANCH", "feature/x"), ("CHANGE_TARGET", "main")]],
        vendor: Vendor::Jenkins, trigger: Trigger::PullRequest, because: Some("CHANGE_ID"),
        branch: Some("feature/x"), commit: Some(SHA), pr: Some(24), build_id: Some("jenkins-app-main-17"), ..NONE },
    Row { name: "jenkins multibranch build of main (EXECUTOR_NUMBER is not a node index)",
        env: &[JENKINS, &[("BRANCH_NAME", "main")]],
        vendor: Vendor::Jenkins, trigger: Trigger::DefaultBranch, because: Some("BRANCH_NAME"),
        branch: Some("main"), commit: Some(SHA), build_id: Some("jenkins-app-main-17"), ..NONE },
    Row { name: "jenkins nightly, marked by FLOTILLA_TRIGGER",
        env: &[JENKINS, &[("BRANCH_NAME", "main"), ("FLOTILLA_TRIGGER", "schedule")]],
        vendor: Vendor::Jenkins, trigger: Trigger::Schedule, because: Some("FLOTILLA_TRIGGER"),
        branch: Some("main"), commit: Some(SHA), build_id: Some("jenkins-app-main-17"), ..NONE },
    Row { name: "jenkins other branch",
        env: &[JENKINS, &[("BRANCH_NAME", "feature/x")]],
        vendor: Vendor::Jenkins, trigger: Trigger::OtherBranch, because: Some("BRANCH_NAME"),
        branch: Some("feature/x"), commit: Some(SHA), build_id: Some("jenkins-app-main-17"), ..NONE },
    Row { name: "jenkins freestyle job with the git plugin's GIT_BRANCH",
        env: &[JENKINS, &[("GIT_BRANCH", "origin/main")]],
        vendor: Vendor::Jenkins, trigger: Trigger::DefaultBranch, because: Some("GIT_BRANCH"),
        branch: Some("main"), commit: Some(SHA), build_id: Some("jenkins-app-main-17"), ..NONE },
    Row { name: "jenkins tag",
        env: &[JENKINS, &[("TAG_NAME", "v1.2.0"), ("BRANCH_NAME", "v1.2.0")]],
        vendor: Vendor::Jenkins, trigger: Trigger::Tag, because: Some("TAG_NAME"),
        commit: Some(SHA), build_id: Some("jenkins-app-main-17"), ..NONE },
    // ── Kubernetes Indexed Job ──────────────────────────────────────────────────────────────
    Row { name: "kubernetes pod of a pull-request run",
        env: &[KUBERNETES, &[("FLOTILLA_TRIGGER", "pull-request"), ("FLOTILLA_BRANCH", "feature/x")]],
        vendor: Vendor::KubernetesIndexedJob, trigger: Trigger::PullRequest, because: Some("FLOTILLA_TRIGGER"),
        branch: Some("feature/x"), commit: Some(SHA), node: Some((3, 8)), build_id: Some("run-42"), ..NONE },
    Row { name: "kubernetes pod of a default-branch run",
        env: &[KUBERNETES, &[("FLOTILLA_BRANCH", "main"), ("FLOTILLA_DEFAULT_BRANCH", "main")]],
        vendor: Vendor::KubernetesIndexedJob, trigger: Trigger::DefaultBranch, because: Some("FLOTILLA_DEFAULT_BRANCH"),
        branch: Some("main"), default_branch: Some("main"), commit: Some(SHA), node: Some((3, 8)), build_id: Some("run-42"), ..NONE },
    Row { name: "kubernetes pod of a scheduled run",
        env: &[KUBERNETES, &[("FLOTILLA_TRIGGER", "schedule"), ("FLOTILLA_BRANCH", "main")]],
        vendor: Vendor::KubernetesIndexedJob, trigger: Trigger::Schedule, because: Some("FLOTILLA_TRIGGER"),
        branch: Some("main"), commit: Some(SHA), node: Some((3, 8)), build_id: Some("run-42"), ..NONE },
    Row { name: "kubernetes pod of another branch",
        env: &[KUBERNETES, &[("FLOTILLA_BRANCH", "feature/x"), ("FLOTILLA_DEFAULT_BRANCH", "main")]],
        vendor: Vendor::KubernetesIndexedJob, trigger: Trigger::OtherBranch, because: Some("FLOTILLA_BRANCH"),
        branch: Some("feature/x"), default_branch: Some("main"), commit: Some(SHA), node: Some((3, 8)), build_id: Some("run-42"), ..NONE },
    Row { name: "kubernetes pod without FLOTILLA_NODE_TOTAL runs everything, with a warning",
        env: &[&[("JOB_COMPLETION_INDEX", "3")]],
        vendor: Vendor::KubernetesIndexedJob, trigger: Trigger::Unknown, warning: Some("FLOTILLA_NODE_TOTAL"), ..NONE },
    // ── generic CI, no CI, overrides ────────────────────────────────────────────────────────
    Row { name: "generic CI=true knows nothing else",
        env: &[&[("CI", "true")]],
        vendor: Vendor::Generic, trigger: Trigger::Unknown, ..NONE },
    Row { name: "CI=false is not a CI",
        env: &[&[("CI", "false")]],
        vendor: Vendor::None, trigger: Trigger::Unknown, ..NONE },
    Row { name: "no CI at all",
        env: &[],
        vendor: Vendor::None, trigger: Trigger::Unknown, ..NONE },
    Row { name: "a laptop pretending to be a pull request",
        env: &[&[("FLOTILLA_TRIGGER", "pull-request")]],
        vendor: Vendor::None, trigger: Trigger::PullRequest, because: Some("FLOTILLA_TRIGGER"), ..NONE },
    Row { name: "overrides beat the CI's own values",
        env: &[BUILDKITE, &[("BUILDKITE_BRANCH", "main"), ("FLOTILLA_NODE_INDEX", "0"), ("FLOTILLA_NODE_TOTAL", "2"), ("FLOTILLA_BRANCH", "release/1.x"), ("FLOTILLA_COMMIT", "abc"), ("FLOTILLA_BUILD_ID", "b-1"), ("FLOTILLA_RETRY_COUNT", "3")]],
        vendor: Vendor::Buildkite, trigger: Trigger::OtherBranch, because: Some("FLOTILLA_BRANCH"),
        branch: Some("release/1.x"), default_branch: Some("main"), commit: Some("abc"),
        node: Some((0, 2)), build_id: Some("b-1"), retry: Some(3), ..NONE },
    Row { name: "FLOTILLA_TRIGGER beats the CI's event",
        env: &[GITHUB, &[("GITHUB_EVENT_NAME", "push"), ("GITHUB_REF_NAME", "main"), ("GITHUB_REF_TYPE", "branch"), ("FLOTILLA_TRIGGER", "schedule")]],
        vendor: Vendor::GitHubActions, trigger: Trigger::Schedule, because: Some("FLOTILLA_TRIGGER"),
        branch: Some("main"), commit: Some(SHA), build_id: Some("9876543210"), retry: Some(0), ..NONE },
    Row { name: "a malformed PR number is ignored with a warning, the trigger stands",
        env: &[BUILDKITE, &[("BUILDKITE_PULL_REQUEST", "abc"), ("BUILDKITE_BRANCH", "feature/x")]],
        vendor: Vendor::Buildkite, trigger: Trigger::PullRequest, because: Some("BUILDKITE_PULL_REQUEST"),
        branch: Some("feature/x"), default_branch: Some("main"), commit: Some(SHA),
        node: Some((2, 4)), build_id: Some(BK_UUID), retry: Some(0), warning: Some("BUILDKITE_PULL_REQUEST=abc"), ..NONE },
];

fn lookup(layers: &'static [Vars]) -> impl Fn(&str) -> Option<String> {
    move |name| {
        layers
            .iter()
            .rev()
            .find_map(|layer| layer.iter().rev().find(|(k, _)| *k == name))
            .map(|(_, v)| (*v).to_string())
    }
}

fn value<T: Clone>(derived: Option<&Derived<T>>) -> Option<T> {
    derived.map(|d| d.value.clone())
}

#[test]
fn every_row_detects_as_documented() {
    let mut failures = Vec::new();
    for row in ROWS {
        let ci = match detect(&lookup(row.env)) {
            Ok(ci) => ci,
            Err(error) => {
                failures.push(format!("{}: unexpected error: {error}", row.name));
                continue;
            }
        };
        let mut check = |what: &str, ok: bool, got: String| {
            if !ok {
                failures.push(format!("{}: wrong {what}: got {got}", row.name));
            }
        };
        check(
            "vendor",
            ci.vendor.value == row.vendor,
            format!("{:?}", ci.vendor.value),
        );
        check(
            "trigger",
            ci.trigger.value == row.trigger,
            format!("{:?} ({})", ci.trigger.value, ci.trigger.reason),
        );
        if let Some(variable) = row.because {
            check(
                "trigger reason",
                ci.trigger.reason.mentions(variable),
                format!("`{}`, which does not name {variable}", ci.trigger.reason),
            );
        }
        let branch = value(ci.branch.as_ref());
        check("branch", branch.as_deref() == row.branch, format!("{branch:?}"));
        let default = value(ci.default_branch.as_ref());
        check(
            "default branch",
            default.as_deref() == row.default_branch,
            format!("{default:?}"),
        );
        let commit = value(ci.commit.as_ref());
        check("commit", commit.as_deref() == row.commit, format!("{commit:?}"));
        let pr = value(ci.pull_request.as_ref());
        check("pull request", pr == row.pr, format!("{pr:?}"));
        let node = ci.node.as_ref().map(|n| (n.index.value, n.total.value));
        check("node", node == row.node, format!("{node:?}"));
        let build_id = value(ci.build_id.as_ref());
        check("build id", build_id.as_deref() == row.build_id, format!("{build_id:?}"));
        let retry = value(ci.retry.as_ref());
        check("retry", retry == row.retry, format!("{retry:?}"));
        let warnings: Vec<String> = ci.warnings.iter().map(ToString::to_string).collect();
        let warnings_ok = match row.warning {
            Some(fragment) => warnings.len() == 1 && warnings[0].contains(fragment),
            None => warnings.is_empty(),
        };
        check("warnings", warnings_ok, format!("{warnings:?}"));
    }
    assert!(
        failures.is_empty(),
        "{} row(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn every_ci_has_a_row_per_trigger() {
    for vendor in [
        Vendor::Buildkite,
        Vendor::GitHubActions,
        Vendor::GitLab,
        Vendor::CircleCi,
        Vendor::AzurePipelines,
        Vendor::Jenkins,
        Vendor::KubernetesIndexedJob,
    ] {
        for trigger in [
            Trigger::PullRequest,
            Trigger::DefaultBranch,
            Trigger::Schedule,
            Trigger::OtherBranch,
        ] {
            assert!(
                ROWS.iter().any(|row| row.vendor == vendor && row.trigger == trigger),
                "no row for {vendor} × {trigger}"
            );
        }
    }
}

#[rustfmt::skip]
const ERRORS: &[(&str, &[Vars], &str)] = &[
    ("index not below total", &[&[("FLOTILLA_NODE_INDEX", "4"), ("FLOTILLA_NODE_TOTAL", "4")]],
        "node index 4 (FLOTILLA_NODE_INDEX=4) is out of range for 4 nodes (FLOTILLA_NODE_TOTAL=4); indexes run from 0 to 3"),
    ("index is not a number", &[&[("FLOTILLA_NODE_INDEX", "first"), ("FLOTILLA_NODE_TOTAL", "4")]],
        "`FLOTILLA_NODE_INDEX=first` is not a 0-based node index (0, 1, 2, …); fix the variable or unset it"),
    ("index without total", &[GITHUB, &[("FLOTILLA_NODE_INDEX", "1")]],
        "this node's index is known (FLOTILLA_NODE_INDEX=1) but not the number of nodes; set FLOTILLA_NODE_TOTAL"),
    ("total without index", &[GITHUB, &[("FLOTILLA_NODE_TOTAL", "3")]],
        "the number of nodes is known (FLOTILLA_NODE_TOTAL=3) but not this node's index; set FLOTILLA_NODE_INDEX"),
    ("zero nodes", &[&[("FLOTILLA_NODE_INDEX", "0"), ("FLOTILLA_NODE_TOTAL", "0")]],
        "`FLOTILLA_NODE_TOTAL=0` is not a positive number of nodes"),
    ("a trigger typo", &[&[("FLOTILLA_TRIGGER", "pull_request")]],
        "`FLOTILLA_TRIGGER=pull_request` is not a trigger (did you mean `pull-request`?); use one of pull-request, default-branch, other-branch, schedule, tag, unknown"),
    ("a negative retry count", &[&[("FLOTILLA_RETRY_COUNT", "-1")]],
        "`FLOTILLA_RETRY_COUNT=-1` is not a retry count"),
    ("gitlab's 1-based index cannot be 0", &[GITLAB, &[("CI_JOB_NAME", "rspec 0/3"), ("CI_NODE_INDEX", "0")]],
        "`CI_NODE_INDEX=0` is not a 1-based node index"),
    ("azure's 1-based position past the total", &[AZURE, &[("SYSTEM_JOBPOSITIONINPHASE", "4")]],
        "node index 3 (SYSTEM_JOBPOSITIONINPHASE=4 (1-based, so minus one)) is out of range for 3 nodes"),
    ("buildkite's 0-based index past the count", &[BUILDKITE, &[("BUILDKITE_PARALLEL_JOB", "4")]],
        "node index 4 (BUILDKITE_PARALLEL_JOB=4) is out of range for 4 nodes (BUILDKITE_PARALLEL_JOB_COUNT=4)"),
];

#[test]
fn unusable_node_and_override_values_are_errors_that_say_what_to_do() {
    for (name, env, expected) in ERRORS {
        match detect(&lookup(env)) {
            Ok(ci) => panic!("{name}: expected an error, got {ci:#?}"),
            Err(error) => assert!(
                error.to_string().contains(expected),
                "{name}: `{error}` does not contain `{expected}`"
            ),
        }
    }
}

#[test]
fn explanations_name_the_ci_and_the_variables() {
    let explain = |layers: &'static [Vars]| detect(&lookup(layers)).unwrap().explain_trigger();
    assert_eq!(
        explain(&[
            GITHUB,
            &[("GITHUB_EVENT_NAME", "pull_request"), ("GITHUB_HEAD_REF", "x")]
        ]),
        "GitHub Actions GITHUB_EVENT_NAME=pull_request means a pull-request build"
    );
    assert_eq!(
        explain(&[BUILDKITE, &[("BUILDKITE_BRANCH", "main")]]),
        "Buildkite BUILDKITE_PULL_REQUEST=false, BUILDKITE_BRANCH=main, BUILDKITE_PIPELINE_DEFAULT_BRANCH=main \
         (the branch is the default branch) means a default-branch build"
    );
    assert_eq!(
        explain(&[CIRCLECI, &[("CIRCLE_BRANCH", "main"), ("FLOTILLA_TRIGGER", "schedule")]]),
        "FLOTILLA_TRIGGER=schedule means a scheduled build"
    );
    assert_eq!(
        explain(&[&[("FLOTILLA_BRANCH", "main")]]),
        "FLOTILLA_BRANCH=main (nothing says which branch is the default, so `main` and `master` are taken to be it; \
         set FLOTILLA_DEFAULT_BRANCH to say otherwise) means a default-branch build"
    );
    assert_eq!(
        explain(&[&[("CI", "true")]]),
        "an unrecognised CI sets no variable that tells the trigger or the branch; set FLOTILLA_TRIGGER \
         means a build whose trigger is unknown"
    );
    assert_eq!(
        explain(&[
            KUBERNETES,
            &[("FLOTILLA_BRANCH", "feature/x"), ("FLOTILLA_DEFAULT_BRANCH", "main")]
        ]),
        "FLOTILLA_BRANCH=feature/x, FLOTILLA_DEFAULT_BRANCH=main (the branch is not the default branch) \
         means a build of a branch other than the default"
    );
    assert_eq!(
        explain(&[]),
        "no CI variable is set and neither is FLOTILLA_TRIGGER means a build whose trigger is unknown"
    );
}

#[test]
fn display_lists_every_known_value_with_its_reason() {
    let ci = detect(&lookup(&[
        GITLAB,
        &[("CI_PIPELINE_SOURCE", "push"), ("CI_COMMIT_BRANCH", "main")],
    ]))
    .unwrap();
    let text = ci.to_string();
    assert!(text.contains("ci:             GitLab CI (GITLAB_CI=true)"), "{text}");
    assert!(
        text.contains("node:           1 of 3 (from 0) (CI_NODE_INDEX=2, CI_JOB_NAME=rspec 2/3 (1-based, so minus one; a `parallel: N` job); CI_NODE_TOTAL=3)"),
        "{text}"
    );
    assert!(!ci.is_retry());
}

#[test]
fn the_user_docs_name_every_override() {
    let docs = include_str!("../../docs/ci.md");
    for name in super::overrides::ALL {
        assert!(docs.contains(name), "docs/ci.md does not mention {name}");
    }
}

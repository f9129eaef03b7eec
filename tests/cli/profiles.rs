//! Profiles chosen from the CI context, `--profile`, `--explain`, and `[gate]` from the config.

use crate::harness::Project;

const CONFIG: &str = r#"
[suite.s]
runner = "custom"
command = ["sh", "{file}"]
files = ["t/*.sh"]

[profile.pr]
when = "pull-request"
env = { LLM_MODE = "mock" }
select = "priority_p0"

[profile.main]
when = "default-branch"
env = { LLM_MODE = "real" }
select = "priority_p0 or priority_p1"

[profile.nightly]
when = "schedule"
env = { LLM_MODE = "real" }
"#;

fn project() -> Project {
    let project = Project::new();
    project.config(CONFIG).file(
        "t/a.sh",
        "echo \"LLM_MODE=$LLM_MODE SELECT=$FLOTILLA_SELECT\" > \"$PROJECT_ROOT/seen\"\n",
    );
    project
}

fn run_in_ci(project: &Project, vars: &[(&str, &str)], args: &[&str]) -> (crate::harness::Run, String) {
    let mut command = project.command(args);
    for var in [
        "GITHUB_ACTIONS",
        "GITLAB_CI",
        "BUILDKITE",
        "CIRCLECI",
        "TF_BUILD",
        "JENKINS_URL",
        "FLOTILLA_PROFILE",
    ] {
        command.env_remove(var);
    }
    command.envs(vars.iter().copied());
    let output = command.output().unwrap();
    let run = crate::harness::Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    let seen = std::fs::read_to_string(project.path("seen")).unwrap_or_default();
    (run, seen.trim().to_string())
}

#[test]
fn the_trigger_picks_the_profile() {
    let project = project();
    let pr = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_HEAD_REF", "feature"),
        ("GITHUB_BASE_REF", "main"),
    ];
    let (run, seen) = run_in_ci(&project, &pr, &["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(seen, "LLM_MODE=mock SELECT=priority_p0");
    let main = [
        ("GITLAB_CI", "true"),
        ("CI_PIPELINE_SOURCE", "push"),
        ("CI_COMMIT_BRANCH", "main"),
        ("CI_DEFAULT_BRANCH", "main"),
    ];
    let (_, seen) = run_in_ci(&project, &main, &["run"]);
    assert_eq!(seen, "LLM_MODE=real SELECT=priority_p0 or priority_p1");
    let nightly = [
        ("BUILDKITE", "true"),
        ("BUILDKITE_SOURCE", "schedule"),
        ("BUILDKITE_BRANCH", "main"),
        ("BUILDKITE_PULL_REQUEST", "false"),
    ];
    let (_, seen) = run_in_ci(&project, &nightly, &["run"]);
    assert_eq!(seen, "LLM_MODE=real SELECT=");
    let (_, seen) = run_in_ci(&project, &nightly, &["run", "--profile", "pr"]);
    assert_eq!(
        seen, "LLM_MODE=mock SELECT=priority_p0",
        "--profile wins over the CI context"
    );
}

#[test]
fn explain_says_which_profile_and_why_and_runs_nothing() {
    let project = project();
    let pr = [
        ("TF_BUILD", "True"),
        ("BUILD_REASON", "PullRequest"),
        ("SYSTEM_PULLREQUEST_SOURCEBRANCH", "refs/heads/x"),
    ];
    let (run, seen) = run_in_ci(&project, &pr, &["run", "--explain"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert!(run.stdout.contains("profile: pr"), "{}", run.stdout);
    assert!(run.stdout.contains("BUILD_REASON=PullRequest"), "{}", run.stdout);
    let line = |key: &str| {
        run.stdout
            .lines()
            .find(|line| line.split_whitespace().next() == Some(key))
            .unwrap_or_else(|| panic!("no `{key}` setting in:\n{}", run.stdout))
            .to_string()
    };
    // Every setting in effect, with where it came from (the profile's values name their line).
    let variable = line("suite.s.env.LLM_MODE");
    assert!(
        variable.contains("\"mock\"") && variable.ends_with("profile pr (line 9)"),
        "{variable}"
    );
    let select = line("suite.s.select");
    assert!(
        select.contains("priority_p0") && select.ends_with("profile pr (line 10)"),
        "{select}"
    );
    assert!(line("workers").ends_with("default"), "{}", run.stdout);
    assert!(line("suite.s.retries").ends_with("default"), "{}", run.stdout);
    assert!(seen.is_empty(), "--explain ran a test");

    // A flag wins over the profile, a variable over the file, and each says so.
    let (run, _) = run_in_ci(
        &project,
        &[("FLOTILLA_WORKERS", "3")],
        &["run", "--explain", "--select", "smoke", "--profile", "pr"],
    );
    assert_eq!(run.code, 0, "{}", run.describe());
    // The settings table comes last (the reason line before it may start with "profile" too).
    let find = |key: &str| {
        run.stdout
            .lines()
            .rfind(|l| l.split_whitespace().next() == Some(key))
            .unwrap_or_default()
            .to_string()
    };
    assert!(find("suite.s.select").ends_with("flag --select"), "{}", run.stdout);
    assert!(find("workers").ends_with("variable FLOTILLA_WORKERS"), "{}", run.stdout);
    assert!(find("workers").contains(" 3 "), "{}", run.stdout);
    assert!(find("profile").ends_with("flag --profile"), "{}", run.stdout);
}

#[test]
fn unknown_profile_and_bad_ci_variables_are_usage_errors() {
    let project = project();
    let (run, _) = run_in_ci(&project, &[], &["run", "--profile", "nighty"]);
    assert_eq!(run.code, 2, "{}", run.describe());
    assert!(run.stderr.contains("did you mean `nightly`?"), "{}", run.stderr);
    let (run, _) = run_in_ci(
        &project,
        &[("FLOTILLA_NODE_INDEX", "7"), ("FLOTILLA_NODE_TOTAL", "3")],
        &["run"],
    );
    assert_eq!(run.code, 2, "{}", run.describe());
}

#[test]
fn the_gate_reads_its_requirements_from_the_config() {
    let project = project();
    project.file(
        "flotilla.toml",
        &format!("{CONFIG}\n[gate]\nrequire = [\"s\", \"e2e\"]\n"),
    );
    assert_eq!(project.run(&["run"]).code, 0);
    let gate = project.run(&["gate", ".flotilla/runs"]);
    assert_eq!(gate.code, 1, "{}", gate.describe());
    assert!(
        gate.stdout.contains("missing") && gate.stdout.contains("e2e"),
        "{}",
        gate.stdout
    );
}

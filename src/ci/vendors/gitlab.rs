//! GitLab CI/CD: `GITLAB_CI=true`. Detected before every other vendor.
//!
//! Gotchas: the trigger is `CI_PIPELINE_SOURCE` (`merge_request_event`,
//! `external_pull_request_event`, `schedule`, `push`, `web`, …); `CI_COMMIT_BRANCH` is absent in
//! merge-request and tag pipelines (the MR's branch is `CI_MERGE_REQUEST_SOURCE_BRANCH_NAME`);
//! `CI_DEFAULT_BRANCH` names the default branch; `CI_NODE_INDEX` is **1-based** and is **also
//! set by `parallel: matrix:`**, so it is only trusted when `CI_JOB_NAME` ends in
//! ` INDEX/TOTAL`, the name GitLab gives `parallel: N` jobs. `CI_JOB_RETRY_COUNT` may not exist
//! on every GitLab version and is optional.

use crate::ci::derived::Derived;
use crate::ci::env::Env;
use crate::ci::error::{CiError, CiWarning};
use crate::ci::facts::{Event, Facts};

pub(super) fn read(mut facts: Facts, env: Env<'_>, warnings: &mut Vec<CiWarning>) -> Result<Facts, CiError> {
    let source = env.get("CI_PIPELINE_SOURCE");
    facts.event = match source.as_deref() {
        Some(s @ "merge_request_event") => {
            facts.pull_request = env.number("CI_MERGE_REQUEST_IID", "a merge request number", warnings);
            facts.branch = env.text("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME");
            Some(Derived::var(Event::PullRequest, "CI_PIPELINE_SOURCE", s))
        }
        Some(s @ "external_pull_request_event") => {
            facts.pull_request = env.number("CI_EXTERNAL_PULL_REQUEST_IID", "a pull request number", warnings);
            facts.branch = env.text("CI_EXTERNAL_PULL_REQUEST_SOURCE_BRANCH_NAME");
            Some(Derived::var(Event::PullRequest, "CI_PIPELINE_SOURCE", s))
        }
        Some(s @ "schedule") => Some(Derived::var(Event::Schedule, "CI_PIPELINE_SOURCE", s)),
        _ => match env.get("CI_COMMIT_TAG") {
            Some(tag) => Some(Derived::var(Event::Tag, "CI_COMMIT_TAG", tag)),
            None => source.map(|s| Derived::var(Event::Branch, "CI_PIPELINE_SOURCE", s)),
        },
    };
    if facts.branch.is_none() {
        facts.branch = env.text("CI_COMMIT_BRANCH");
    }
    facts.default_branch = env.text("CI_DEFAULT_BRANCH");
    facts.commit = env.text("CI_COMMIT_SHA");
    facts.build_id = env.text("CI_PIPELINE_ID");
    facts.retry = env.number("CI_JOB_RETRY_COUNT", "a retry count (0, 1, …)", warnings);
    read_node(&mut facts, env, warnings)?;
    Ok(facts)
}

/// `CI_NODE_INDEX`/`CI_NODE_TOTAL`, trusted only for jobs named like `parallel: N` jobs.
fn read_node(facts: &mut Facts, env: Env<'_>, warnings: &mut Vec<CiWarning>) -> Result<(), CiError> {
    let (Some(index), Some(total)) = (env.get("CI_NODE_INDEX"), env.get("CI_NODE_TOTAL")) else {
        return Ok(());
    };
    let job_name = env.get("CI_JOB_NAME");
    let suffix = format!(" {}/{}", index.trim(), total.trim());
    if job_name.as_deref().is_some_and(|name| name.ends_with(&suffix)) {
        facts.node_index = env.node_index("CI_NODE_INDEX", 1)?;
        facts.node_total = env.node_total("CI_NODE_TOTAL")?;
        if let (Some(index), Some(name)) = (&mut facts.node_index, job_name) {
            index.reason = std::mem::take(&mut index.reason)
                .and("CI_JOB_NAME", name)
                .because("a `parallel: N` job");
        }
    } else {
        warnings.push(CiWarning::GitLabMatrix { job_name, index, total });
    }
    Ok(())
}

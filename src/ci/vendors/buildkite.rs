//! Buildkite: `BUILDKITE=true`.
//!
//! Gotchas: `BUILDKITE_PULL_REQUEST` is the PR number *or the string `false`*; scheduled builds
//! say `BUILDKITE_SOURCE=schedule`; in tag builds `BUILDKITE_BRANCH` is the tag's name, so it is
//! not read as a branch; `BUILDKITE_PARALLEL_JOB` is 0-based and unset without `parallelism`;
//! `BUILDKITE_RETRY_COUNT` is 0 on the first run.

use crate::ci::derived::{Derived, Reason};
use crate::ci::env::Env;
use crate::ci::error::{CiError, CiWarning};
use crate::ci::facts::{Event, Facts};

pub(super) fn read(mut facts: Facts, env: Env<'_>, warnings: &mut Vec<CiWarning>) -> Result<Facts, CiError> {
    let pull_request = env.get("BUILDKITE_PULL_REQUEST");
    facts.event = Some(match pull_request.as_deref() {
        Some(pr) if !pr.eq_ignore_ascii_case("false") => {
            facts.pull_request = env.number("BUILDKITE_PULL_REQUEST", "a pull request number or `false`", warnings);
            Derived::var(Event::PullRequest, "BUILDKITE_PULL_REQUEST", pr)
        }
        _ => {
            if let Some(source) = env.get("BUILDKITE_SOURCE").filter(|s| s == "schedule") {
                Derived::var(Event::Schedule, "BUILDKITE_SOURCE", source)
            } else if let Some(tag) = env.get("BUILDKITE_TAG") {
                Derived::var(Event::Tag, "BUILDKITE_TAG", tag)
            } else {
                let reason = match &pull_request {
                    Some(not_a_pr) => Reason::var("BUILDKITE_PULL_REQUEST", not_a_pr),
                    None => Reason::default(),
                };
                Derived::new(Event::Branch, reason)
            }
        }
    });
    let is_tag = facts.event.as_ref().is_some_and(|e| e.value == Event::Tag);
    if !is_tag {
        facts.branch = env.text("BUILDKITE_BRANCH");
    }
    facts.default_branch = env.text("BUILDKITE_PIPELINE_DEFAULT_BRANCH");
    facts.commit = env.text("BUILDKITE_COMMIT");
    facts.node_index = env.node_index("BUILDKITE_PARALLEL_JOB", 0)?;
    facts.node_total = env.node_total("BUILDKITE_PARALLEL_JOB_COUNT")?;
    facts.build_id = env.text("BUILDKITE_BUILD_ID");
    facts.retry = env.number("BUILDKITE_RETRY_COUNT", "a retry count (0, 1, …)", warnings);
    Ok(facts)
}

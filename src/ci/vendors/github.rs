//! GitHub Actions: `GITHUB_ACTIONS=true`.
//!
//! Gotchas: the trigger is `GITHUB_EVENT_NAME` (`pull_request`, `pull_request_target`,
//! `merge_group`, `schedule`, `push`, …); the branch is `GITHUB_HEAD_REF` for pull requests and
//! `GITHUB_REF_NAME` otherwise; there is **no node index variable** (`strategy.job-index` must
//! be passed in as `FLOTILLA_NODE_INDEX`) and **no default-branch variable**;
//! `GITHUB_RUN_ATTEMPT` is 1-based; `GITHUB_SHA` of a pull request is a synthetic merge commit.

use crate::ci::derived::{Derived, Reason};
use crate::ci::env::{Env, pull_number};
use crate::ci::error::CiWarning;
use crate::ci::facts::{Event, Facts};

pub(super) fn read(mut facts: Facts, env: Env<'_>, warnings: &mut Vec<CiWarning>) -> Facts {
    let event_name = env.get("GITHUB_EVENT_NAME");
    let ref_type = env.get("GITHUB_REF_TYPE");
    facts.event = match event_name.as_deref() {
        Some(name @ ("pull_request" | "pull_request_target" | "merge_group")) => {
            facts.pull_request = env
                .get("GITHUB_REF")
                .filter(|r| r.starts_with("refs/pull/"))
                .and_then(|r| pull_number(&r).map(|n| Derived::new(n, Reason::var("GITHUB_REF", &r))));
            facts.branch = env.text("GITHUB_HEAD_REF").or_else(|| env.text("GITHUB_REF_NAME"));
            Some(Derived::var(Event::PullRequest, "GITHUB_EVENT_NAME", name))
        }
        Some(name @ "schedule") => Some(Derived::var(Event::Schedule, "GITHUB_EVENT_NAME", name)),
        Some(name) if ref_type.as_deref() == Some("tag") => Some(Derived::new(
            Event::Tag,
            Reason::var("GITHUB_EVENT_NAME", name).and("GITHUB_REF_TYPE", "tag"),
        )),
        Some(name) => Some(Derived::var(Event::Branch, "GITHUB_EVENT_NAME", name)),
        None => None,
    };
    if facts.branch.is_none() && ref_type.as_deref() != Some("tag") {
        facts.branch = env.text("GITHUB_REF_NAME");
    }
    facts.commit = env.text("GITHUB_SHA");
    facts.build_id = env.text("GITHUB_RUN_ID");
    facts.retry = env.attempt_as_retries("GITHUB_RUN_ATTEMPT", warnings);
    facts
}

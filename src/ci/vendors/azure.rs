//! Azure Pipelines: `TF_BUILD=True`.
//!
//! Gotchas: the trigger is `BUILD_REASON` (`PullRequest`, `Schedule`, `IndividualCI`,
//! `BatchedCI`, `Manual`, …); the branch is `BUILD_SOURCEBRANCH` without `refs/heads/`
//! (`BUILD_SOURCEBRANCHNAME` keeps only the last path segment: `feature/x` → `x`), and
//! `SYSTEM_PULLREQUEST_SOURCEBRANCH` for pull requests; the PR number is
//! `SYSTEM_PULLREQUEST_PULLREQUESTNUMBER` (GitHub) or `…PULLREQUESTID` (Azure Repos);
//! `SYSTEM_JOBPOSITIONINPHASE` is **1-based** (and `1` even without `parallel`);
//! `SYSTEM_JOBATTEMPT` is 1-based. There is no default-branch variable.

use crate::ci::derived::{Derived, Reason};
use crate::ci::env::Env;
use crate::ci::error::{CiError, CiWarning};
use crate::ci::facts::{Event, Facts};

pub(super) fn read(mut facts: Facts, env: Env<'_>, warnings: &mut Vec<CiWarning>) -> Result<Facts, CiError> {
    let reason = env.get("BUILD_REASON");
    let source_branch = env.get("BUILD_SOURCEBRANCH");
    facts.event = match reason.as_deref() {
        Some(r @ "PullRequest") => {
            facts.pull_request = env
                .number(
                    "SYSTEM_PULLREQUEST_PULLREQUESTNUMBER",
                    "a pull request number",
                    warnings,
                )
                .or_else(|| env.number("SYSTEM_PULLREQUEST_PULLREQUESTID", "a pull request id", warnings));
            facts.branch = env.stripped("SYSTEM_PULLREQUEST_SOURCEBRANCH", "refs/heads/");
            Some(Derived::var(Event::PullRequest, "BUILD_REASON", r))
        }
        Some(r @ "Schedule") => Some(Derived::var(Event::Schedule, "BUILD_REASON", r)),
        _ => match source_branch.as_deref() {
            Some(tag) if tag.starts_with("refs/tags/") => {
                let why = match &reason {
                    Some(r) => Reason::var("BUILD_REASON", r).and("BUILD_SOURCEBRANCH", tag),
                    None => Reason::var("BUILD_SOURCEBRANCH", tag),
                };
                Some(Derived::new(Event::Tag, why))
            }
            _ => reason.map(|r| Derived::var(Event::Branch, "BUILD_REASON", r)),
        },
    };
    if facts.branch.is_none() && source_branch.as_deref().is_some_and(|b| b.starts_with("refs/heads/")) {
        facts.branch = env.stripped("BUILD_SOURCEBRANCH", "refs/heads/");
    }
    facts.commit = env.text("BUILD_SOURCEVERSION");
    facts.node_index = env.node_index("SYSTEM_JOBPOSITIONINPHASE", 1)?;
    facts.node_total = env.node_total("SYSTEM_TOTALJOBSINPHASE")?;
    facts.build_id = env.text("BUILD_BUILDID");
    facts.retry = env.attempt_as_retries("SYSTEM_JOBATTEMPT", warnings);
    Ok(facts)
}

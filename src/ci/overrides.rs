//! flotilla's own `FLOTILLA_*` variables, which take precedence over whatever the CI says.
//! They fill the gaps some CIs leave (GitHub Actions has no node index, Kubernetes no node
//! total, CircleCI and Jenkins no schedule marker) and let a build say what it is.

use super::derived::{Derived, Reason};
use super::env::Env;
use super::error::CiError;
use super::facts::Facts;
use super::trigger::Trigger;

/// This node's index, counting from 0.
pub(crate) const NODE_INDEX: &str = "FLOTILLA_NODE_INDEX";
/// The number of nodes.
pub(crate) const NODE_TOTAL: &str = "FLOTILLA_NODE_TOTAL";
/// The trigger, by name (`pull-request`, `default-branch`, …).
pub(crate) const TRIGGER: &str = "FLOTILLA_TRIGGER";
/// The branch being built.
pub(crate) const BRANCH: &str = "FLOTILLA_BRANCH";
/// The repository's default branch.
pub(crate) const DEFAULT_BRANCH: &str = "FLOTILLA_DEFAULT_BRANCH";
/// The commit being built.
pub(crate) const COMMIT: &str = "FLOTILLA_COMMIT";
/// An id shared by every node of this build and unchanged when a node is retried.
pub(crate) const BUILD_ID: &str = "FLOTILLA_BUILD_ID";
/// How many times this node has been retried (0 on the first run).
pub(crate) const RETRY_COUNT: &str = "FLOTILLA_RETRY_COUNT";

/// Every override (the docs test checks `docs/ci.md` names them all).
#[cfg(test)]
pub(crate) const ALL: [&str; 8] = [
    NODE_INDEX,
    NODE_TOTAL,
    TRIGGER,
    BRANCH,
    DEFAULT_BRANCH,
    COMMIT,
    BUILD_ID,
    RETRY_COUNT,
];

/// Whether `variable` is one of flotilla's own.
pub(crate) fn is_override(variable: &str) -> bool {
    variable.starts_with("FLOTILLA_")
}

/// Replaces `facts` values with the overrides that are set; returns the forced trigger, if any.
pub(crate) fn apply(facts: &mut Facts, env: Env<'_>) -> Result<Option<Derived<Trigger>>, CiError> {
    if let Some(index) = env.node_index(NODE_INDEX, 0)? {
        facts.node_index = Some(index);
    }
    if let Some(total) = env.node_total(NODE_TOTAL)? {
        facts.node_total = Some(total);
    }
    for (name, slot) in [
        (BRANCH, &mut facts.branch),
        (DEFAULT_BRANCH, &mut facts.default_branch),
        (COMMIT, &mut facts.commit),
        (BUILD_ID, &mut facts.build_id),
    ] {
        if let Some(value) = env.text(name) {
            *slot = Some(value);
        }
    }
    if let Some(value) = env.get(RETRY_COUNT) {
        let retries = value.trim().parse().map_err(|_| CiError::InvalidVariable {
            variable: RETRY_COUNT,
            value: value.clone(),
            expected: "a retry count (0 on the first run)",
        })?;
        facts.retry = Some(Derived::var(retries, RETRY_COUNT, value));
    }
    env.get(TRIGGER)
        .map(|value| match value.parse::<Trigger>() {
            Ok(trigger) => Ok(Derived::new(trigger, Reason::var(TRIGGER, value))),
            Err(unknown) => Err(CiError::UnknownTrigger {
                value,
                suggestion: unknown.suggestion,
            }),
        })
        .transpose()
}

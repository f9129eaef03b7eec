//! [`CiError`] (a CI variable flotilla cannot act on) and [`CiWarning`] (a variable it chose to
//! ignore, and why).

use super::derived::Reason;
use super::trigger::Trigger;

/// A CI or `FLOTILLA_*` variable is set to something flotilla cannot use. Node variables are
/// always errors: running the wrong share of the tests silently is worse than stopping.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CiError {
    /// A variable is set but its value cannot be parsed.
    #[error("`{variable}={value}` is not {expected}; fix the variable or unset it")]
    InvalidVariable {
        /// The variable.
        variable: &'static str,
        /// Its value.
        value: String,
        /// What was expected, as a noun phrase.
        expected: &'static str,
    },

    /// `FLOTILLA_TRIGGER` is not a trigger name.
    #[error(
        "`FLOTILLA_TRIGGER={value}` is not a trigger{}; use one of {}",
        suggestion.map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default(),
        trigger_names()
    )]
    UnknownTrigger {
        /// The value.
        value: String,
        /// The closest trigger name, when it looks like a typo.
        suggestion: Option<&'static str>,
    },

    /// The node's index is known but not how many nodes there are.
    #[error(
        "this node's index is known ({index}) but not the number of nodes; set FLOTILLA_NODE_TOTAL to the number of parallel nodes"
    )]
    IndexWithoutTotal {
        /// Where the index came from.
        index: Reason,
    },

    /// The number of nodes is known but not this node's index.
    #[error(
        "the number of nodes is known ({total}) but not this node's index; set FLOTILLA_NODE_INDEX (counting from 0) on every node"
    )]
    TotalWithoutIndex {
        /// Where the total came from.
        total: Reason,
    },

    /// The index is not below the total.
    #[error(
        "node index {index} ({index_reason}) is out of range for {total} nodes ({total_reason}); indexes run from 0 to {}, and FLOTILLA_NODE_INDEX counts from 0",
        total.saturating_sub(1)
    )]
    IndexOutOfRange {
        /// The 0-based index.
        index: u32,
        /// Where it came from.
        index_reason: Reason,
        /// The total.
        total: u32,
        /// Where it came from.
        total_reason: Reason,
    },
}

fn trigger_names() -> String {
    Trigger::ALL.map(Trigger::as_str).join(", ")
}

/// A CI variable flotilla saw but did not use; detection went on without it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CiWarning {
    /// An informative value (PR number, retry count) could not be parsed.
    #[error("ignored `{variable}={value}`: it is not {expected}")]
    Ignored {
        /// The variable.
        variable: &'static str,
        /// Its value.
        value: String,
        /// What was expected.
        expected: &'static str,
    },

    /// GitLab's `CI_NODE_INDEX` in a job that does not look like a `parallel: N` job.
    #[error(
        "ignored `CI_NODE_INDEX={index}` and `CI_NODE_TOTAL={total}`: GitLab also sets them for `parallel: matrix:` jobs, and job `{}` is not named like a `parallel: N` job (`NAME {index}/{total}`), so this job runs every test; set FLOTILLA_NODE_INDEX (from 0) and FLOTILLA_NODE_TOTAL to split it",
        job_name.as_deref().unwrap_or("(CI_JOB_NAME unset)")
    )]
    GitLabMatrix {
        /// `CI_JOB_NAME`.
        job_name: Option<String>,
        /// `CI_NODE_INDEX` as set (1-based).
        index: String,
        /// `CI_NODE_TOTAL` as set.
        total: String,
    },

    /// A Kubernetes Indexed Job pod without `FLOTILLA_NODE_TOTAL`.
    #[error(
        "ignored `JOB_COMPLETION_INDEX={index}`: Kubernetes does not tell a pod how many completions its Job has, so this pod runs every test; set FLOTILLA_NODE_TOTAL to the Job's `completions` in the pod template to split the tests"
    )]
    KubernetesWithoutTotal {
        /// `JOB_COMPLETION_INDEX` as set.
        index: String,
    },
}

impl CiWarning {
    /// Whether the warning is about the node index, which overrides make moot.
    pub(crate) fn is_about_node(&self) -> bool {
        matches!(self, Self::GitLabMatrix { .. } | Self::KubernetesWithoutTotal { .. })
    }
}

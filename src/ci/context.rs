//! [`CiContext`]: everything flotilla knows about the build it runs in, each value with the
//! reason it was derived; [`Node`]: which share of a parallel step this machine runs.

use std::fmt;

use super::derived::Derived;
use super::error::CiWarning;
use super::overrides;
use super::trigger::Trigger;
use super::vendor::Vendor;

/// What the CI environment says about this build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CiContext {
    /// Which CI (or none).
    pub vendor: Derived<Vendor>,
    /// What triggered the build. Always present: [`Trigger::Unknown`] when nothing says.
    pub trigger: Derived<Trigger>,
    /// The branch built (the source branch of a pull request).
    pub branch: Option<Derived<String>>,
    /// The repository's default branch, when the CI (or `FLOTILLA_DEFAULT_BRANCH`) says.
    pub default_branch: Option<Derived<String>>,
    /// The commit built (for GitHub pull requests, the synthetic merge commit).
    pub commit: Option<Derived<String>>,
    /// The pull request's number, when known.
    pub pull_request: Option<Derived<u64>>,
    /// This machine's share of a parallel step; `None` when the step is not split.
    pub node: Option<Node>,
    /// An id shared by every node of the build (and kept when one node is retried).
    pub build_id: Option<Derived<String>>,
    /// How many times this job has been retried (0 on the first run), when the CI counts.
    pub retry: Option<Derived<u32>>,
    /// Variables that were seen but not used.
    pub warnings: Vec<CiWarning>,
}

/// One node of a parallel step: `index` in `0..total`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Node {
    /// This node, counting from 0 whatever the CI's own base.
    pub index: Derived<u32>,
    /// How many nodes share the step (at least 1, more than `index`).
    pub total: Derived<u32>,
}

impl CiContext {
    /// The trigger with its evidence as one sentence:
    /// "GitHub Actions GITHUB_EVENT_NAME=pull_request means a pull-request build".
    #[must_use]
    pub fn explain_trigger(&self) -> String {
        let reason = &self.trigger.reason;
        let vendor_said_it = reason.evidence.iter().any(|e| !overrides::is_override(e.variable));
        let said_by = if vendor_said_it && !reason.mentions(overrides::TRIGGER) {
            format!("{} ", self.vendor.value)
        } else {
            String::new()
        };
        format!("{said_by}{reason} means {}", self.trigger.value.describe())
    }

    /// Whether this job is a retry of an earlier attempt.
    #[must_use]
    pub fn is_retry(&self) -> bool {
        self.retry.as_ref().is_some_and(|retry| retry.value > 0)
    }
}

impl fmt::Display for CiContext {
    /// One line per known value, each with its reason (for `--explain`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "ci:             {} ({})", self.vendor.value, self.vendor.reason)?;
        writeln!(f, "trigger:        {} ({})", self.trigger.value, self.trigger.reason)?;
        let lines: [(&str, Option<(String, String)>); 7] = [
            (
                "branch",
                self.branch.as_ref().map(|d| (d.value.clone(), d.reason.to_string())),
            ),
            (
                "default branch",
                self.default_branch
                    .as_ref()
                    .map(|d| (d.value.clone(), d.reason.to_string())),
            ),
            (
                "commit",
                self.commit.as_ref().map(|d| (d.value.clone(), d.reason.to_string())),
            ),
            (
                "pull request",
                self.pull_request
                    .as_ref()
                    .map(|d| (d.value.to_string(), d.reason.to_string())),
            ),
            (
                "node",
                self.node.as_ref().map(|n| {
                    (
                        format!("{} of {} (from 0)", n.index.value, n.total.value),
                        format!("{}; {}", n.index.reason, n.total.reason),
                    )
                }),
            ),
            (
                "build id",
                self.build_id.as_ref().map(|d| (d.value.clone(), d.reason.to_string())),
            ),
            (
                "retry",
                self.retry.as_ref().map(|d| (d.value.to_string(), d.reason.to_string())),
            ),
        ];
        for (label, line) in lines {
            if let Some((value, reason)) = line {
                writeln!(f, "{:<16}{value} ({reason})", format!("{label}:"))?;
            }
        }
        for warning in &self.warnings {
            writeln!(f, "warning: {warning}")?;
        }
        Ok(())
    }
}

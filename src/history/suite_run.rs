//! [`SuiteRun`]: what the history keeps of the last run of each suite that declares `inputs`:
//! its fingerprint, whether it was green, the run's id and its tests ([`CachedTest`]), so that
//! a later run with the same fingerprint can report them `cached` without running them.

use serde::{Deserialize, Serialize};

use crate::results::Outcome;

/// The last run of one suite.
#[derive(Clone, Debug, PartialEq)]
pub struct SuiteRun {
    /// The suite's name.
    pub suite: String,
    /// The hex fingerprint of its inputs, command, selection and variables in that run.
    pub fingerprint: String,
    /// Whether every one of its tests passed (no failure, error, timeout, flaky test, nothing
    /// left unrun, not interrupted).
    pub green: bool,
    /// The run's id.
    pub run_id: String,
    /// Its tests, in the order of that run.
    pub tests: Vec<CachedTest>,
}

/// One test of a [`SuiteRun`], enough to report it again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CachedTest {
    /// Its id.
    pub id: String,
    /// Its display name.
    pub name: String,
    /// Its JUnit classname, when the runner reported one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classname: Option<String>,
    /// Its file.
    pub file: String,
    /// Its final outcome in that run.
    pub outcome: Outcome,
    /// Its duration in that run (the last attempt's), in seconds.
    pub secs: f64,
}

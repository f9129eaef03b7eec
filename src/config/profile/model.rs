//! [`Profile`]: a resolved `[profile.NAME]` (its conditions and its [`ProfileOverrides`]).
//! `config/resolve/profiles.rs` builds them from the file, in file order.

use std::collections::BTreeMap;

use super::condition::Condition;
use crate::config::Workers;

/// A named set of overrides and the conditions under which it is chosen.
#[derive(Clone, Debug)]
pub struct Profile {
    /// The NAME of `[profile.NAME]`.
    pub name: String,
    /// Any of these selects the profile automatically; empty = only with `--profile`.
    pub when: Vec<Condition>,
    /// What the profile changes.
    pub overrides: ProfileOverrides,
}

/// What a profile changes. Unset fields leave the configuration alone.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProfileOverrides {
    /// Which tests to run, in the runner's selection language (`priority_p0`, `not slow`).
    pub select: Option<String>,
    /// Environment variables added to every job (they win over the suite's own).
    pub env: BTreeMap<String, String>,
    /// Retries of failed tests.
    pub retries: Option<u32>,
    /// Worker count.
    pub workers: Option<Workers>,
    /// Only these suites.
    pub suites: Option<Vec<String>>,
}

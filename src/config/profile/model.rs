//! [`Profile`]: a resolved `[profile.NAME]`, and [`resolve`], which lists the raw tables in
//! file order.

use std::collections::BTreeMap;

use toml::Spanned;

use super::condition::Condition;
use super::raw::RawProfile;
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

impl Profile {
    /// The profile named `name` from its raw table.
    #[must_use]
    pub fn from_raw(name: impl Into<String>, raw: RawProfile) -> Self {
        Self {
            name: name.into(),
            when: raw.when.0,
            overrides: ProfileOverrides {
                select: raw.select,
                env: raw.env,
                retries: raw.retries,
                workers: raw.workers,
                suites: raw.suites,
            },
        }
    }
}

/// The `[profile.NAME]` tables as profiles, **in the order they appear in the file** (by the
/// position of their names), which is the order [`choose`](super::choose) tries them in.
#[must_use]
pub fn resolve(raw: impl IntoIterator<Item = (Spanned<String>, RawProfile)>) -> Vec<Profile> {
    let mut tables: Vec<_> = raw.into_iter().collect();
    tables.sort_by_key(|(name, _)| name.span().start);
    tables
        .into_iter()
        .map(|(name, raw)| Profile::from_raw(name.into_inner(), raw))
        .collect()
}

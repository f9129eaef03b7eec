//! [`RawProfile`]: one `[profile.NAME]` table exactly as written (kebab-case keys, unknown keys
//! rejected), for the main configuration's raw struct to embed as
//! `profile: BTreeMap<Spanned<String>, RawProfile>`.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::condition::When;
use crate::config::Workers;

/// `[profile.NAME]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawProfile {
    /// When the profile is chosen automatically; absent = only with `--profile`.
    #[serde(default)]
    pub when: When,
    /// Which tests to run, in the runner's selection language (e.g. a pytest marker expression).
    pub select: Option<String>,
    /// Extra environment variables for every job.
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    /// Retries of failed tests, for every suite.
    pub retries: Option<u32>,
    /// Worker count.
    pub workers: Option<Workers>,
    /// Only these suites.
    pub suites: Option<Vec<String>>,
}

impl RawProfile {
    /// Every key of the table, for "did you mean" suggestions.
    pub const KEYS: &'static [&'static str] = &["when", "select", "env", "retries", "workers", "suites"];
}

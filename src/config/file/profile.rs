//! [`RawProfile`]: one `[profile.NAME]` table exactly as written (kebab-case keys, unknown keys
//! rejected; values later checks may reject keep their span).

use serde::Deserialize;
use toml::Spanned;

use super::vars::RawVars;
use crate::config::Workers;
use crate::config::profile::When;

/// `[profile.NAME]`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawProfile {
    /// When the profile is chosen automatically; absent = only with `--profile`.
    #[serde(default)]
    pub(crate) when: When,
    /// Which tests to run, in the runner's selection language (e.g. a pytest marker expression).
    pub(crate) select: Option<Spanned<String>>,
    /// Extra environment variables for every job.
    #[serde(default)]
    pub(crate) env: RawVars,
    /// Retries of failed tests, for every suite.
    pub(crate) retries: Option<Spanned<u32>>,
    /// Worker count.
    pub(crate) workers: Option<Spanned<Workers>>,
    /// Only these suites.
    pub(crate) suites: Option<Spanned<Vec<String>>>,
    /// Stop after this many failures (`--max-fail`).
    pub(crate) max_fail: Option<Spanned<crate::config::MaxFail>>,
}

//! Serde structs that mirror `flotilla.toml` exactly: kebab-case keys, unknown keys rejected.
//! Values that later checks may reject keep their span ([`Spanned`]) so errors can point at them.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::workers::Workers;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawConfig {
    #[serde(default)]
    pub(super) run: RawRun,
    #[serde(default)]
    pub(super) suite: BTreeMap<Spanned<String>, RawSuite>,
    #[serde(default)]
    pub(super) quarantine: RawQuarantine,
    #[serde(default)]
    pub(super) profile: BTreeMap<Spanned<String>, crate::config::profile::RawProfile>,
    pub(super) gate: Option<crate::gate::RawGate>,
    #[serde(default)]
    pub(super) env: BTreeMap<Spanned<String>, crate::envs::RawEnv>,
    #[serde(default)]
    pub(super) step: Vec<Spanned<super::step::RawStep>>,
    #[serde(default)]
    pub(super) cleanup: Vec<Spanned<super::step::RawStep>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawQuarantine {
    #[serde(default)]
    pub(super) mute: Vec<String>,
    #[serde(default)]
    pub(super) skip: Vec<String>,
    pub(super) file: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawRun {
    pub(super) workers: Option<Workers>,
    pub(super) out_dir: Option<String>,
    pub(super) history: Option<String>,
    pub(super) flaky_result: Option<Spanned<String>>,
    pub(super) keep_runs: Option<usize>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawSuite {
    pub(super) runner: Option<Spanned<String>>,
    pub(super) command: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub(super) args: Vec<String>,
    pub(super) files: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub(super) exclude: Vec<Spanned<String>>,
    pub(super) retries: Option<u32>,
    pub(super) retry_delay: Option<Spanned<String>>,
    pub(super) select: Option<String>,
    pub(super) split: Option<bool>,
    pub(super) timeout: Option<Spanned<String>>,
    pub(super) timeout_grace: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) environment: BTreeMap<String, String>,
    pub(super) env: Option<Spanned<String>>,
    pub(super) on_workers: Option<Spanned<Vec<usize>>>,
}

/// Every key, per table, for "did you mean" suggestions.
pub(super) const RUN_KEYS: &[&str] = &["workers", "out-dir", "history", "flaky-result", "keep-runs"];
pub(super) const SUITE_KEYS: &[&str] = &[
    "runner",
    "command",
    "args",
    "files",
    "exclude",
    "retries",
    "retry-delay",
    "select",
    "split",
    "timeout",
    "timeout-grace",
    "environment",
    "env",
    "on-workers",
];
pub(super) const TOP_KEYS: &[&str] = &[
    "run",
    "suite",
    "quarantine",
    "profile",
    "gate",
    "env",
    "step",
    "cleanup",
];

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
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawRun {
    pub(super) workers: Option<Workers>,
    pub(super) out_dir: Option<String>,
    pub(super) history: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawSuite {
    pub(super) runner: Option<Spanned<String>>,
    pub(super) command: Option<Spanned<Vec<String>>>,
    pub(super) files: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub(super) exclude: Vec<Spanned<String>>,
    pub(super) retries: Option<u32>,
    pub(super) timeout: Option<Spanned<String>>,
    pub(super) timeout_grace: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) environment: BTreeMap<String, String>,
}

/// Every key, per table, for "did you mean" suggestions.
pub(super) const RUN_KEYS: &[&str] = &["workers", "out-dir", "history"];
pub(super) const SUITE_KEYS: &[&str] = &[
    "runner",
    "command",
    "files",
    "exclude",
    "retries",
    "timeout",
    "timeout-grace",
    "environment",
];
pub(super) const TOP_KEYS: &[&str] = &["run", "suite"];

//! [`RawConfig`]: the whole of `flotilla.toml` exactly as written, with `[run]` ([`RawRun`]),
//! `[suite.NAME]` ([`RawSuite`]) and `[quarantine]` ([`RawQuarantine`]); the other tables have a
//! file of their own in this folder. Kebab-case keys, unknown keys rejected; values that later
//! checks may reject keep their span ([`Spanned`]) so errors can point at them.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

use super::gate::RawGate;
use super::group::RawGroup;
use super::profile::RawProfile;
use super::services::RawServices;
use super::step::RawStep;
use super::vars::RawVars;
use crate::config::Workers;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawConfig {
    #[serde(default)]
    pub(crate) run: RawRun,
    #[serde(default)]
    pub(crate) suite: BTreeMap<Spanned<String>, RawSuite>,
    #[serde(default)]
    pub(crate) quarantine: RawQuarantine,
    #[serde(default)]
    pub(crate) group: BTreeMap<Spanned<String>, RawGroup>,
    #[serde(default)]
    pub(crate) profile: BTreeMap<Spanned<String>, RawProfile>,
    pub(crate) gate: Option<RawGate>,
    #[serde(default)]
    pub(crate) services: BTreeMap<Spanned<String>, RawServices>,
    #[serde(default)]
    pub(crate) step: Vec<Spanned<RawStep>>,
    #[serde(default)]
    pub(crate) cleanup: Vec<Spanned<RawStep>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawQuarantine {
    #[serde(default)]
    pub(crate) mute: Vec<String>,
    #[serde(default)]
    pub(crate) skip: Vec<String>,
    pub(crate) file: Option<Spanned<String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawRun {
    pub(crate) workers: Option<Spanned<Workers>>,
    pub(crate) out_dir: Option<Spanned<String>>,
    pub(crate) history: Option<Spanned<String>>,
    pub(crate) flaky_result: Option<Spanned<String>>,
    pub(crate) keep_runs: Option<Spanned<usize>>,
    pub(crate) max_fail: Option<Spanned<crate::config::MaxFail>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawSuite {
    pub(crate) runner: Option<Spanned<String>>,
    pub(crate) command: Option<Spanned<Vec<String>>>,
    #[serde(default)]
    pub(crate) args: Vec<String>,
    pub(crate) files: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    pub(crate) exclude: Vec<Spanned<String>>,
    pub(crate) retries: Option<Spanned<u32>>,
    pub(crate) retry_delay: Option<Spanned<String>>,
    pub(crate) select: Option<Spanned<String>>,
    pub(crate) split: Option<crate::config::Split>,
    pub(crate) timeout: Option<Spanned<String>>,
    pub(crate) timeout_grace: Option<Spanned<String>>,
    pub(crate) slow_after: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) env: RawVars,
    pub(crate) services: Option<Spanned<String>>,
    pub(crate) on_workers: Option<Spanned<Vec<usize>>>,
    /// `[group.NAME]` of every file and test of the suite.
    pub(crate) group: Option<Spanned<String>>,
    /// `[group.NAME]` → globs of the files (or test ids) that belong to it.
    #[serde(default)]
    pub(crate) groups: BTreeMap<Spanned<String>, Vec<Spanned<String>>>,
    pub(crate) inputs: Option<Spanned<Vec<Spanned<String>>>>,
}

//! [`RawGate`]: the `[gate]` table exactly as written.
//!
//! ```toml
//! [gate]
//! require = ["api", "e2e-*"]
//! ```

use serde::Deserialize;

use crate::gate::SuitePattern;

/// `[gate]` in `flotilla.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawGate {
    /// Suites (globs) that must be present and green.
    #[serde(default)]
    pub(crate) require: Vec<SuitePattern>,
}

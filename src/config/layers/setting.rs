//! [`Setting`]: one setting in effect, as `flotilla run --explain` lists it.

use super::source::Source;

/// One setting in effect: its key (`workers`, `suite.api.retries`), its value as text, and
/// where the value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setting {
    /// The key, as written in `flotilla.toml` (`suite.NAME.` for a suite's keys).
    pub key: String,
    /// The value, as it would be written.
    pub value: String,
    /// Where it came from.
    pub source: Source,
}

impl Setting {
    /// A setting from its parts.
    pub fn new(key: impl Into<String>, value: impl Into<String>, source: Source) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
            source,
        }
    }
}

//! [`RawGroup`]: one `[group.NAME]` table exactly as written.
//!
//! ```toml
//! [group.database]
//! max-concurrency = 1
//! ```

use serde::Deserialize;
use toml::Spanned;

/// `[group.NAME]` in `flotilla.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawGroup {
    /// At most this many of the group's jobs at once (checked to be a positive integer).
    pub(crate) max_concurrency: Option<Spanned<i64>>,
}

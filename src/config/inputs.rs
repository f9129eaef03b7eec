//! [`Inputs`]: a suite's `inputs = ["src/**", "package.json"]`, the files whose content decides
//! whether its tests need to run again (the cache, `run --changed-since`). Opt-in: a suite
//! without `inputs` always runs.

use globset::GlobSet;

/// The globs of a suite's `inputs`, relative to the config folder, as written and compiled.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// The patterns as written (`./` dropped).
    pub patterns: Vec<String>,
    /// The compiled patterns (`*` stays within a folder, `**` crosses folders).
    pub set: GlobSet,
}

impl Inputs {
    /// Whether `path` (relative to the config folder, with `/`) is one of the inputs.
    #[must_use]
    pub fn matches(&self, path: &str) -> bool {
        self.set.is_match(path.trim_start_matches("./"))
    }
}

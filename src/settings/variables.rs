//! [`Variables`]: the environment's variables, read once when the command starts. Every setting
//! that a variable can give (`FLOTILLA_PROFILE`, `FLOTILLA_WORKERS`, `FLOTILLA_RETRIES`, `CI`,
//! `NO_COLOR`, and the CI vendors' variables `crate::ci` reads) is looked up here, so a test can
//! give a command any environment without touching the process's.

use std::collections::BTreeMap;

/// A snapshot of environment variables (values that are not UTF-8 count as unset).
#[derive(Clone, Debug, Default)]
pub struct Variables {
    values: BTreeMap<String, String>,
}

impl Variables {
    /// The process's environment, now.
    #[must_use]
    pub fn from_process() -> Self {
        Self {
            values: std::env::vars_os()
                .filter_map(|(name, value)| Some((name.into_string().ok()?, value.into_string().ok()?)))
                .collect(),
        }
    }

    /// A given set of variables.
    #[must_use]
    pub fn from_pairs<K: Into<String>, V: Into<String>>(pairs: impl IntoIterator<Item = (K, V)>) -> Self {
        Self {
            values: pairs.into_iter().map(|(k, v)| (k.into(), v.into())).collect(),
        }
    }

    /// The value of `name`, if set.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// `CI` is set to something other than empty, `false` or `0` (every CI sets it).
    #[must_use]
    pub fn in_ci(&self) -> bool {
        self.get("CI")
            .is_some_and(|v| !v.is_empty() && v != "false" && v != "0")
    }

    /// A lookup function for [`crate::ci::detect`].
    pub fn lookup(&self) -> impl Fn(&str) -> Option<String> + '_ {
        |name| self.get(name).map(ToString::to_string)
    }
}

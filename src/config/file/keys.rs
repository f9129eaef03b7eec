//! The keys of every table, for "did you mean" help, and the keys that were renamed, whose help
//! names the new key. [`toml_error`] turns a TOML or serde error into a located [`ConfigError`].

use std::sync::Arc;

use camino::Utf8PathBuf;

use crate::config::ConfigError;
use crate::suggest::closest;

pub(crate) const TOP_KEYS: &[&str] = &[
    "run",
    "suite",
    "quarantine",
    "group",
    "profile",
    "gate",
    "services",
    "step",
    "cleanup",
];
pub(crate) const RUN_KEYS: &[&str] = &["workers", "out-dir", "history", "flaky-result", "keep-runs", "max-fail"];
pub(crate) const SUITE_KEYS: &[&str] = &[
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
    "slow-after",
    "env",
    "services",
    "on-workers",
    "group",
    "groups",
    "inputs",
];
pub(crate) const GROUP_KEYS: &[&str] = &["max-concurrency"];

/// A key that was renamed: where it was, and the help that names what to write instead.
struct Renamed {
    /// The old key.
    key: &'static str,
    /// A key that is valid where the old one was (tells the tables apart).
    valid_there: &'static str,
    /// What to write instead.
    help: &'static str,
}

const RENAMED: &[Renamed] = &[
    Renamed {
        key: "env",
        valid_there: "services",
        help: "compose environments are `[services.NAME]` tables now: rename `[env.NAME]` to `[services.NAME]`, and `env = \"NAME\"` on suites and steps to `services = \"NAME\"`",
    },
    Renamed {
        key: "environment",
        valid_there: "env",
        help: "`environment` was renamed `env`: write `env = { NAME = \"value\" }`",
    },
];

/// Turns a TOML/serde error into a [`ConfigError`] with a span and, for unknown keys, the fix.
pub(crate) fn toml_error(path: &Utf8PathBuf, text: &Arc<String>, error: &toml::de::Error) -> ConfigError {
    let message = error.message().trim().to_string();
    let help = unknown_key_help(&message).or_else(|| {
        if message.contains("invalid type") {
            Some("check the value's type: strings are quoted, lists use [ ], numbers are bare".to_string())
        } else {
            None
        }
    });
    ConfigError::at(path, text, error.span(), message, help)
}

fn unknown_key_help(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    if let Some(renamed) = RENAMED
        .iter()
        .find(|renamed| renamed.key == key && expected.contains(&renamed.valid_there))
    {
        return Some(renamed.help.to_string());
    }
    let candidates: Vec<&str> = if expected.is_empty() {
        TOP_KEYS
            .iter()
            .chain(RUN_KEYS)
            .chain(SUITE_KEYS)
            .chain(GROUP_KEYS)
            .chain(super::step::STEP_KEYS)
            .copied()
            .collect()
    } else {
        expected
    };
    Some(match closest(key, candidates.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!("valid keys here: {}", candidates.join(", ")),
    })
}

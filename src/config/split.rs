//! [`Split`]: whether a suite's big files may be split into single tests across workers:
//! `split = true` (the default: when the split pays for its start-ups), `false`, or
//! `"always"`.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

/// A suite's `split` key.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Split {
    /// Files always run whole (tests that share state within a file).
    Never,
    /// A big file is split when spreading it gains more than the start-ups it costs.
    #[default]
    WhenWorthIt,
    /// A big file is split whatever its start-ups cost (a start-up learned on a loaded or cold
    /// machine may overstate what a split costs).
    Always,
}

impl Split {
    /// Whether big files may be split at all.
    #[must_use]
    pub fn allowed(self) -> bool {
        self != Self::Never
    }
}

impl<'de> serde::Deserialize<'de> for Split {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct SplitVisitor;
        impl Visitor<'_> for SplitVisitor {
            type Value = Split;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("true, false or \"always\"")
            }
            fn visit_bool<E: de::Error>(self, value: bool) -> Result<Split, E> {
                Ok(if value { Split::WhenWorthIt } else { Split::Never })
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<Split, E> {
                match value {
                    "always" => Ok(Split::Always),
                    "true" | "auto" => Ok(Split::WhenWorthIt),
                    "false" | "never" => Ok(Split::Never),
                    _ => Err(E::custom(format!(
                        "invalid split `{value}`; use true (when a split pays for its start-ups), false or \"always\""
                    ))),
                }
            }
        }
        deserializer.deserialize_any(SplitVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize)]
    struct Holder {
        split: Split,
    }

    fn parse(value: &str) -> Result<Split, String> {
        toml::from_str::<Holder>(&format!("split = {value}"))
            .map(|h| h.split)
            .map_err(|e| e.message().to_string())
    }

    #[test]
    fn booleans_and_always_are_the_values() {
        assert_eq!(parse("true"), Ok(Split::WhenWorthIt));
        assert_eq!(parse("false"), Ok(Split::Never));
        assert_eq!(parse("\"always\""), Ok(Split::Always));
    }

    #[test]
    fn anything_else_names_the_values() {
        let error = parse("\"sometimes\"").unwrap_err();
        assert!(
            error.contains("use true (when a split pays for its start-ups), false or \"always\""),
            "{error}"
        );
    }
}

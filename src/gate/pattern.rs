//! [`SuitePattern`]: a glob over suite names (`api`, `e2e-*`), from `--require` or
//! `[gate] require`. It is compiled while parsing, so a bad glob is reported where it was
//! written (clap for the flag, toml with its span for the file).

use std::fmt;
use std::str::FromStr;

use globset::{Glob, GlobMatcher};
use serde::de::{self, Deserializer, Visitor};

/// A compiled suite-name glob.
#[derive(Clone, Debug)]
pub struct SuitePattern {
    text: String,
    matcher: GlobMatcher,
}

impl SuitePattern {
    /// The glob as written.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether suite `name` matches.
    #[must_use]
    pub fn is_match(&self, name: &str) -> bool {
        self.matcher.is_match(name)
    }
}

impl PartialEq for SuitePattern {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl Eq for SuitePattern {}

impl fmt::Display for SuitePattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for SuitePattern {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        if text.trim().is_empty() {
            return Err("a suite pattern cannot be empty; write a suite name or a glob such as `e2e-*`".to_string());
        }
        Glob::new(text)
            .map(|glob| Self {
                text: text.to_string(),
                matcher: glob.compile_matcher(),
            })
            .map_err(|error| format!("invalid suite glob `{text}`: {}", error.kind()))
    }
}

impl<'de> serde::Deserialize<'de> for SuitePattern {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PatternVisitor;
        impl Visitor<'_> for PatternVisitor {
            type Value = SuitePattern;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a suite name or glob (\"api\", \"e2e-*\")")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<SuitePattern, E> {
                text.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_str(PatternVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_match_suite_names() {
        let pattern: SuitePattern = "e2e-*".parse().unwrap();
        assert!(pattern.is_match("e2e-auth"));
        assert!(!pattern.is_match("api"));
        assert!("api".parse::<SuitePattern>().unwrap().is_match("api"));
        assert_eq!(
            "[".parse::<SuitePattern>().unwrap_err(),
            "invalid suite glob `[`: unclosed character class; missing ']'"
        );
        assert!("".parse::<SuitePattern>().is_err());
    }
}

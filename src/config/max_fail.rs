//! [`MaxFail`]: `--max-fail N[:wait|:immediate]` and `max-fail` in `[run]` and profiles: after
//! N failed tests flotilla starts no more jobs, and either lets the running ones finish
//! ([`OnMaxFail::Wait`], the default) or stops them ([`OnMaxFail::Immediate`]).

use std::fmt;
use std::num::NonZeroU32;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};

/// What happens to the jobs still running when the failure budget is spent.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnMaxFail {
    /// They run to the end (their results count); nothing new starts.
    #[default]
    Wait,
    /// They are stopped at once (TERM, grace, KILL); their files are reported not run.
    Immediate,
}

/// Stop after this many failed tests (a flaky test, failed then passed on a retry, is not one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaxFail {
    /// Failures that end the run's scheduling.
    pub limit: NonZeroU32,
    /// What becomes of the running jobs then.
    pub on_reach: OnMaxFail,
}

/// Why a `max-fail` value was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error(
    "invalid max-fail `{value}`: use a positive number of failures, optionally with `:wait` (the default) or `:immediate`, e.g. `3` or `1:immediate`"
)]
pub struct MaxFailError {
    /// What was written.
    pub value: String,
}

impl FromStr for MaxFail {
    type Err = MaxFailError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || MaxFailError {
            value: text.to_string(),
        };
        let (count, mode) = text.split_once(':').unwrap_or((text, "wait"));
        let on_reach = match mode {
            "wait" => OnMaxFail::Wait,
            "immediate" => OnMaxFail::Immediate,
            _ => return Err(error()),
        };
        let limit = count.trim().parse::<NonZeroU32>().map_err(|_| error())?;
        Ok(Self { limit, on_reach })
    }
}

impl fmt::Display for MaxFail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.on_reach {
            OnMaxFail::Wait => write!(f, "{}:wait", self.limit),
            OnMaxFail::Immediate => write!(f, "{}:immediate", self.limit),
        }
    }
}

impl<'de> serde::Deserialize<'de> for MaxFail {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MaxFailVisitor;
        impl Visitor<'_> for MaxFailVisitor {
            type Value = MaxFail;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a positive number of failures (3) or a string (\"3:wait\", \"1:immediate\")")
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<MaxFail, E> {
                self.visit_str(&value.to_string())
            }
            fn visit_u64<E: de::Error>(self, value: u64) -> Result<MaxFail, E> {
                self.visit_str(&value.to_string())
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<MaxFail, E> {
                value.parse().map_err(E::custom)
            }
        }
        deserializer.deserialize_any(MaxFailVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_count_alone_waits_for_the_running_jobs() {
        let max_fail: MaxFail = "3".parse().unwrap();
        assert_eq!(max_fail.limit.get(), 3);
        assert_eq!(max_fail.on_reach, OnMaxFail::Wait);
        assert_eq!(max_fail.to_string(), "3:wait");
        assert_eq!("1:immediate".parse::<MaxFail>().unwrap().on_reach, OnMaxFail::Immediate);
    }

    #[test]
    fn zero_negative_and_unknown_modes_are_rejected_with_the_fix() {
        for bad in ["0", "-1", "x", "2:later", ""] {
            let error = bad.parse::<MaxFail>().unwrap_err();
            assert!(error.to_string().contains("`:immediate`"), "{error}");
        }
    }

    #[test]
    fn toml_takes_a_number_or_a_string() {
        #[derive(serde::Deserialize)]
        struct Table {
            a: MaxFail,
            b: MaxFail,
        }
        let table: Table = toml::from_str("a = 2\nb = \"5:immediate\"").unwrap();
        assert_eq!(table.a.to_string(), "2:wait");
        assert_eq!(table.b.to_string(), "5:immediate");
        assert!(toml::from_str::<Table>("a = 0\nb = 1").is_err());
    }
}

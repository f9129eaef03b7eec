//! [`RawStep`]: one `[[step]]` or `[[cleanup]]` table exactly as written, with the two value
//! forms it accepts: a command ([`RawCommand`]: a string run by `sh -c`, or argv words) and
//! `parallel` ([`RawParallel`]: a count or `"workers"`).

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use toml::Spanned;

use super::vars::RawVars;
use crate::config::StepCommand;

/// A command as written: a string (run by `sh -c`) or a list of argv words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawCommand(pub(crate) StepCommand);

impl<'de> Deserialize<'de> for RawCommand {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct CommandVisitor;
        impl<'de> Visitor<'de> for CommandVisitor {
            type Value = RawCommand;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a command line (\"make test\", run by sh -c) or a list of argv words ([\"make\", \"test\"])",
                )
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<RawCommand, E> {
                if value.trim().is_empty() {
                    return Err(E::custom("the command is empty"));
                }
                Ok(RawCommand(StepCommand::Shell(value.to_string())))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawCommand, A::Error> {
                let mut words = Vec::new();
                while let Some(word) = seq.next_element::<String>()? {
                    words.push(word);
                }
                if words.is_empty() {
                    return Err(de::Error::custom("the command is empty"));
                }
                Ok(RawCommand(StepCommand::Argv(words)))
            }
        }
        deserializer.deserialize_any(CommandVisitor)
    }
}

/// `parallel` as written: a number of copies, or `"workers"` (one per worker).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RawParallel {
    Count(usize),
    Workers,
}

impl<'de> Deserialize<'de> for RawParallel {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ParallelVisitor;
        impl Visitor<'_> for ParallelVisitor {
            type Value = RawParallel;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number of parallel copies (4) or \"workers\" (one per worker)")
            }
            fn visit_i64<E: de::Error>(self, value: i64) -> Result<RawParallel, E> {
                usize::try_from(value)
                    .ok()
                    .filter(|n| *n > 0)
                    .map(RawParallel::Count)
                    .ok_or_else(|| E::custom(format!("parallel must be at least 1, got {value}")))
            }
            fn visit_str<E: de::Error>(self, value: &str) -> Result<RawParallel, E> {
                if value == "workers" {
                    Ok(RawParallel::Workers)
                } else {
                    Err(E::custom(format!(
                        "invalid parallel `{value}`; use a number or \"workers\""
                    )))
                }
            }
        }
        deserializer.deserialize_any(ParallelVisitor)
    }
}

/// One `[[step]]` / `[[cleanup]]` as written.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawStep {
    pub(crate) name: Option<String>,
    pub(crate) run: Option<RawCommand>,
    pub(crate) parallel: Option<RawParallel>,
    pub(crate) commands: Option<Vec<RawCommand>>,
    pub(crate) suites: Option<Vec<String>>,
    pub(crate) services: Option<String>,
    pub(crate) exec: Option<String>,
    pub(crate) timeout: Option<Spanned<String>>,
    pub(crate) timeout_grace: Option<Spanned<String>>,
    pub(crate) retries: Option<u32>,
    pub(crate) retry_delay: Option<Spanned<String>>,
    #[serde(default)]
    pub(crate) continue_on_failure: bool,
    pub(crate) output: Option<String>,
    #[serde(default)]
    pub(crate) env: RawVars,
}

/// Every key of a step, for "did you mean" suggestions.
pub(crate) const STEP_KEYS: &[&str] = &[
    "name",
    "run",
    "parallel",
    "commands",
    "suites",
    "services",
    "exec",
    "timeout",
    "timeout-grace",
    "retries",
    "retry-delay",
    "continue-on-failure",
    "output",
    "env",
];

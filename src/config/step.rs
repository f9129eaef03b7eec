//! `[[step]]` and `[[cleanup]]`: the raw tables and their resolution into [`Step`]s.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use toml::Spanned;

use super::step_model::{OutputMode, Step, StepAction, StepCommand};

/// A command as written: a string (run by `sh -c`) or a list of argv words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct RawCommand(pub(super) StepCommand);

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
pub(super) enum RawParallel {
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
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(super) struct RawStep {
    pub(super) name: Option<String>,
    pub(super) run: Option<RawCommand>,
    pub(super) parallel: Option<RawParallel>,
    pub(super) commands: Option<Vec<RawCommand>>,
    pub(super) suites: Option<Vec<String>>,
    pub(super) env: Option<String>,
    pub(super) exec: Option<String>,
    pub(super) timeout: Option<Spanned<String>>,
    pub(super) timeout_grace: Option<Spanned<String>>,
    pub(super) retries: Option<u32>,
    pub(super) retry_delay: Option<Spanned<String>>,
    #[serde(default)]
    pub(super) continue_on_failure: bool,
    pub(super) output: Option<String>,
    #[serde(default)]
    pub(super) environment: BTreeMap<String, String>,
}

/// Every key of a step, for "did you mean" suggestions.
pub(super) const STEP_KEYS: &[&str] = &[
    "name",
    "run",
    "parallel",
    "commands",
    "suites",
    "env",
    "exec",
    "timeout",
    "timeout-grace",
    "retries",
    "retry-delay",
    "continue-on-failure",
    "output",
    "environment",
];

/// What resolving a step needs to know.
pub(super) struct StepRules<'a> {
    pub(super) workers: usize,
    pub(super) suites: &'a [String],
    pub(super) envs: &'a [String],
}

/// A message and where in the file it applies.
pub(super) type Located = (Option<std::ops::Range<usize>>, String);

/// Resolves one raw step; the error is a message and its span.
pub(super) fn resolve_step(
    raw: Spanned<RawStep>,
    index: usize,
    kind: &str,
    rules: &StepRules<'_>,
) -> Result<Step, Located> {
    let span = raw.span();
    let raw = raw.into_inner();
    let here = |message: String| (Some(span.clone()), format!("[[{kind}]] #{}: {message}", index + 1));
    let chosen = [raw.run.is_some(), raw.commands.is_some(), raw.suites.is_some()]
        .iter()
        .filter(|b| **b)
        .count();
    if chosen != 1 {
        return Err(here(
            "give exactly one of `run` (a command), `commands` (a list run in parallel) or `suites` (a test run)"
                .into(),
        ));
    }
    let action = if let Some(suites) = raw.suites {
        if kind == "cleanup" {
            return Err(here("a cleanup step runs a command, not `suites`".into()));
        }
        for suite in &suites {
            if !rules.suites.contains(suite) {
                let help = crate::suggest::closest(suite, rules.suites.iter().map(String::as_str)).map_or_else(
                    || format!("suites: {}", rules.suites.join(", ")),
                    |best| format!("did you mean `{best}`?"),
                );
                return Err(here(format!("no suite named `{suite}`; {help}")));
            }
        }
        if raw.parallel.is_some() || raw.exec.is_some() {
            return Err(here(
                "`parallel` and `exec` go with `run`, not `suites` (suites use their own `env` and `workers`)".into(),
            ));
        }
        StepAction::Tests(suites)
    } else if let Some(commands) = raw.commands {
        if raw.parallel.is_some() {
            return Err(here(
                "`commands` already runs in parallel, one per worker; drop `parallel`".into(),
            ));
        }
        StepAction::Commands(commands.into_iter().map(|c| c.0).collect())
    } else {
        let command = raw.run.expect("one of the three is set").0;
        let copies = match raw.parallel {
            None => 1,
            Some(RawParallel::Count(n)) => n,
            Some(RawParallel::Workers) => rules.workers,
        };
        StepAction::Commands(vec![command; copies])
    };
    if let Some(env) = &raw.env {
        if !rules.envs.contains(env) {
            return Err(here(format!(
                "no environment named `{env}`; define it as an [env.NAME] table"
            )));
        }
        if let StepAction::Commands(commands) = &action
            && commands.len() > rules.workers
        {
            return Err(here(format!(
                "{} parallel commands but only {} workers have a copy of environment `{env}`",
                commands.len(),
                rules.workers
            )));
        }
    } else if raw.exec.is_some() {
        return Err(here(
            "`exec` needs `env`: the environment whose service the command runs in".into(),
        ));
    }
    let duration = |value: &Option<Spanned<String>>| -> Result<Option<Duration>, Located> {
        value
            .as_ref()
            .map(|v| {
                super::duration::parse(v.get_ref())
                    .map_err(|error| (Some(v.span()), format!("{error}; {}", super::duration::HELP)))
            })
            .transpose()
    };
    let output = match raw.output.as_deref() {
        None | Some("prefix") => OutputMode::Prefix,
        Some("grouped") => OutputMode::Grouped,
        Some(other) => {
            return Err(here(format!(
                "invalid output `{other}`; use \"prefix\" (live, prefixed lines) or \"grouped\" (one block per command)"
            )));
        }
    };
    let name = raw.name.unwrap_or_else(|| match &action {
        StepAction::Tests(suites) => format!("tests: {}", suites.join(", ")),
        StepAction::Commands(commands) => commands[0].display(),
    });
    Ok(Step {
        name,
        action,
        timeout: duration(&raw.timeout)?,
        timeout_grace: duration(&raw.timeout_grace)?.unwrap_or(Duration::from_secs(5)),
        retry: super::RetryPolicy {
            retries: raw.retries.unwrap_or(0),
            delay: duration(&raw.retry_delay)?.unwrap_or_default(),
        },
        continue_on_failure: raw.continue_on_failure,
        env: raw.env,
        exec: raw.exec,
        output,
        environment: raw.environment.into_iter().collect(),
    })
}

//! [`resolve_step`]: one `[[step]]` or `[[cleanup]]` ([`RawStep`]) validated into a [`Step`].

use std::time::Duration;

use toml::Spanned;

use crate::config::duration;
use crate::config::file::{RawParallel, RawStep};
use crate::config::{OutputMode, RetryPolicy, Step, StepAction};

/// What resolving a step needs to know.
pub(super) struct StepRules<'a> {
    pub(super) workers: usize,
    pub(super) suites: &'a [String],
    pub(super) services: &'a [String],
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
                "`parallel` and `exec` go with `run`, not `suites` (suites use their own `services` and workers)"
                    .into(),
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
    if let Some(services) = &raw.services {
        if !rules.services.contains(services) {
            return Err(here(format!(
                "no services named `{services}`; define them as a [services.NAME] table"
            )));
        }
        if let StepAction::Commands(commands) = &action
            && commands.len() > rules.workers
        {
            return Err(here(format!(
                "{} parallel commands but only {} workers have a copy of services `{services}`",
                commands.len(),
                rules.workers
            )));
        }
    } else if raw.exec.is_some() {
        return Err(here(
            "`exec` needs `services`: the compose services one of which the command runs in".into(),
        ));
    }
    let duration = |value: &Option<Spanned<String>>| -> Result<Option<Duration>, Located> {
        value
            .as_ref()
            .map(|v| {
                duration::parse(v.get_ref()).map_err(|error| (Some(v.span()), format!("{error}; {}", duration::HELP)))
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
        retry: RetryPolicy {
            retries: raw.retries.unwrap_or(0),
            delay: duration(&raw.retry_delay)?.unwrap_or_default(),
        },
        continue_on_failure: raw.continue_on_failure,
        services: raw.services,
        exec: raw.exec,
        output,
        env: raw.env.0.into_iter().map(|(k, v)| (k, v.into_inner())).collect(),
    })
}

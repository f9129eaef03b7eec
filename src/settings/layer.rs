//! [`command_overrides`]: what a test command gives the configuration: the settings layer of the
//! command line and the variables (flags first, each value with its source), the profile asked
//! for, and the CI context detected from the variables.

use crate::cli::SelectArgs;
use crate::config::{Combine, Layer, MaxFail, Overrides, Source, Sourced, Workers};
use crate::error::Error;
use crate::results::FlakyResult;

use super::Variables;

/// The flags every test command shares, and the variables that can stand in for them.
pub struct Flags {
    /// `--workers`.
    pub workers: Option<Workers>,
    /// `--retries`.
    pub retries: Option<u32>,
    /// `--flaky-result`.
    pub flaky_result: Option<FlakyResult>,
    /// `--max-fail`.
    pub max_fail: Option<MaxFail>,
}

/// The command line's layer over the variables' layer, the profile asked for (flag first, then
/// `FLOTILLA_PROFILE`), and the CI context.
pub fn command_overrides(select: &SelectArgs, flags: Flags, variables: &Variables) -> Result<Overrides, Error> {
    let SelectArgs {
        suites,
        select,
        profile,
        message_format: _,
    } = select;
    let Flags {
        workers,
        retries,
        flaky_result,
        max_fail,
    } = flags;
    let from_flags = Layer {
        workers: workers.map(|w| Sourced::new(w, Source::Flag("--workers"))),
        retries: retries.map(|r| Sourced::new(r, Source::Flag("--retries"))),
        suites: (!suites.is_empty()).then(|| Sourced::new(suites.clone(), Source::Flag("--suite"))),
        select: select.clone().map(|s| Sourced::new(s, Source::Flag("--select"))),
        flaky_result: flaky_result.map(|f| Sourced::new(f, Source::Flag("--flaky-result"))),
        max_fail: max_fail.map(|m| Sourced::new(m, Source::Flag("--max-fail"))),
        ..Layer::default()
    };
    let from_variables = Layer {
        workers: parsed(variables, "FLOTILLA_WORKERS", |text| {
            text.parse::<crate::cli::WorkersArg>().map(|w| w.0)
        })?,
        retries: parsed(variables, "FLOTILLA_RETRIES", |text| {
            text.parse::<u32>()
                .map_err(|_| format!("`{text}` is not a number of retries"))
        })?,
        ..Layer::default()
    };
    let profile = profile
        .clone()
        .map(|p| Sourced::new(p, Source::Flag("--profile")))
        .or_else(|| {
            variables
                .get("FLOTILLA_PROFILE")
                .filter(|p| !p.is_empty())
                .map(|p| Sourced::new(p.to_string(), Source::Variable("FLOTILLA_PROFILE")))
        });
    let ci = crate::ci::detect(&variables.lookup()).map_err(|error| Error::Usage {
        message: error.to_string(),
    })?;
    Ok(Overrides {
        layer: from_flags.combine(from_variables),
        profile,
        ci: Some(ci),
    })
}

fn parsed<T, E: std::fmt::Display>(
    variables: &Variables,
    name: &'static str,
    parse: impl Fn(&str) -> Result<T, E>,
) -> Result<Option<Sourced<T>>, Error> {
    match variables.get(name).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(text) => parse(text)
            .map(|value| Some(Sourced::new(value, Source::Variable(name))))
            .map_err(|problem| Error::Usage {
                message: format!("{name}: {problem}; unset it or give a valid value"),
            }),
    }
}

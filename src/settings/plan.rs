//! [`PlanCommand`]: what `flotilla plan` and `flotilla list` act on (which suites and tests, how
//! many workers, the output format), resolved from their arguments and the variables.

use super::layer::{Flags, command_overrides};
use super::{Global, Variables};
use crate::cli::{GlobalArgs, ListArgs, MessageFormat, PlanArgs};
use crate::config::Overrides;
use crate::error::Error;

/// `flotilla plan` or `flotilla list`, resolved.
#[derive(Clone, Debug)]
pub struct PlanCommand {
    /// The global options.
    pub global: Global,
    /// What the command line and variables give the configuration, and the CI context.
    pub overrides: Overrides,
    /// `--message-format json`.
    pub json: bool,
}

impl PlanCommand {
    /// Resolves `flotilla plan`'s arguments.
    pub fn resolve_plan(global: &GlobalArgs, args: &PlanArgs, variables: &Variables) -> Result<Self, Error> {
        // Destructured without `..`: a new flag must be handled here.
        let PlanArgs { select, workers } = args;
        Self::resolve(global, select, workers.map(|w| w.0), variables)
    }

    /// Resolves `flotilla list`'s arguments.
    pub fn resolve_list(global: &GlobalArgs, args: &ListArgs, variables: &Variables) -> Result<Self, Error> {
        // Destructured without `..`: a new flag must be handled here.
        let ListArgs { select, workers } = args;
        Self::resolve(global, select, workers.map(|w| w.0), variables)
    }

    fn resolve(
        global: &GlobalArgs,
        select: &crate::cli::SelectArgs,
        workers: Option<crate::config::Workers>,
        variables: &Variables,
    ) -> Result<Self, Error> {
        let overrides = command_overrides(
            select,
            Flags {
                workers,
                retries: None,
                flaky_result: None,
            },
            variables,
        )?;
        Ok(Self {
            global: Global::resolve(global, variables),
            overrides,
            json: select.message_format == MessageFormat::Json,
        })
    }
}

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
    /// `plan`'s split across CI nodes (all unset for `list`).
    pub nodes: NodePlanOptions,
}

/// `flotilla plan --nodes N | --target-time T --max-nodes M [--out FILE] [--emit FORMAT]`.
#[derive(Clone, Debug, Default)]
pub struct NodePlanOptions {
    /// `--nodes N`.
    pub nodes: Option<u32>,
    /// `--target-time T`.
    pub target_time: Option<std::time::Duration>,
    /// `--max-nodes M`.
    pub max_nodes: Option<u32>,
    /// `--out FILE`.
    pub out: Option<camino::Utf8PathBuf>,
    /// `--emit FORMAT`.
    pub emit: Option<crate::nodes::emit::EmitFormat>,
    /// `--image IMAGE` (`--emit kubernetes`).
    pub image: Option<String>,
}

impl PlanCommand {
    /// Resolves `flotilla plan`'s arguments.
    pub fn resolve_plan(global: &GlobalArgs, args: &PlanArgs, variables: &Variables) -> Result<Self, Error> {
        // Destructured without `..`: a new flag must be handled here.
        let PlanArgs {
            select,
            workers,
            nodes,
            target_time,
            max_nodes,
            out,
            emit,
            image,
        } = args;
        let mut command = Self::resolve(global, select, workers.map(|w| w.0), variables)?;
        command.nodes = NodePlanOptions {
            nodes: *nodes,
            target_time: *target_time,
            max_nodes: *max_nodes,
            out: out.clone(),
            emit: *emit,
            image: image.clone(),
        };
        Ok(command)
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
                max_fail: None,
            },
            variables,
        )?;
        Ok(Self {
            global: Global::resolve(global, variables),
            overrides,
            json: select.message_format == MessageFormat::Json,
            nodes: NodePlanOptions::default(),
        })
    }
}

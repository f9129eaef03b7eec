//! [`RunCommand`]: everything `flotilla run` acts on, resolved from its arguments and the
//! variables (the file and profile are resolved from [`RunCommand::overrides`] by `prepare`).

use super::layer::{Flags, command_overrides};
use super::{Global, Variables};
use crate::cli::{GlobalArgs, MessageFormat, NodeArgs, RunArgs};
use crate::config::Overrides;
use crate::error::Error;

/// `flotilla run`, resolved.
#[derive(Clone, Debug)]
pub struct RunCommand {
    /// The global options.
    pub global: Global,
    /// What the command line and variables give the configuration, and the CI context.
    pub overrides: Overrides,
    /// `--message-format json`: events on stdout, the terminal view on stderr.
    pub json: bool,
    /// `-q`: only failures and the summary.
    pub quiet: bool,
    /// `--explain`: print the settings and run nothing.
    pub explain: bool,
    /// Running in CI (`CI` set): plain lines, no progress bar.
    pub in_ci: bool,
    /// Which node of a parallel step this is, and where its share comes from.
    pub node: NodeOptions,
}

/// `--partition`, `--plan` and `--allow-new-split`.
#[derive(Clone, Debug, Default)]
pub struct NodeOptions {
    /// `--partition I/N`.
    pub partition: Option<crate::nodes::Partition>,
    /// `--plan FILE`.
    pub plan: Option<camino::Utf8PathBuf>,
    /// `--allow-new-split`.
    pub allow_new_split: bool,
}

impl RunCommand {
    /// Resolves `flotilla run`'s arguments.
    pub fn resolve(global: &GlobalArgs, args: &RunArgs, variables: &Variables) -> Result<Self, Error> {
        // Destructured without `..`: a new flag must be handled here.
        let RunArgs {
            select,
            workers,
            retries,
            flaky_result,
            quiet,
            explain,
            node,
        } = args;
        let NodeArgs {
            partition,
            plan,
            allow_new_split,
        } = node;
        let overrides = command_overrides(
            select,
            Flags {
                workers: workers.map(|w| w.0),
                retries: *retries,
                flaky_result: *flaky_result,
            },
            variables,
        )?;
        Ok(Self {
            global: Global::resolve(global, variables),
            overrides,
            json: select.message_format == MessageFormat::Json,
            quiet: *quiet,
            explain: *explain,
            in_ci: variables.in_ci(),
            node: NodeOptions {
                partition: *partition,
                plan: plan.clone(),
                allow_new_split: *allow_new_split,
            },
        })
    }
}

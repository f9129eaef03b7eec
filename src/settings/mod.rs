//! One settings struct per command, resolved from the parsed arguments, the environment's
//! variables (read once, here: [`Variables`]) and, through [`crate::config`], the file and its
//! profiles. Each `resolve` destructures its arguments without `..`, so a flag added to the
//! command line cannot be silently ignored. The commands in `crate::commands` read only these.
//!
//! [`RunCommand`] (`flotilla run`), [`PlanCommand`] (`plan` and `list`), [`GateCommand`],
//! [`GcCommand`], [`HistoryCommand`], [`MergeCommand`], [`ReportCommand`]; what the test commands share is built by [`command_overrides`].

mod gate;
mod history;
mod layer;
mod merge;
mod plan;
mod run;
mod variables;

pub use gate::{GateCommand, GcCommand, ReportCommand};
pub use history::{HistoryAction, HistoryCommand};
pub use layer::{Flags, command_overrides};
pub use merge::{MergeCommand, MergeQueue};
pub use plan::{NodePlanOptions, PlanCommand};
pub use run::{NodeOptions, QueueOptions, RunCommand};
pub use variables::Variables;

use camino::Utf8PathBuf;

use crate::cli::GlobalArgs;
use crate::config::DEFAULT_FILE_NAME;
use crate::styles::ColorChoice;

/// What every command takes from the global options.
#[derive(Clone, Debug)]
pub struct Global {
    /// `-C DIR`: the folder the command runs as if started in.
    pub directory: Option<Utf8PathBuf>,
    /// The configuration file (`--config`, else `flotilla.toml` in that folder).
    pub config_path: Utf8PathBuf,
    /// `--color`.
    pub color: ColorChoice,
    /// `NO_COLOR` is set (honoured by `--color auto`).
    pub no_color: bool,
}

impl Global {
    /// Resolves the global options.
    #[must_use]
    pub fn resolve(args: &GlobalArgs, variables: &Variables) -> Self {
        let GlobalArgs {
            directory,
            config,
            color,
        } = args;
        let base = directory.clone().unwrap_or_else(|| Utf8PathBuf::from("."));
        let config_path = match config {
            Some(config) if config.is_absolute() => config.clone(),
            Some(config) => base.join(config),
            None => base.join(DEFAULT_FILE_NAME),
        };
        Self {
            directory: directory.clone(),
            config_path,
            color: *color,
            no_color: variables.get("NO_COLOR").is_some_and(|v| !v.is_empty()),
        }
    }

    /// Whether to colour output going to stdout (`stdout`) or stderr.
    #[must_use]
    pub fn colored(&self, stdout: bool) -> bool {
        self.color.enabled(stdout, self.no_color)
    }
}

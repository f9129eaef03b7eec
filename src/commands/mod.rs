//! The subcommands: glue from parsed arguments through config, discovery, history and
//! planning ([`prepare`]) to the run loop and reporters.

mod gate;
mod gc;
mod list;
mod plan;
mod report;
mod run;

use camino::Utf8PathBuf;

use crate::cli::{Cli, Command, GlobalArgs};
use crate::config::DEFAULT_FILE_NAME;
use crate::error::Error;

/// Runs the parsed command line; returns the exit code.
pub fn dispatch(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Run(args) => run::run(&cli.global, &args),
        Command::Plan(args) => plan::plan(&cli.global, &args),
        Command::List(args) => list::list(&cli.global, &args),
        Command::Gc => gc::gc(&cli.global),
        Command::Gate(args) => gate::gate(&cli.global, &args),
        Command::Report(args) => report::report(&cli.global, &args),
    }
}

/// The configuration file named by `-C` / `--config`.
pub(crate) fn config_path(global: &GlobalArgs) -> Utf8PathBuf {
    let base = global.directory.clone().unwrap_or_else(|| Utf8PathBuf::from("."));
    match &global.config {
        Some(config) if config.is_absolute() => config.clone(),
        Some(config) => base.join(config),
        None => base.join(DEFAULT_FILE_NAME),
    }
}

//! The subcommands: glue from parsed arguments through config, discovery, history and
//! planning ([`prepare`]) to the run loop and reporters.

mod gate;
mod gc;
mod list;
mod plan;
mod run;

use crate::cli::{Cli, Command};
use crate::error::Error;

/// Runs the parsed command line; returns the exit code.
pub fn dispatch(cli: Cli) -> Result<u8, Error> {
    match cli.command {
        Command::Run(args) => run::run(&cli.global, &args),
        Command::Plan(args) => plan::plan(&cli.global, &args),
        Command::List(args) => list::list(&cli.global, &args),
        Command::Gc => gc::gc(&cli.global),
        Command::Gate(args) => gate::gate(&cli.global, &args),
    }
}

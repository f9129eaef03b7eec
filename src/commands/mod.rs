//! The subcommands: glue from each command's resolved settings (`crate::settings`) through
//! config, discovery, history and planning (`crate::prepare`) to the run loop and reporters.

mod gate;
mod gc;
mod history;
mod list;
mod merge;
mod merge_queue;
mod plan;
mod plan_nodes;
mod report;
mod run;

use crate::cli::{Cli, Command};
use crate::error::Error;
use crate::settings::{
    GateCommand, GcCommand, HistoryCommand, MergeCommand, PlanCommand, ReportCommand, RunCommand, Variables,
};

/// Runs the parsed command line; returns the exit code.
pub fn dispatch(cli: Cli) -> Result<u8, Error> {
    // The only place the process's variables are read (settings read them from this snapshot).
    let variables = Variables::from_process();
    match &cli.command {
        Command::Run(args) => run::run(&RunCommand::resolve(&cli.global, args, &variables)?),
        Command::Plan(args) => plan::plan(&PlanCommand::resolve_plan(&cli.global, args, &variables)?),
        Command::List(args) => list::list(&PlanCommand::resolve_list(&cli.global, args, &variables)?),
        Command::Gc => gc::gc(&GcCommand::resolve(&cli.global, &variables)),
        Command::Gate(args) => gate::gate(&GateCommand::resolve(&cli.global, args, &variables)),
        Command::History(args) => history::history(&HistoryCommand::resolve(&cli.global, args, &variables)),
        Command::Merge(args) => {
            let command = MergeCommand::resolve(&cli.global, args, &variables)?;
            match &command.queue {
                Some(queue) => merge_queue::merge_queue(&command, queue),
                None => merge::merge(&command),
            }
        }
        Command::Report(args) => report::report(&ReportCommand::resolve(&cli.global, args, &variables)),
    }
}

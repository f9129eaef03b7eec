//! [`SuiteCommand`]: how a suite's jobs are invoked, resolved from `runner`, `command`, `args`.

use std::ffi::OsString;

use super::adapter::{Adapter, Invocation, Project};
use super::kind::RunnerKind;
use super::template::{BatchMode, CommandTemplate, JobContext};

/// The resolved invocation of a suite.
#[derive(Clone, Debug)]
pub enum SuiteCommand {
    /// `runner = "custom"`: the template is the whole argv.
    Template(CommandTemplate),
    /// A built-in runner: `program` (the suite's `command`, or the adapter's default), then the
    /// adapter's subcommand (`test` for go), the suite's `args`, then the adapter's own
    /// arguments and the targets.
    Adapter {
        /// Which runner.
        kind: RunnerKind,
        /// Program and leading arguments.
        program: Vec<String>,
        /// Extra arguments from the suite's `args`.
        args: Vec<String>,
    },
}

impl SuiteCommand {
    /// The runner.
    #[must_use]
    pub fn kind(&self) -> RunnerKind {
        match self {
            Self::Template(_) => RunnerKind::Custom,
            Self::Adapter { kind, .. } => *kind,
        }
    }

    /// The adapter.
    #[must_use]
    pub fn adapter(&self) -> &'static dyn Adapter {
        self.kind().adapter()
    }

    /// One file per job, or batches.
    #[must_use]
    pub fn mode(&self) -> BatchMode {
        match self {
            Self::Template(template) => template.mode(),
            Self::Adapter { .. } => BatchMode::Batch,
        }
    }

    /// The program to look for on PATH before the run, if it is fixed.
    #[must_use]
    pub fn program(&self) -> Option<&str> {
        match self {
            Self::Template(template) => template.program(),
            Self::Adapter { program, .. } => program.first().map(String::as_str),
        }
    }

    /// The argv of one job.
    #[must_use]
    pub fn argv(&self, invocation: &Invocation<'_>) -> Vec<OsString> {
        match self {
            Self::Template(template) => template.expand(&JobContext {
                files: &invocation.files(),
                result: invocation.result,
                worker: invocation.worker,
                run_id: invocation.run_id,
            }),
            Self::Adapter { kind, program, args } => {
                let adapter = kind.adapter();
                let mut argv: Vec<OsString> = program.iter().map(OsString::from).collect();
                argv.extend(adapter.subcommand().iter().map(OsString::from));
                argv.extend(args.iter().map(OsString::from));
                argv.extend(adapter.batch_args(invocation));
                argv
            }
        }
    }

    /// Whether the runner can list the tests of a file under `select` (so big files can be
    /// split).
    #[must_use]
    pub fn can_list(&self, select: Option<&str>) -> bool {
        matches!(self, Self::Adapter { .. }) && self.adapter().lists_tests(select)
    }

    /// The argv that lists the tests of `project.files`, if the runner can.
    #[must_use]
    pub fn list_argv(&self, project: &Project<'_>, select: Option<&str>) -> Option<Vec<OsString>> {
        let Self::Adapter { kind, program, args } = self else {
            return None;
        };
        let adapter = kind.adapter();
        let mut argv: Vec<OsString> = program.iter().map(OsString::from).collect();
        argv.extend(adapter.list_subcommand().iter().map(OsString::from));
        argv.extend(args.iter().map(OsString::from));
        argv.extend(adapter.list_args(project, select)?);
        Some(argv)
    }
}

//! [`SuiteCommand`]: how a suite's jobs are invoked, resolved from `runner`, `command`, `args`.

use std::ffi::OsString;

use super::adapter::{Adapter, Invocation};
use super::kind::RunnerKind;
use super::template::{BatchMode, CommandTemplate, JobContext};

/// The resolved invocation of a suite.
#[derive(Clone, Debug)]
pub enum SuiteCommand {
    /// `runner = "custom"`: the template is the whole argv.
    Template(CommandTemplate),
    /// A built-in runner: `program` (the suite's `command`, or the adapter's default), then the
    /// suite's `args`, then the adapter's own arguments and the targets.
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
                let mut argv: Vec<OsString> = program.iter().chain(args).map(OsString::from).collect();
                argv.extend(kind.adapter().batch_args(invocation));
                argv
            }
        }
    }

    /// The argv that lists the tests of `files`, if the runner can.
    #[must_use]
    pub fn list_argv(&self, files: &[String], select: Option<&str>) -> Option<Vec<OsString>> {
        let Self::Adapter { kind, program, args } = self else {
            return None;
        };
        let mut argv: Vec<OsString> = program.iter().chain(args).map(OsString::from).collect();
        argv.extend(kind.adapter().list_args(files, select)?);
        Some(argv)
    }
}

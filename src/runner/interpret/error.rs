//! [`JobError`]: what went wrong with a job as a whole (its record's `error`), as opposed to the
//! outcomes of its tests; and [`Exit`], how its process ended, as messages say it.

use std::fmt;

use camino::Utf8PathBuf;

use super::report::ReportError;

/// How a process that ended by itself ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Exit {
    Code(i32),
    Signal(i32),
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Self::Code(code) => write!(f, "exited with code {code}"),
            Self::Signal(signal) => write!(f, "killed by signal {}", signal_name(signal)),
        }
    }
}

fn signal_name(signal: i32) -> String {
    nix::sys::signal::Signal::try_from(signal).map_or_else(|_| format!("{signal}"), |s| s.as_str().to_string())
}

/// Why a job's results are not simply its tests' outcomes.
#[derive(Debug, thiserror::Error)]
pub(crate) enum JobError {
    /// The process never started: the report location could not be prepared, or the spawn
    /// failed (the executor's words).
    #[error("{0}")]
    NotStarted(String),
    /// The job wrote a report that cannot be read.
    #[error(transparent)]
    Report(#[from] ReportError),
    /// A built-in runner always writes its report: without one, nothing is known.
    #[error("{exit} but wrote no report at `{path}`: its results are unknown")]
    NoReport { exit: Exit, path: Utf8PathBuf },
    /// The runner stopped at an error outside tests before running any test; the targets of
    /// the other files are queued again.
    #[error(
        "{exit}: the runner stopped at an error outside tests in {} before running any test; {requeued} target(s) it never reached are queued again",
        .blamed.join(", ")
    )]
    StoppedBeforeTests {
        exit: Exit,
        /// The files the errors were blamed on.
        blamed: Vec<String>,
        /// How many targets are queued again.
        requeued: usize,
    },
    /// A failed exit although no test failed: the runner failed outside any test (collection,
    /// import, a crash after writing the report).
    #[error("{exit} although its report has no failing test: an error outside tests")]
    FailedOutsideTests { exit: Exit },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exits_read_as_sentences() {
        assert_eq!(Exit::Code(3).to_string(), "exited with code 3");
        assert_eq!(Exit::Signal(9).to_string(), "killed by signal SIGKILL");
        assert_eq!(Exit::Signal(999).to_string(), "killed by signal 999");
    }
}

//! [`Event`]: the interface between the run loop and reporters (terminal, JSON stream).

use camino::Utf8PathBuf;
use serde::Serialize;

use crate::results::{Counts, JobExit, Outcome};

/// Which stream a step output line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutputStream {
    /// Standard output.
    Stdout,
    /// Standard error.
    Stderr,
}

impl From<crate::exec::Stream> for OutputStream {
    fn from(stream: crate::exec::Stream) -> Self {
        match stream {
            crate::exec::Stream::Stdout => Self::Stdout,
            crate::exec::Stream::Stderr => Self::Stderr,
        }
    }
}

/// Something that happened during a run. Serialized as one JSON object per line by
/// `--message-format json` (the `event` field names the variant).
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The run begins.
    RunStarted {
        run_id: String,
        run_dir: Utf8PathBuf,
        workers: usize,
        jobs: usize,
        files: usize,
        predicted_secs: f64,
        plan_hash: String,
        /// Share of tests whose estimate comes from their own history.
        timing_match: f64,
    },
    /// A job started on a worker.
    JobStarted {
        job: usize,
        suite: String,
        worker: usize,
        attempt: u32,
        files: Vec<String>,
        estimate_secs: f64,
    },
    /// One attempt at one test ended.
    TestFinished {
        suite: String,
        id: String,
        name: String,
        file: String,
        outcome: Outcome,
        duration_secs: f64,
        worker: usize,
        attempt: u32,
        job: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// A job ended.
    JobFinished {
        job: usize,
        suite: String,
        worker: usize,
        attempt: u32,
        exit: JobExit,
        duration_secs: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
    },
    /// Failed files were queued again.
    RetryScheduled {
        suite: String,
        files: Vec<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        tests: Vec<String>,
        attempt: u32,
    },
    /// Something the user should know that does not stop the run.
    Warning { message: String },
    /// A pipeline step started.
    StepStarted {
        step: usize,
        name: String,
        commands: usize,
        cleanup: bool,
        grouped: bool,
    },
    /// One line of a step command's output.
    StepOutput {
        step: usize,
        worker: usize,
        stream: OutputStream,
        line: String,
    },
    /// One attempt of a step command ended.
    StepCommandFinished {
        step: usize,
        worker: usize,
        attempt: u32,
        exit: JobExit,
        duration_secs: f64,
    },
    /// A pipeline step ended.
    StepFinished {
        step: usize,
        name: String,
        outcome: crate::results::StepOutcome,
        duration_secs: f64,
    },
    /// News about a compose environment (up, ready, torn down, failed).
    Environment { env: String, message: String },
    /// Shutdown was requested (first SIGINT/SIGTERM).
    Interrupting,
    /// The run ended; reports follow.
    RunFinished {
        counts: Counts,
        duration_secs: f64,
        interrupted: bool,
    },
}

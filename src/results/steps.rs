//! [`StepRecord`]: what a pipeline step did, for the summary and the verdict.

use std::time::Duration;

use camino::Utf8PathBuf;
use serde::Serialize;

use super::model::JobExit;

/// How a step ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepOutcome {
    /// Every command (eventually) exited 0; for test steps, every test passed.
    Passed,
    /// A command failed (or a test failed).
    Failed,
    /// A command ran past the step's timeout.
    TimedOut,
    /// The run was interrupted.
    Interrupted,
    /// It never ran (an earlier step failed, or the run was interrupted first).
    Skipped,
}

impl StepOutcome {
    /// Whether this outcome fails the run.
    #[must_use]
    pub fn is_failure(self) -> bool {
        matches!(self, Self::Failed | Self::TimedOut)
    }
}

/// One attempt of one command.
#[derive(Clone, Debug, Serialize)]
pub struct CommandRecord {
    /// Worker number (1-based).
    pub worker: usize,
    /// 1 for the first attempt.
    pub attempt: u32,
    /// The command.
    pub command: String,
    /// How it ended.
    pub exit: JobExit,
    /// Wall time.
    #[serde(rename = "duration_secs", serialize_with = "secs")]
    pub duration: Duration,
    /// Captured stdout; none when it printed nothing there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stdout: Option<Utf8PathBuf>,
    /// Captured stderr; none when it printed nothing there.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stderr: Option<Utf8PathBuf>,
}

/// What a step did.
#[derive(Clone, Debug, Serialize)]
pub struct StepRecord {
    /// Its name.
    pub name: String,
    /// `command` or `tests`.
    pub kind: &'static str,
    /// A `[[cleanup]]` step.
    pub cleanup: bool,
    /// How it ended.
    pub outcome: StepOutcome,
    /// Wall time.
    #[serde(rename = "duration_secs", serialize_with = "secs")]
    pub duration: Duration,
    /// Every command attempt, in the order they ended.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub commands: Vec<CommandRecord>,
}

fn secs<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((duration.as_secs_f64() * 1e6).round() / 1e6)
}

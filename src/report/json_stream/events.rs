//! The stream's own types, one per event, and their mapping from the runner's [`Event`]s. The
//! field names here are the contract of docs/events-json.md.

use serde::Serialize;

use super::VERSION;
use crate::results::{Counts, JobExit, Outcome, StepOutcome};
use crate::runner::{Event, OutputStream};

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum Stream {
    Stdout,
    Stderr,
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
pub(super) enum JsonVerdict {
    Passed,
    Failed,
    EnvironmentFailed,
    Interrupted,
}

#[derive(Serialize)]
pub(super) struct JsonStep<'a> {
    name: &'a str,
    jobs: usize,
    predicted_secs: f64,
}

#[derive(Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub(super) enum JsonEvent<'a> {
    RunStarted {
        version: u32,
        run_id: &'a str,
        run_dir: &'a str,
        workers: usize,
    },
    ListingStarted {
        suite: &'a str,
        files: usize,
    },
    ListingFinished {
        suite: &'a str,
        tests: usize,
        duration_secs: f64,
        failed: bool,
    },
    NodeShare {
        index: u32,
        total: u32,
        retry: u32,
        identified_by: &'a str,
        plan_hash: &'a str,
        source: &'a str,
        units: usize,
        planned: usize,
        load_secs: f64,
    },
    Planned {
        jobs: usize,
        files: usize,
        predicted_secs: f64,
        plan_hash: String,
        timing_match: f64,
        steps: Vec<JsonStep<'a>>,
    },
    JobStarted {
        job: usize,
        suite: &'a str,
        worker: usize,
        attempt: u32,
        files: &'a [String],
        estimate_secs: f64,
    },
    TestFinished {
        suite: &'a str,
        id: &'a str,
        name: &'a str,
        file: &'a str,
        outcome: Outcome,
        duration_secs: f64,
        worker: usize,
        attempt: u32,
        job: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<&'a str>,
    },
    FirstFailure {
        suite: &'a str,
        id: &'a str,
        file: &'a str,
        outcome: Outcome,
        worker: usize,
        attempt: u32,
    },
    JobSlow {
        job: usize,
        suite: &'a str,
        worker: usize,
        attempt: u32,
        files: &'a [String],
        elapsed_secs: f64,
    },
    JobFinished {
        job: usize,
        suite: &'a str,
        worker: usize,
        attempt: u32,
        exit: &'a JobExit,
        duration_secs: f64,
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<&'a str>,
        #[serde(skip_serializing_if = "Option::is_none")]
        diagnostics: Option<&'a str>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        leaky: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        cpu_secs: Option<f64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        max_rss_bytes: Option<u64>,
    },
    RetryScheduled {
        suite: &'a str,
        files: &'a [String],
        #[serde(skip_serializing_if = "<[String]>::is_empty")]
        tests: &'a [String],
        attempt: u32,
    },
    Warning {
        message: &'a str,
    },
    StepStarted {
        step: usize,
        name: &'a str,
        commands: usize,
        cleanup: bool,
        grouped: bool,
    },
    StepOutput {
        step: usize,
        worker: usize,
        stream: Stream,
        line: &'a str,
    },
    StepCommandFinished {
        step: usize,
        worker: usize,
        attempt: u32,
        exit: &'a JobExit,
        duration_secs: f64,
    },
    StepFinished {
        step: usize,
        name: &'a str,
        outcome: StepOutcome,
        duration_secs: f64,
    },
    EnvironmentStarting {
        name: &'a str,
        copies: usize,
        compose: &'a str,
    },
    EnvironmentReady {
        name: &'a str,
        duration_secs: f64,
    },
    EnvironmentFailed {
        name: &'a str,
        error: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        diagnostics: Option<&'a str>,
    },
    EnvironmentDown {
        name: &'a str,
        duration_secs: f64,
        problems: &'a [String],
    },
    Interrupting,
    RunFinished {
        counts: Counts,
        verdict: JsonVerdict,
        exit_code: u8,
        duration_secs: f64,
        interrupted: bool,
    },
}

impl<'a> From<&Event<'a>> for JsonEvent<'a> {
    #[expect(clippy::too_many_lines, reason = "one arm per event, each a plain field mapping")]
    fn from(event: &Event<'a>) -> Self {
        match *event {
            Event::RunStarted {
                run_id,
                run_dir,
                workers,
            } => Self::RunStarted {
                version: VERSION,
                run_id,
                run_dir: run_dir.as_str(),
                workers,
            },
            Event::ListingStarted { suite, files } => Self::ListingStarted { suite, files },
            Event::ListingFinished {
                suite,
                tests,
                duration,
                failed,
            } => Self::ListingFinished {
                suite,
                tests,
                duration_secs: duration.as_secs_f64(),
                failed,
            },
            Event::NodeShare {
                index,
                total,
                retry,
                identified_by,
                plan_hash,
                source,
                units,
                planned,
                load,
            } => Self::NodeShare {
                index,
                total,
                retry,
                identified_by,
                plan_hash,
                source,
                units,
                planned,
                load_secs: load.as_secs_f64(),
            },
            Event::Planned {
                jobs,
                files,
                predicted,
                plan_hash,
                timing_match,
                steps,
            } => Self::Planned {
                jobs,
                files,
                predicted_secs: predicted.as_secs_f64(),
                plan_hash: format!("{plan_hash:016x}"),
                timing_match,
                steps: steps
                    .iter()
                    .map(|step| JsonStep {
                        name: step.name,
                        jobs: step.jobs,
                        predicted_secs: step.predicted.as_secs_f64(),
                    })
                    .collect(),
            },
            Event::JobStarted {
                job,
                suite,
                worker,
                attempt,
                files,
                estimate,
            } => Self::JobStarted {
                job,
                suite,
                worker,
                attempt,
                files,
                estimate_secs: estimate.as_secs_f64(),
            },
            Event::TestFinished {
                suite,
                id,
                name,
                file,
                outcome,
                duration,
                worker,
                attempt,
                job,
                message,
            } => Self::TestFinished {
                suite,
                id,
                name,
                file,
                outcome,
                duration_secs: duration.as_secs_f64(),
                worker,
                attempt,
                job,
                message,
            },
            Event::FirstFailure {
                suite,
                id,
                file,
                outcome,
                worker,
                attempt,
            } => Self::FirstFailure {
                suite,
                id,
                file,
                outcome,
                worker,
                attempt,
            },
            Event::JobSlow {
                job,
                suite,
                worker,
                attempt,
                files,
                elapsed,
            } => Self::JobSlow {
                job,
                suite,
                worker,
                attempt,
                files,
                elapsed_secs: elapsed.as_secs_f64(),
            },
            Event::JobFinished {
                job,
                suite,
                worker,
                attempt,
                files: _,
                exit,
                duration,
                error,
                diagnostics,
                leaky,
                cpu,
                max_rss,
            } => Self::JobFinished {
                job,
                suite,
                worker,
                attempt,
                exit,
                duration_secs: duration.as_secs_f64(),
                error,
                diagnostics: diagnostics.map(camino::Utf8Path::as_str),
                leaky,
                cpu_secs: cpu.map(|c| c.as_secs_f64()),
                max_rss_bytes: max_rss,
            },
            Event::RetryScheduled {
                suite,
                files,
                tests,
                attempt,
            } => Self::RetryScheduled {
                suite,
                files,
                tests,
                attempt,
            },
            Event::Warning { message } => Self::Warning { message },
            Event::StepStarted {
                step,
                name,
                commands,
                cleanup,
                grouped,
            } => Self::StepStarted {
                step,
                name,
                commands,
                cleanup,
                grouped,
            },
            Event::StepOutput {
                step,
                worker,
                stream,
                line,
            } => Self::StepOutput {
                step,
                worker,
                stream: match stream {
                    OutputStream::Stdout => Stream::Stdout,
                    OutputStream::Stderr => Stream::Stderr,
                },
                line,
            },
            Event::StepCommandFinished {
                step,
                worker,
                attempt,
                exit,
                duration,
            } => Self::StepCommandFinished {
                step,
                worker,
                attempt,
                exit,
                duration_secs: duration.as_secs_f64(),
            },
            Event::StepFinished {
                step,
                name,
                outcome,
                duration,
            } => Self::StepFinished {
                step,
                name,
                outcome,
                duration_secs: duration.as_secs_f64(),
            },
            Event::EnvironmentStarting { name, copies, compose } => Self::EnvironmentStarting { name, copies, compose },
            Event::EnvironmentReady { name, duration } => Self::EnvironmentReady {
                name,
                duration_secs: duration.as_secs_f64(),
            },
            Event::EnvironmentFailed {
                name,
                error,
                diagnostics,
            } => Self::EnvironmentFailed {
                name,
                error,
                diagnostics: diagnostics.map(camino::Utf8Path::as_str),
            },
            Event::EnvironmentDown {
                name,
                duration,
                problems,
            } => Self::EnvironmentDown {
                name,
                duration_secs: duration.as_secs_f64(),
                problems,
            },
            Event::Interrupting => Self::Interrupting,
            Event::RunFinished {
                counts,
                verdict,
                exit_code,
                duration,
                interrupted,
                ..
            } => Self::RunFinished {
                counts,
                verdict: match verdict {
                    crate::runner::Verdict::Passed => JsonVerdict::Passed,
                    crate::runner::Verdict::Failed => JsonVerdict::Failed,
                    crate::runner::Verdict::EnvironmentFailed => JsonVerdict::EnvironmentFailed,
                    crate::runner::Verdict::Interrupted => JsonVerdict::Interrupted,
                },
                exit_code,
                duration_secs: duration.as_secs_f64(),
                interrupted,
            },
        }
    }
}

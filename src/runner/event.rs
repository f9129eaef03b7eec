//! [`Event`]: what the runner tells reporters, as it happens; [`TimedEvent`] adds when.
//!
//! Events borrow what they name (suite names, test ids, messages) from the runner's own state:
//! a run of a million tests emits a million `TestFinished` without a million clones. Reporters
//! that keep something copy what they keep. `RunStarted` is always the first event of a run and
//! `RunFinished` the last, exactly once each. The JSON form (`--message-format json`) is
//! written by `report::json_stream` and documented in docs/events-json.md.

use std::time::Duration;

use camino::Utf8Path;

use crate::results::{Counts, JobExit, Outcome, RunSummary, StepOutcome};

/// Which stream a step output line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
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

/// How the whole run ended (the exit code follows from it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Every test passed (flaky ones count as passed unless `--flaky-result=fail`).
    Passed,
    /// A test or a step failed.
    Failed,
    /// A compose environment could not be set up; the cleanup steps ran.
    EnvironmentFailed,
    /// SIGINT or SIGTERM stopped the run; what finished is reported.
    Interrupted,
}

impl Verdict {
    /// The documented exit code of this verdict.
    #[must_use]
    pub fn exit_code(self) -> u8 {
        match self {
            Self::Passed => crate::exit_code::SUCCESS,
            Self::Failed => crate::exit_code::TESTS_FAILED,
            Self::EnvironmentFailed => crate::exit_code::ENVIRONMENT,
            Self::Interrupted => crate::exit_code::INTERRUPTED,
        }
    }
}

impl std::fmt::Display for Verdict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Passed => "passed",
            Self::Failed => "failed",
            Self::EnvironmentFailed => "environment failed",
            Self::Interrupted => "interrupted",
        })
    }
}

/// One test step's share of the plan.
#[derive(Clone, Copy, Debug)]
pub struct PlannedStep<'a> {
    /// The step's name.
    pub name: &'a str,
    /// Its jobs.
    pub jobs: usize,
    /// Its predicted wall time.
    pub predicted: Duration,
}

/// Something that happened during a run.
#[derive(Clone, Copy, Debug)]
pub enum Event<'a> {
    /// The run begins (always the first event).
    RunStarted {
        run_id: &'a str,
        run_dir: &'a Utf8Path,
        workers: usize,
    },
    /// The runner of `suite` is asked for the tests of `files` big files (to split them).
    ListingStarted { suite: &'a str, files: usize },
    /// The listing answered with `tests` tests, or failed (the files then run whole).
    ListingFinished {
        suite: &'a str,
        tests: usize,
        duration: Duration,
        failed: bool,
    },
    /// On a node of a parallel step: which node this is, and its share of the plan.
    NodeShare {
        /// This node, counting from 0.
        index: u32,
        /// How many nodes.
        total: u32,
        /// Its retry count.
        retry: u32,
        /// Where index and total came from.
        identified_by: &'a str,
        /// The whole plan's hash.
        plan_hash: &'a str,
        /// `history` (split here) or `plan-file`.
        source: &'a str,
        /// Units of its share it runs.
        units: usize,
        /// Units in the whole plan.
        planned: usize,
        /// Its predicted load (sum of its units' estimates).
        load: Duration,
    },
    /// The plan: every test step's jobs and predicted time (their sum is the run's).
    Planned {
        jobs: usize,
        files: usize,
        predicted: Duration,
        plan_hash: u64,
        /// Share of tests whose estimate comes from their own history.
        timing_match: f64,
        steps: &'a [PlannedStep<'a>],
    },
    /// A job started on a worker.
    JobStarted {
        job: usize,
        suite: &'a str,
        worker: usize,
        attempt: u32,
        files: &'a [String],
        estimate: Duration,
    },
    /// One attempt at one test ended.
    TestFinished {
        suite: &'a str,
        id: &'a str,
        name: &'a str,
        file: &'a str,
        outcome: Outcome,
        duration: Duration,
        worker: usize,
        attempt: u32,
        job: usize,
        message: Option<&'a str>,
    },
    /// The run's first failing attempt (muted tests aside), right after its `TestFinished`;
    /// at most once per run. Its elapsed time is the run's time to first failure.
    FirstFailure {
        suite: &'a str,
        id: &'a str,
        file: &'a str,
        outcome: Outcome,
        worker: usize,
        attempt: u32,
    },
    /// A job still runs past its suite's `slow-after` (at most once per job).
    JobSlow {
        job: usize,
        suite: &'a str,
        worker: usize,
        attempt: u32,
        files: &'a [String],
        /// How long it has run.
        elapsed: Duration,
    },
    /// A job ended.
    JobFinished {
        job: usize,
        suite: &'a str,
        worker: usize,
        attempt: u32,
        files: &'a [String],
        exit: &'a JobExit,
        duration: Duration,
        error: Option<&'a str>,
        /// Where the environment's diagnostics (ps, logs, inspect) of this failure were saved.
        diagnostics: Option<&'a Utf8Path>,
        /// Processes it started outlived it (flotilla killed what was left in its group).
        leaky: bool,
        /// CPU time of its main process and the children it waited for, when measured.
        cpu: Option<Duration>,
        /// The largest resident set (bytes) of its main process or a child it waited for.
        max_rss: Option<u64>,
    },
    /// Failed tests (or their files) were queued again.
    RetryScheduled {
        suite: &'a str,
        files: &'a [String],
        tests: &'a [String],
        attempt: u32,
    },
    /// Something the user should know that does not stop the run.
    Warning { message: &'a str },
    /// A pipeline step started.
    StepStarted {
        step: usize,
        name: &'a str,
        commands: usize,
        cleanup: bool,
        grouped: bool,
    },
    /// One line of a step command's output.
    StepOutput {
        step: usize,
        worker: usize,
        stream: OutputStream,
        line: &'a str,
    },
    /// One attempt of a step command ended.
    StepCommandFinished {
        step: usize,
        worker: usize,
        attempt: u32,
        exit: &'a JobExit,
        duration: Duration,
    },
    /// A pipeline step ended.
    StepFinished {
        step: usize,
        name: &'a str,
        outcome: StepOutcome,
        duration: Duration,
    },
    /// A compose environment is being brought up: `copies` isolated copies, one per worker.
    EnvironmentStarting {
        name: &'a str,
        copies: usize,
        compose: &'a str,
    },
    /// Every copy is up and passed its readiness checks.
    EnvironmentReady { name: &'a str, duration: Duration },
    /// It could not be brought up (the run stops after its cleanup steps).
    EnvironmentFailed {
        name: &'a str,
        error: &'a str,
        diagnostics: Option<&'a Utf8Path>,
    },
    /// It was torn down; `problems` lists what teardown could not remove.
    EnvironmentDown {
        name: &'a str,
        duration: Duration,
        problems: &'a [String],
    },
    /// Shutdown was requested (first SIGINT/SIGTERM).
    Interrupting,
    /// The run ended (always the last event): the whole run's counts, verdict and exit code.
    RunFinished {
        counts: Counts,
        verdict: Verdict,
        exit_code: u8,
        duration: Duration,
        interrupted: bool,
        summary: &'a RunSummary,
    },
}

/// An event with the time it happened.
#[derive(Clone, Copy, Debug)]
pub struct TimedEvent<'e, 'a> {
    /// Wall-clock time.
    pub timestamp: chrono::DateTime<chrono::Local>,
    /// Time since the run started (monotonic).
    pub elapsed: Duration,
    /// What happened.
    pub event: &'e Event<'a>,
}

/// Stamps events with the time since one instant (the run's start).
#[derive(Clone, Copy, Debug)]
pub struct Clock {
    start: std::time::Instant,
    started_at: chrono::DateTime<chrono::Local>,
}

impl Clock {
    /// A clock that starts now.
    #[must_use]
    pub fn start() -> Self {
        Self {
            start: std::time::Instant::now(),
            started_at: chrono::Local::now(),
        }
    }

    /// When it started, on the wall clock.
    #[must_use]
    pub fn started_at(&self) -> chrono::DateTime<chrono::Local> {
        self.started_at
    }

    /// Time since it started.
    #[must_use]
    pub fn elapsed(&self) -> Duration {
        self.start.elapsed()
    }

    /// `event`, stamped now. The wall time is derived from the monotonic clock, so events are
    /// ordered even if the system clock jumps (and no time zone is looked up per event).
    #[must_use]
    pub fn stamp<'e, 'a>(&self, event: &'e Event<'a>) -> TimedEvent<'e, 'a> {
        let elapsed = self.start.elapsed();
        let timestamp = self.started_at + chrono::TimeDelta::from_std(elapsed).unwrap_or(chrono::TimeDelta::zero());
        TimedEvent {
            timestamp,
            elapsed,
            event,
        }
    }
}

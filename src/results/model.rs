//! [`Outcome`], [`TestResult`], [`JobRecord`] and [`RunSummary`]: what a run produced.

use std::time::Duration;

use camino::Utf8PathBuf;
use serde::{Deserialize, Serialize};

/// How one test (or one attempt of it) ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// It passed.
    Passed,
    /// It failed.
    Failed,
    /// It could not run properly (crash outside the test, malformed report, spawn failure).
    Error,
    /// The runner skipped it.
    Skipped,
    /// It failed, then passed on a retry.
    Flaky,
    /// Its job exceeded the timeout and was killed.
    TimedOut,
    /// Not run: its suite's inputs, command, selection and variables are those of an earlier
    /// green run, whose result it carries (the attempt's message names that run).
    Cached,
}

impl Outcome {
    /// Whether this outcome fails the run.
    #[must_use]
    pub fn is_failure(self) -> bool {
        matches!(self, Self::Failed | Self::Error | Self::TimedOut)
    }

    /// The snake_case name used in JSON and history.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Failed => "failed",
            Self::Error => "error",
            Self::Skipped => "skipped",
            Self::Flaky => "flaky",
            Self::TimedOut => "timed_out",
            Self::Cached => "cached",
        }
    }
}

/// Whether a flaky test (failed, then passed on a retry) passes the run (`--flaky-result`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum FlakyResult {
    /// Flaky tests count as passed (reported as flaky).
    #[default]
    Pass,
    /// Any flaky test fails the run.
    Fail,
}

impl FlakyResult {
    /// The policy called `name` in the config.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "pass" => Some(Self::Pass),
            "fail" => Some(Self::Fail),
            _ => None,
        }
    }
}

/// One attempt at one test.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Attempt {
    /// 1 for the first run, 2 for the first retry, …
    pub attempt: u32,
    /// How it ended.
    pub outcome: Outcome,
    /// Its duration (reported by the runner, or the job's wall time shared out).
    #[serde(rename = "duration_secs", serialize_with = "secs", deserialize_with = "de_secs")]
    pub duration: Duration,
    /// The worker slot (1-based) that ran it.
    pub worker: usize,
    /// The job (index into [`RunSummary::jobs`]) that ran it.
    pub job: usize,
    /// Failure or skip message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Output the runner reported for the test (JUnit system-out/err, failure text).
    #[serde(skip)]
    pub output: Option<String>,
}

/// One test and every attempt at it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct TestResult {
    /// The suite it belongs to (shared by all its tests: a suite of a million tests keeps its
    /// name once).
    pub suite: std::sync::Arc<str>,
    /// Stable identity: the file for file-level results, else `file::name` or `classname::name`.
    pub id: Box<str>,
    /// Display name (the test name, or the file).
    pub name: Box<str>,
    /// JUnit classname, when the runner reported one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub classname: Option<Box<str>>,
    /// The test file it came from.
    pub file: Box<str>,
    /// Final outcome: the last attempt's, or `flaky` when an earlier attempt failed.
    pub outcome: Outcome,
    /// A failure outside any test (collection, import, compile): never retried.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub outside_tests: bool,
    /// Set when the test is on the quarantine list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarantine: Option<crate::quarantine::QuarantineMode>,
    /// Every attempt, in order.
    pub attempts: Vec<Attempt>,
}

impl TestResult {
    /// The last attempt (every result has at least one).
    #[must_use]
    pub fn last(&self) -> &Attempt {
        self.attempts.last().expect("a test result has at least one attempt")
    }

    /// Recomputes [`Self::outcome`] from the attempts.
    pub fn settle(&mut self) {
        let last = self.last().outcome;
        let failed_before = self.attempts.iter().rev().skip(1).any(|a| a.outcome.is_failure());
        self.outcome = if matches!(last, Outcome::Passed) && failed_before {
            Outcome::Flaky
        } else {
            last
        };
        // Results are kept until the run ends, and a Vec grown by `push` keeps room for 4
        // attempts where almost every test has 1: 264 bytes of 352 wasted per test, 26 MB at
        // 100,000 tests. Settling is when the attempts just changed, so trim them here.
        self.attempts.shrink_to_fit();
    }
}

/// How a job's process ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum JobExit {
    /// It exited with this code.
    Exited { code: i32 },
    /// A signal killed it.
    Signaled { signal: i32 },
    /// It ran past the timeout and was killed.
    TimedOut,
    /// The run was interrupted while it ran.
    Interrupted,
    /// It could not be started.
    SpawnFailed { message: String },
}

/// One invocation of a runner.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct JobRecord {
    /// Index in [`RunSummary::jobs`].
    pub id: usize,
    /// Its suite.
    pub suite: String,
    /// Worker slot (1-based).
    pub worker: usize,
    /// 1 for first runs, higher for retries.
    pub attempt: u32,
    /// The files it ran.
    pub files: Vec<String>,
    /// The single tests it ran, when it ran tests rather than whole files.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<String>,
    /// Seconds after the run started.
    #[serde(rename = "started_secs", serialize_with = "secs", deserialize_with = "de_secs")]
    pub started: Duration,
    /// Wall time.
    #[serde(rename = "duration_secs", serialize_with = "secs", deserialize_with = "de_secs")]
    pub duration: Duration,
    /// Predicted wall time.
    #[serde(rename = "estimate_secs", serialize_with = "secs", deserialize_with = "de_secs")]
    pub estimate: Duration,
    /// How the process ended.
    pub exit: JobExit,
    /// Captured stdout; none when it printed nothing there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stdout: Option<Utf8PathBuf>,
    /// Captured stderr; none when it printed nothing there.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr: Option<Utf8PathBuf>,
    /// The report it wrote (a file, a folder, or its stdout for go), if it parsed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub report: Option<Utf8PathBuf>,
    /// Where the environment's diagnostics (ps, logs, inspect) were saved when it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<Utf8PathBuf>,
    /// Why its results are errors (malformed report, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Sum of test durations it reported (for learning start-up cost).
    #[serde(skip)]
    pub reported: Option<Duration>,
    /// Targets (file or test ids) the runner never reached because it stopped at an error
    /// outside tests in another file of the job (RSpec, Cucumber, a cargo build): queued again
    /// as a job of their own, not reported as results of this one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requeued: Vec<String>,
    /// Processes it started outlived it (its process group still had members when its main
    /// process exited, or one escaped the group holding its output); flotilla killed what was
    /// left in the group. Left out of summary.json when false.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub leaky: bool,
    /// CPU time (user + system) of its main process and the children it waited for, when it
    /// exited on its own on this machine and the kernel could say; against `duration`, how
    /// CPU-bound the suite is (`workers = "auto"`).
    #[serde(
        rename = "cpu_secs",
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "opt_secs",
        deserialize_with = "de_opt_secs"
    )]
    pub cpu: Option<Duration>,
    /// The largest resident set, in bytes, of its main process or any child it waited for,
    /// measured as `cpu` is (`workers = "auto"` keeps workers × this within the memory).
    #[serde(rename = "max_rss_bytes", default, skip_serializing_if = "Option::is_none")]
    pub max_rss: Option<u64>,
}

impl JobRecord {
    /// A job that was never started (worker 0, no files yet): the record that error results of
    /// units nothing ran point at. `exit` says why as the job's end, `error` as its error.
    #[must_use]
    pub fn never_started(id: usize, suite: &str, exit_message: String, error: String) -> Self {
        Self {
            id,
            suite: suite.to_string(),
            worker: 0,
            attempt: 1,
            files: Vec::new(),
            tests: Vec::new(),
            started: Duration::ZERO,
            duration: Duration::ZERO,
            estimate: Duration::ZERO,
            exit: JobExit::SpawnFailed { message: exit_message },
            stdout: None,
            stderr: None,
            report: None,
            diagnostics: None,
            error: Some(error),
            reported: None,
            requeued: Vec::new(),
            leaky: false,
            cpu: None,
            max_rss: None,
        }
    }

    /// Its log files, space-separated, or a note that it printed nothing.
    #[must_use]
    pub fn logs(&self) -> String {
        let logs: Vec<&str> = [&self.stdout, &self.stderr]
            .into_iter()
            .flatten()
            .map(|p| p.as_str())
            .collect();
        if logs.is_empty() {
            "none (it printed nothing)".to_string()
        } else {
            logs.join(" ")
        }
    }
}

/// Totals by outcome.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    /// Passed tests (flaky ones are counted apart).
    pub passed: usize,
    /// Failed tests.
    pub failed: usize,
    /// Skipped tests.
    pub skipped: usize,
    /// Passed after failing.
    pub flaky: usize,
    /// Killed by the timeout.
    pub timed_out: usize,
    /// Errors (outside tests, malformed reports, could not start).
    pub error: usize,
    /// Quarantined (muted) tests that failed: reported, but they do not fail the run.
    pub muted: usize,
    /// Passed in an earlier green run with the same inputs, not run again.
    pub cached: usize,
    /// Everything above.
    pub total: usize,
}

impl Counts {
    /// Counts the final outcomes of `tests` (muted failures apart).
    pub fn of<'a>(tests: impl IntoIterator<Item = &'a TestResult>) -> Self {
        let mut counts = Self::default();
        for test in tests {
            counts.count(test);
        }
        counts
    }

    /// Counts the final outcome of one test (a muted failure apart).
    pub fn count(&mut self, test: &TestResult) {
        if test.outcome.is_failure() && test.quarantine == Some(crate::quarantine::QuarantineMode::Mute) {
            self.muted += 1;
            self.total += 1;
        } else {
            self.add(test.outcome);
        }
    }

    /// Adds one outcome.
    pub fn add(&mut self, outcome: Outcome) {
        match outcome {
            Outcome::Passed => self.passed += 1,
            Outcome::Failed => self.failed += 1,
            Outcome::Skipped => self.skipped += 1,
            Outcome::Flaky => self.flaky += 1,
            Outcome::TimedOut => self.timed_out += 1,
            Outcome::Error => self.error += 1,
            Outcome::Cached => self.cached += 1,
        }
        self.total += 1;
    }

    /// Whether anything fails the run.
    #[must_use]
    pub fn any_failure(&self) -> bool {
        self.failed + self.timed_out + self.error > 0
    }

    /// The closing line: `N passed, N failed, N skipped` and non-zero extras.
    #[must_use]
    pub fn closing_line(&self) -> String {
        let mut line = format!(
            "{} passed, {} failed, {} skipped",
            self.passed, self.failed, self.skipped
        );
        for (count, label) in [
            (self.flaky, "flaky"),
            (self.timed_out, "timed out"),
            (self.error, "errors"),
            (self.muted, "muted"),
            (self.cached, "cached"),
        ] {
            if count > 0 {
                line.push_str(&format!(", {count} {label}"));
            }
        }
        line
    }
}

/// Everything one run produced.
#[derive(Clone, Debug)]
pub struct RunSummary {
    /// The run's id (also its folder name).
    pub run_id: String,
    /// `<out-dir>/<run-id>`.
    pub run_dir: Utf8PathBuf,
    /// Wall-clock start.
    pub started_at: chrono::DateTime<chrono::Local>,
    /// Wall time of the whole run.
    pub duration: Duration,
    /// Worker slots used.
    pub workers: usize,
    /// Whether SIGINT/SIGTERM cut it short.
    pub interrupted: bool,
    /// Final results, ordered by suite then id.
    pub tests: Vec<TestResult>,
    /// Every job, in start order.
    pub jobs: Vec<JobRecord>,
    /// Files that never ran (interrupted), per suite.
    pub not_run: Vec<(String, String)>,
    /// Predicted makespan from the plan.
    pub predicted: Duration,
    /// Whether flaky tests fail the run.
    pub flaky_result: FlakyResult,
    /// Share of scheduled units whose estimate came from their own history.
    pub timing_match: f64,
    /// Pipeline steps (empty when the run is a plain test run).
    pub steps: Vec<super::StepRecord>,
    /// On a node of a parallel step: its share of the plan.
    pub node: Option<crate::nodes::NodeSummary>,
    /// A result merged from nodes (`flotilla merge`): the proof that every planned test ran
    /// exactly once.
    pub merge: Option<super::merge::MergeRecord>,
}

impl RunSummary {
    /// Totals of final outcomes.
    #[must_use]
    pub fn counts(&self) -> Counts {
        Counts::of(&self.tests)
    }

    /// Adds the results of a later test step of the same run.
    pub fn absorb(&mut self, other: Self) {
        self.tests.extend(other.tests);
        self.jobs.extend(other.jobs);
        self.not_run.extend(other.not_run);
        self.interrupted |= other.interrupted;
        self.predicted += other.predicted;
    }

    /// Whether a merge proved every planned test ran exactly once (true when not merged).
    #[must_use]
    pub fn proven(&self) -> bool {
        self.merge.as_ref().is_none_or(super::merge::MergeRecord::proven)
    }

    /// Whether a pipeline step (not a cleanup step) failed.
    #[must_use]
    pub fn steps_failed(&self) -> usize {
        steps_failed(&self.steps)
    }

    /// Whether the run is green: no failure, error or timeout (muted ones aside), no flaky test
    /// under `--flaky-result=fail`, and not interrupted.
    #[must_use]
    pub fn passed(&self) -> bool {
        run_passed(&self.counts(), self.flaky_result, self.interrupted, &self.steps) && self.proven()
    }
}

/// How many pipeline steps (not cleanup steps) failed.
fn steps_failed(steps: &[super::StepRecord]) -> usize {
    steps.iter().filter(|s| !s.cleanup && s.outcome.is_failure()).count()
}

/// The verdict of [`RunSummary::passed`] from the counts of its tests (which a streaming
/// writer has without the tests).
pub(super) fn run_passed(
    counts: &Counts,
    flaky_result: FlakyResult,
    interrupted: bool,
    steps: &[super::StepRecord],
) -> bool {
    let flaky_fails = flaky_result == FlakyResult::Fail && counts.flaky > 0;
    !(interrupted || counts.any_failure() || flaky_fails || steps_failed(steps) > 0)
}

fn secs<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64((duration.as_secs_f64() * 1e6).round() / 1e6)
}

fn opt_secs<S: serde::Serializer>(duration: &Option<Duration>, serializer: S) -> Result<S::Ok, S::Error> {
    match duration {
        Some(duration) => secs(duration, serializer),
        None => serializer.serialize_none(),
    }
}

fn de_opt_secs<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<Duration>, D::Error> {
    let secs = Option::<f64>::deserialize(deserializer)?;
    Ok(secs.map(|secs| Duration::try_from_secs_f64(secs).unwrap_or_default()))
}

/// Reads what [`secs`] wrote (a negative or non-finite figure, from a hand-edited file, is 0).
fn de_secs<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
    let secs = f64::deserialize(deserializer)?;
    Ok(Duration::try_from_secs_f64(secs).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(outcome: Outcome) -> Attempt {
        Attempt {
            attempt: 1,
            outcome,
            duration: Duration::ZERO,
            worker: 1,
            job: 0,
            message: None,
            output: None,
        }
    }

    #[test]
    fn pass_after_fail_is_flaky() {
        let mut test = TestResult {
            suite: "s".into(),
            id: "a".into(),
            name: "a".into(),
            classname: None,
            file: "a".into(),
            outcome: Outcome::Failed,
            outside_tests: false,
            quarantine: None,
            attempts: vec![attempt(Outcome::Failed), attempt(Outcome::Passed)],
        };
        test.settle();
        assert_eq!(test.outcome, Outcome::Flaky);
        test.attempts.push(attempt(Outcome::Failed));
        test.settle();
        assert_eq!(test.outcome, Outcome::Failed);
    }

    #[test]
    fn closing_line_lists_extras_only_when_present() {
        let mut counts = Counts::default();
        counts.add(Outcome::Passed);
        assert_eq!(counts.closing_line(), "1 passed, 0 failed, 0 skipped");
        counts.add(Outcome::TimedOut);
        counts.add(Outcome::Flaky);
        assert_eq!(
            counts.closing_line(),
            "1 passed, 0 failed, 0 skipped, 1 flaky, 1 timed out"
        );
        assert!(counts.any_failure());
    }
}

//! The interpreter: what a job's process left, turned into per-test attempts. [`interpret`] is
//! pure: it starts nothing and waits for nothing; the report and the log tail come from
//! providers in [`InterpretInput`] (the executor's side reads them from disk with
//! [`read_report`]; tests hand it text).
//!
//! With machine-readable results (the runner's report at `{result}`, on its stdout, or in a
//! folder of files: see `ReportSource`), its cases are the results, each with the stable id the
//! adapter gives it: a malformed report makes every target of the job an error; a non-zero exit
//! with no failing case is an error "outside tests", never a pass; the report's own errors
//! outside tests (collection, import, compile, load errors) are blamed on the files they name
//! ([`blame()`]) and reported as errors that are never retried. When a runner stopped at such an
//! error before running anything (RSpec, Cucumber, a cargo build), the targets it never reached
//! are handed back ([`Interpretation::requeued`]) instead of being reported. Without results,
//! each target is one test whose outcome is the exit code. Quarantined tests the runner was
//! told to leave out of whole files are reported skipped.

mod attempts;
mod blame;
mod cases;
mod error;
mod foreign;
mod report;
#[cfg(test)]
mod tests;

use std::time::Duration;

use camino::{Utf8Path, Utf8PathBuf};

pub(crate) use attempts::TestAttempt;
use attempts::{Stamp, merge_duplicates, per_target, unselected_dropped, with_deselected};
use blame::{blame, never_reached};
use cases::{CaseContext, reported};
pub(crate) use error::{Exit, JobError};
pub(crate) use foreign::{SuiteUnits, place_case};
pub(crate) use report::{ReportContents, read_report};
use report::{ReportError, parse_contents};

use crate::results::Outcome;
use crate::results::formats::ParsedReport;
use crate::runners::{Adapter, Project, ReportFormat, ReportSource, Target};

/// How a job's process ended, as far as its results are concerned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum JobEnd {
    /// It never started (the report location could not be prepared, the spawn failed): every
    /// target is an error with this message.
    NotStarted(String),
    /// The run is shutting down: nothing of the job is reported.
    Cancelled,
    /// It ran past `limit`; its process group was killed.
    TimedOut { limit: Duration },
    /// It ended by itself.
    Exited(Exit),
}

/// Where a job's report is.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ReportLocation<'a> {
    /// `{result}`: the file or folder the runner was told to write (named in messages).
    pub(crate) path: &'a Utf8Path,
    /// The job's stdout log: the report of a runner whose report is its output.
    pub(crate) stdout: &'a Utf8Path,
}

/// Everything the interpreter needs to know about one finished job.
pub(crate) struct InterpretInput<'a> {
    /// What the job ran.
    pub(crate) targets: &'a [Target],
    /// Each target's estimate (same order): a job-level outcome shares the wall time by these.
    pub(crate) estimates: &'a [Duration],
    /// 1 for first runs.
    pub(crate) attempt: u32,
    pub(crate) worker: usize,
    /// The job's id in the run.
    pub(crate) job: usize,
    /// The suite's runner.
    pub(crate) adapter: &'a dyn Adapter,
    /// The folder the runner ran in.
    pub(crate) root: &'a Utf8Path,
    /// Quarantined test ids the runner was told to leave out.
    pub(crate) deselected: &'a [String],
    pub(crate) report: ReportLocation<'a>,
    pub(crate) end: JobEnd,
    /// How long the process ran.
    pub(crate) wall: Duration,
    /// What the runner left at the report location; called only when the process ended by
    /// itself.
    pub(crate) read_report: &'a dyn Fn() -> ReportContents,
    /// The end of the job's stderr and stdout, for errors the runner only printed.
    pub(crate) log_tail: &'a dyn Fn() -> String,
    /// The job's whole output (stdout, then stderr), for results the runner only printed
    /// ([`Adapter::printed_cases`]); read only by the adapters that use it.
    pub(crate) read_output: &'a dyn Fn() -> String,
}

/// What a job produced, for its record and the run's results.
#[derive(Debug, Default)]
pub(crate) struct Interpretation {
    /// One attempt per test, errors outside tests included (`outside_tests`).
    pub(crate) tests: Vec<TestAttempt>,
    /// The job's own error (`JobRecord::error`); `None` leaves what the executor recorded.
    pub(crate) error: Option<JobError>,
    /// The report that was read (`JobRecord::report`).
    pub(crate) report: Option<Utf8PathBuf>,
    /// The sum of the reported tests' durations (`JobRecord::reported`).
    pub(crate) reported: Option<Duration>,
    /// Targets the runner never reached, to be queued again at the same attempt.
    pub(crate) requeued: Vec<String>,
}

/// The results of one job.
pub(crate) fn interpret(input: &InterpretInput<'_>) -> Interpretation {
    let stamp = Stamp {
        attempt: input.attempt,
        worker: input.worker,
        job: input.job,
    };
    let every_target = |outcome, wall, message: Option<&str>| {
        per_target(stamp, input.targets, input.estimates, outcome, wall, message)
    };
    let mut interpretation = match &input.end {
        JobEnd::NotStarted(message) => {
            // Nothing ran, so nothing was left out: no quarantined skips either.
            return Interpretation {
                tests: every_target(Outcome::Error, Duration::ZERO, Some(message)),
                error: Some(JobError::NotStarted(message.clone())),
                ..Interpretation::default()
            };
        }
        JobEnd::Cancelled => return Interpretation::default(),
        JobEnd::TimedOut { limit } => {
            let message = format!(
                "timed out after {}; its process group was killed",
                humantime::format_duration(*limit)
            );
            Interpretation {
                tests: every_target(Outcome::TimedOut, input.wall, Some(&message)),
                ..Interpretation::default()
            }
        }
        JobEnd::Exited(exit) => finished(input, stamp, *exit),
    };
    interpretation.tests = with_deselected(stamp, input.targets, input.deselected, interpretation.tests);
    interpretation
}

/// Results of a job whose process ended by itself.
fn finished(input: &InterpretInput<'_>, stamp: Stamp, exit: Exit) -> Interpretation {
    let adapter = input.adapter;
    let source = adapter.report();
    let format = source.format();
    let failed_exit = match exit {
        Exit::Code(code) => !adapter.capabilities().succeeds(code),
        Exit::Signal(_) => true,
    };
    let aborted_code = matches!(exit, Exit::Code(code) if adapter.capabilities().aborted(code));
    let every_target = |outcome, message: Option<&str>| {
        per_target(stamp, input.targets, input.estimates, outcome, input.wall, message)
    };
    let failed = |error: JobError| {
        let message = error.to_string();
        Interpretation {
            tests: every_target(Outcome::Error, Some(&message)),
            error: Some(error),
            ..Interpretation::default()
        }
    };
    let parsed = match parse_contents(format, (input.read_report)(), input.root) {
        Some(Ok(parsed)) => Some(parsed),
        // A runner that stopped before running anything leaves no report, or an empty one.
        Some(Err(_)) if aborted_code => None,
        // go's "report" is its output: a failed `go` with no events said why on stderr.
        Some(Err(_)) if matches!(source, ReportSource::Stdout(_)) && failed_exit => None,
        Some(Err((file, problem))) => {
            return failed(JobError::Report(ReportError {
                format,
                path: input.report.path.to_path_buf(),
                file,
                problem,
            }));
        }
        None => None,
    };
    let (mut parsed, report) = match parsed {
        Some(parsed) => {
            let report = match source {
                ReportSource::Stdout(_) => input.report.stdout,
                _ => input.report.path,
            };
            (parsed, Some(report.to_path_buf()))
        }
        None if aborted_code => {
            let message = format!(
                "{exit} without results: the runner stopped before running any test (an error outside tests):\n{}",
                (input.log_tail)()
            );
            let parsed = ParsedReport {
                cases: Vec::new(),
                errors_outside_tests: vec![message],
            };
            (parsed, None)
        }
        None if !failed_exit && adapter.capabilities().report_required => {
            return failed(JobError::NoReport {
                exit,
                path: input.report.path.to_path_buf(),
            });
        }
        None => {
            let outcome = if failed_exit { Outcome::Failed } else { Outcome::Passed };
            let message = failed_exit.then(|| exit.to_string());
            return Interpretation {
                tests: every_target(outcome, message.as_deref()),
                ..Interpretation::default()
            };
        }
    };
    parsed.cases.extend(adapter.printed_cases(input.read_output));
    let mut interpretation = from_report(input, stamp, exit, format, &parsed);
    interpretation.report = report;
    interpretation.reported = Some(parsed.cases.iter().map(|c| Duration::from_secs_f64(c.time)).sum());
    if failed_exit
        && !interpretation.tests.iter().any(|t| t.attempt.outcome.is_failure())
        && !adapter.capabilities().trusts_report_over_exit
    {
        // The runner failed outside any test (collection, import, a crash after the report):
        // report it; never let the passing cases hide it.
        let error = JobError::FailedOutsideTests { exit };
        let message = error.to_string();
        let files = crate::runners::distinct_files(input.targets);
        interpretation
            .tests
            .extend(files.into_iter().map(|file| stamp.outside_tests(file, &message)));
        interpretation.error = Some(error);
    }
    interpretation
}

/// The attempts of a parsed report: its cases, and its errors outside tests on the files they
/// are blamed on; the targets never reached when the runner stopped at those errors first.
fn from_report(
    input: &InterpretInput<'_>,
    stamp: Stamp,
    exit: Exit,
    format: ReportFormat,
    parsed: &ParsedReport,
) -> Interpretation {
    let adapter = input.adapter;
    let files = crate::runners::distinct_files(input.targets);
    let project = Project {
        root: input.root,
        files: &files,
    };
    let names = adapter.report_names(&project);
    let context = CaseContext {
        stamp,
        adapter,
        junit: format == ReportFormat::Junit,
        files: &files,
        names: &names,
        root: input.root,
        canonical_root: input.root.canonicalize_utf8().ok(),
    };
    let mut tests: Vec<TestAttempt> = parsed
        .cases
        .iter()
        .filter_map(|case| reported(&context, case))
        .collect();
    let ran_tests = tests.iter().any(|t| !t.outside_tests);
    tests = merge_duplicates(unselected_dropped(input.targets, tests));
    let blamed = blame(adapter, &parsed.errors_outside_tests, &project, &names);
    let mut interpretation = Interpretation::default();
    if !ran_tests && !blamed.is_empty() && blamed.len() < files.len() {
        // The runner stopped at an error outside tests before running anything: the other
        // files never ran. They are queued again, not reported.
        interpretation.requeued = never_reached(input.targets, &blamed);
        interpretation.error = Some(JobError::StoppedBeforeTests {
            exit,
            blamed: blamed.keys().cloned().collect(),
            requeued: interpretation.requeued.len(),
        });
    }
    for (file, messages) in blamed {
        tests.push(stamp.outside_tests(file, &messages.join("\n\n")));
    }
    interpretation.tests = merge_duplicates(tests);
    interpretation
}

//! Writes the merged `junit.xml` of a run: one `<testsuite>` per suite, retries as
//! `<flakyFailure>`/`<rerunFailure>` the way nextest writes them.

use std::collections::BTreeMap;

use camino::Utf8Path;
use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestRerun, TestSuite};

use super::model::{Attempt, Outcome, RunSummary, TestResult};

/// Writes `summary` as JUnit XML to `path` (atomically: temp file, then rename).
pub fn write_junit(summary: &RunSummary, path: &Utf8Path) -> std::io::Result<()> {
    let report = build(summary);
    let text = report.to_string().map_err(std::io::Error::other)?;
    crate::fsutil::write_atomic(path, text.as_bytes())
}

fn build(summary: &RunSummary) -> Report {
    let mut report = Report::new("flotilla");
    report.set_time(summary.duration);
    report.set_timestamp(summary.started_at.fixed_offset());
    // Every suite that ran or was meant to run gets an element, even if nothing finished.
    let names = summary
        .tests
        .iter()
        .map(|t| t.suite.as_str())
        .chain(summary.jobs.iter().map(|j| j.suite.as_str()))
        .chain(summary.not_run.iter().map(|(suite, _)| suite.as_str()));
    let mut suites: BTreeMap<&str, TestSuite> = names
        .map(|name| {
            let mut suite = TestSuite::new(name.to_string());
            suite.add_property(Property::new("flotilla.run_id", summary.run_id.clone()));
            if summary.interrupted {
                suite.add_property(Property::new("flotilla.interrupted", "true"));
            }
            (name, suite)
        })
        .collect();
    for test in &summary.tests {
        if let Some(suite) = suites.get_mut(test.suite.as_str()) {
            suite.add_test_case(case(test, summary));
        }
    }
    report.add_test_suites(suites.into_values());
    report
}

fn case(test: &TestResult, summary: &RunSummary) -> TestCase {
    let last = test.last();
    let earlier = &test.attempts[..test.attempts.len() - 1];
    let mut status = match test.outcome {
        Outcome::Passed | Outcome::Flaky => {
            let mut status = TestCaseStatus::success();
            status.add_reruns(earlier.iter().filter(|a| a.outcome.is_failure()).map(rerun));
            status
        }
        Outcome::Skipped => {
            let mut status = TestCaseStatus::skipped();
            if let Some(message) = &last.message {
                status.set_message(message.clone());
            }
            status
        }
        Outcome::Failed | Outcome::TimedOut | Outcome::Error => {
            let kind = if test.outcome == Outcome::Failed {
                NonSuccessKind::Failure
            } else {
                NonSuccessKind::Error
            };
            let mut status = TestCaseStatus::non_success(kind);
            status.set_message(message(last));
            if test.outcome == Outcome::TimedOut {
                status.set_type("timeout");
            }
            if let Some(output) = &last.output {
                status.set_description(output.clone());
            }
            status.add_reruns(earlier.iter().map(rerun));
            status
        }
    };
    if test.outcome == Outcome::Flaky {
        status.set_message("flaky: passed on a retry");
    }
    let mut case = TestCase::new(test.name.clone(), status);
    case.set_classname(test.classname.clone().unwrap_or_else(|| test.file.clone()));
    case.set_time(last.duration);
    case.add_property(Property::new("file", test.file.clone()));
    case.add_property(Property::new("worker", last.worker.to_string()));
    case.add_property(Property::new("attempts", test.attempts.len().to_string()));
    if let Some(job) = summary.jobs.get(last.job) {
        let diagnostics = job
            .diagnostics
            .as_ref()
            .map(|d| format!("\nenvironment diagnostics: {d}"))
            .unwrap_or_default();
        case.set_system_out(format!("logs: {}{diagnostics}", job.logs()));
    }
    case
}

fn message(attempt: &Attempt) -> String {
    attempt
        .message
        .clone()
        .unwrap_or_else(|| attempt.outcome.as_str().replace('_', " "))
}

fn rerun(attempt: &Attempt) -> TestRerun {
    let kind = if attempt.outcome == Outcome::Failed {
        NonSuccessKind::Failure
    } else {
        NonSuccessKind::Error
    };
    let mut rerun = TestRerun::new(kind);
    rerun.set_time(attempt.duration);
    rerun.set_message(message(attempt));
    if let Some(output) = &attempt.output {
        rerun.set_description(output.clone());
    }
    rerun
}

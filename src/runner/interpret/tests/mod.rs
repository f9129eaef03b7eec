//! The interpreter on small in-memory reports, without processes: each test is one way a job
//! can end and what it must be reported as. [`Scenario`] describes the job; `reports` holds
//! jobs that left a report, `ends` jobs whose end alone decides (no report, timed out,
//! cancelled, never started) and go, whose report is its output.

mod ends;
mod reports;

use std::time::Duration;

use camino::{Utf8Path, Utf8PathBuf};

use super::report::ReportProblem;
use super::*;
use crate::results::formats::JunitError;
use crate::runners::RunnerKind;

const REPORT: &str = "/run/results/job-00007.xml";
const STDOUT: &str = "/run/logs/job-00007.stdout";

/// One job, described by what it ran and how it ended.
struct Scenario<'a> {
    kind: RunnerKind,
    targets: Vec<Target>,
    deselected: Vec<String>,
    end: JobEnd,
    report: Option<&'a str>,
    root: Utf8PathBuf,
    /// How many times the interpreter asked for the report.
    reads: std::cell::Cell<u32>,
}

impl<'a> Scenario<'a> {
    fn new(kind: RunnerKind, files: &[&str], end: JobEnd) -> Self {
        Self {
            kind,
            targets: files.iter().map(|f| Target::file(*f)).collect(),
            deselected: Vec::new(),
            end,
            report: None,
            root: "/repo".into(),
            reads: std::cell::Cell::new(0),
        }
    }

    fn report(mut self, text: &'a str) -> Self {
        self.report = Some(text);
        self
    }

    fn run(&self) -> Interpretation {
        let estimates = vec![Duration::from_secs(1); self.targets.len()];
        let read = || {
            self.reads.set(self.reads.get() + 1);
            self.report
                .map_or(ReportContents::Missing, |t| ReportContents::Text(t.into()))
        };
        let tail = || "LoadError: cannot load such file -- nope".to_string();
        // No adapter tested here prints results outside its report (nextest's: e2e).
        let output = String::new;
        interpret(&InterpretInput {
            targets: &self.targets,
            estimates: &estimates,
            attempt: 1,
            worker: 2,
            job: 7,
            adapter: self.kind.adapter(),
            root: &self.root,
            deselected: &self.deselected,
            report: ReportLocation {
                path: Utf8Path::new(REPORT),
                stdout: Utf8Path::new(STDOUT),
            },
            end: self.end.clone(),
            wall: Duration::from_secs(4),
            read_report: &read,
            log_tail: &tail,
            read_output: &output,
        })
    }
}

fn exited(code: i32) -> JobEnd {
    JobEnd::Exited(Exit::Code(code))
}

fn outcomes(interpretation: &Interpretation) -> Vec<(&str, Outcome)> {
    interpretation
        .tests
        .iter()
        .map(|t| (t.id.as_str(), t.attempt.outcome))
        .collect()
}

/// pytest's JUnit (xunit1: with `file`) for `tests/test_a.py`, its cases given as XML.
fn pytest_junit(cases: &str) -> String {
    format!(r#"<testsuites><testsuite name="pytest">{cases}</testsuite></testsuites>"#)
}

const PASSING_A: &str =
    r#"<testcase classname="tests.test_a" name="test_ok" file="tests/test_a.py" line="0" time="0.5"/>"#;

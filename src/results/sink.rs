//! [`ReportSink`]: `junit.xml` and `summary.json` written from tests handed over one at a time
//! as they settle, so a runner need not keep every [`TestResult`] until the end of the run.
//!
//! Both documents put counts before the tests (`<testsuite tests=…>`, `"counts"`), so the sink
//! keeps only counts in memory and spools the tests themselves to files next to the reports
//! (the JUnit cases one file per suite, since a `<testsuite>` holds its cases together); on
//! [`ReportSink::finish`] it writes each document's header, then copies the spools in, then
//! the rest ([`RunHeader`]: jobs, files not run, steps). The bytes are those of
//! [`super::write_junit`] and [`super::write_summary`] for the same tests in the same order
//! (tests check it), and each report still appears atomically (temp file, then rename).

use std::time::Duration;

use camino::Utf8Path;

use super::junit_write::JunitSpool;
use super::model::{Counts, FlakyResult, JobRecord, RunSummary, TestResult};
use super::steps::StepRecord;
use super::summary_json::SummarySpool;

/// Everything of a run the reports need besides its tests.
#[derive(Clone, Copy, Debug)]
pub struct RunHeader<'a> {
    /// The run's id.
    pub run_id: &'a str,
    /// Wall-clock start.
    pub started_at: chrono::DateTime<chrono::Local>,
    /// Wall time of the whole run.
    pub duration: Duration,
    /// Worker slots used.
    pub workers: usize,
    /// Whether SIGINT/SIGTERM cut it short.
    pub interrupted: bool,
    /// Predicted makespan from the plan.
    pub predicted: Duration,
    /// Whether flaky tests fail the run.
    pub flaky_result: FlakyResult,
    /// Share of scheduled units whose estimate came from their own history.
    pub timing_match: f64,
    /// Every job, in start order.
    pub jobs: &'a [JobRecord],
    /// Files that never ran, per suite.
    pub not_run: &'a [(String, String)],
    /// Pipeline steps.
    pub steps: &'a [StepRecord],
}

impl<'a> RunHeader<'a> {
    /// The header of `summary` (its tests aside).
    #[must_use]
    pub fn of(summary: &'a RunSummary) -> Self {
        Self {
            run_id: &summary.run_id,
            started_at: summary.started_at,
            duration: summary.duration,
            workers: summary.workers,
            interrupted: summary.interrupted,
            predicted: summary.predicted,
            flaky_result: summary.flaky_result,
            timing_match: summary.timing_match,
            jobs: &summary.jobs,
            not_run: &summary.not_run,
            steps: &summary.steps,
        }
    }

    /// Suites that ran jobs or had files left unrun: each gets a `<testsuite>` even without
    /// results.
    pub(super) fn suite_names(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let jobs = self.jobs.iter().map(|j| j.suite.as_str());
        jobs.chain(self.not_run.iter().map(|(suite, _)| suite.as_str()))
    }

    /// Whether the run is green, given the counts of its tests ([`RunSummary::passed`]).
    #[must_use]
    pub fn passed(&self, counts: &Counts) -> bool {
        super::model::run_passed(counts, self.flaky_result, self.interrupted, self.steps)
    }
}

/// Writes `junit.xml` and `summary.json` from tests pushed as they settle.
pub struct ReportSink {
    junit: JunitSpool,
    summary: SummarySpool,
}

impl ReportSink {
    /// A sink for the reports at `junit` and `summary` (spool files are made next to them).
    #[must_use]
    pub fn new(junit: &Utf8Path, summary: &Utf8Path) -> Self {
        Self {
            junit: JunitSpool::new(junit),
            summary: SummarySpool::new(summary),
        }
    }

    /// Adds a settled test (no attempt of it will follow); `job` is the job of its last
    /// attempt, whose logs its JUnit case names. Tests appear in the reports in push order
    /// (grouped by suite in `junit.xml`).
    pub fn push(&mut self, test: &TestResult, job: Option<&JobRecord>) -> std::io::Result<()> {
        self.junit.push(test, job)?;
        self.summary.push(test)
    }

    /// Writes both reports and removes the spool files (also when writing fails).
    pub fn finish(self, header: &RunHeader<'_>) -> std::io::Result<()> {
        let Self { junit, summary } = self;
        let junit = junit.finish(header);
        let summary = summary.finish(header);
        junit.and(summary)
    }
}

#[cfg(test)]
mod tests {
    use camino::Utf8PathBuf;

    use super::*;

    #[test]
    fn sink_writes_what_the_whole_summary_writers_write() {
        let summary = super::super::junit_write::tests::sample();
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| Utf8PathBuf::from_path_buf(dir.path().join(name)).unwrap();
        super::super::write_junit(&summary, &path("junit.xml")).unwrap();
        super::super::write_summary(&summary, &path("summary.json")).unwrap();
        let mut sink = ReportSink::new(&path("sink.xml"), &path("sink.json"));
        for test in &summary.tests {
            sink.push(test, summary.jobs.get(test.last().job)).unwrap();
        }
        sink.finish(&RunHeader::of(&summary)).unwrap();
        let read = |name: &str| std::fs::read_to_string(path(name)).unwrap();
        assert_eq!(read("sink.xml"), read("junit.xml"));
        assert_eq!(read("sink.json"), read("summary.json"));
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            4,
            "no spool file is left"
        );
    }

    #[test]
    fn an_abandoned_sink_leaves_no_spool() {
        let summary = super::super::junit_write::tests::sample();
        let dir = tempfile::tempdir().unwrap();
        let path = |name: &str| Utf8PathBuf::from_path_buf(dir.path().join(name)).unwrap();
        let mut sink = ReportSink::new(&path("junit.xml"), &path("summary.json"));
        sink.push(&summary.tests[0], None).unwrap();
        drop(sink);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}

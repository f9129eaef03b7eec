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

use camino::Utf8Path;

use super::header::RunHeader;
use super::junit_write::JunitSpool;
use super::model::{JobRecord, TestResult};
use super::summary_json::SummarySpool;

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

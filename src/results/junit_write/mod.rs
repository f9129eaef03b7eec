//! Writes the merged `junit.xml` of a run: one `<testsuite>` per suite, retries as
//! `<flakyFailure>`/`<rerunFailure>` the way nextest writes them.
//!
//! The document is streamed to a buffered file: a first pass over the results counts each
//! suite (a `<testsuite>` carries its counts before its cases), the second writes every case
//! as it goes. Nothing the size of the document is held in memory: at 100,000 tests, building a
//! `quick_junit::Report` and its string took 109 MB of the run's 199 MB heap peak
//! (docs/benchmarks.md). The bytes are exactly those quick-junit wrote (same element order,
//! indentation, escaping and text clean-up), which a test checks against quick-junit itself.
//!
//! [`JunitSpool`] is the incremental form for a runner that hands over each test as it
//! settles: cases go to one spool file per suite, and [`JunitSpool::finish`] writes the header
//! with the counts, then copies each suite's spool.

use std::collections::BTreeMap;
use std::io::{self, Write};

use camino::{Utf8Path, Utf8PathBuf};

mod xml;

use super::header::RunHeader;
use super::model::{JobRecord, Outcome, RunSummary, TestResult};
use xml::Xml;

/// Writes `summary` as JUnit XML to `path` (atomically: temp file, then rename).
pub fn write_junit(summary: &RunSummary, path: &Utf8Path) -> io::Result<()> {
    let header = RunHeader::of(summary);
    let mut suites: BTreeMap<&str, SuiteCounts> = header
        .suite_names()
        .map(|name| (name, SuiteCounts::default()))
        .collect();
    for test in &summary.tests {
        suites.entry(&*test.suite).or_default().add(test.outcome);
    }
    // Results come ordered by suite then id; a later test step's results are appended after
    // the first one's, so then the cases are visited in suite order through an index (4
    // bytes a test) rather than by re-sorting the results themselves.
    let sorted = summary.tests.windows(2).all(|w| w[0].suite <= w[1].suite);
    let order: Option<Vec<u32>> = (!sorted).then(|| {
        let mut order: Vec<u32> = (0..summary.tests.len() as u32).collect();
        order.sort_by(|&a, &b| summary.tests[a as usize].suite.cmp(&summary.tests[b as usize].suite));
        order
    });
    let mut tests = (0..summary.tests.len())
        .map(|i| &summary.tests[order.as_ref().map_or(i, |o| o[i] as usize)])
        .peekable();
    crate::fsutil::write_atomic_with(path, |out| {
        let mut xml = Xml::new(out);
        xml.document_start(&header, &suites)?;
        for (name, counts) in &suites {
            xml.suite_start(&header, name, counts)?;
            while let Some(test) = tests.next_if(|t| &*t.suite == *name) {
                xml.case(test, summary.jobs.get(test.last().job))?;
            }
            xml.suite_end()?;
        }
        xml.document_end()
    })
}

/// Counts of one `<testsuite>`: quick-junit's rules (flaky tests are successes).
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct SuiteCounts {
    tests: usize,
    skipped: usize,
    errors: usize,
    failures: usize,
}

impl SuiteCounts {
    fn add(&mut self, outcome: Outcome) {
        self.tests += 1;
        match outcome {
            Outcome::Passed | Outcome::Flaky | Outcome::Cached => {}
            Outcome::Skipped => self.skipped += 1,
            Outcome::Failed => self.failures += 1,
            Outcome::TimedOut | Outcome::Error => self.errors += 1,
        }
    }
}

/// Cases of each suite written to a spool file as tests settle; [`Self::finish`] writes
/// `junit.xml` from them.
pub(super) struct JunitSpool {
    path: Utf8PathBuf,
    suites: BTreeMap<String, SuiteSpool>,
}

struct SuiteSpool {
    counts: SuiteCounts,
    path: Utf8PathBuf,
    xml: Xml<io::BufWriter<fs_err::File>>,
}

impl JunitSpool {
    /// A spool for the report that will be written to `path` (its files sit next to it).
    pub(super) fn new(path: &Utf8Path) -> Self {
        Self {
            path: path.to_path_buf(),
            suites: BTreeMap::new(),
        }
    }

    /// Spools the case of `test`; `job` is the job of its last attempt (its logs are named).
    pub(super) fn push(&mut self, test: &TestResult, job: Option<&JobRecord>) -> io::Result<()> {
        if !self.suites.contains_key(&*test.suite) {
            let path = self
                .path
                .with_extension(format!("spool-{}.{}", self.suites.len(), std::process::id()));
            let file = fs_err::File::create(&path)?;
            let suite = SuiteSpool {
                counts: SuiteCounts::default(),
                path,
                xml: Xml::new(io::BufWriter::with_capacity(64 * 1024, file)),
            };
            self.suites.insert(test.suite.to_string(), suite);
        }
        let suite = self.suites.get_mut(&*test.suite).expect("inserted above");
        suite.counts.add(test.outcome);
        suite.xml.case(test, job)
    }

    /// Writes the report (atomically) and removes the spool files.
    pub(super) fn finish(mut self, header: &RunHeader<'_>) -> io::Result<()> {
        let result = self.write(header);
        self.remove();
        result
    }

    fn write(&mut self, header: &RunHeader<'_>) -> io::Result<()> {
        for suite in self.suites.values_mut() {
            suite.xml.out.flush()?;
        }
        let mut names: BTreeMap<&str, SuiteCounts> = header
            .suite_names()
            .map(|name| (name, SuiteCounts::default()))
            .collect();
        for (name, suite) in &self.suites {
            names.insert(name, suite.counts);
        }
        crate::fsutil::write_atomic_with(&self.path, |out| {
            let mut xml = Xml::new(out);
            xml.document_start(header, &names)?;
            for (name, counts) in &names {
                xml.suite_start(header, name, counts)?;
                if let Some(suite) = self.suites.get(*name) {
                    // The spooled cases were written at the indentation they have here.
                    io::copy(&mut fs_err::File::open(&suite.path)?, xml.out)?;
                }
                xml.suite_end()?;
            }
            xml.document_end()
        })
    }

    fn remove(&mut self) {
        for suite in std::mem::take(&mut self.suites).into_values() {
            drop(suite.xml);
            let _ = std::fs::remove_file(&suite.path);
        }
    }
}

impl Drop for JunitSpool {
    fn drop(&mut self) {
        // An abandoned spool (error or early return in the caller) leaves no files behind.
        self.remove();
    }
}

#[cfg(test)]
pub(super) mod tests {
    //! The streamed writer against the quick-junit `Report` the writer used to build: same
    //! bytes for every outcome, retries, odd characters, several suites and an unsorted merge.

    use std::time::Duration;

    use quick_junit::{NonSuccessKind, Property, Report, TestCase, TestCaseStatus, TestRerun, TestSuite};

    use super::xml::message;
    use super::*;
    use crate::results::{Attempt, FlakyResult, JobExit};

    /// The previous implementation, kept as the reference the streamed output must equal.
    fn reference(summary: &RunSummary) -> String {
        let mut report = Report::new("flotilla");
        report.set_time(summary.duration);
        report.set_timestamp(summary.started_at.fixed_offset());
        let names = summary
            .tests
            .iter()
            .map(|t| &*t.suite)
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
            if let Some(suite) = suites.get_mut(&*test.suite) {
                suite.add_test_case(reference_case(test, summary));
            }
        }
        report.add_test_suites(suites.into_values());
        report.to_string().unwrap()
    }

    fn reference_case(test: &TestResult, summary: &RunSummary) -> TestCase {
        let last = test.last();
        let earlier = &test.attempts[..test.attempts.len() - 1];
        let mut status = match test.outcome {
            Outcome::Cached => TestCaseStatus::success(),
            Outcome::Passed | Outcome::Flaky => {
                let mut status = TestCaseStatus::success();
                status.add_reruns(earlier.iter().filter(|a| a.outcome.is_failure()).map(reference_rerun));
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
                status.set_message(message(last).into_owned());
                if test.outcome == Outcome::TimedOut {
                    status.set_type("timeout");
                }
                if let Some(output) = &last.output {
                    status.set_description(output.clone());
                }
                status.add_reruns(earlier.iter().map(reference_rerun));
                status
            }
        };
        if test.outcome == Outcome::Flaky {
            status.set_message("flaky: passed on a retry");
        }
        let mut case = TestCase::new(test.name.clone(), status);
        case.set_classname(test.classname.as_deref().unwrap_or(&test.file).to_string());
        case.set_time(last.duration);
        case.add_property(Property::new("file", test.file.clone()));
        case.add_property(Property::new("worker", last.worker.to_string()));
        case.add_property(Property::new("attempts", test.attempts.len().to_string()));
        if test.outcome == Outcome::Cached {
            case.add_property(Property::new(
                "flotilla-cached",
                last.message.clone().unwrap_or_else(|| "cached".to_string()),
            ));
        }
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

    fn reference_rerun(attempt: &Attempt) -> TestRerun {
        let kind = if attempt.outcome == Outcome::Failed {
            NonSuccessKind::Failure
        } else {
            NonSuccessKind::Error
        };
        let mut rerun = TestRerun::new(kind);
        rerun.set_time(attempt.duration);
        rerun.set_message(message(attempt).into_owned());
        if let Some(output) = &attempt.output {
            rerun.set_description(output.clone());
        }
        rerun
    }

    fn attempt(n: u32, outcome: Outcome, job: usize, message: Option<&str>, output: Option<&str>) -> Attempt {
        Attempt {
            attempt: n,
            outcome,
            duration: Duration::from_micros(1_234_567 * u64::from(n)),
            worker: n as usize,
            job,
            message: message.map(str::to_string),
            output: output.map(str::to_string),
        }
    }

    fn test(suite: &str, id: &str, classname: Option<&str>, attempts: Vec<Attempt>) -> TestResult {
        let mut test = TestResult {
            suite: suite.into(),
            id: id.into(),
            name: id.rsplit("::").next().unwrap().into(),
            classname: classname.map(Into::into),
            file: id.split("::").next().unwrap().into(),
            outcome: Outcome::Passed,
            outside_tests: false,
            quarantine: None,
            attempts,
        };
        test.settle();
        test
    }

    fn job(id: usize, suite: &str, stdout: Option<&str>, diagnostics: Option<&str>) -> JobRecord {
        JobRecord {
            id,
            suite: suite.into(),
            worker: 1,
            attempt: 1,
            files: vec!["a.py".into()],
            tests: Vec::new(),
            started: Duration::from_millis(5),
            duration: Duration::from_millis(1500),
            estimate: Duration::from_secs(1),
            exit: JobExit::Exited { code: 1 },
            stdout: stdout.map(Into::into),
            stderr: None,
            report: None,
            diagnostics: diagnostics.map(Into::into),
            error: None,
            reported: None,
            requeued: Vec::new(),
            leaky: false,
            cpu: None,
            max_rss: None,
        }
    }

    /// A run with every outcome and shape the writer distinguishes.
    pub(in crate::results) fn sample() -> RunSummary {
        use crate::quarantine::QuarantineMode;
        let odd = "tests/it's <odd> & \"quoted\".py";
        let mut muted = test(
            "api",
            "tests/m.py::muted",
            None,
            vec![attempt(1, Outcome::Failed, 0, None, None)],
        );
        muted.quarantine = Some(QuarantineMode::Mute);
        let tests = vec![
            test(
                "api",
                "tests/a.py::test_ok",
                Some("tests.a"),
                vec![attempt(1, Outcome::Passed, 0, None, None)],
            ),
            test(
                "api",
                "tests/a.py::test_flaky",
                Some("tests.a"),
                vec![
                    attempt(
                        1,
                        Outcome::Failed,
                        0,
                        Some("assert 1 == 2"),
                        Some("line 1\n\x1b[31mred\x1b[0m <tag>\n"),
                    ),
                    attempt(2, Outcome::TimedOut, 1, None, None),
                    attempt(3, Outcome::Passed, 1, None, None),
                ],
            ),
            test(
                "api",
                "tests/b.py::test_fails",
                None,
                vec![
                    attempt(1, Outcome::Failed, 0, Some("boom"), Some("trace\x01 & more")),
                    attempt(2, Outcome::Passed, 1, None, None),
                    attempt(3, Outcome::Failed, 1, Some("boom again"), None),
                ],
            ),
            test(
                "api",
                "tests/c.py",
                None,
                vec![attempt(1, Outcome::TimedOut, 0, None, None)],
            ),
            test(
                "api",
                "tests/d.py",
                None,
                vec![attempt(
                    1,
                    Outcome::Error,
                    7,
                    Some("could not start"),
                    Some("é ünïcode"),
                )],
            ),
            test(
                "api",
                "tests/e.py::skip",
                None,
                vec![attempt(1, Outcome::Skipped, 0, Some("not on linux"), None)],
            ),
            test(
                "api",
                "tests/e.py::skip2",
                None,
                vec![attempt(1, Outcome::Skipped, usize::MAX, None, None)],
            ),
            muted,
            test("web", odd, None, vec![attempt(1, Outcome::Passed, 1, None, None)]),
            // Appended by a later test step: out of suite order.
            test(
                "api",
                "tests/z.py",
                None,
                vec![attempt(1, Outcome::Passed, 0, None, None)],
            ),
        ];
        RunSummary {
            run_id: "20240101-000000-ab'c".into(),
            run_dir: "/tmp/run".into(),
            started_at: chrono::DateTime::parse_from_rfc3339("2024-05-06T07:08:09.123456+02:00")
                .unwrap()
                .with_timezone(&chrono::Local),
            duration: Duration::from_millis(65_432),
            workers: 2,
            interrupted: true,
            tests,
            jobs: vec![
                job(0, "api", Some("/tmp/run/logs/0.out"), None),
                job(1, "web", None, Some("/tmp/run/diag <1>")),
                job(2, "only-jobs", None, None),
            ],
            not_run: vec![("never".into(), "x.py".into())],
            predicted: Duration::from_secs(60),
            flaky_result: FlakyResult::Pass,
            timing_match: 0.5,
            steps: Vec::new(),
            node: None,
            merge: None,
        }
    }

    fn written(summary: &RunSummary) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("junit.xml")).unwrap();
        write_junit(summary, &path).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["junit.xml"], "no temp file is left");
        std::fs::read_to_string(&path).unwrap()
    }

    #[test]
    fn streamed_junit_equals_quick_junit() {
        let mut summary = sample();
        assert_eq!(written(&summary), reference(&summary));
        summary.interrupted = false;
        summary.tests.sort_by(|a, b| (&a.suite, &a.id).cmp(&(&b.suite, &b.id)));
        assert_eq!(written(&summary), reference(&summary));
        summary.tests.clear();
        assert_eq!(written(&summary), reference(&summary));
        summary.jobs.clear();
        summary.not_run.clear();
        assert_eq!(written(&summary), reference(&summary));
    }

    #[test]
    fn printable_ascii_is_what_xml_string_keeps() {
        let ascii: String = (0x20u8..0x7f).map(char::from).collect();
        assert_eq!(quick_junit::XmlString::new(&ascii).as_str(), ascii);
        assert!(matches!(xml::clean(&ascii), std::borrow::Cow::Borrowed(_)));
        assert_eq!(
            xml::clean("a\x1b[1mb\x07c"),
            quick_junit::XmlString::new("a\x1b[1mb\x07c").as_str()
        );
    }

    #[test]
    fn spooled_junit_equals_streamed() {
        let summary = sample();
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("junit.xml")).unwrap();
        let mut spool = JunitSpool::new(&path);
        for test in &summary.tests {
            spool.push(test, summary.jobs.get(test.last().job)).unwrap();
        }
        spool.finish(&RunHeader::of(&summary)).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["junit.xml"], "spool files are removed");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), reference(&summary));
    }
}

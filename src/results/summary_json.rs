//! Writes `summary.json`, the documented machine-readable result of a run
//! (schema in `docs/summary-json.md`; bump [`SCHEMA_VERSION`] on incompatible changes).
//!
//! The JSON is serialized straight into a buffered file: at 100,000 tests the document is
//! 40 MB, and building it in a `Vec` first doubled its way to 64 MB of heap for nothing.
//! [`SummarySpool`] is the incremental form: each test is serialized to a spool file as it
//! settles (already indented for its place in the `tests` array), and
//! [`SummarySpool::finish`] writes the fields before and after it around a copy of the spool.

use std::io::{self, Write};

use camino::{Utf8Path, Utf8PathBuf};
use serde::Serialize;

use super::first_failure::FirstFailure;
use super::header::RunHeader;
use super::model::{Counts, JobRecord, RunSummary, TestResult};

/// Version of the `summary.json` schema.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Serialize)]
struct SummaryFile<'a> {
    schema_version: u32,
    run_id: &'a str,
    started_at: String,
    duration_secs: f64,
    predicted_secs: f64,
    workers: usize,
    interrupted: bool,
    passed: bool,
    flaky_result: &'static str,
    timing_match: f64,
    first_failure_secs: Option<f64>,
    counts: Counts,
    tests: &'a [TestResult],
    jobs: &'a [JobRecord],
    not_run: Vec<NotRun<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    steps: &'a [super::StepRecord],
    #[serde(skip_serializing_if = "Option::is_none")]
    node: Option<&'a crate::nodes::NodeSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    merge: Option<&'a super::merge::MergeRecord>,
}

#[derive(Serialize)]
struct NotRun<'a> {
    suite: &'a str,
    file: &'a str,
}

fn flaky_result_name(header: &RunHeader<'_>) -> &'static str {
    match header.flaky_result {
        crate::results::FlakyResult::Pass => "pass",
        crate::results::FlakyResult::Fail => "fail",
    }
}

fn not_run<'a>(header: &RunHeader<'a>) -> Vec<NotRun<'a>> {
    header
        .not_run
        .iter()
        .map(|(suite, file)| NotRun { suite, file })
        .collect()
}

/// When the first failing attempt's job ended, in seconds after the start (`null`: none).
fn first_failure_secs(failures: &FirstFailure, header: &RunHeader<'_>) -> Option<f64> {
    failures.resolve(header.jobs).map(|first| first.after.as_secs_f64())
}

/// Writes `summary` as JSON to `path` (atomically).
pub fn write_summary(summary: &RunSummary, path: &Utf8Path) -> io::Result<()> {
    let header = RunHeader::of(summary);
    let counts = summary.counts();
    let file = SummaryFile {
        schema_version: SCHEMA_VERSION,
        run_id: header.run_id,
        started_at: header.started_at.to_rfc3339(),
        duration_secs: header.duration.as_secs_f64(),
        predicted_secs: header.predicted.as_secs_f64(),
        workers: header.workers,
        interrupted: header.interrupted,
        passed: header.passed(&counts),
        flaky_result: flaky_result_name(&header),
        timing_match: header.timing_match,
        first_failure_secs: first_failure_secs(&FirstFailure::of(&summary.tests), &header),
        counts,
        tests: &summary.tests,
        jobs: header.jobs,
        not_run: not_run(&header),
        steps: header.steps,
        node: header.node,
        merge: header.merge,
    };
    crate::fsutil::write_atomic_with(path, |out| {
        serde_json::to_writer_pretty(&mut *out, &file).map_err(io::Error::other)?;
        out.write_all(b"\n")
    })
}

/// Tests serialized to a spool file as they settle; [`Self::finish`] writes `summary.json`.
pub(super) struct SummarySpool {
    path: Utf8PathBuf,
    spool_path: Utf8PathBuf,
    spool: Option<io::BufWriter<fs_err::File>>,
    counts: Counts,
    failures: FirstFailure,
}

impl SummarySpool {
    /// A spool for the summary that will be written to `path` (its file sits next to it).
    pub(super) fn new(path: &Utf8Path) -> Self {
        Self {
            path: path.to_path_buf(),
            spool_path: path.with_extension(format!("spool.{}", std::process::id())),
            spool: None,
            counts: Counts::default(),
            failures: FirstFailure::default(),
        }
    }

    /// Serializes `test` as the next element of `tests`.
    pub(super) fn push(&mut self, test: &TestResult) -> io::Result<()> {
        if self.spool.is_none() {
            let file = fs_err::File::create(&self.spool_path)?;
            self.spool = Some(io::BufWriter::with_capacity(64 * 1024, file));
        }
        let spool = self.spool.as_mut().expect("created above");
        // The separator serde_json's pretty printer writes before an array element at depth 2.
        spool.write_all(if self.counts.total == 0 { b"\n    " } else { b",\n    " })?;
        serde_json::to_writer_pretty(Indented::new(spool, b"    "), test).map_err(io::Error::other)?;
        self.counts.count(test);
        self.failures.push(test);
        Ok(())
    }

    /// Writes the summary (atomically) and removes the spool file.
    pub(super) fn finish(mut self, header: &RunHeader<'_>) -> io::Result<()> {
        let result = self.write(header);
        self.remove();
        result
    }

    /// The object serde_json's pretty printer writes for [`SummaryFile`], field by field, with
    /// the spooled tests copied in as the `tests` array.
    fn write(&mut self, header: &RunHeader<'_>) -> io::Result<()> {
        if let Some(spool) = self.spool.as_mut() {
            spool.flush()?;
        }
        let counts = self.counts;
        crate::fsutil::write_atomic_with(&self.path, |out| {
            let mut object = Object { out, first: true };
            object.field("schema_version", &SCHEMA_VERSION)?;
            object.field("run_id", header.run_id)?;
            object.field("started_at", &header.started_at.to_rfc3339())?;
            object.field("duration_secs", &header.duration.as_secs_f64())?;
            object.field("predicted_secs", &header.predicted.as_secs_f64())?;
            object.field("workers", &header.workers)?;
            object.field("interrupted", &header.interrupted)?;
            object.field("passed", &header.passed(&counts))?;
            object.field("flaky_result", flaky_result_name(header))?;
            object.field("timing_match", &header.timing_match)?;
            object.field("first_failure_secs", &first_failure_secs(&self.failures, header))?;
            object.field("counts", &counts)?;
            object.key("tests")?;
            object.out.write_all(b"[")?;
            if counts.total > 0 {
                io::copy(&mut fs_err::File::open(&self.spool_path)?, object.out)?;
                object.out.write_all(b"\n  ")?;
            }
            object.out.write_all(b"]")?;
            object.field("jobs", header.jobs)?;
            object.field("not_run", &not_run(header))?;
            if !header.steps.is_empty() {
                object.field("steps", header.steps)?;
            }
            if let Some(node) = header.node {
                object.field("node", node)?;
            }
            if let Some(merge) = header.merge {
                object.field("merge", merge)?;
            }
            object.out.write_all(b"\n}\n")
        })
    }

    fn remove(&mut self) {
        if self.spool.take().is_some() {
            let _ = std::fs::remove_file(&self.spool_path);
        }
    }
}

impl Drop for SummarySpool {
    fn drop(&mut self) {
        // An abandoned spool leaves no file behind.
        self.remove();
    }
}

/// The top-level object of `summary.json`, written one field at a time.
struct Object<'w, W: Write> {
    out: &'w mut W,
    first: bool,
}

impl<W: Write> Object<'_, W> {
    fn key(&mut self, key: &str) -> io::Result<()> {
        self.out.write_all(if self.first { b"{\n  " } else { b",\n  " })?;
        self.first = false;
        serde_json::to_writer(&mut *self.out, key).map_err(io::Error::other)?;
        self.out.write_all(b": ")
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> io::Result<()> {
        self.key(key)?;
        serde_json::to_writer_pretty(Indented::new(&mut *self.out, b"  "), value).map_err(io::Error::other)
    }
}

/// Puts `prefix` after every line break: serde_json's pretty output of a value, indented for a
/// deeper place in the document. Only layout line breaks exist in it (JSON strings escape
/// theirs).
struct Indented<'p, W: Write> {
    out: W,
    prefix: &'p [u8],
}

impl<'p, W: Write> Indented<'p, W> {
    fn new(out: W, prefix: &'p [u8]) -> Self {
        Self { out, prefix }
    }
}

impl<W: Write> Write for Indented<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        let mut rest = buf;
        while let Some(newline) = rest.iter().position(|&b| b == b'\n') {
            self.out.write_all(&rest[..=newline])?;
            self.out.write_all(self.prefix)?;
            rest = &rest[newline + 1..];
        }
        self.out.write_all(rest)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(summary: &RunSummary) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("summary.json")).unwrap();
        write_summary(summary, &path).unwrap();
        std::fs::read_to_string(&path).unwrap()
    }

    fn spooled(summary: &RunSummary) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("summary.json")).unwrap();
        let mut spool = SummarySpool::new(&path);
        for test in &summary.tests {
            spool.push(test).unwrap();
        }
        spool.finish(&RunHeader::of(summary)).unwrap();
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["summary.json"], "the spool file is removed");
        std::fs::read_to_string(&path).unwrap()
    }

    /// What `write_summary` wrote before it streamed: one pretty `Vec` and a newline.
    fn reference(summary: &RunSummary) -> String {
        let header = RunHeader::of(summary);
        let counts = summary.counts();
        let file = SummaryFile {
            schema_version: SCHEMA_VERSION,
            run_id: &summary.run_id,
            started_at: summary.started_at.to_rfc3339(),
            duration_secs: summary.duration.as_secs_f64(),
            predicted_secs: summary.predicted.as_secs_f64(),
            workers: summary.workers,
            interrupted: summary.interrupted,
            passed: summary.passed(),
            flaky_result: flaky_result_name(&header),
            timing_match: summary.timing_match,
            first_failure_secs: first_failure_secs(&FirstFailure::of(&summary.tests), &header),
            counts,
            tests: &summary.tests,
            jobs: &summary.jobs,
            not_run: not_run(&header),
            steps: &summary.steps,
            node: summary.node.as_ref(),
            merge: summary.merge.as_ref(),
        };
        let mut text = serde_json::to_string_pretty(&file).unwrap();
        text.push('\n');
        text
    }

    #[test]
    fn streamed_and_spooled_summaries_equal_the_in_memory_one() {
        let mut summary = super::super::junit_write::tests::sample();
        assert_eq!(written(&summary), reference(&summary));
        assert_eq!(spooled(&summary), reference(&summary));
        summary.steps.push(crate::results::StepRecord {
            name: "build \"images\"\n".into(),
            kind: "command",
            cleanup: false,
            outcome: crate::results::StepOutcome::Passed,
            duration: std::time::Duration::from_millis(1500),
            commands: Vec::new(),
        });
        assert_eq!(spooled(&summary), reference(&summary));
        summary.tests.clear();
        summary.jobs.clear();
        summary.not_run.clear();
        summary.steps.clear();
        assert_eq!(written(&summary), reference(&summary));
        assert_eq!(spooled(&summary), reference(&summary));
    }
}

//! Writes `summary.json`, the documented machine-readable result of a run
//! (schema in `docs/summary-json.md`; bump [`SCHEMA_VERSION`] on incompatible changes).

use camino::Utf8Path;
use serde::Serialize;

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
    counts: Counts,
    tests: &'a [TestResult],
    jobs: &'a [JobRecord],
    not_run: Vec<NotRun<'a>>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    steps: &'a [super::StepRecord],
}

#[derive(Serialize)]
struct NotRun<'a> {
    suite: &'a str,
    file: &'a str,
}

/// Writes `summary` as JSON to `path` (atomically).
pub fn write_summary(summary: &RunSummary, path: &Utf8Path) -> std::io::Result<()> {
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
        flaky_result: match summary.flaky_result {
            crate::results::FlakyResult::Pass => "pass",
            crate::results::FlakyResult::Fail => "fail",
        },
        timing_match: summary.timing_match,
        counts,
        tests: &summary.tests,
        jobs: &summary.jobs,
        not_run: summary
            .not_run
            .iter()
            .map(|(suite, file)| NotRun { suite, file })
            .collect(),
        steps: &summary.steps,
    };
    let mut text = serde_json::to_vec_pretty(&file).map_err(std::io::Error::other)?;
    text.push(b'\n');
    crate::fsutil::write_atomic(path, &text)
}

//! [`parse_summary`]: a node's summary.json (any readable schema version) back into a
//! [`RunSummary`], so that merged results go through the same writers as a run's.

use std::time::Duration;

use serde::Deserialize;

use crate::nodes::NodeSummary;
use crate::results::{FlakyResult, JobRecord, RunSummary, SCHEMA_VERSION, StepOutcome, StepRecord, TestResult};

/// Why a summary.json could not be merged.
#[derive(Debug, thiserror::Error)]
pub enum SummaryReadError {
    /// Not a summary.json flotilla wrote.
    #[error("not a flotilla summary.json")]
    Parse(#[source] serde_json::Error),
    /// A schema this flotilla does not read.
    #[error(
        "summary.json schema version {found}; this flotilla reads 1 to {SCHEMA_VERSION}: merge with the flotilla version that ran the nodes"
    )]
    Version { found: u32 },
}

#[derive(Deserialize)]
struct SummaryIn {
    schema_version: u32,
    run_id: String,
    started_at: chrono::DateTime<chrono::FixedOffset>,
    duration_secs: f64,
    #[serde(default)]
    predicted_secs: f64,
    workers: usize,
    interrupted: bool,
    #[serde(default)]
    flaky_result: Option<String>,
    #[serde(default)]
    timing_match: f64,
    tests: Vec<TestResult>,
    #[serde(default)]
    jobs: Vec<JobRecord>,
    #[serde(default)]
    not_run: Vec<NotRunIn>,
    #[serde(default)]
    steps: Vec<StepIn>,
    #[serde(default)]
    node: Option<NodeSummary>,
}

#[derive(Deserialize)]
struct NotRunIn {
    suite: String,
    file: String,
}

#[derive(Deserialize)]
struct StepIn {
    name: String,
    kind: String,
    #[serde(default)]
    cleanup: bool,
    outcome: StepOutcome,
    #[serde(default)]
    duration_secs: f64,
}

/// Reads summary.json text.
pub fn parse_summary(text: &str) -> Result<RunSummary, SummaryReadError> {
    #[derive(Deserialize)]
    struct Version {
        schema_version: u32,
    }
    let version: Version = serde_json::from_str(text).map_err(SummaryReadError::Parse)?;
    if !(1..=SCHEMA_VERSION).contains(&version.schema_version) {
        return Err(SummaryReadError::Version {
            found: version.schema_version,
        });
    }
    let doc: SummaryIn = serde_json::from_str(text).map_err(SummaryReadError::Parse)?;
    let _ = doc.schema_version;
    let secs = |s: f64| Duration::try_from_secs_f64(s).unwrap_or_default();
    Ok(RunSummary {
        run_id: doc.run_id,
        run_dir: camino::Utf8PathBuf::new(),
        started_at: doc.started_at.with_timezone(&chrono::Local),
        duration: secs(doc.duration_secs),
        workers: doc.workers,
        interrupted: doc.interrupted,
        tests: doc.tests,
        jobs: doc.jobs,
        not_run: doc.not_run.into_iter().map(|n| (n.suite, n.file)).collect(),
        predicted: secs(doc.predicted_secs),
        flaky_result: doc
            .flaky_result
            .as_deref()
            .and_then(FlakyResult::from_name)
            .unwrap_or_default(),
        timing_match: doc.timing_match,
        steps: doc
            .steps
            .into_iter()
            .map(|step| StepRecord {
                name: step.name,
                kind: if step.kind == "command" { "command" } else { "tests" },
                cleanup: step.cleanup,
                outcome: step.outcome,
                duration: secs(step.duration_secs),
                commands: Vec::new(),
            })
            .collect(),
        node: doc.node,
        merge: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_summary_reads_back_with_its_tests_jobs_and_node() {
        let mut summary = crate::results::junit_write::tests::sample();
        summary.node = Some(NodeSummary {
            index: 2,
            total: 4,
            retry: 1,
            identified_by: "--partition 3/4".into(),
            plan_hash: "0123456789abcdef".into(),
            plan_source: "plan-file".into(),
            plan_file: "plan.json".into(),
            planned: 3,
            missing: Vec::new(),
            unplanned: Vec::new(),
        });
        let dir = tempfile::tempdir().unwrap();
        let path = camino::Utf8PathBuf::try_from(dir.path().join("summary.json")).unwrap();
        crate::results::write_summary(&summary, &path).unwrap();
        let read = parse_summary(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(read.node, summary.node);
        assert_eq!(read.counts(), summary.counts());
        assert_eq!(read.jobs.len(), summary.jobs.len());
        let ids = |s: &RunSummary| {
            s.tests
                .iter()
                .map(|t| (t.id.to_string(), t.outcome, t.attempts.len()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&read), ids(&summary));
        assert_eq!(read.jobs[0].exit, summary.jobs[0].exit);
        assert_eq!(read.passed(), summary.passed());
    }

    #[test]
    fn other_schema_versions_and_other_json_are_refused() {
        assert!(matches!(
            parse_summary(r#"{"schema_version": 99}"#),
            Err(SummaryReadError::Version { found: 99 })
        ));
        assert!(matches!(parse_summary("[]"), Err(SummaryReadError::Parse(_))));
    }
}

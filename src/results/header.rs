//! [`RunHeader`]: everything of a run the report files need besides its tests (shared by the
//! whole-summary writers and the incremental [`ReportSink`](super::ReportSink)).

use std::time::Duration;

use super::model::{Counts, FlakyResult, JobRecord, RunSummary};
use super::steps::StepRecord;

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
    /// On a node of a parallel step: its share of the plan.
    pub node: Option<&'a crate::nodes::NodeSummary>,
    /// A result merged from nodes: the exactly-once proof.
    pub merge: Option<&'a super::merge::MergeRecord>,
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
            node: summary.node.as_ref(),
            merge: summary.merge.as_ref(),
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
            && self.merge.is_none_or(super::merge::MergeRecord::proven)
    }
}

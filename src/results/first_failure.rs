//! [`FirstFailure`]: when the run first knew of a failing attempt (its job's end) and which
//! test it was, the "time to first failure" of the terminal's last screen and `summary.json`.
//!
//! Tests settle one at a time and the jobs are known only at the end, so [`FirstFailure`]
//! collects the failing attempts' jobs as tests are pushed and [`FirstFailure::resolve`]
//! looks their ends up. Muted tests (quarantine) do not count: their failures fail nothing.

use std::collections::BTreeMap;
use std::time::Duration;

use super::model::{JobRecord, TestResult};

/// The jobs of failing attempts seen so far, each with the first failing test pushed of it
/// (its `(suite, id)`): bounded by the number of jobs, not of failures.
#[derive(Clone, Debug, Default)]
pub struct FirstFailure {
    failing: BTreeMap<usize, (String, String)>,
}

/// The earliest failing attempt of a run.
#[derive(Clone, Debug, PartialEq)]
pub struct EarliestFailure {
    /// Seconds after the run started at which its job ended.
    pub after: Duration,
    /// Its suite.
    pub suite: String,
    /// Its test id.
    pub id: String,
}

impl FirstFailure {
    /// The failing attempts of `tests`.
    #[must_use]
    pub fn of<'a>(tests: impl IntoIterator<Item = &'a TestResult>) -> Self {
        let mut first = Self::default();
        for test in tests {
            first.push(test);
        }
        first
    }

    /// Notes `test`'s failing attempts (none when it is muted).
    pub fn push(&mut self, test: &TestResult) {
        if test.quarantine == Some(crate::quarantine::QuarantineMode::Mute) {
            return;
        }
        for attempt in test.attempts.iter().filter(|a| a.outcome.is_failure()) {
            self.failing
                .entry(attempt.job)
                .or_insert_with(|| (test.suite.to_string(), test.id.to_string()));
        }
    }

    /// The earliest among them, by the end of its job in `jobs` (ties: the lower job).
    #[must_use]
    pub fn resolve(&self, jobs: &[JobRecord]) -> Option<EarliestFailure> {
        self.failing
            .iter()
            .filter_map(|(&job, (suite, id))| jobs.get(job).map(|job| (job.started + job.duration, suite, id)))
            .min_by_key(|(after, ..)| *after)
            .map(|(after, suite, id)| EarliestFailure {
                after,
                suite: suite.clone(),
                id: id.clone(),
            })
    }
}

//! [`ran_units`]: which units of a plan a node's jobs ran, read from its summary's jobs (a
//! whole-file unit by the job's `files`, a split-out test by its `tests`), leaving out what an
//! interrupt stopped and what the runner never reached (`requeued`, which ran again elsewhere
//! in the same node when it ran at all).

use std::collections::{BTreeSet, HashSet};

use crate::nodes::{NodePlan, UnitKey};
use crate::results::{JobExit, RunSummary};

/// The units of `plan` that `summary`'s jobs ran.
#[must_use]
pub fn ran_units(plan: &NodePlan, summary: &RunSummary) -> BTreeSet<UnitKey> {
    let not_run: HashSet<(&str, &str)> = summary.not_run.iter().map(|(s, f)| (s.as_str(), f.as_str())).collect();
    let mut files: HashSet<(&str, &str)> = HashSet::new();
    let mut tests: HashSet<(&str, &str)> = HashSet::new();
    for job in summary.jobs.iter().filter(|j| j.exit != JobExit::Interrupted) {
        let reached = |target: &&String| !job.requeued.contains(target);
        files.extend(
            job.files
                .iter()
                .filter(reached)
                .map(|f| (job.suite.as_str(), f.as_str())),
        );
        tests.extend(
            job.tests
                .iter()
                .filter(reached)
                .map(|t| (job.suite.as_str(), t.as_str())),
        );
    }
    plan.units
        .iter()
        .filter(|unit| match &unit.test {
            Some(test) => tests.contains(&(unit.suite.as_str(), test.as_str())),
            None => {
                let key = (unit.suite.as_str(), unit.file.as_str());
                files.contains(&key) && !not_run.contains(&key)
            }
        })
        .map(crate::nodes::PlannedUnit::key)
        .collect()
}

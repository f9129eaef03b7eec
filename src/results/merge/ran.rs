//! [`ran_units`]: which units of a plan a node's jobs ran, read from its summary's jobs (a
//! whole-file unit by the job's `files`, a split-out test by its `tests`), leaving out what an
//! interrupt stopped and what the runner never reached (`requeued`, which ran again elsewhere
//! in the same node when it ran at all). A unit quarantine skips counts as handled by the node
//! that reported it skipped.

use std::collections::{BTreeSet, HashSet};

use crate::nodes::{NodePlan, UnitKey};
use crate::quarantine::QuarantineMode;
use crate::results::{JobExit, Outcome, RunSummary};

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
    // A skipped file's result has the file as its id; a skipped test's, the test's id.
    let quarantined: HashSet<(&str, &str)> = summary
        .tests
        .iter()
        .filter(|t| t.quarantine == Some(QuarantineMode::Skip) && t.outcome == Outcome::Skipped)
        .map(|t| (&*t.suite, &*t.id))
        .collect();
    plan.units
        .iter()
        .filter(|unit| {
            let file = (unit.suite.as_str(), unit.file.as_str());
            match &unit.test {
                Some(test) => {
                    let key = (unit.suite.as_str(), test.as_str());
                    tests.contains(&key) || quarantined.contains(&key) || quarantined.contains(&file)
                }
                None => (files.contains(&file) && !not_run.contains(&file)) || quarantined.contains(&file),
            }
        })
        .map(crate::nodes::PlannedUnit::key)
        .collect()
}

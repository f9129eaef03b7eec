//! [`RecentFailures`]: the tests of each suite that failed or were flaky in recent runs (from
//! the history), so the planner can start the units holding them early.

use std::collections::{HashMap, HashSet};

use super::Unit;
use crate::history::History;

/// Per suite (config order), each file's tests that failed or were flaky recently.
#[derive(Clone, Debug, Default)]
pub(super) struct RecentFailures {
    suites: Vec<HashMap<String, HashSet<String>>>,
}

impl RecentFailures {
    /// Reads the recent failures of `suites` (their names, config order) from `history`.
    pub(super) fn read<'a>(history: &mut History, suites: impl Iterator<Item = &'a str>) -> Self {
        let suites = suites
            .map(|suite| {
                let mut files: HashMap<String, HashSet<String>> = HashMap::new();
                for (file, test) in history.recent_failures(suite) {
                    files.entry(file).or_default().insert(test);
                }
                files
            })
            .collect();
        Self { suites }
    }

    /// Whether `unit` holds a recent failure: a whole file with one among its tests, or a
    /// split-out test that is one (or whose file failed as a whole, without test results).
    #[must_use]
    pub(super) fn holds(&self, unit: &Unit) -> bool {
        let Some(tests) = self
            .suites
            .get(unit.suite.get())
            .and_then(|files| files.get(&unit.target.file))
        else {
            return false;
        };
        unit.target
            .test
            .as_ref()
            .is_none_or(|test| tests.contains(test) || tests.contains(&unit.target.file))
    }
}

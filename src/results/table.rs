//! [`ResultTable`]: a run's test results as they accumulate, one per (suite, test id), found
//! again by that pair without storing a copy of it: a run of a million tests keeps its ids once.

use std::hash::{BuildHasher, RandomState};

use hashbrown::HashTable;

use super::TestResult;

/// Test results, in arrival order, with a lookup by (suite, id).
#[derive(Default)]
pub struct ResultTable {
    results: Vec<TestResult>,
    /// Positions in `results`, hashed by the result's (suite, id).
    index: HashTable<usize>,
    hasher: RandomState,
}

impl ResultTable {
    /// An empty table.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    fn hash(&self, suite: &str, id: &str) -> u64 {
        self.hasher.hash_one((suite, id))
    }

    /// An empty table with room for `tests` results: a big run then grows no vector (growing
    /// one of a million results holds the old and the new one at once, a peak of its own).
    #[must_use]
    pub fn with_capacity(tests: usize) -> Self {
        Self {
            results: Vec::with_capacity(tests),
            index: HashTable::with_capacity(tests),
            hasher: RandomState::new(),
        }
    }

    /// Where the result of (`suite`, `id`) is, if there is one.
    #[must_use]
    pub fn position(&self, suite: &str, id: &str) -> Option<usize> {
        let results = &self.results;
        self.index
            .find(self.hash(suite, id), |&at| {
                &*results[at].suite == suite && &*results[at].id == id
            })
            .copied()
    }

    /// The result at `at` (from [`Self::position`] or [`Self::insert`]).
    pub fn at_mut(&mut self, at: usize) -> &mut TestResult {
        &mut self.results[at]
    }

    /// The result at `at`, to read.
    #[must_use]
    pub fn at(&self, at: usize) -> &TestResult {
        &self.results[at]
    }

    /// Adds `result`, whose (suite, id) must not be in the table yet; returns its position.
    pub fn insert(&mut self, result: TestResult) -> usize {
        debug_assert!(
            self.position(&result.suite, &result.id).is_none(),
            "one result per test"
        );
        let hash = self.hash(&result.suite, &result.id);
        let at = self.results.len();
        self.results.push(result);
        let (results, hasher) = (&self.results, &self.hasher);
        self.index
            .insert_unique(hash, at, |&at| hasher.hash_one((&*results[at].suite, &*results[at].id)));
        at
    }

    /// How many tests it holds.
    #[must_use]
    pub fn len(&self) -> usize {
        self.results.len()
    }

    /// Whether it holds none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.results.is_empty()
    }

    /// The results sorted by suite, then id (the order of every report), sorted in place.
    #[must_use]
    pub fn into_sorted(self) -> Vec<TestResult> {
        let Self { mut results, index, .. } = self;
        drop(index);
        results.sort_unstable_by(|a, b| (&*a.suite, &*a.id).cmp(&(&*b.suite, &*b.id)));
        results
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Outcome;

    fn result(suite: &str, id: &str) -> TestResult {
        TestResult {
            suite: suite.into(),
            id: id.into(),
            name: id.into(),
            classname: None,
            file: id.into(),
            outcome: Outcome::Passed,
            outside_tests: false,
            quarantine: None,
            attempts: Vec::new(),
        }
    }

    #[test]
    fn one_result_per_suite_and_id_sorted_at_the_end() {
        let mut table = ResultTable::new();
        for (suite, id) in [("b", "x"), ("a", "y"), ("a", "x"), ("b", "x"), ("a", "y")] {
            let at = match table.position(suite, id) {
                Some(at) => at,
                None => table.insert(result(suite, id)),
            };
            let named = table.at_mut(at);
            named.name = format!("{}!", named.name).into();
        }
        assert_eq!(table.len(), 3);
        let sorted: Vec<(String, String, String)> = table
            .into_sorted()
            .into_iter()
            .map(|r| (r.suite.to_string(), r.id.into(), r.name.into()))
            .collect();
        assert_eq!(
            sorted,
            [
                ("a".into(), "x".into(), "x!".into()),
                ("a".into(), "y".into(), "y!!".into()),
                ("b".into(), "x".into(), "x!!".into())
            ]
        );
    }
}

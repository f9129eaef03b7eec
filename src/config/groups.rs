//! Test groups: [`TestGroup`] (a `[group.NAME]` table: at most `max-concurrency` of its jobs run
//! at once, for tests that share a database, a port or a licence) and [`SuiteGroups`] (which of
//! a suite's files and tests belong to which groups: `group = "NAME"` for the whole suite,
//! `groups = { NAME = ["glob", ...] }` for some of its files or test ids).

use globset::GlobSet;

use crate::runners::Target;

/// One `[group.NAME]`, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestGroup {
    /// The NAME of `[group.NAME]`.
    pub name: String,
    /// At most this many jobs holding its tests run at the same time (at least 1).
    pub max_concurrency: usize,
}

/// The groups of a suite's files and tests; indices are into `Config::groups`.
#[derive(Clone, Debug, Default)]
pub struct SuiteGroups {
    /// `group = "NAME"`: every file and test of the suite.
    pub whole: Option<usize>,
    /// `groups = { NAME = [globs] }`: files, or the ids of tests split out of files, matched by
    /// the globs (relative to the config folder, like `files`).
    pub matched: Vec<(usize, GlobSet)>,
}

impl SuiteGroups {
    /// Whether no file or test of the suite belongs to a group.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.whole.is_none() && self.matched.is_empty()
    }

    /// The groups of the file `file` (or the test `test` of it), sorted, without duplicates. A
    /// test belongs to the groups that match its file or its id.
    #[must_use]
    pub fn of(&self, file: &str, test: Option<&str>) -> Vec<usize> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut groups: Vec<usize> = self.whole.into_iter().collect();
        for (group, globs) in &self.matched {
            if globs.is_match(file) || test.is_some_and(|id| globs.is_match(id)) {
                groups.push(*group);
            }
        }
        groups.sort_unstable();
        groups.dedup();
        groups
    }

    /// The union of the groups of `targets` (a job's), sorted, without duplicates.
    #[must_use]
    pub fn of_targets(&self, targets: &[Target]) -> Vec<usize> {
        if self.is_empty() {
            return Vec::new();
        }
        let mut groups: Vec<usize> = targets
            .iter()
            .flat_map(|target| self.of(&target.file, target.test.as_deref()))
            .collect();
        groups.sort_unstable();
        groups.dedup();
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn globs(patterns: &[&str]) -> GlobSet {
        let mut builder = globset::GlobSetBuilder::new();
        for pattern in patterns {
            builder.add(
                globset::GlobBuilder::new(pattern)
                    .literal_separator(true)
                    .build()
                    .unwrap(),
            );
        }
        builder.build().unwrap()
    }

    #[test]
    fn a_file_or_test_takes_the_suite_group_and_every_group_whose_globs_match_it() {
        let groups = SuiteGroups {
            whole: Some(2),
            matched: vec![(0, globs(&["tests/db/**"])), (1, globs(&["tests/*.py::test_port*"]))],
        };
        assert_eq!(groups.of("tests/db/a.py", None), [0, 2]);
        assert_eq!(groups.of("tests/b.py", Some("tests/b.py::test_port_8080")), [1, 2]);
        assert_eq!(groups.of("tests/b.py", Some("tests/b.py::test_other")), [2]);
        assert!(SuiteGroups::default().of("tests/db/a.py", None).is_empty());
    }
}

//! [`TestAttempt`]: one test's attempt with the identity it belongs to, what the interpreter
//! hands the test run; [`Stamp`], what every attempt of one job carries; and the rules that
//! shape a job's list of attempts: one per target when the job has no usable report
//! ([`per_target`]), skipped attempts for quarantined tests the runner left out
//! ([`with_deselected`]), no skips of tests a name filter left out ([`unselected_dropped`]), one
//! attempt per id ([`merge_duplicates`]).

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use crate::results::{Attempt, Outcome};
use crate::runners::Target;

/// One test's attempt, with the identity it belongs to.
#[derive(Clone, Debug)]
pub(crate) struct TestAttempt {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) classname: Option<String>,
    pub(crate) file: String,
    /// A failure outside any test: never retried.
    pub(crate) outside_tests: bool,
    pub(crate) attempt: Attempt,
}

/// What every attempt of one job carries: which attempt of its targets, and where it ran.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stamp {
    /// 1 for first runs.
    pub(crate) attempt: u32,
    pub(crate) worker: usize,
    /// The job's id in the run.
    pub(crate) job: usize,
}

impl Stamp {
    /// The attempt of the test `id`, stamped with this job.
    #[expect(
        clippy::too_many_arguments,
        reason = "a flat constructor reads better than a builder here"
    )]
    pub(crate) fn attempt(
        self,
        id: String,
        name: String,
        classname: Option<String>,
        file: String,
        outcome: Outcome,
        duration: Duration,
        message: Option<&str>,
    ) -> TestAttempt {
        TestAttempt {
            id,
            name,
            classname,
            file,
            outside_tests: false,
            attempt: Attempt {
                attempt: self.attempt,
                outcome,
                duration,
                worker: self.worker,
                job: self.job,
                message: message.map(str::to_string),
                output: None,
            },
        }
    }

    /// The error outside tests of `file` (`file::<outside tests>`): never retried.
    pub(crate) fn outside_tests(self, file: String, message: &str) -> TestAttempt {
        let mut attempt = self.attempt(
            format!("{file}::<outside tests>"),
            "errors outside tests".into(),
            None,
            file,
            Outcome::Error,
            Duration::ZERO,
            Some(message),
        );
        attempt.outside_tests = true;
        attempt
    }
}

/// One result per target, sharing `wall` between them by their `estimates` (same order).
pub(crate) fn per_target(
    stamp: Stamp,
    targets: &[Target],
    estimates: &[Duration],
    outcome: Outcome,
    wall: Duration,
    message: Option<&str>,
) -> Vec<TestAttempt> {
    let total: f64 = estimates.iter().map(Duration::as_secs_f64).sum();
    targets
        .iter()
        .zip(estimates)
        .map(|(target, estimate)| {
            let share = if total > 0.0 {
                estimate.as_secs_f64() / total
            } else {
                1.0 / targets.len() as f64
            };
            stamp.attempt(
                target.id().to_string(),
                target.id().to_string(),
                None,
                target.file.clone(),
                outcome,
                wall.mul_f64(share),
                message,
            )
        })
        .collect()
}

/// `tests` plus a skipped attempt for each quarantined test (`deselected`) the runner left out
/// of a whole file this job ran: it never appears in the runner's report, yet it must not
/// vanish from results.
pub(crate) fn with_deselected(
    stamp: Stamp,
    targets: &[Target],
    deselected: &[String],
    mut tests: Vec<TestAttempt>,
) -> Vec<TestAttempt> {
    if tests.is_empty() {
        // Interrupted: nothing of the job is reported.
        return tests;
    }
    for id in deselected {
        let Some((file, name)) = id.split_once("::") else {
            continue;
        };
        let whole_file = targets.iter().any(|t| t.test.is_none() && t.file == file);
        if let Some(reported) = tests
            .iter_mut()
            .find(|t| t.id == *id && t.attempt.outcome == Outcome::Skipped)
        {
            // The runner said it skipped it (cargo-nextest prints its filtered-out tests): the
            // reason is the quarantine.
            reported.attempt.message = Some("quarantined (skip): not run".to_string());
        } else if whole_file && !tests.iter().any(|t| t.id == *id) {
            tests.push(stamp.attempt(
                id.clone(),
                name.to_string(),
                None,
                file.to_string(),
                Outcome::Skipped,
                Duration::ZERO,
                Some("quarantined (skip): not run"),
            ));
        }
    }
    tests
}

/// Drops the skipped cases of tests the job did not target: runners whose filter is a name
/// pattern (Jest `-t`) report every other test of the file as skipped. A subtest of a targeted
/// test (`pkg::TestParent/sub` of `pkg::TestParent`) was targeted with it: its skip is its own.
pub(crate) fn unselected_dropped(targets: &[Target], tests: Vec<TestAttempt>) -> Vec<TestAttempt> {
    let whole: HashSet<&str> = targets
        .iter()
        .filter(|t| t.test.is_none())
        .map(|t| t.file.as_str())
        .collect();
    let narrowed: HashSet<&str> = targets
        .iter()
        .filter(|t| t.test.is_some() && !whole.contains(t.file.as_str()))
        .map(|t| t.file.as_str())
        .collect();
    let targeted: HashSet<&str> = targets.iter().filter_map(|t| t.test.as_deref()).collect();
    tests
        .into_iter()
        .filter(|t| {
            t.attempt.outcome != Outcome::Skipped
                || !narrowed.contains(t.file.as_str())
                || targeted.contains(t.id.as_str())
                || subtest_of_any(&t.id, &targeted)
        })
        .collect()
}

/// Whether `id` is a subtest (`parent/child`, at any depth) of one of `targeted`.
fn subtest_of_any(id: &str, targeted: &HashSet<&str>) -> bool {
    let name_start = id.find("::").map_or(0, |at| at + 2);
    id[name_start..]
        .match_indices('/')
        .any(|(at, _)| targeted.contains(&id[..name_start + at]))
}

/// One attempt per id: a report that names the same test twice (same-named tests in one
/// file) gives one result, failed if any of them failed, with their durations summed.
pub(crate) fn merge_duplicates(tests: Vec<TestAttempt>) -> Vec<TestAttempt> {
    let mut merged: Vec<TestAttempt> = Vec::with_capacity(tests.len());
    let mut index: HashMap<String, usize> = HashMap::new();
    for test in tests {
        let Some(&at) = index.get(&test.id) else {
            index.insert(test.id.clone(), merged.len());
            merged.push(test);
            continue;
        };
        let kept = &mut merged[at];
        kept.attempt.duration += test.attempt.duration;
        if severity(test.attempt.outcome) > severity(kept.attempt.outcome) {
            kept.attempt.outcome = test.attempt.outcome;
            kept.attempt.message = test.attempt.message;
            kept.attempt.output = test.attempt.output;
        } else if kept.outside_tests
            && let Some(more) = test.attempt.message
        {
            let joined = match kept.attempt.message.take() {
                Some(first) if first != more => format!("{first}\n\n{more}"),
                Some(first) => first,
                None => more,
            };
            kept.attempt.message = Some(joined);
        }
    }
    merged
}

/// Which outcome of two attempts of one id wins: the worse.
fn severity(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Skipped => 0,
        Outcome::Passed | Outcome::Flaky | Outcome::Cached => 1,
        Outcome::Failed => 2,
        Outcome::TimedOut => 3,
        Outcome::Error => 4,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(id: &str, file: &str, outcome: Outcome) -> TestAttempt {
        TestAttempt {
            id: id.into(),
            name: id.into(),
            classname: None,
            file: file.into(),
            outside_tests: false,
            attempt: Attempt {
                attempt: 2,
                outcome,
                duration: Duration::from_secs(1),
                worker: 1,
                job: 0,
                message: Some(format!("{id} {}", outcome.as_str())),
                output: None,
            },
        }
    }

    #[test]
    fn skips_of_tests_a_name_filter_left_out_are_dropped() {
        let targets = vec![
            Target {
                file: "a.test.js".into(),
                test: Some("a.test.js::x".into()),
            },
            Target::file("b.test.js"),
        ];
        let tests = vec![
            attempt("a.test.js::x", "a.test.js", Outcome::Failed),
            attempt("a.test.js::y", "a.test.js", Outcome::Skipped),
            attempt("a.test.js::z", "a.test.js", Outcome::Passed),
            attempt("b.test.js::w", "b.test.js", Outcome::Skipped),
        ];
        let kept: Vec<String> = unselected_dropped(&targets, tests).into_iter().map(|t| t.id).collect();
        assert_eq!(
            kept,
            ["a.test.js::x", "a.test.js::z", "b.test.js::w"],
            "a test that ran is kept; real skips of whole files are kept"
        );
    }

    #[test]
    fn skipped_subtests_of_a_targeted_test_are_kept() {
        let targets = vec![Target {
            file: "pkg".into(),
            test: Some("pkg::TestTable".into()),
        }];
        let tests = vec![
            attempt("pkg::TestTable", "pkg", Outcome::Passed),
            attempt("pkg::TestTable/skipped", "pkg", Outcome::Skipped),
            attempt("pkg::TestTable/a/b", "pkg", Outcome::Skipped),
            attempt("pkg::TestTableX/skipped", "pkg", Outcome::Skipped),
            attempt("pkg::TestOther", "pkg", Outcome::Skipped),
        ];
        let kept: Vec<String> = unselected_dropped(&targets, tests).into_iter().map(|t| t.id).collect();
        assert_eq!(
            kept,
            ["pkg::TestTable", "pkg::TestTable/skipped", "pkg::TestTable/a/b"],
            "a subtest's own skip counts; a test of another name that the filter left out does not"
        );
    }

    #[test]
    fn duplicate_ids_merge_and_failure_wins() {
        let merged = merge_duplicates(vec![
            attempt("t::same", "t", Outcome::Passed),
            attempt("t::other", "t", Outcome::Passed),
            attempt("t::same", "t", Outcome::Failed),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].attempt.outcome, Outcome::Failed);
        assert_eq!(merged[0].attempt.duration, Duration::from_secs(2));
        assert_eq!(merged[0].attempt.message.as_deref(), Some("t::same failed"));
    }

    #[test]
    fn errors_outside_tests_of_one_file_join_their_messages_once() {
        let stamp = Stamp {
            attempt: 1,
            worker: 0,
            job: 3,
        };
        let merged = merge_duplicates(vec![
            stamp.outside_tests("a.rb".into(), "first"),
            stamp.outside_tests("a.rb".into(), "first"),
            stamp.outside_tests("a.rb".into(), "second"),
        ]);
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].attempt.message.as_deref(), Some("first\n\nsecond"));
        assert_eq!(merged[0].attempt.job, 3);
    }

    #[test]
    fn a_job_level_outcome_is_shared_by_the_estimates() {
        let stamp = Stamp {
            attempt: 1,
            worker: 0,
            job: 0,
        };
        let targets = [Target::file("a"), Target::file("b")];
        let estimates = [Duration::from_secs(3), Duration::from_secs(1)];
        let tests = per_target(
            stamp,
            &targets,
            &estimates,
            Outcome::Passed,
            Duration::from_secs(8),
            None,
        );
        let shares: Vec<Duration> = tests.iter().map(|t| t.attempt.duration).collect();
        assert_eq!(shares, [Duration::from_secs(6), Duration::from_secs(2)]);
        let even = per_target(
            stamp,
            &targets,
            &[Duration::ZERO; 2],
            Outcome::Passed,
            Duration::from_secs(8),
            None,
        );
        assert!(even.iter().all(|t| t.attempt.duration == Duration::from_secs(4)));
    }
}

//! [`evaluate`]: the gate's rules, a pure function of the summaries found and the requirements.
//!
//! - Every usable summary's suites become rows. A suite found in several summaries (CI nodes,
//!   steps, retried jobs) is merged: it is green only if it is green in every one of them.
//! - A suite is red in a summary when one of its tests failed, errored or timed out, or when
//!   the run was interrupted.
//! - A summary that is not `passed` (or is `interrupted`) fails the gate even when none of its
//!   suites shows why, through a row of its own.
//! - An unreadable or malformed `summary.json` is a failing row naming the file.
//! - Every requirement glob must match at least one suite found, or it is a missing row.
//! - With no requirement, at least one summary must exist. Suites nobody listed are checked
//!   all the same, so a new suite is gated without editing the configuration.

use std::collections::BTreeMap;

use camino::Utf8PathBuf;

use super::config::{Origin, Requirement};
use super::summary::{Found, SummaryDoc, TestOutcome};
use super::verdict::{Row, Status, Subject, SuiteCounts, Verdict};

/// One suite's standing in one summary.
struct Source {
    path: Utf8PathBuf,
    status: Status,
}

#[derive(Default)]
struct SuiteAcc {
    counts: SuiteCounts,
    sources: Vec<Source>,
}

/// Applies the gate's rules.
#[must_use]
pub fn evaluate(found: &[Found], requirements: &[Requirement]) -> Verdict {
    let mut suites: BTreeMap<String, SuiteAcc> = BTreeMap::new();
    let mut file_rows = Vec::new();
    for file in found {
        match &file.summary {
            Err(error) => file_rows.push(Row {
                status: Status::Malformed,
                subject: Subject::File(file.path.clone()),
                counts: None,
                detail: error.to_string(),
            }),
            Ok(doc) => {
                let per_suite = suites_of(doc);
                let any_red = per_suite.values().any(|(_, status)| *status != Status::Passed);
                if let Some(row) = file_row(&file.path, doc, per_suite.is_empty(), any_red) {
                    file_rows.push(row);
                }
                for (suite, (counts, status)) in per_suite {
                    let acc = suites.entry(suite).or_default();
                    add(&mut acc.counts, counts);
                    acc.sources.push(Source {
                        path: file.path.clone(),
                        status,
                    });
                }
            }
        }
    }
    let mut rows: Vec<Row> = suites.iter().map(|(name, acc)| suite_row(name, acc)).collect();
    for requirement in requirements {
        if !suites.keys().any(|name| requirement.pattern.is_match(name)) {
            rows.push(missing_row(requirement));
        }
    }
    if found.is_empty() && requirements.is_empty() {
        rows.push(Row {
            status: Status::Missing,
            subject: Subject::NoSummaries,
            counts: None,
            detail: "no summary.json was found; check the folders passed to `flotilla gate` and that the test steps uploaded their run folders".to_string(),
        });
    }
    rows.extend(file_rows);
    Verdict {
        rows,
        files: found.len(),
    }
}

/// Counts and status of every suite named anywhere in `doc`.
fn suites_of(doc: &SummaryDoc) -> BTreeMap<String, (SuiteCounts, Status)> {
    let mut per_suite: BTreeMap<String, (SuiteCounts, usize)> = BTreeMap::new();
    for test in &doc.tests {
        let (counts, _) = per_suite.entry(test.suite.clone()).or_default();
        counts.total += 1;
        match test.outcome {
            // A cached test passed in the green run whose inputs are the same as this one's.
            TestOutcome::Passed | TestOutcome::Cached => counts.passed += 1,
            TestOutcome::Flaky => {
                counts.passed += 1;
                counts.flaky += 1;
            }
            TestOutcome::Skipped => counts.skipped += 1,
            TestOutcome::Failed | TestOutcome::Error | TestOutcome::TimedOut => counts.failed += 1,
        }
    }
    for job in &doc.jobs {
        per_suite.entry(job.suite.clone()).or_default();
    }
    for not_run in &doc.not_run {
        per_suite.entry(not_run.suite.clone()).or_default().1 += 1;
    }
    per_suite
        .into_iter()
        .map(|(suite, (counts, not_run))| {
            let status = if doc.interrupted || not_run > 0 {
                Status::Interrupted
            } else if counts.failed > 0 {
                Status::Failed
            } else {
                Status::Passed
            };
            (suite, (counts, status))
        })
        .collect()
}

/// A row for the file itself when its suites do not tell its whole story.
fn file_row(path: &Utf8PathBuf, doc: &SummaryDoc, no_suites: bool, any_red: bool) -> Option<Row> {
    let (status, detail) = if doc.interrupted && !any_red {
        (
            Status::Interrupted,
            format!("run {} was interrupted before any suite reported", doc.run_id),
        )
    } else if !doc.passed && !any_red {
        (
            Status::Failed,
            format!(
                "run {} says it did not pass, though none of its tests failed; look at its jobs' errors",
                doc.run_id
            ),
        )
    } else if no_suites {
        (Status::Passed, format!("run {} passed with no tests", doc.run_id))
    } else {
        return None;
    };
    Some(Row {
        status,
        subject: Subject::File(path.clone()),
        counts: None,
        detail,
    })
}

fn add(total: &mut SuiteCounts, more: SuiteCounts) {
    total.total += more.total;
    total.passed += more.passed;
    total.failed += more.failed;
    total.skipped += more.skipped;
    total.flaky += more.flaky;
}

fn suite_row(name: &str, acc: &SuiteAcc) -> Row {
    let status = acc
        .sources
        .iter()
        .fold(Status::Passed, |worst, source| worst.worst(source.status));
    let mut groups: Vec<String> = Vec::new();
    for group in [Status::Failed, Status::Interrupted, Status::Passed] {
        let paths: Vec<&str> = acc
            .sources
            .iter()
            .filter(|s| s.status == group)
            .map(|s| s.path.as_str())
            .collect();
        if !paths.is_empty() {
            groups.push(format!("{} in {}", group.word(), list(&paths)));
        }
    }
    Row {
        status,
        subject: Subject::Suite(name.to_string()),
        counts: Some(acc.counts),
        detail: groups.join("; "),
    }
}

fn missing_row(requirement: &Requirement) -> Row {
    let by = match requirement.origin {
        Origin::Flag => "--require",
        Origin::Config => "[gate] require",
    };
    Row {
        status: Status::Missing,
        subject: Subject::Requirement(requirement.clone()),
        counts: None,
        detail: format!(
            "required by {by} `{}`, but no summary.json has a matching suite; did its step run and upload its results?",
            requirement.pattern
        ),
    }
}

/// `a, b and c`, or `a, b and 5 more` for long lists.
fn list(items: &[&str]) -> String {
    const SHOWN: usize = 3;
    match items {
        [] => String::new(),
        [one] => (*one).to_string(),
        _ if items.len() > SHOWN + 1 => format!("{} and {} more", items[..SHOWN].join(", "), items.len() - SHOWN),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gate::summary::{SuiteRef, SummaryTest};

    fn doc(tests: &[(&str, TestOutcome)], passed: bool, interrupted: bool) -> SummaryDoc {
        SummaryDoc {
            schema_version: 2,
            run_id: "r1".to_string(),
            passed,
            interrupted,
            tests: tests
                .iter()
                .map(|(suite, outcome)| SummaryTest {
                    suite: (*suite).to_string(),
                    outcome: *outcome,
                })
                .collect(),
            jobs: Vec::new(),
            not_run: Vec::new(),
        }
    }

    fn found(path: &str, doc: SummaryDoc) -> Found {
        Found {
            path: path.into(),
            summary: Ok(doc),
        }
    }

    fn require(pattern: &str) -> Requirement {
        Requirement {
            pattern: pattern.parse().unwrap(),
            origin: Origin::Flag,
        }
    }

    fn statuses(verdict: &Verdict) -> Vec<(String, Status)> {
        verdict
            .rows
            .iter()
            .map(|row| {
                let subject = match &row.subject {
                    Subject::Suite(name) => name.clone(),
                    Subject::Requirement(r) => format!("require {}", r.pattern),
                    Subject::File(path) => path.to_string(),
                    Subject::NoSummaries => "nothing".to_string(),
                };
                (subject, row.status)
            })
            .collect()
    }

    use TestOutcome::{Error, Failed, Flaky, Passed, Skipped};

    #[test]
    fn green_summaries_pass_with_one_row_per_suite() {
        let verdict = evaluate(
            &[found(
                "a/summary.json",
                doc(&[("api", Passed), ("api", Flaky), ("ui", Skipped)], true, false),
            )],
            &[require("api")],
        );
        assert!(verdict.passed());
        assert_eq!(
            statuses(&verdict),
            [("api".into(), Status::Passed), ("ui".into(), Status::Passed)]
        );
        assert_eq!(
            verdict.rows[0].counts,
            Some(SuiteCounts {
                total: 2,
                passed: 2,
                failed: 0,
                skipped: 0,
                flaky: 1
            })
        );
        assert_eq!(verdict.rows[0].detail, "passed in a/summary.json");
    }

    #[test]
    fn nodes_of_one_suite_merge_and_one_red_node_fails_it() {
        let verdict = evaluate(
            &[
                found("n0/summary.json", doc(&[("api", Passed)], true, false)),
                found("n1/summary.json", doc(&[("api", Passed), ("api", Error)], false, false)),
                found("n2/summary.json", doc(&[("api", Passed)], true, false)),
            ],
            &[],
        );
        assert!(!verdict.passed());
        assert_eq!(statuses(&verdict), [("api".into(), Status::Failed)]);
        assert_eq!(verdict.rows[0].counts.unwrap().total, 4);
        assert_eq!(
            verdict.rows[0].detail,
            "failed in n1/summary.json; passed in n0/summary.json and n2/summary.json"
        );
    }

    #[test]
    fn interrupted_runs_fail_every_suite_they_hold() {
        let verdict = evaluate(
            &[found("s.json", doc(&[("api", Passed), ("ui", Failed)], false, true))],
            &[],
        );
        assert_eq!(
            statuses(&verdict),
            [("api".into(), Status::Interrupted), ("ui".into(), Status::Interrupted)]
        );
        let verdict = evaluate(&[found("s.json", doc(&[], false, true))], &[]);
        assert_eq!(statuses(&verdict), [("s.json".into(), Status::Interrupted)]);
    }

    #[test]
    fn a_run_that_did_not_pass_fails_even_without_a_red_test() {
        let mut odd = doc(&[("api", Passed)], false, false);
        odd.jobs.push(SuiteRef { suite: "api".into() });
        let verdict = evaluate(&[found("s.json", odd)], &[]);
        assert_eq!(
            statuses(&verdict),
            [("api".into(), Status::Passed), ("s.json".into(), Status::Failed)]
        );
        assert!(!verdict.passed());
    }

    #[test]
    fn requirements_must_match_a_suite_and_unlisted_suites_still_count() {
        let verdict = evaluate(
            &[found(
                "s.json",
                doc(&[("api", Passed), ("new-suite", Failed)], false, false),
            )],
            &[require("api"), require("e2e-*")],
        );
        assert_eq!(
            statuses(&verdict),
            [
                ("api".into(), Status::Passed),
                ("new-suite".into(), Status::Failed),
                ("require e2e-*".into(), Status::Missing)
            ]
        );
        assert!(
            verdict.rows[2]
                .detail
                .starts_with("required by --require `e2e-*`, but no summary.json")
        );
    }

    #[test]
    fn nothing_found_fails_and_so_do_unreadable_files() {
        let verdict = evaluate(&[], &[]);
        assert_eq!(statuses(&verdict), [("nothing".into(), Status::Missing)]);
        assert!(!verdict.passed());
        let verdict = evaluate(&[], &[require("api")]);
        assert_eq!(statuses(&verdict), [("require api".into(), Status::Missing)]);
        let bad = Found {
            path: "x/summary.json".into(),
            summary: crate::gate::summary::parse(b"nope"),
        };
        let verdict = evaluate(&[bad, found("s.json", doc(&[("api", Passed)], true, false))], &[]);
        assert_eq!(
            statuses(&verdict),
            [
                ("api".into(), Status::Passed),
                ("x/summary.json".into(), Status::Malformed)
            ]
        );
    }

    #[test]
    fn an_empty_green_run_passes_and_says_so() {
        let verdict = evaluate(&[found("s.json", doc(&[], true, false))], &[]);
        assert!(verdict.passed());
        assert_eq!(verdict.rows[0].detail, "run r1 passed with no tests");
    }

    #[test]
    fn long_source_lists_are_shortened() {
        assert_eq!(list(&["a", "b", "c", "d", "e"]), "a, b, c and 2 more");
        assert_eq!(list(&["a", "b", "c", "d"]), "a, b, c and d");
    }
}

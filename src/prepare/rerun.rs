//! [`RerunFailed`]: what `flotilla run --rerun-failed` runs, read from
//! `<out-dir>/latest/summary.json`: the tests that failed, errored or timed out in the latest
//! run of this out dir, and the files it never ran (an interrupt, `--max-fail`). The discovered
//! units are narrowed to those files; where the runner can address single tests, `prepare`
//! plans only the failed tests of a file (a file with an error outside its tests, such as a
//! collection error, or a file never run, runs whole). The planner then splits them across the
//! workers by their durations.

use std::collections::{BTreeMap, BTreeSet};

use camino::Utf8Path;

use super::Loaded;
use crate::error::Error;
use crate::results::RunSummary;

/// What the latest run leaves to run again.
#[derive(Debug, PartialEq, Eq)]
pub enum RerunFailed {
    /// The latest run had nothing failed and nothing left unrun.
    NothingFailed {
        /// The latest run's id.
        run_id: String,
    },
    /// These files, from that run.
    Files {
        /// The latest run's id.
        run_id: String,
        /// Every (suite, file) with something to run again, sorted.
        files: BTreeSet<(String, String)>,
        /// Of those, the files that run only their failed tests: (suite, file) → test ids. The
        /// others run whole (never run, or a failure of the file itself).
        tests: BTreeMap<(String, String), BTreeSet<String>>,
    },
}

impl RerunFailed {
    /// Reads `<out_dir>/latest/summary.json` (`None`: the out dir has no finished run).
    pub fn latest_run(out_dir: &Utf8Path) -> Result<Option<RunSummary>, Error> {
        let path = out_dir.join("latest").join("summary.json");
        let text = match fs_err::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(Error::io("failed to read the latest run's summary", path, error)),
        };
        let summary = crate::results::merge::parse_summary(&text).map_err(|error| Error::Usage {
            message: format!(
                "--rerun-failed cannot read {path}: {error}; run once without --rerun-failed to start afresh"
            ),
        })?;
        Ok(Some(summary))
    }

    /// What `summary` leaves to run again.
    #[must_use]
    pub fn of(summary: &RunSummary) -> Self {
        let run_id = summary.run_id.clone();
        let mut whole: BTreeSet<(String, String)> = summary.not_run.iter().cloned().collect();
        let mut tests: BTreeMap<(String, String), BTreeSet<String>> = BTreeMap::new();
        for test in summary.tests.iter().filter(|test| test.outcome.is_failure()) {
            let file = (test.suite.to_string(), test.file.to_string());
            if test.id == test.file || test.outside_tests {
                whole.insert(file);
            } else {
                tests.entry(file).or_default().insert(test.id.to_string());
            }
        }
        tests.retain(|file, _| !whole.contains(file));
        let files: BTreeSet<(String, String)> = whole.into_iter().chain(tests.keys().cloned()).collect();
        if files.is_empty() {
            Self::NothingFailed { run_id }
        } else {
            Self::Files { run_id, files, tests }
        }
    }

    /// Keeps only `files` of what `loaded` discovered, and hands `loaded` the failed tests of
    /// the files that run only those, where the suite's runner can address single tests; how
    /// many files are left.
    pub fn narrow(
        files: &BTreeSet<(String, String)>,
        tests: &BTreeMap<(String, String), BTreeSet<String>>,
        loaded: &mut Loaded,
    ) -> usize {
        let suites = crate::suite_index::SuiteIndex::all(loaded.config.suites.len());
        for (index, (suite, units)) in suites.zip(loaded.config.suites.iter().zip(&mut loaded.discovered)) {
            units.retain(|unit| files.contains(&(suite.name.clone(), unit.clone())));
            if !suite.command.adapter().capabilities().addresses_tests {
                continue;
            }
            for unit in units.iter() {
                if let Some(ids) = tests.get(&(suite.name.clone(), unit.clone())) {
                    loaded
                        .only_tests
                        .insert((index, unit.clone()), ids.iter().cloned().collect());
                }
            }
        }
        loaded.discovered.iter().map(Vec::len).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(tests: &[(&str, &str)], not_run: &[&str]) -> RunSummary {
        let tests: Vec<serde_json::Value> = tests
            .iter()
            .map(|(file, outcome)| {
                serde_json::json!({"suite": "py", "id": format!("{file}::t"), "name": "t", "file": file,
                    "outcome": outcome, "attempts": [{"attempt": 1, "outcome": outcome, "duration_secs": 1.0, "worker": 1, "job": 0}]})
            })
            .collect();
        let not_run: Vec<serde_json::Value> = not_run
            .iter()
            .map(|f| serde_json::json!({"suite": "py", "file": f}))
            .collect();
        let text = serde_json::json!({"schema_version": 2, "run_id": "r1", "started_at": "2026-01-01T00:00:00Z",
            "duration_secs": 1.0, "predicted_secs": 1.0, "workers": 1, "interrupted": false, "timing_match": 0.0,
            "tests": tests, "jobs": [], "not_run": not_run});
        crate::results::merge::parse_summary(&text.to_string()).unwrap()
    }

    #[test]
    fn failures_errors_timeouts_and_files_never_run_are_rerun_and_nothing_else() {
        let latest = summary(
            &[
                ("a.py", "failed"),
                ("b.py", "passed"),
                ("c.py", "flaky"),
                ("d.py", "error"),
                ("e.py", "timed_out"),
                ("f.py", "skipped"),
            ],
            &["g.py"],
        );
        let RerunFailed::Files { run_id, files, tests } = RerunFailed::of(&latest) else {
            panic!("something failed")
        };
        assert_eq!(run_id, "r1");
        let files: Vec<&str> = files.iter().map(|(_, file)| file.as_str()).collect();
        assert_eq!(files, ["a.py", "d.py", "e.py", "g.py"]);
        let only: Vec<(&str, Vec<&str>)> = tests
            .iter()
            .map(|((_, file), ids)| (file.as_str(), ids.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            only,
            [
                ("a.py", vec!["a.py::t"]),
                ("d.py", vec!["d.py::t"]),
                ("e.py", vec!["e.py::t"])
            ],
            "g.py never ran: it runs whole"
        );
    }

    #[test]
    fn a_failure_of_the_file_itself_or_a_file_never_run_runs_the_file_whole() {
        let mut latest = summary(&[("a.py", "failed"), ("b.py", "failed"), ("b.py", "passed")], &["a.py"]);
        // a.py never ran; b.py's first result is an error outside its tests (collection).
        latest.tests[1].outside_tests = true;
        let RerunFailed::Files { files, tests, .. } = RerunFailed::of(&latest) else {
            panic!("something failed")
        };
        assert_eq!(files.len(), 2);
        assert!(tests.is_empty(), "both run whole: {tests:?}");
    }

    #[test]
    fn a_green_run_leaves_nothing_and_no_run_is_no_earlier_run() {
        let green = summary(&[("a.py", "passed"), ("b.py", "flaky")], &[]);
        assert_eq!(
            RerunFailed::of(&green),
            RerunFailed::NothingFailed { run_id: "r1".into() }
        );
        let empty = tempfile::tempdir().unwrap();
        let out_dir = Utf8Path::from_path(empty.path()).unwrap();
        assert!(RerunFailed::latest_run(out_dir).unwrap().is_none());
    }
}

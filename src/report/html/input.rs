//! [`RunInput`]: one run folder as the report reads it: summary.json and events.jsonl, parsed
//! with types of their own (the documented schemas, docs/summary-json.md and
//! docs/events-json.md), so the report depends on the files' contract, not on flotilla's
//! in-memory types. Unknown fields and events are ignored; an event line that does not parse
//! (a log cut short by SIGKILL) ends the log there.

use std::collections::HashMap;
use std::io::BufRead;

use camino::{Utf8Path, Utf8PathBuf};
use serde::Deserialize;

use super::HtmlError;

/// summary.json, the fields the report shows.
#[derive(Debug, Deserialize)]
pub(super) struct Summary {
    pub run_id: String,
    #[serde(default)]
    pub started_at: String,
    #[serde(default)]
    pub duration_secs: f64,
    #[serde(default)]
    pub predicted_secs: f64,
    #[serde(default)]
    pub workers: usize,
    #[serde(default)]
    pub interrupted: bool,
    #[serde(default)]
    pub passed: bool,
    #[serde(default)]
    pub flaky_result: String,
    #[serde(default)]
    pub timing_match: f64,
    #[serde(default)]
    pub counts: Counts,
    #[serde(default)]
    pub tests: Tests,
    #[serde(default)]
    pub jobs: Vec<Job>,
    #[serde(default)]
    pub not_run: Vec<NotRun>,
    #[serde(default)]
    pub steps: Vec<Step>,
}

/// `counts`.
#[derive(Clone, Copy, Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub(super) struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub flaky: usize,
    pub timed_out: usize,
    pub error: usize,
    pub muted: usize,
    pub total: usize,
}

/// Tests that carry their details into the page; the rest of a huge red run is in summary.json.
pub(super) const MAX_DETAILS: usize = 2_000;

/// Tests listed one by one; past this, only the tests worth reading are (a run of a million
/// tests keeps a page that opens, and the report's memory bounded).
pub(super) const MAX_ROWS: usize = 250_000;

/// `tests`, read one at a time into compact rows: at 100,000 tests the report must not hold a
/// second copy of summary.json's test list next to the run's own. Suite and file names are
/// interned; only the tests worth reading (failures, flaky, quarantined) are kept whole.
#[derive(Debug, Default)]
pub(super) struct Tests {
    pub suites: super::names::Names,
    pub files: super::names::Names,
    pub rows: Vec<Row>,
    /// `(row, test)` of the tests worth reading, at most [`MAX_DETAILS`].
    pub details: Vec<(usize, Test)>,
    /// Tests worth reading past [`MAX_DETAILS`].
    pub left_out: usize,
    /// Passed and skipped tests not listed, past [`MAX_ROWS`].
    pub unlisted: usize,
    /// Per job, the test time it reported (the sum of its attempts' durations).
    pub reported: HashMap<usize, f64>,
}

/// One test in a few bytes.
#[derive(Debug)]
pub(super) struct Row {
    pub suite: u32,
    pub file: u32,
    /// `None` when the name is the file (file-level results).
    pub name: Option<Box<str>>,
    pub code: u8,
    pub duration_ms: u64,
    pub worker: u32,
    pub job: u32,
    pub attempts: u32,
    /// Index into `details`, or -1.
    pub detail: i32,
}

/// The page's outcome code: the index in [`super::data::OUTCOMES`] (muted = a failure of a
/// test quarantined with `mute`).
pub(super) fn outcome_code(outcome: &str, quarantine: Option<&str>) -> u8 {
    let failure = matches!(outcome, "failed" | "error" | "timed_out");
    if failure && quarantine == Some("mute") {
        return 6;
    }
    match outcome {
        "passed" => 0,
        "failed" => 1,
        "error" => 2,
        "flaky" => 4,
        "timed_out" => 5,
        "cached" => 7,
        _ => 3,
    }
}

fn to_ms(secs: f64) -> u64 {
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "non-negative, far below u64::MAX ms"
    )]
    let ms = (secs.max(0.0) * 1000.0).round() as u64;
    ms
}

impl Tests {
    fn push(&mut self, test: Test) {
        for attempt in &test.attempts {
            *self.reported.entry(attempt.job).or_default() += attempt.duration_secs;
        }
        let code = outcome_code(&test.outcome, test.quarantine.as_deref());
        let worth_reading = !matches!(code, 0 | 3) || test.quarantine.is_some();
        if !worth_reading && self.rows.len() >= MAX_ROWS {
            self.unlisted += 1;
            return;
        }
        let last = test.attempts.last();
        let small = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        let mut row = Row {
            suite: self.suites.get(&test.suite),
            file: self.files.get(&test.file),
            name: (test.name != test.file).then(|| test.name.as_str().into()),
            code,
            duration_ms: to_ms(last.map_or(0.0, |a| a.duration_secs)),
            worker: small(last.map_or(0, |a| a.worker)),
            job: small(last.map_or(0, |a| a.job)),
            attempts: small(test.attempts.len()),
            detail: -1,
        };
        if worth_reading {
            if self.details.len() < MAX_DETAILS {
                row.detail = i32::try_from(self.details.len()).unwrap_or(-1);
                self.details.push((self.rows.len(), test));
            } else {
                self.left_out += 1;
            }
        }
        self.rows.push(row);
    }
}

impl<'de> Deserialize<'de> for Tests {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = Tests;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("the tests array of summary.json")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Tests, A::Error> {
                let mut tests = Tests::default();
                while let Some(test) = seq.next_element::<Test>()? {
                    tests.push(test);
                }
                Ok(tests)
            }
        }
        deserializer.deserialize_seq(Visitor)
    }
}

/// `tests[]`.
#[derive(Debug, Deserialize)]
pub(super) struct Test {
    pub suite: String,
    pub id: String,
    pub name: String,
    pub file: String,
    pub outcome: String,
    #[serde(default)]
    pub quarantine: Option<String>,
    #[serde(default)]
    pub outside_tests: bool,
    #[serde(default)]
    pub attempts: Vec<Attempt>,
}

/// `tests[].attempts[]`.
#[derive(Debug, Deserialize)]
pub(super) struct Attempt {
    pub attempt: u32,
    pub outcome: String,
    #[serde(default)]
    pub duration_secs: f64,
    #[serde(default)]
    pub worker: usize,
    #[serde(default)]
    pub job: usize,
    #[serde(default)]
    pub message: Option<String>,
}

/// `jobs[]`.
#[derive(Debug, Deserialize)]
pub(super) struct Job {
    pub suite: String,
    pub worker: usize,
    pub attempt: u32,
    #[serde(default)]
    pub files: Vec<String>,
    #[serde(default)]
    pub started_secs: f64,
    #[serde(default)]
    pub duration_secs: f64,
    #[serde(default)]
    pub estimate_secs: f64,
    pub exit: serde_json::Value,
    #[serde(default)]
    pub stdout: Option<Utf8PathBuf>,
    #[serde(default)]
    pub stderr: Option<Utf8PathBuf>,
    #[serde(default)]
    pub diagnostics: Option<Utf8PathBuf>,
    #[serde(default)]
    pub error: Option<String>,
    /// Processes it started outlived it (left out when false).
    #[serde(default)]
    pub leaky: bool,
}

/// `not_run[]`.
#[derive(Debug, Deserialize)]
pub(super) struct NotRun {
    pub suite: String,
    pub file: String,
}

/// `steps[]`.
#[derive(Debug, Deserialize)]
pub(super) struct Step {
    pub name: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub cleanup: bool,
    pub outcome: String,
    #[serde(default)]
    pub duration_secs: f64,
}

/// One line of events.jsonl, the events the report uses.
#[derive(Debug, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub(super) enum Event {
    RunStarted {
        #[serde(default)]
        version: u32,
    },
    TestFinished {
        outcome: String,
    },
    StepStarted {
        step: usize,
        name: String,
    },
    StepFinished {
        step: usize,
    },
    EnvironmentStarting {
        name: String,
    },
    EnvironmentReady {
        name: String,
    },
    EnvironmentFailed {
        name: String,
        error: String,
        #[serde(default)]
        diagnostics: Option<String>,
    },
    EnvironmentDown {
        name: String,
        #[serde(default)]
        duration_secs: f64,
        #[serde(default)]
        problems: Vec<String>,
    },
    Warning {
        message: String,
    },
    Interrupting,
    RunFinished {
        verdict: String,
        exit_code: u8,
    },
    #[serde(other)]
    Other,
}

/// An event and when it happened.
#[derive(Debug)]
pub(super) struct Timed {
    pub elapsed: f64,
    pub event: Event,
}

#[derive(Deserialize)]
struct Line {
    #[serde(flatten)]
    event: Event,
    #[serde(default)]
    elapsed_secs: f64,
}

/// One run folder, read.
#[derive(Debug)]
pub(super) struct RunInput {
    pub dir: Utf8PathBuf,
    pub summary: Summary,
    pub events: Vec<Timed>,
}

impl RunInput {
    /// Reads `dir/summary.json` and `dir/events.jsonl` (a missing log gives no timeline
    /// extras, not an error: runs from before the log existed still render).
    pub fn read(dir: &Utf8Path) -> Result<Self, HtmlError> {
        let path = dir.join("summary.json");
        let file = fs_err::File::open(&path).map_err(|source| HtmlError::Read {
            path: path.clone(),
            source,
        })?;
        let summary: Summary = serde_json::from_reader(std::io::BufReader::new(file))
            .map_err(|source| HtmlError::Summary { path, source })?;
        let events = read_events(&dir.join(crate::report::EVENTS_FILE))?;
        Ok(Self {
            dir: dir.to_path_buf(),
            summary,
            events,
        })
    }
}

fn read_events(path: &Utf8Path) -> Result<Vec<Timed>, HtmlError> {
    let file = match fs_err::File::open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => {
            return Err(HtmlError::Read {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let mut events = Vec::new();
    for line in std::io::BufReader::new(file).lines() {
        let line = line.map_err(|source| HtmlError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        // Skip the bulk of the log cheaply: step output and passing tests need no parse.
        // Inside a JSON string a quote is escaped, so `"outcome":"passed"` with bare quotes is
        // the field itself, never part of a test's name.
        if line.starts_with("{\"event\":\"step_output\"")
            || (line.starts_with("{\"event\":\"test_finished\"")
                && (line.contains("\"outcome\":\"passed\"") || line.contains("\"outcome\":\"skipped\"")))
        {
            continue;
        }
        match serde_json::from_str::<Line>(&line) {
            Ok(Line {
                event: Event::TestFinished { outcome },
                elapsed_secs,
            }) if matches!(outcome.as_str(), "failed" | "error" | "timed_out") => events.push(Timed {
                elapsed: elapsed_secs,
                event: Event::TestFinished { outcome },
            }),
            Ok(Line {
                event: Event::TestFinished { .. } | Event::Other,
                ..
            }) => {}
            Ok(Line { event, elapsed_secs }) => events.push(Timed {
                elapsed: elapsed_secs,
                event,
            }),
            Err(_) => break,
        }
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tests_are_read_into_rows_and_only_the_ones_worth_reading_keep_their_details() {
        let json = r#"{"run_id": "r", "tests": [
            {"suite": "a", "id": "f.py::ok", "name": "ok", "file": "f.py", "outcome": "passed",
             "attempts": [{"attempt": 1, "outcome": "passed", "duration_secs": 0.5, "worker": 2, "job": 0}]},
            {"suite": "a", "id": "f.py::bad", "name": "bad", "file": "f.py", "outcome": "failed",
             "attempts": [{"attempt": 1, "outcome": "failed", "duration_secs": 1.25, "worker": 1, "job": 1, "message": "no"}]},
            {"suite": "b", "id": "g.sh", "name": "g.sh", "file": "g.sh", "outcome": "failed", "quarantine": "mute",
             "attempts": [{"attempt": 1, "outcome": "failed", "duration_secs": 0.0, "worker": 1, "job": 1}]}
        ]}"#;
        let summary: Summary = serde_json::from_str(json).unwrap();
        let tests = &summary.tests;
        assert_eq!(tests.suites.as_slice(), ["a", "b"]);
        assert_eq!(tests.files.as_slice(), ["f.py", "g.sh"]);
        let codes: Vec<u8> = tests.rows.iter().map(|r| r.code).collect();
        assert_eq!(codes, [0, 1, 6], "passed, failed, muted");
        assert_eq!(tests.rows[0].name.as_deref(), Some("ok"));
        assert_eq!(tests.rows[2].name, None, "a file-level result's name is its file");
        assert_eq!(tests.rows[1].duration_ms, 1250);
        let detailed: Vec<usize> = tests.details.iter().map(|(row, _)| *row).collect();
        assert_eq!(detailed, [1, 2]);
        assert_eq!(tests.rows[0].detail, -1);
        assert_eq!(tests.rows[2].detail, 1);
        assert!((tests.reported[&1] - 1.25).abs() < 1e-9);
    }
}

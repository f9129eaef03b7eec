//! [`parse_node_events`]: what flotilla's own `node --test` reporter ([`NODE_REPORTER`], the file
//! `node_reporter.mjs` next to this one) writes: one JSON object per line.
//!
//! Why a reporter of our own: Node's built-in `junit` reporter does not say which file a test is
//! in (every `classname` is "test") and its `tap` reporter gives a location only for failures,
//! while the runner's own events carry the file, line, nesting and timing of every test. Run:
//!
//! ```text
//! node --test --test-reporter=/path/node_reporter.mjs --test-reporter-destination=RESULT FILES...
//! ```
//!
//! Lines: `{"event":"pass"|"fail", name, nesting, file, line, type ("test"|"suite"),
//! duration_ms, skip, todo, failure_type, error}` for every finished test and suite (children
//! before their parent), `{"event":"stderr", file, message}` for what test files wrote to stderr,
//! and a final `{"event":"end"}`; a report without it was cut short and is an error.
//!
//! Mapping, one case per test that has no subtests:
//! - `file`, `line`: the test's; `name`: its name; `classname`: the names of the `describe`
//!   blocks (and parent tests) around it, joined with " > ". No `id`: `--test-name-pattern`
//!   matches a test's own name, not its path.
//! - `time`: `duration_ms`. `pass` → passed, `pass` with `skip` or `todo` → skipped, `fail` →
//!   failed (`todo` tests that fail count as skipped, as Node counts them), a test cancelled
//!   because its parent failed (`cancelledByParent`) → error.
//! - Tests skipped because `--test-name-pattern` did not match them ("test name does not match
//!   pattern") are left out: they were not selected.
//!
//! Errors outside tests: a test file that failed as a whole (Node reports a test named after
//! the file's absolute path: an import or syntax error, a non-zero exit), with what it wrote to
//! stderr; a suite that failed for a reason other than its tests (a `before`/`after` hook).

use std::collections::BTreeMap;

use camino::Utf8Path;
use serde::Deserialize;

use super::ParsedReport;
use super::common::{
    JsonError, OUTPUT_CAP, capped, first_line, json_error, millis_to_secs, normalize_path, strip_ansi,
};
use crate::results::{ReportedCase, ReportedStatus};

/// The reporter module to pass to `node --test --test-reporter=<path>`: write it to a file
/// first (Node loads reporters by path or package name).
pub const NODE_REPORTER: &str = include_str!("node_reporter.mjs");

/// Node marks tests filtered out by `--test-name-pattern` as skipped with this reason.
const NOT_SELECTED: &str = "test name does not match pattern";

#[derive(Deserialize)]
struct Line {
    event: String,
    name: Option<String>,
    #[serde(default)]
    nesting: u32,
    file: Option<String>,
    line: Option<u32>,
    #[serde(rename = "type")]
    kind: Option<String>,
    duration_ms: Option<f64>,
    skip: Option<serde_json::Value>,
    todo: Option<serde_json::Value>,
    failure_type: Option<String>,
    error: Option<String>,
    message: Option<String>,
}

/// A finished test or suite waiting for its parent (which Node reports after it).
struct Pending {
    nesting: u32,
    /// Indexes (into the cases) of the cases in this node's subtree, itself included.
    cases: Vec<usize>,
}

/// What is wrong with the events file flotilla's `node --test` reporter writes.
#[derive(Debug, thiserror::Error)]
pub enum NodeEventsError {
    /// Not a line written: node stopped before loading the reporter.
    #[error("the node --test report is empty")]
    Empty,
    /// More events after the end marker.
    #[error("node --test report, line {line}: events after the end marker (two runs wrote to one file?)")]
    AfterEnd {
        /// 1-based line of the first event after the marker.
        line: usize,
    },
    /// A line that is not one JSON event of the reporter's shape.
    #[error("node --test report, line {line}: {source}")]
    Event {
        /// 1-based line.
        line: usize,
        /// What is wrong with it.
        #[source]
        source: JsonError,
    },
    /// An event the reporter never writes.
    #[error("node --test report, line {line}: unknown event `{event}` (not written by flotilla's reporter?)")]
    UnknownEvent {
        /// 1-based line.
        line: usize,
        /// The event's name.
        event: String,
    },
    /// No end marker: the file was cut short.
    #[error("the node --test report ends before its end marker (truncated? node may have been killed)")]
    Truncated,
}

/// Parses the output of flotilla's `node --test` reporter ([`NODE_REPORTER`]); `root` is the
/// folder node ran in.
pub fn parse_node_events(text: &str, root: &Utf8Path) -> Result<ParsedReport, NodeEventsError> {
    if text.trim().is_empty() {
        return Err(NodeEventsError::Empty);
    }
    let mut parsed = ParsedReport::default();
    let mut stderr: BTreeMap<String, String> = BTreeMap::new();
    // Per file: finished nodes not yet claimed by a parent; and each case's parent names.
    let mut pending: BTreeMap<String, Vec<Pending>> = BTreeMap::new();
    let mut ancestors: Vec<Vec<String>> = Vec::new();
    let mut file_failures: Vec<(String, String)> = Vec::new();
    let mut ended = false;
    for (index, raw) in text.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        if ended {
            return Err(NodeEventsError::AfterEnd { line: index + 1 });
        }
        let line: Line = serde_json::from_str(raw).map_err(|error| NodeEventsError::Event {
            line: index + 1,
            source: json_error("event", error),
        })?;
        let file = line.file.as_deref().map(|f| normalize_path(f, root));
        match line.event.as_str() {
            "end" => ended = true,
            "stderr" => {
                let buffer = stderr.entry(file.unwrap_or_default()).or_default();
                if buffer.len() < OUTPUT_CAP {
                    buffer.push_str(line.message.as_deref().unwrap_or(""));
                }
            }
            "pass" | "fail" => {
                let failed = line.event == "fail";
                let name = line.name.clone().unwrap_or_default();
                let key = file.clone().unwrap_or_default();
                let siblings = pending.entry(key.clone()).or_default();
                // Everything deeper that finished since is this node's subtree.
                let mut children = Vec::new();
                while siblings.last().is_some_and(|p| p.nesting > line.nesting) {
                    children.extend(siblings.pop());
                }
                let mut subtree: Vec<usize> = children.iter().flat_map(|c| c.cases.iter().copied()).collect();
                for &case in &subtree {
                    ancestors[case].insert(0, name.clone());
                }
                let is_suite = line.kind.as_deref() == Some("suite");
                let whole_file = line.nesting == 0
                    && line.file.is_some()
                    && (line.name.as_deref() == line.file.as_deref() || Some(&name) == file.as_ref());
                let own_failure = failed && line.failure_type.as_deref() != Some("subtestsFailed");
                let mut case = None;
                if whole_file {
                    if failed {
                        file_failures.push((key.clone(), line.error.clone().unwrap_or_default()));
                    }
                } else if is_suite || !children.is_empty() {
                    if own_failure && is_suite {
                        let error = strip_ansi(line.error.as_deref().unwrap_or("")).trim().to_string();
                        parsed.errors_outside_tests.push(format!(
                            "{key}: suite `{name}` failed outside its tests ({}): {error}",
                            line.failure_type.as_deref().unwrap_or("unknown failure")
                        ));
                    } else if own_failure {
                        case = Some(push_case(&mut parsed, &mut ancestors, &line, file.clone(), name));
                    }
                } else if !is_not_selected(&line) {
                    case = Some(push_case(&mut parsed, &mut ancestors, &line, file.clone(), name));
                }
                subtree.extend(case);
                siblings.push(Pending {
                    nesting: line.nesting,
                    cases: subtree,
                });
            }
            other => {
                return Err(NodeEventsError::UnknownEvent {
                    line: index + 1,
                    event: other.to_string(),
                });
            }
        }
    }
    if !ended {
        return Err(NodeEventsError::Truncated);
    }
    for (case, names) in parsed.cases.iter_mut().zip(&ancestors) {
        if !names.is_empty() {
            case.classname = Some(names.join(" > "));
        }
    }
    for (file, error) in file_failures {
        let output = stderr.get(&file).map(|s| strip_ansi(s)).unwrap_or_default();
        let mut message = format!("{file}: the test file failed outside its tests ({})", error.trim());
        if !output.trim().is_empty() {
            message.push_str(":\n");
            message.push_str(output.trim());
        }
        parsed.errors_outside_tests.push(message);
    }
    Ok(parsed)
}

fn is_not_selected(line: &Line) -> bool {
    matches!(&line.skip, Some(serde_json::Value::String(reason)) if reason == NOT_SELECTED)
}

fn flag(value: Option<&serde_json::Value>) -> bool {
    !matches!(
        value,
        None | Some(serde_json::Value::Null | serde_json::Value::Bool(false))
    )
}

fn push_case(
    parsed: &mut ParsedReport,
    ancestors: &mut Vec<Vec<String>>,
    line: &Line,
    file: Option<String>,
    name: String,
) -> usize {
    let error = strip_ansi(line.error.as_deref().unwrap_or(""));
    let (status, message) = if flag(line.todo.as_ref()) {
        (ReportedStatus::Skipped, Some("todo".to_string()))
    } else if flag(line.skip.as_ref()) {
        let reason = match &line.skip {
            Some(serde_json::Value::String(reason)) => reason.clone(),
            _ => "skipped".to_string(),
        };
        (ReportedStatus::Skipped, Some(reason))
    } else if line.event == "pass" {
        (ReportedStatus::Passed, None)
    } else if line.failure_type.as_deref() == Some("cancelledByParent") {
        (
            ReportedStatus::Error,
            Some(first_line(&error).unwrap_or_else(|| "cancelled by its parent".into())),
        )
    } else {
        (
            ReportedStatus::Failed,
            Some(first_line(&error).unwrap_or_else(|| "failed".into())),
        )
    };
    let output = matches!(status, ReportedStatus::Failed | ReportedStatus::Error)
        .then(|| capped(&error))
        .flatten();
    parsed.cases.push(ReportedCase {
        name,
        classname: None,
        file,
        time: millis_to_secs(line.duration_ms),
        status,
        message,
        output,
        flaky_runs: 0,
        line: line.line,
        id: None,
    });
    ancestors.push(Vec::new());
    parsed.cases.len() - 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::formats::common::{fixture, fixture_root};

    #[test]
    fn real_run_of_the_fixture() {
        let parsed = parse_node_events(&fixture("node/events.jsonl"), &fixture_root("node")).unwrap();
        let find = |name: &str| parsed.cases.iter().find(|c| c.name == name).unwrap();
        let failed = find("fails [p0]");
        assert_eq!(failed.status, ReportedStatus::Failed);
        assert_eq!(failed.file.as_deref(), Some("tests/fail.test.mjs"));
        assert_eq!(failed.classname.as_deref(), Some("Failing"));
        assert_eq!(failed.line, Some(6));
        assert!(
            failed
                .message
                .as_deref()
                .unwrap()
                .contains("Expected values to be strictly equal")
        );
        let nested = find("concatenates (odd) names: a/b | c.*");
        assert_eq!(nested.classname.as_deref(), Some("Calculator > with strings"));
        assert_eq!(nested.status, ReportedStatus::Passed);
        assert_eq!(find("top-level test [p0]").classname, None);
        assert_eq!(find("is skipped").status, ReportedStatus::Skipped);
        assert_eq!(find("is skipped").message.as_deref(), Some("skipped on purpose"));
        assert_eq!(find("is a todo").status, ReportedStatus::Skipped);
        assert_eq!(find("passes on retry [p1]").status, ReportedStatus::Failed);
        let slow: Vec<_> = parsed.cases.iter().filter(|c| c.name.starts_with("sleeps")).collect();
        assert_eq!(slow.len(), 8);
        assert!(slow.iter().all(|c| c.time > 0.3 && c.time < 2.0), "{slow:?}");
        assert!(
            !parsed
                .cases
                .iter()
                .any(|c| c.name == "Calculator" || c.name == "with strings")
        );
        assert_eq!(parsed.cases.len(), 17);

        assert_eq!(
            parsed.errors_outside_tests.len(),
            1,
            "{:?}",
            parsed.errors_outside_tests
        );
        let broken = &parsed.errors_outside_tests[0];
        assert!(broken.starts_with("broken/broken.test.mjs: the test file failed outside its tests"));
        assert!(
            broken.contains("Cannot find package 'flotilla-no-such-module'"),
            "{broken}"
        );
    }

    #[test]
    fn hooks_and_exits() {
        let parsed = parse_node_events(&fixture("node/variants.jsonl"), &fixture_root("node-variants")).unwrap();
        let passes: Vec<_> = parsed.cases.iter().filter(|c| c.name == "passes").collect();
        assert_eq!(passes.len(), 2);
        assert!(passes.iter().all(|c| c.status == ReportedStatus::Passed));
        let cancelled = parsed.cases.iter().find(|c| c.name == "never runs").unwrap();
        assert_eq!(cancelled.status, ReportedStatus::Error);
        assert_eq!(cancelled.classname.as_deref(), Some("before fails"));
        let errors = &parsed.errors_outside_tests;
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(
            errors
                .iter()
                .any(|e| e.contains("suite `after fails` failed outside its tests (hookFailed)"))
        );
        assert!(
            errors
                .iter()
                .any(|e| e.contains("suite `before fails` failed outside its tests (hookFailed)"))
        );
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with("tests/exits.test.mjs: the test file failed"))
        );
    }

    #[test]
    fn tests_left_out_by_a_name_pattern_are_not_reported() {
        let parsed = parse_node_events(&fixture("node/name_pattern.jsonl"), &fixture_root("node")).unwrap();
        let names: Vec<_> = parsed.cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["fails [p0]"]);
    }

    #[test]
    fn a_report_cut_short_is_an_error() {
        let full = fixture("node/events.jsonl");
        let without_end = full.trim_end().rsplit_once('\n').unwrap().0;
        assert!(
            parse_node_events(without_end, Utf8Path::new("/p"))
                .unwrap_err()
                .to_string()
                .contains("end marker")
        );
        let half_line = &full[..full.len() / 2];
        assert!(
            parse_node_events(half_line, Utf8Path::new("/p"))
                .unwrap_err()
                .to_string()
                .contains("line")
        );
        assert!(
            parse_node_events("", Utf8Path::new("/p"))
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
        let twice = format!("{full}{full}");
        assert!(
            parse_node_events(&twice, Utf8Path::new("/p"))
                .unwrap_err()
                .to_string()
                .contains("after the end marker")
        );
        assert!(matches!(
            parse_node_events(&twice, Utf8Path::new("/p")),
            Err(NodeEventsError::AfterEnd { .. })
        ));
        let foreign = "{\"type\":\"test:pass\"}\n";
        assert!(parse_node_events(foreign, Utf8Path::new("/p")).is_err());
    }

    #[test]
    fn reporter_constant_is_the_module() {
        assert!(NODE_REPORTER.contains("export default async function* flotillaReporter"));
    }
}

//! [`parse_jest_json`]: Jest's `--json --testLocationInResults --outputFile FILE` report, and
//! the Jest-shaped JSON other runners imitate (Vitest's `json` reporter reuses this parser).
//!
//! Mapping, one case per entry of `testResults[].assertionResults[]`:
//! - `file`: the test file (`testResults[].name`, an absolute path) made relative to the root.
//! - `name`: the test's own `title`; `classname`: its `ancestorTitles` (describe blocks) joined
//!   with " › " (none at top level).
//! - `id`: `fullName` (ancestor titles and title joined with spaces): what `--testNamePattern`
//!   (`-t`) matches; escape it as a regular expression and anchor it to select one test.
//! - `line`: `location.line` (Jest writes it only with `--testLocationInResults`).
//! - `time`: `duration` in milliseconds (null for skipped tests). Status `passed`/`failed` →
//!   passed/failed; `pending`, `skipped`, `todo`, `disabled` → skipped.
//!
//! Errors outside tests: a test file whose `status` is `failed` although none of its tests
//! failed ("Test suite failed to run": a syntax or import error, a failing `afterAll`), a
//! `testExecError`, and `wasInterrupted`.

use camino::Utf8Path;
use serde::Deserialize;

use super::ParsedReport;
use super::common::{JsonError, capped, first_line, millis_to_secs, normalize_path, parse_json, strip_ansi};
use crate::results::{ReportedCase, ReportedStatus};

/// Which runner wrote the Jest-shaped report (for messages and dialect differences).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Dialect {
    Jest,
    Vitest,
}

impl Dialect {
    fn report(self) -> &'static str {
        match self {
            Self::Jest => "Jest JSON report",
            Self::Vitest => "Vitest JSON report",
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Report {
    test_results: Vec<FileResult>,
    #[serde(default)]
    was_interrupted: bool,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct FileResult {
    name: String,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    assertion_results: Vec<Assertion>,
    #[serde(default)]
    test_exec_error: Option<ExecError>,
}

#[derive(Deserialize)]
struct ExecError {
    message: Option<String>,
    stack: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Assertion {
    #[serde(default)]
    ancestor_titles: Vec<String>,
    title: String,
    full_name: Option<String>,
    status: String,
    duration: Option<f64>,
    // Vitest writes `null` here when a test has no errors.
    #[serde(default)]
    failure_messages: Option<Vec<String>>,
    location: Option<Location>,
}

#[derive(Deserialize)]
struct Location {
    line: Option<u32>,
}

/// What is wrong with a Jest JSON report, or with a Vitest one (the same shape, the same parser:
/// `report` names which).
#[derive(Debug, thiserror::Error)]
pub enum JestJsonError {
    /// Empty, truncated, not JSON, or not Jest's shape.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// A test whose status is none of Jest's or Vitest's.
    #[error("{report}: test `{test}` in {file} has an unknown status `{status}`")]
    UnknownStatus {
        /// "Jest JSON report" or "Vitest JSON report".
        report: &'static str,
        /// The test's title.
        test: String,
        /// Its file, relative to the root.
        file: String,
        /// The status it has.
        status: String,
    },
}

/// Parses a Jest JSON report (`jest --json --testLocationInResults --outputFile FILE`); `root`
/// is the folder Jest ran in.
pub fn parse_jest_json(text: &str, root: &Utf8Path) -> Result<ParsedReport, JestJsonError> {
    parse_jest_like(text, root, Dialect::Jest)
}

/// The Jest-shaped JSON parser shared by Jest and Vitest.
pub(super) fn parse_jest_like(text: &str, root: &Utf8Path, dialect: Dialect) -> Result<ParsedReport, JestJsonError> {
    let report: Report = parse_json(text, dialect.report())?;
    let mut parsed = ParsedReport::default();
    for file_result in report.test_results {
        let file = normalize_path(&file_result.name, root);
        let mut any_failed = false;
        for assertion in file_result.assertion_results {
            let case = case(assertion, &file, dialect)?;
            any_failed |= case.status == ReportedStatus::Failed;
            parsed.cases.push(case);
        }
        if let Some(error) = &file_result.test_exec_error {
            let text = error.stack.as_deref().or(error.message.as_deref()).unwrap_or("");
            parsed.errors_outside_tests.push(format!(
                "{file}: the test file failed to run: {}",
                strip_ansi(text).trim()
            ));
        } else if file_result.status.as_deref() == Some("failed") && !any_failed {
            let message = strip_ansi(file_result.message.as_deref().unwrap_or(""))
                .trim()
                .to_string();
            parsed.errors_outside_tests.push(if message.is_empty() {
                format!("{file}: the test file failed although none of its tests did (see the runner's output)")
            } else {
                format!("{file}: {message}")
            });
        }
    }
    if report.was_interrupted {
        parsed
            .errors_outside_tests
            .push("the test run was interrupted before every file ran".into());
    }
    Ok(parsed)
}

fn case(assertion: Assertion, file: &str, dialect: Dialect) -> Result<ReportedCase, JestJsonError> {
    let status = match assertion.status.as_str() {
        "passed" => ReportedStatus::Passed,
        "failed" => ReportedStatus::Failed,
        "pending" | "skipped" | "todo" | "disabled" => ReportedStatus::Skipped,
        other => {
            return Err(JestJsonError::UnknownStatus {
                report: dialect.report(),
                test: assertion.title,
                file: file.to_string(),
                status: other.to_string(),
            });
        }
    };
    let failures: Vec<String> = assertion
        .failure_messages
        .unwrap_or_default()
        .iter()
        .map(|m| strip_ansi(m))
        .collect();
    let output = capped(&failures.join("\n\n"));
    let full_name = assertion.full_name.unwrap_or_else(|| {
        let mut parts = assertion.ancestor_titles.clone();
        parts.push(assertion.title.clone());
        parts.join(" ")
    });
    Ok(ReportedCase {
        name: assertion.title,
        classname: (!assertion.ancestor_titles.is_empty()).then(|| assertion.ancestor_titles.join(" › ")),
        file: Some(file.to_string()),
        time: millis_to_secs(assertion.duration),
        message: if status == ReportedStatus::Failed {
            failures.iter().find_map(|f| first_line(f))
        } else {
            None
        },
        status,
        output,
        flaky_runs: 0,
        line: assertion.location.and_then(|l| l.line),
        id: Some(full_name),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::formats::common::{fixture, fixture_root};

    #[test]
    fn real_run_of_the_fixture() {
        let parsed = parse_jest_json(&fixture("jest/run.json"), &fixture_root("jest")).unwrap();
        assert!(
            parsed.errors_outside_tests.is_empty(),
            "{:?}",
            parsed.errors_outside_tests
        );
        assert_eq!(parsed.cases.len(), 17);
        let by_id = |id: &str| parsed.cases.iter().find(|c| c.id.as_deref() == Some(id)).unwrap();

        let failed = by_id("Failing fails [p0]");
        assert_eq!(failed.status, ReportedStatus::Failed);
        assert_eq!(failed.file.as_deref(), Some("tests/fail.test.js"));
        assert_eq!(failed.name, "fails [p0]");
        assert_eq!(failed.classname.as_deref(), Some("Failing"));
        assert_eq!(failed.line, Some(3));
        assert!(failed.message.as_deref().unwrap().contains("toBe"));
        assert!(failed.output.as_deref().unwrap().contains("Expected: 3"));

        let nested = by_id("Calculator with strings concatenates (odd) names: a/b | c.*");
        assert_eq!(nested.classname.as_deref(), Some("Calculator › with strings"));
        assert_eq!(nested.status, ReportedStatus::Passed);

        let top = by_id("top-level test [p0]");
        assert_eq!(top.classname, None);
        assert_eq!(by_id("Calculator is skipped").status, ReportedStatus::Skipped);
        assert_eq!(by_id("Calculator is a todo").status, ReportedStatus::Skipped);
        assert_eq!(by_id("passes on retry [p1]").status, ReportedStatus::Failed);

        let slow: Vec<_> = parsed
            .cases
            .iter()
            .filter(|c| c.file.as_deref() == Some("tests/slow.test.js"))
            .collect();
        assert_eq!(slow.len(), 8);
        assert!(slow.iter().all(|c| c.time > 0.3 && c.time < 2.0), "{slow:?}");
    }

    #[test]
    fn files_that_fail_to_run_are_errors_outside_tests() {
        let parsed = parse_jest_json(&fixture("jest/broken.json"), &fixture_root("jest")).unwrap();
        assert_eq!(parsed.cases.len(), 6, "the good file's tests are still there");
        assert_eq!(
            parsed.errors_outside_tests.len(),
            2,
            "{:?}",
            parsed.errors_outside_tests
        );
        let syntax = parsed
            .errors_outside_tests
            .iter()
            .find(|e| e.starts_with("broken/syntax.test.js: "))
            .unwrap();
        assert!(
            syntax.contains("Test suite failed to run") && syntax.contains("SyntaxError"),
            "{syntax}"
        );
        let import = parsed
            .errors_outside_tests
            .iter()
            .find(|e| e.starts_with("broken/broken.test.js: "))
            .unwrap();
        assert!(
            import.contains("Cannot find module 'flotilla-no-such-module'"),
            "{import}"
        );
    }

    #[test]
    fn hooks_and_each() {
        let parsed = parse_jest_json(&fixture("jest/variants.json"), &fixture_root("jest-variants")).unwrap();
        // A failing afterAll: the test passed, the file failed.
        assert_eq!(
            parsed.errors_outside_tests.len(),
            1,
            "{:?}",
            parsed.errors_outside_tests
        );
        assert!(parsed.errors_outside_tests[0].starts_with("tests/hooks.test.js: "));
        assert!(parsed.errors_outside_tests[0].contains("afterAll exploded"));
        // A failing beforeAll fails every test of the file instead.
        let before: Vec<_> = parsed
            .cases
            .iter()
            .filter(|c| c.file.as_deref() == Some("tests/before.test.js"))
            .collect();
        assert_eq!(before.len(), 2);
        assert!(before.iter().all(|c| c.status == ReportedStatus::Failed));
        // test.each rows are separate tests with their own names.
        let each: Vec<_> = parsed
            .cases
            .iter()
            .filter(|c| c.name.starts_with("add("))
            .map(|c| c.name.as_str())
            .collect();
        assert_eq!(each, ["add(1, 1) = 2", "add(2, 2) = 4"]);
    }

    #[test]
    fn a_name_pattern_reports_unselected_tests_as_skipped() {
        // `-t` does not drop the other tests of the file: they come back as "pending".
        let parsed = parse_jest_json(&fixture("jest/name_pattern.json"), &fixture_root("jest")).unwrap();
        let statuses: Vec<_> = parsed
            .cases
            .iter()
            .map(|c| (c.name.as_str(), c.status.clone()))
            .collect();
        assert_eq!(
            statuses,
            [
                ("fails [p0]", ReportedStatus::Failed),
                ("passes next to the failure", ReportedStatus::Skipped)
            ]
        );
    }

    #[test]
    fn garbage_is_an_error() {
        let root = Utf8Path::new("/p");
        let full = fixture("jest/run.json");
        assert!(
            parse_jest_json(&full[..full.len() - 10], root)
                .unwrap_err()
                .to_string()
                .contains("truncated")
        );
        assert!(parse_jest_json("", root).unwrap_err().to_string().contains("empty"));
        assert!(
            parse_jest_json("{\"numTotalTests\": 0}", root)
                .unwrap_err()
                .to_string()
                .contains("testResults")
        );
        let unknown =
            r#"{"testResults":[{"name":"/p/a.test.js","assertionResults":[{"title":"t","status":"weird"}]}]}"#;
        assert!(
            parse_jest_json(unknown, root)
                .unwrap_err()
                .to_string()
                .contains("unknown status `weird`")
        );
        let interrupted = r#"{"testResults":[],"wasInterrupted":true}"#;
        assert_eq!(
            parse_jest_json(interrupted, root).unwrap().errors_outside_tests.len(),
            1
        );
    }
}

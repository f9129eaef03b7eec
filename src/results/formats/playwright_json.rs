//! [`parse_playwright_json`]: Playwright Test's `json` reporter (`npx playwright test
//! --reporter=json` with `PLAYWRIGHT_JSON_OUTPUT_FILE=FILE`).
//!
//! Shape: `config` (with `rootDir`), `suites` (one per test file, nesting `describe` suites,
//! each with `specs`), `errors` (errors outside tests) and `stats`. Each spec has one entry in
//! `tests` per project (browser) it ran in, each with one entry in `results` per attempt
//! (`retry` 0, 1, ...: Playwright's own retries).
//!
//! Mapping, one case per spec and project:
//! - `file`: `config.rootDir` joined with the spec's `file` (which is relative to `rootDir`, the
//!   test directory, not to the project), made relative to the root.
//! - `name`: the describe titles and the spec title joined with " › "; `classname`: the
//!   project name (`chromium`), none when the project is unnamed.
//! - `id` and `line`: `file:line` and the spec's line: `npx playwright test FILE:LINE
//!   --project=NAME` runs it.
//! - `time`: the last attempt's `duration` (milliseconds).
//! - Status from the test's `status` (Playwright's outcome): `expected` → passed (skipped when
//!   the test was expected to be skipped; a `test.fail()` test that failed is expected),
//!   `flaky` → passed with `flaky_runs` = its failed attempts, `unexpected` → failed (an
//!   interrupted attempt → error), `skipped` → skipped.
//!
//! Errors outside tests: every entry of the top-level `errors` (a test file that fails to load,
//! a failing global setup, "no tests found"), with its location.

use camino::{Utf8Path, Utf8PathBuf};
use serde::Deserialize;

use super::ParsedReport;
use super::common::{JsonError, capped, first_line, millis_to_secs, normalize_path, parse_json, strip_ansi};
use crate::results::{ReportedCase, ReportedStatus};

#[derive(Deserialize)]
struct Report {
    #[serde(default)]
    config: Option<Config>,
    suites: Vec<Suite>,
    #[serde(default)]
    errors: Vec<TestError>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Config {
    root_dir: Option<String>,
}

#[derive(Deserialize)]
struct Suite {
    #[serde(default)]
    title: String,
    #[serde(default)]
    specs: Vec<Spec>,
    #[serde(default)]
    suites: Vec<Suite>,
}

#[derive(Deserialize)]
struct Spec {
    title: String,
    file: String,
    line: Option<u32>,
    #[serde(default)]
    tests: Vec<Test>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Test {
    #[serde(default)]
    expected_status: Option<String>,
    #[serde(default)]
    project_name: Option<String>,
    #[serde(default)]
    results: Vec<TestResult>,
    status: Option<String>,
}

#[derive(Deserialize)]
struct TestResult {
    status: Option<String>,
    duration: Option<f64>,
    error: Option<TestError>,
    #[serde(default)]
    errors: Vec<TestError>,
}

#[derive(Deserialize)]
struct TestError {
    message: Option<String>,
    stack: Option<String>,
    value: Option<String>,
    location: Option<Location>,
}

#[derive(Deserialize)]
struct Location {
    file: String,
    line: Option<u32>,
}

/// What is wrong with a Playwright JSON report.
#[derive(Debug, thiserror::Error)]
pub enum PlaywrightJsonError {
    /// Empty, truncated, not JSON, or not Playwright's shape.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// A test whose outcome is none of Playwright's (`expected`, `unexpected`, `flaky`,
    /// `skipped`).
    #[error("Playwright JSON report: test `{test}` in {file} has an unknown status `{status}`")]
    UnknownStatus {
        /// The test's titles joined with ` › `.
        test: String,
        /// Its file, relative to the root.
        file: String,
        /// The outcome it has.
        status: String,
    },
}

/// Parses a Playwright JSON report; `root` is the folder Playwright ran in (the project).
pub fn parse_playwright_json(text: &str, root: &Utf8Path) -> Result<ParsedReport, PlaywrightJsonError> {
    let report: Report = parse_json(text, "Playwright JSON report")?;
    let root_dir = report
        .config
        .and_then(|c| c.root_dir)
        .map(Utf8PathBuf::from)
        .unwrap_or_else(|| root.to_path_buf());
    let mut parsed = ParsedReport::default();
    for file_suite in &report.suites {
        // A file suite's title is the file name: describe titles start below it.
        walk(file_suite, &mut Vec::new(), &root_dir, root, &mut parsed)?;
    }
    for error in &report.errors {
        let text = describe_error(error);
        let prefix = match &error.location {
            Some(location) => {
                let file = normalize_path(&location.file, root);
                match location.line {
                    Some(line) => format!("{file}:{line}: "),
                    None => format!("{file}: "),
                }
            }
            None => String::new(),
        };
        parsed.errors_outside_tests.push(format!("{prefix}{}", text.trim()));
    }
    Ok(parsed)
}

fn walk(
    suite: &Suite,
    titles: &mut Vec<String>,
    root_dir: &Utf8Path,
    root: &Utf8Path,
    parsed: &mut ParsedReport,
) -> Result<(), PlaywrightJsonError> {
    for spec in &suite.specs {
        let file = normalize_path(root_dir.join(&spec.file).as_str(), root);
        let mut name_parts = titles.clone();
        name_parts.push(spec.title.clone());
        let name = name_parts.join(" › ");
        for test in &spec.tests {
            parsed.cases.push(case(test, &name, &file, spec.line)?);
        }
    }
    for child in &suite.suites {
        titles.push(child.title.clone());
        walk(child, titles, root_dir, root, parsed)?;
        titles.pop();
    }
    Ok(())
}

fn case(test: &Test, name: &str, file: &str, line: Option<u32>) -> Result<ReportedCase, PlaywrightJsonError> {
    let last = test.results.last();
    let last_status = last.and_then(|r| r.status.as_deref());
    let outcome = match test.status.as_deref() {
        Some(outcome) => outcome.to_string(),
        // Older reports have no outcome: derive it from the last attempt.
        None => match last_status {
            None | Some("skipped") => "skipped".to_string(),
            Some(status) if Some(status) == test.expected_status.as_deref() => "expected".to_string(),
            Some("passed") => "expected".to_string(),
            Some(_) => "unexpected".to_string(),
        },
    };
    let failed_attempts = test
        .results
        .iter()
        .filter(|r| matches!(r.status.as_deref(), Some("failed" | "timedOut" | "interrupted")))
        .count();
    let status = match outcome.as_str() {
        "expected" if test.expected_status.as_deref() == Some("skipped") => ReportedStatus::Skipped,
        "expected" | "flaky" => ReportedStatus::Passed,
        "skipped" => ReportedStatus::Skipped,
        "unexpected" if last_status == Some("interrupted") => ReportedStatus::Error,
        "unexpected" => ReportedStatus::Failed,
        other => {
            return Err(PlaywrightJsonError::UnknownStatus {
                test: name.to_string(),
                file: file.to_string(),
                status: other.to_string(),
            });
        }
    };
    let failing = test
        .results
        .iter()
        .rev()
        .find(|r| r.error.is_some() || !r.errors.is_empty());
    let (message, output) = match (status.clone(), failing) {
        (ReportedStatus::Failed | ReportedStatus::Error, Some(result)) => {
            let text = result
                .error
                .as_ref()
                .map(describe_error)
                .or_else(|| result.errors.first().map(describe_error))
                .unwrap_or_default();
            let status = result.status.as_deref().unwrap_or("failed");
            (
                first_line(&text).map(|l| {
                    if status == "timedOut" {
                        format!("timed out: {l}")
                    } else {
                        l
                    }
                }),
                capped(&text),
            )
        }
        (ReportedStatus::Failed | ReportedStatus::Error, None) => (
            Some(format!("{} (no error recorded)", last_status.unwrap_or("failed"))),
            None,
        ),
        _ => (None, None),
    };
    Ok(ReportedCase {
        name: name.to_string(),
        classname: test.project_name.clone().filter(|p| !p.is_empty()),
        file: Some(file.to_string()),
        time: millis_to_secs(last.and_then(|r| r.duration)),
        flaky_runs: if outcome == "flaky" { failed_attempts } else { 0 },
        status,
        message,
        output,
        line,
        id: Some(match line {
            Some(line) => format!("{file}:{line}"),
            None => file.to_string(),
        }),
    })
}

fn describe_error(error: &TestError) -> String {
    let text = error
        .stack
        .as_deref()
        .filter(|s| {
            error
                .message
                .as_deref()
                .is_none_or(|m| s.contains(m.lines().next().unwrap_or("")))
        })
        .or(error.message.as_deref())
        .or(error.value.as_deref())
        .unwrap_or("unknown error");
    strip_ansi(text)
}

#[cfg(test)]
mod tests {
    //! Playwright cannot be installed here (no npm registry, no browsers): `playwright/run.json`
    //! is hand-written from Playwright's reporter documentation and the source of its json
    //! reporter (`JSONReport*` types in packages/playwright/types/testReporter.d.ts and
    //! `JSONReporter` in packages/playwright/src/reporters/json.ts).

    use super::*;
    use crate::results::formats::common::{fixture, fixture_root};

    #[test]
    fn documented_report() {
        let parsed = parse_playwright_json(&fixture("playwright/run.json"), &fixture_root("playwright")).unwrap();
        assert_eq!(parsed.cases.len(), 8);
        let find = |name: &str, project: &str| {
            parsed
                .cases
                .iter()
                .find(|c| c.name == name && c.classname.as_deref() == Some(project))
                .unwrap()
        };
        let title = find("has title", "firefox");
        assert_eq!(title.status, ReportedStatus::Passed);
        assert_eq!(
            title.file.as_deref(),
            Some("tests/example.spec.ts"),
            "rootDir is the test dir"
        );
        assert_eq!(title.id.as_deref(), Some("tests/example.spec.ts:3"));
        assert!((title.time - 1.034).abs() < 1e-9);

        let flaky = find("navigation › get started link", "chromium");
        assert_eq!(flaky.status, ReportedStatus::Passed);
        assert_eq!(flaky.flaky_runs, 1);
        assert_eq!(flaky.line, Some(11));
        assert!((flaky.time - 0.911).abs() < 1e-9, "the last attempt's time");
        assert_eq!(find("navigation › get started link", "firefox").flaky_runs, 0);

        assert_eq!(find("is skipped", "chromium").status, ReportedStatus::Skipped);
        assert_eq!(
            find("known bug", "chromium").status,
            ReportedStatus::Passed,
            "test.fail() failed"
        );
        let timed_out = find("times out", "chromium");
        assert_eq!(timed_out.status, ReportedStatus::Failed);
        assert_eq!(
            timed_out.message.as_deref(),
            Some("timed out: Test timeout of 30000ms exceeded.")
        );
        let declined = find("pays", "chromium");
        assert_eq!(declined.status, ReportedStatus::Failed);
        assert_eq!(declined.file.as_deref(), Some("tests/checkout.spec.ts"));
        assert_eq!(declined.message.as_deref(), Some("Error: payment declined"));

        assert_eq!(parsed.errors_outside_tests.len(), 1);
        let error = &parsed.errors_outside_tests[0];
        assert!(
            error.starts_with("tests/broken.spec.ts:1: Error: Cannot find module './missing'"),
            "{error}"
        );
    }

    #[test]
    fn ansi_colours_are_removed_from_messages() {
        let text = fixture("playwright/run.json");
        assert!(
            text.contains("\\u001b[31m"),
            "the fixture has Playwright's coloured messages"
        );
        let parsed = parse_playwright_json(&text, &fixture_root("playwright")).unwrap();
        assert!(
            parsed
                .cases
                .iter()
                .filter_map(|c| c.output.as_deref())
                .all(|o| !o.contains('\u{1b}'))
        );
    }

    #[test]
    fn outcome_is_derived_when_missing() {
        let text = r#"{"suites":[{"title":"a.spec.ts","file":"a.spec.ts","specs":[
            {"title":"t","file":"a.spec.ts","line":2,"tests":[{"expectedStatus":"passed","projectName":"",
             "results":[{"status":"failed","duration":5,"error":{"message":"boom"}}]}]}]}]}"#;
        let parsed = parse_playwright_json(text, Utf8Path::new("/p")).unwrap();
        assert_eq!(parsed.cases[0].status, ReportedStatus::Failed);
        assert_eq!(parsed.cases[0].classname, None);
        assert_eq!(
            parsed.cases[0].file.as_deref(),
            Some("a.spec.ts"),
            "no config: relative to the root"
        );
    }

    #[test]
    fn garbage_is_an_error() {
        let root = Utf8Path::new("/p");
        let full = fixture("playwright/run.json");
        assert!(
            parse_playwright_json(&full[..full.len() / 2], root)
                .unwrap_err()
                .to_string()
                .contains("truncated")
        );
        assert!(
            parse_playwright_json("{\"config\":{}}", root)
                .unwrap_err()
                .to_string()
                .contains("suites")
        );
        let unknown = r#"{"suites":[{"title":"a","specs":[{"title":"t","file":"a","tests":[{"status":"odd"}]}]}]}"#;
        assert!(
            parse_playwright_json(unknown, root)
                .unwrap_err()
                .to_string()
                .contains("unknown status `odd`")
        );
    }
}

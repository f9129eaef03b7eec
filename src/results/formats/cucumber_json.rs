//! [`parse_cucumber_json`]: Cucumber's `--format json --out FILE` report (cucumber-ruby; the
//! cucumber-js and Cucumber-JVM JSON formatters write the same shape).
//!
//! Mapping, one case per scenario (each row of a scenario outline is its own scenario):
//! - `file`: the feature's `uri`; `classname`: the feature's `name`.
//! - `name`: the scenario's `name`; rows of an outline share their outline's name, so theirs is
//!   `"<name> (line N)"` with the row's line, which selecting the row by line keeps stable.
//! - `id` and `line`: `uri:line` and the scenario's (or outline row's) `line`; `cucumber
//!   FILE:LINE` runs exactly that scenario.
//! - `time`: the sum of its steps' and hooks' `result.duration` (nanoseconds), the background's
//!   included.
//! - Status: any failed step or hook → failed (its `error_message`); else any `undefined` or
//!   `ambiguous` step → failed (newer Cucumbers fail those by default); else a `pending` or
//!   `skipped` step → skipped; else passed.
//!
//! Backgrounds are separate elements (`type: "background"`) written before every scenario they
//! apply to, carrying that scenario's `before` hooks: they are folded into the next scenario.
//!
//! Errors outside tests never reach the JSON: a Gherkin parse error or a failure loading step
//! definitions makes cucumber exit 2 before writing anything, which leaves an empty file: an
//! `Err` here ("empty"), to be reported as an error outside tests by the caller.

use camino::Utf8Path;
use serde::Deserialize;

use super::ParsedReport;
use super::common::{JsonError, capped, first_line, normalize_path, parse_json, strip_ansi};
use crate::results::{ReportedCase, ReportedStatus};

#[derive(Deserialize)]
struct Feature {
    uri: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    elements: Vec<Element>,
}

#[derive(Deserialize)]
struct Element {
    #[serde(default)]
    keyword: String,
    #[serde(default)]
    name: String,
    line: Option<u32>,
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    before: Vec<Step>,
    #[serde(default)]
    steps: Vec<Step>,
    #[serde(default)]
    after: Vec<Step>,
}

#[derive(Deserialize)]
struct Step {
    #[serde(default)]
    keyword: String,
    #[serde(default)]
    name: String,
    line: Option<u32>,
    result: Option<StepResult>,
    // Hooks attached to steps (cucumber-ruby's AfterStep).
    #[serde(default)]
    after: Vec<Step>,
}

#[derive(Deserialize)]
struct StepResult {
    status: String,
    duration: Option<f64>,
    error_message: Option<String>,
}

/// What is wrong with a Cucumber JSON report.
#[derive(Debug, thiserror::Error)]
pub enum CucumberJsonError {
    /// Not a byte written: cucumber stopped before its first scenario.
    #[error(
        "the Cucumber JSON report is empty: cucumber stopped before writing results \
         (a Gherkin parse error or an error loading step definitions exits 2 before any \
         scenario runs; see its output)"
    )]
    Empty,
    /// Truncated, not JSON, or not cucumber's shape.
    #[error(transparent)]
    Json(#[from] JsonError),
}

/// Parses a Cucumber JSON report (`cucumber --format json --out FILE`); `root` is the folder
/// cucumber ran in. An empty file is an error: cucumber stopped before writing its report.
pub fn parse_cucumber_json(text: &str, root: &Utf8Path) -> Result<ParsedReport, CucumberJsonError> {
    if text.trim().is_empty() {
        return Err(CucumberJsonError::Empty);
    }
    let features: Vec<Feature> = parse_json(text, "Cucumber JSON report")?;
    let mut parsed = ParsedReport::default();
    for feature in features {
        let file = normalize_path(&feature.uri, root);
        let mut background: Option<Element> = None;
        for element in feature.elements {
            if element.kind == "background" || element.keyword.trim() == "Background" {
                background = Some(element);
                continue;
            }
            parsed
                .cases
                .push(scenario(&file, &feature.name, background.take(), element));
        }
    }
    Ok(parsed)
}

fn scenario(file: &str, feature: &str, background: Option<Element>, element: Element) -> ReportedCase {
    let outline_row = element.keyword.contains("Outline") || element.keyword.contains("Template");
    let name = match (outline_row, element.line) {
        (true, Some(line)) => format!("{} (line {line})", element.name),
        _ => element.name.clone(),
    };
    // Everything that ran for this scenario, in order.
    let mut steps: Vec<&Step> = Vec::new();
    if let Some(background) = &background {
        steps.extend(&background.before);
    }
    steps.extend(&element.before);
    if let Some(background) = &background {
        for step in &background.steps {
            steps.push(step);
            steps.extend(&step.after);
        }
    }
    for step in &element.steps {
        steps.push(step);
        steps.extend(&step.after);
    }
    steps.extend(&element.after);

    let mut time = 0.0;
    let mut failed: Option<&Step> = None;
    let mut undefined: Option<&Step> = None;
    let mut pending: Option<&Step> = None;
    for step in &steps {
        let Some(result) = &step.result else { continue };
        if let Some(ns) = result.duration.filter(|d| d.is_finite() && *d > 0.0) {
            time += ns / 1e9;
        }
        match result.status.as_str() {
            "failed" => failed = failed.or(Some(step)),
            "undefined" | "ambiguous" => undefined = undefined.or(Some(step)),
            "pending" | "skipped" => pending = pending.or(Some(step)),
            _ => {}
        }
    }
    let describe = |step: &Step| {
        let what = if step.keyword.trim().is_empty() && step.name.is_empty() {
            "a hook".to_string()
        } else {
            format!("{}{}", step.keyword, step.name).trim().to_string()
        };
        match step.line {
            Some(line) => format!("{what} (line {line})"),
            None => what,
        }
    };
    let (status, message, output) = if let Some(step) = failed {
        let error = strip_ansi(
            step.result
                .as_ref()
                .and_then(|r| r.error_message.as_deref())
                .unwrap_or(""),
        );
        let message = first_line(&error).unwrap_or_else(|| format!("{} failed", describe(step)));
        (
            ReportedStatus::Failed,
            Some(message),
            capped(&format!("{} failed:\n{error}", describe(step))),
        )
    } else if let Some(step) = undefined {
        let status = step.result.as_ref().map_or("undefined", |r| r.status.as_str());
        let message = format!("{status} step: {}", describe(step));
        (ReportedStatus::Failed, Some(message.clone()), Some(message))
    } else if let Some(step) = pending {
        let status = step.result.as_ref().map_or("skipped", |r| r.status.as_str());
        let message = step
            .result
            .as_ref()
            .and_then(|r| r.error_message.as_deref())
            .and_then(first_line)
            .unwrap_or_else(|| format!("{status} step: {}", describe(step)));
        (ReportedStatus::Skipped, Some(message), None)
    } else {
        (ReportedStatus::Passed, None, None)
    };
    ReportedCase {
        name,
        classname: (!feature.is_empty()).then(|| feature.to_string()),
        file: Some(file.to_string()),
        time,
        status,
        message,
        output,
        flaky_runs: 0,
        line: element.line,
        id: element.line.map(|line| format!("{file}:{line}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::formats::common::{fixture, fixture_root};

    #[test]
    fn real_run_of_the_fixture() {
        let parsed = parse_cucumber_json(&fixture("cucumber/run.json"), &fixture_root("cucumber")).unwrap();
        assert!(parsed.errors_outside_tests.is_empty());
        assert_eq!(parsed.cases.len(), 15);
        let by_id = |id: &str| parsed.cases.iter().find(|c| c.id.as_deref() == Some(id)).unwrap();

        let wrong = by_id("features/fail.feature:5");
        assert_eq!(wrong.name, "Wrong sum");
        assert_eq!(wrong.classname.as_deref(), Some("Failing"));
        assert_eq!(wrong.status, ReportedStatus::Failed);
        assert_eq!(wrong.message.as_deref(), Some("expected 3, got 2 (RuntimeError)"));
        assert!(
            wrong
                .output
                .as_deref()
                .unwrap()
                .starts_with("Then the result is 3 (line 8) failed:")
        );

        let passed = by_id("features/pass.feature:5");
        assert_eq!(passed.status, ReportedStatus::Passed);
        assert!(passed.time > 0.0 && passed.time < 0.1, "{}", passed.time);

        // Outline rows: same outline name, told apart by their line.
        let rows: Vec<_> = parsed
            .cases
            .iter()
            .filter(|c| c.name.starts_with("Adding more numbers"))
            .collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].name, "Adding more numbers (line 18)");
        assert_eq!(rows[1].id.as_deref(), Some("features/pass.feature:19"));

        let pending = parsed
            .cases
            .iter()
            .find(|c| c.name == "Skipped after a pending step")
            .unwrap();
        assert_eq!(pending.status, ReportedStatus::Skipped);
        assert_eq!(
            pending.message.as_deref(),
            Some("not implemented yet (Cucumber::Pending)")
        );

        let slow: Vec<_> = parsed
            .cases
            .iter()
            .filter(|c| c.file.as_deref() == Some("features/slow.feature"))
            .collect();
        assert_eq!(slow.len(), 8);
        assert!(slow.iter().all(|c| c.time > 0.3 && c.time < 2.0), "{slow:?}");
        assert_eq!(by_id("features/flaky.feature:6").status, ReportedStatus::Failed);
    }

    #[test]
    fn backgrounds_hooks_and_undefined_steps() {
        let parsed =
            parse_cucumber_json(&fixture("cucumber/variants.json"), &fixture_root("cucumber-variants")).unwrap();
        let names: Vec<_> = parsed.cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            ["First", "Hook fails", "Undefined"],
            "backgrounds are not scenarios"
        );
        let first = &parsed.cases[0];
        assert_eq!(first.status, ReportedStatus::Passed);
        assert!(
            first.time >= 0.01,
            "the background's 10 ms sleep counts: {}",
            first.time
        );
        let hook = &parsed.cases[1];
        assert_eq!(
            hook.status,
            ReportedStatus::Failed,
            "a failing Before hook fails the scenario"
        );
        assert_eq!(hook.message.as_deref(), Some("before hook exploded (RuntimeError)"));
        let undefined = &parsed.cases[2];
        assert_eq!(undefined.status, ReportedStatus::Failed);
        assert_eq!(
            undefined.message.as_deref(),
            Some("undefined step: Given a step nobody wrote (line 15)")
        );
    }

    #[test]
    fn an_aborted_run_leaves_an_empty_report() {
        // cucumber exits 2 on a Gherkin parse error without writing a byte of JSON.
        let text = fixture("cucumber/parse_error.json");
        assert!(text.is_empty());
        let error = parse_cucumber_json(&text, &fixture_root("cucumber")).unwrap_err();
        assert!(matches!(error, CucumberJsonError::Empty), "{error:?}");
        let error = error.to_string();
        assert!(error.contains("empty") && error.contains("exits 2"), "{error}");
    }

    #[test]
    fn garbage_is_an_error() {
        let root = Utf8Path::new("/p");
        let full = fixture("cucumber/run.json");
        assert!(
            parse_cucumber_json(&full[..full.len() / 3], root)
                .unwrap_err()
                .to_string()
                .contains("truncated")
        );
        assert!(parse_cucumber_json("{}", root).is_err());
        assert!(
            parse_cucumber_json("[{\"elements\": []}]", root)
                .unwrap_err()
                .to_string()
                .contains("uri")
        );
        assert_eq!(parse_cucumber_json("[]", root).unwrap(), ParsedReport::default());
    }
}

//! [`parse_rspec_json`]: RSpec's `--format json --out FILE` report.
//!
//! Mapping, one case per entry of `examples`:
//! - `file`: the file part of the example `id` (`./spec/a_spec.rb[1:2]` → `spec/a_spec.rb`),
//!   which is the spec file that ran it. Not `file_path`: for shared examples that is the file
//!   the shared group is defined in (`spec/support/shared.rb`).
//! - `id`: the example id with a normalised file (`spec/a_spec.rb[1:2]`); `rspec` accepts it
//!   as an argument to run exactly that example.
//! - `name`: `full_description` (group descriptions and the example's own); no `classname`.
//! - `line`: `line_number`, only when `file_path` is the same file (else it is a line of the
//!   shared-examples file).
//! - `time`: `run_time` in seconds. Status `passed`/`failed`/`pending` (pending and skipped
//!   examples are both `pending`) → passed/failed/skipped.
//!
//! Errors outside tests: `summary.errors_outside_of_examples_count > 0`. Their text is in
//! `messages` (entries starting "An error occurred", next to notices such as "Run options: ..."
//! that are not errors). A file that fails to load makes RSpec run no example at all.

use camino::Utf8Path;
use serde::Deserialize;

use super::ParsedReport;
use super::common::{JsonError, capped, normalize_path, parse_json, strip_ansi};
use crate::results::{ReportedCase, ReportedStatus};

#[derive(Deserialize)]
struct Report {
    examples: Vec<Example>,
    #[serde(default)]
    messages: Vec<String>,
    summary: Option<Summary>,
}

#[derive(Deserialize)]
struct Summary {
    #[serde(default)]
    errors_outside_of_examples_count: u64,
}

#[derive(Deserialize)]
struct Example {
    id: Option<String>,
    #[serde(default)]
    description: String,
    full_description: Option<String>,
    status: String,
    file_path: Option<String>,
    line_number: Option<u32>,
    run_time: Option<f64>,
    pending_message: Option<String>,
    exception: Option<Exception>,
}

#[derive(Deserialize)]
struct Exception {
    class: Option<String>,
    message: Option<String>,
    #[serde(default)]
    backtrace: Option<Vec<String>>,
}

/// What is wrong with an RSpec JSON report.
#[derive(Debug, thiserror::Error)]
pub enum RspecJsonError {
    /// Empty, truncated, not JSON, or not RSpec's shape.
    #[error(transparent)]
    Json(#[from] JsonError),
    /// An example whose status is none of RSpec's (`passed`, `failed`, `pending`).
    #[error("RSpec JSON report: example `{example}` has an unknown status `{status}`")]
    UnknownStatus {
        /// The example's id (`./spec/a_spec.rb[1:2]`), else its description.
        example: String,
        /// The status it has.
        status: String,
    },
}

/// Parses an RSpec JSON report (`rspec --format json --out FILE`); `root` is the folder RSpec
/// ran in.
pub fn parse_rspec_json(text: &str, root: &Utf8Path) -> Result<ParsedReport, RspecJsonError> {
    let report: Report = parse_json(text, "RSpec JSON report")?;
    let mut parsed = ParsedReport::default();
    for example in report.examples {
        parsed.cases.push(case(example, root)?);
    }
    let count = report.summary.map_or(0, |s| s.errors_outside_of_examples_count);
    if count > 0 {
        let errors: Vec<String> = report
            .messages
            .iter()
            .map(|m| strip_ansi(m).trim().to_string())
            .filter(|m| m.starts_with("An error occurred"))
            .collect();
        if (errors.len() as u64) < count {
            let all = report
                .messages
                .iter()
                .map(|m| strip_ansi(m))
                .collect::<Vec<_>>()
                .join("\n");
            parsed.errors_outside_tests.push(format!(
                "RSpec reported {count} error(s) outside of examples{}",
                if all.trim().is_empty() {
                    " (see its output)".to_string()
                } else {
                    format!(":\n{}", all.trim())
                }
            ));
        } else {
            parsed.errors_outside_tests.extend(errors);
        }
    }
    Ok(parsed)
}

fn case(example: Example, root: &Utf8Path) -> Result<ReportedCase, RspecJsonError> {
    let status = match example.status.as_str() {
        "passed" => ReportedStatus::Passed,
        "failed" => ReportedStatus::Failed,
        "pending" | "skipped" => ReportedStatus::Skipped,
        other => {
            return Err(RspecJsonError::UnknownStatus {
                example: example.id.clone().unwrap_or_else(|| example.description.clone()),
                status: other.to_string(),
            });
        }
    };
    let (id_file, id_scope) = match example.id.as_deref().and_then(|id| id.split_once('[')) {
        Some((file, scope)) => (Some(normalize_path(file, root)), Some(scope.to_string())),
        None => (None, None),
    };
    let defined_in = example.file_path.as_deref().map(|f| normalize_path(f, root));
    let file = id_file.clone().or(defined_in.clone());
    let line = if id_file.is_none() || id_file == defined_in {
        example.line_number
    } else {
        None
    };
    let (message, output) = match (&example.exception, status.clone()) {
        (Some(exception), ReportedStatus::Failed) => {
            let class = exception.class.as_deref().unwrap_or("error");
            let text = strip_ansi(exception.message.as_deref().unwrap_or(""))
                .trim()
                .to_string();
            let message = if text.is_empty() {
                class.to_string()
            } else {
                format!("{class}: {text}")
            };
            let backtrace = exception.backtrace.as_deref().unwrap_or_default().join("\n");
            (Some(message.clone()), capped(&format!("{message}\n{backtrace}")))
        }
        (_, ReportedStatus::Skipped) => (example.pending_message.clone(), None),
        _ => (None, None),
    };
    Ok(ReportedCase {
        name: example.full_description.unwrap_or(example.description),
        classname: None,
        file: file.clone(),
        time: example.run_time.filter(|t| t.is_finite() && *t > 0.0).unwrap_or(0.0),
        status,
        message,
        output,
        flaky_runs: 0,
        line,
        id: match (file, id_scope) {
            (Some(file), Some(scope)) => Some(format!("{file}[{scope}")),
            _ => None,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::formats::common::{fixture, fixture_root};

    #[test]
    fn real_run_of_the_fixture() {
        let parsed = parse_rspec_json(&fixture("rspec/run.json"), &fixture_root("rspec")).unwrap();
        assert!(parsed.errors_outside_tests.is_empty());
        assert_eq!(parsed.cases.len(), 16);
        let by_name = |name: &str| parsed.cases.iter().find(|c| c.name == name).unwrap();

        let failed = by_name("Failing fails");
        assert_eq!(failed.status, ReportedStatus::Failed);
        assert_eq!(failed.file.as_deref(), Some("spec/fail_spec.rb"));
        assert_eq!(failed.id.as_deref(), Some("spec/fail_spec.rb[1:1]"));
        assert_eq!(failed.line, Some(3));
        let message = failed.message.as_deref().unwrap();
        assert!(
            message.starts_with("RSpec::Expectations::ExpectationNotMetError:"),
            "{message}"
        );
        assert!(failed.output.as_deref().unwrap().contains("fail_spec.rb:4"));

        let nested = by_name("Calculator with strings concatenates [odd] names: a/b");
        assert_eq!(nested.status, ReportedStatus::Passed);
        assert_eq!(nested.id.as_deref(), Some("spec/pass_spec.rb[1:3:1]"));

        let pending = by_name("Calculator is pending");
        assert_eq!(pending.status, ReportedStatus::Skipped);
        assert_eq!(pending.message.as_deref(), Some("not implemented yet"));
        assert_eq!(by_name("Calculator is skipped").status, ReportedStatus::Skipped);
        assert_eq!(by_name("Flaky passes on retry").status, ReportedStatus::Failed);

        let slow: Vec<_> = parsed.cases.iter().filter(|c| c.name.starts_with("Slow")).collect();
        assert_eq!(slow.len(), 8);
        assert!(slow.iter().all(|c| c.time > 0.3 && c.time < 2.0), "{slow:?}");
    }

    #[test]
    fn a_file_that_fails_to_load_is_an_error_outside_tests() {
        let parsed = parse_rspec_json(&fixture("rspec/load_error.json"), &fixture_root("rspec")).unwrap();
        // RSpec runs nothing at all when a file fails to load, not even the good files.
        assert!(parsed.cases.is_empty());
        assert_eq!(parsed.errors_outside_tests.len(), 1);
        let error = &parsed.errors_outside_tests[0];
        assert!(
            error.starts_with("An error occurred while loading ./broken/broken_spec.rb"),
            "{error}"
        );
        assert!(error.contains("flotilla_no_such_library"));
    }

    #[test]
    fn hooks_and_shared_examples() {
        let parsed = parse_rspec_json(&fixture("rspec/variants.json"), &fixture_root("rspec-variants")).unwrap();
        // before(:all) failing fails each example of the group; after(:all) failing is outside.
        let before: Vec<_> = parsed
            .cases
            .iter()
            .filter(|c| c.name.starts_with("Before all"))
            .collect();
        assert_eq!(before.len(), 2);
        assert!(before.iter().all(|c| c.status == ReportedStatus::Failed));
        assert_eq!(parsed.errors_outside_tests.len(), 1);
        assert!(parsed.errors_outside_tests[0].contains("after(:context)"));
        // A shared example belongs to the spec file that includes it, not to the shared file.
        let shared = parsed
            .cases
            .iter()
            .find(|c| c.name == "User behaves like a thing is shared")
            .unwrap();
        assert_eq!(shared.file.as_deref(), Some("spec/user_spec.rb"));
        assert_eq!(shared.id.as_deref(), Some("spec/user_spec.rb[1:1:1]"));
        assert_eq!(shared.line, None, "its line_number is a line of spec/support/shared.rb");
    }

    #[test]
    fn error_count_without_matching_messages_is_still_reported() {
        let text = r#"{"version":"3.12.0","messages":["Run options: include {:focus=>true}"],"examples":[],
            "summary":{"duration":0.1,"example_count":0,"failure_count":0,"pending_count":0,"errors_outside_of_examples_count":2}}"#;
        let parsed = parse_rspec_json(text, Utf8Path::new("/p")).unwrap();
        assert_eq!(parsed.errors_outside_tests.len(), 1);
        assert!(parsed.errors_outside_tests[0].starts_with("RSpec reported 2 error(s) outside of examples"));
    }

    #[test]
    fn garbage_is_an_error() {
        let root = Utf8Path::new("/p");
        let full = fixture("rspec/run.json");
        let truncated = &full[..full.len() / 2];
        let error = parse_rspec_json(truncated, root).unwrap_err();
        assert!(
            matches!(error, RspecJsonError::Json(JsonError::Truncated { .. })),
            "{error:?}"
        );
        assert!(error.to_string().contains("truncated"));
        assert!(parse_rspec_json("", root).unwrap_err().to_string().contains("empty"));
        assert!(
            parse_rspec_json("{}", root)
                .unwrap_err()
                .to_string()
                .contains("examples")
        );
        assert!(parse_rspec_json("[1,2]", root).is_err());
        let unknown = r#"{"examples":[{"id":"./a_spec.rb[1:1]","status":"exploded"}]}"#;
        let error = parse_rspec_json(unknown, root).unwrap_err();
        assert!(
            matches!(&error, RspecJsonError::UnknownStatus { example, status } if example == "./a_spec.rb[1:1]" && status == "exploded"),
            "{error:?}"
        );
        assert!(error.to_string().contains("unknown status `exploded`"));
    }
}

//! Helpers every report parser shares: [`normalize_path`] (how a path in a report becomes the
//! project-relative path flotilla identifies tests by), [`JsonError`] (what is wrong with a JSON
//! report, and that a file cut short is truncated), ANSI stripping and output capping.

use camino::{Utf8Path, Utf8PathBuf};

/// At most this many bytes of failure text are kept per test (the same cap as the JUnit reader).
pub(super) const OUTPUT_CAP: usize = 64 * 1024;

/// The path a report names, relative to the project `root`, in the one spelling flotilla uses:
/// forward slashes, no `./`, no `.` or `..` segments, no `file://` prefix. Absolute paths under
/// `root` become relative; other absolute paths stay absolute (and will match no test file).
///
/// Purely lexical: symlinks are not resolved, so pass the same spelling of `root` the runner saw
/// (its working directory).
#[must_use]
pub fn normalize_path(path: &str, root: &Utf8Path) -> String {
    let path = path.trim();
    let path = path.strip_prefix("file://").unwrap_or(path);
    let path = Utf8Path::new(path);
    let cleaned = clean(path);
    if cleaned.is_absolute() {
        let root = clean(root);
        if let Ok(relative) = cleaned.strip_prefix(&root) {
            let relative = relative.as_str();
            return if relative.is_empty() {
                ".".into()
            } else {
                relative.into()
            };
        }
    }
    cleaned.into_string()
}

/// Lexical clean-up: drops `.` segments and empty segments, resolves `..` against what precedes
/// it (a leading `..` of a relative path is kept).
fn clean(path: &Utf8Path) -> Utf8PathBuf {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.as_str().split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|last| *last != "..") {
                    parts.pop();
                } else if !path.is_absolute() {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    if path.is_absolute() {
        Utf8PathBuf::from(format!("/{joined}"))
    } else if joined.is_empty() {
        Utf8PathBuf::from(".")
    } else {
        Utf8PathBuf::from(joined)
    }
}

/// What is wrong with a JSON report, or with one JSON event of a stream, called `what` in the
/// message ("RSpec JSON report", "event"). A file that ends early is [`JsonError::Truncated`],
/// so a runner killed while writing its report is never read as a pass.
#[derive(Debug, thiserror::Error)]
pub enum JsonError {
    /// Nothing but whitespace: the runner stopped before writing its report.
    #[error("the {what} is empty")]
    Empty {
        /// What the document is.
        what: &'static str,
    },
    /// The text stops inside a value.
    #[error(
        "the {what} ends early at line {line} column {column} (truncated? the runner may have been killed while writing it)"
    )]
    Truncated {
        /// What the document is.
        what: &'static str,
        /// 1-based line where it stops.
        line: usize,
        /// 1-based column where it stops.
        column: usize,
        /// What serde_json said.
        #[source]
        source: serde_json::Error,
    },
    /// Not JSON at all (an HTML error page, a log).
    #[error("the {what} is not valid JSON: {source}")]
    Syntax {
        /// What the document is.
        what: &'static str,
        /// What serde_json said, with the line and column.
        #[source]
        source: serde_json::Error,
    },
    /// JSON, but not the runner's shape (a missing field, another tool's report).
    #[error("the {what} does not have the expected shape: {source}")]
    Shape {
        /// What the document is.
        what: &'static str,
        /// What serde_json said: which field, line and column.
        #[source]
        source: serde_json::Error,
    },
    /// serde_json could not read its input (it reads from a string here, so this is unexpected).
    #[error("the {what} could not be read: {source}")]
    Io {
        /// What the document is.
        what: &'static str,
        /// What serde_json said.
        #[source]
        source: serde_json::Error,
    },
}

/// Classifies a serde_json error about the document called `what`.
pub(super) fn json_error(what: &'static str, error: serde_json::Error) -> JsonError {
    match error.classify() {
        serde_json::error::Category::Eof => JsonError::Truncated {
            what,
            line: error.line(),
            column: error.column(),
            source: error,
        },
        serde_json::error::Category::Syntax => JsonError::Syntax { what, source: error },
        serde_json::error::Category::Data => JsonError::Shape { what, source: error },
        serde_json::error::Category::Io => JsonError::Io { what, source: error },
    }
}

/// Parses a whole JSON document, refusing empty text with a message naming the report.
pub(super) fn parse_json<T: serde::de::DeserializeOwned>(text: &str, what: &'static str) -> Result<T, JsonError> {
    if text.trim().is_empty() {
        return Err(JsonError::Empty { what });
    }
    serde_json::from_str(text).map_err(|error| json_error(what, error))
}

/// `text` without ANSI escape sequences (colours, cursor moves), as runners write to a TTY.
pub(super) fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('[') => {
                chars.next();
                // CSI: parameters and intermediates, then one final byte in @..~.
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                chars.next();
                // OSC: up to BEL or ESC \.
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {
                chars.next();
            }
        }
    }
    out
}

/// `text` cut to [`OUTPUT_CAP`] bytes (on a character boundary), trimmed; `None` when empty.
pub(super) fn capped(text: &str) -> Option<String> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    if text.len() <= OUTPUT_CAP {
        return Some(text.to_string());
    }
    let mut end = OUTPUT_CAP;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Some(format!("{}\n[... cut at {OUTPUT_CAP} bytes]", &text[..end]))
}

/// The first non-empty line of `text`, trimmed.
pub(super) fn first_line(text: &str) -> Option<String> {
    text.lines().map(str::trim).find(|l| !l.is_empty()).map(str::to_string)
}

/// Milliseconds (as runners report them, possibly fractional or missing) to seconds, never
/// negative or NaN.
pub(super) fn millis_to_secs(millis: Option<f64>) -> f64 {
    match millis {
        Some(ms) if ms.is_finite() && ms > 0.0 => ms / 1000.0,
        _ => 0.0,
    }
}

/// The text of a result file under `tests/fixtures/formats/` (see its README for how each was made).
#[cfg(test)]
pub(super) fn fixture(relative: &str) -> String {
    let path = format!("{}/tests/fixtures/formats/{relative}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("cannot read fixture {path}: {error}"))
}

/// The folder `tests/fixtures/formats/regenerate` ran `project` in: the root its reports name.
#[cfg(test)]
pub(super) fn fixture_root(project: &str) -> Utf8PathBuf {
    Utf8PathBuf::from(format!("/tmp/flotilla-formats/{project}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_become_project_relative() {
        let root = Utf8Path::new("/work/project");
        assert_eq!(normalize_path("./spec/a_spec.rb", root), "spec/a_spec.rb");
        assert_eq!(normalize_path("/work/project/spec/a_spec.rb", root), "spec/a_spec.rb");
        assert_eq!(
            normalize_path("/work/project/./spec//x/../a_spec.rb", root),
            "spec/a_spec.rb"
        );
        assert_eq!(
            normalize_path("file:///work/project/t/a.test.mjs", root),
            "t/a.test.mjs"
        );
        assert_eq!(normalize_path("/elsewhere/a.rb", root), "/elsewhere/a.rb");
        assert_eq!(normalize_path("/work/projectile/a.rb", root), "/work/projectile/a.rb");
        assert_eq!(normalize_path("../sibling/a.rb", root), "../sibling/a.rb");
        assert_eq!(normalize_path("a/b/../../..", root), "..");
        assert_eq!(normalize_path("/work/project", root), ".");
        assert_eq!(
            normalize_path("spec/a.rb", Utf8Path::new("/work/project/")),
            "spec/a.rb"
        );
        assert_eq!(
            normalize_path("/work/project/a.rb", Utf8Path::new("/work/./project/")),
            "a.rb"
        );
    }

    #[test]
    fn ansi_sequences_are_removed() {
        assert_eq!(strip_ansi("\u{1b}[31mred\u{1b}[0m plain"), "red plain");
        assert_eq!(strip_ansi("\u{1b}]8;;http://x\u{7}link\u{1b}]8;;\u{7}"), "link");
        assert_eq!(strip_ansi("no escapes"), "no escapes");
    }

    #[test]
    fn json_errors_name_truncation() {
        let error = parse_json::<serde_json::Value>("{\"a\": [1, 2", "Jest JSON report").unwrap_err();
        assert!(matches!(error, JsonError::Truncated { line: 1, .. }), "{error:?}");
        assert!(error.to_string().contains("truncated"), "{error}");
        let error = parse_json::<serde_json::Value>("   ", "Jest JSON report").unwrap_err();
        assert_eq!(error.to_string(), "the Jest JSON report is empty");
        let error = parse_json::<serde_json::Value>("<html>", "Jest JSON report").unwrap_err();
        assert!(matches!(error, JsonError::Syntax { .. }), "{error:?}");
        assert!(error.to_string().contains("not valid JSON"), "{error}");
    }

    #[test]
    fn output_is_capped_on_a_char_boundary() {
        let long = "é".repeat(OUTPUT_CAP);
        let out = capped(&long).unwrap();
        assert!(out.len() < OUTPUT_CAP + 64);
        assert!(out.ends_with("bytes]"));
        assert_eq!(capped("  \n "), None);
        assert_eq!(first_line("\n\n  first \nsecond"), Some("first".into()));
        assert!((millis_to_secs(Some(1500.0)) - 1.5).abs() < 1e-9);
        assert!(millis_to_secs(Some(f64::NAN)).abs() < 1e-12);
        assert!(millis_to_secs(None).abs() < 1e-12);
    }
}

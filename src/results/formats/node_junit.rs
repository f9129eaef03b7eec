//! [`parse_node_junit`]: the built-in JUnit reporter of `node --test`
//! (`--test-reporter=junit --test-reporter-destination=FILE`, Node ≥ 20.10 / 21.3).
//!
//! What it lacks: no `file` anywhere and `classname="test"` on every case, so with several test
//! files in one job the cases cannot be told apart by file (use one file per job, or flotilla's
//! own reporter: `parse_node_events`). `describe` blocks become nested `<testsuite>`s, which
//! [`parse_junit`](crate::results::parse_junit) flattens: `name` is the test's own name. Here `classname` is dropped (it is
//! always "test") and `file` stays `None`.
//!
//! Errors outside tests: a test file that fails as a whole (an import or syntax error, a
//! non-zero exit after its tests) is a failing `<testcase>` named after the file's absolute path
//! (message "test failed"): here an error outside tests naming the file.

use camino::Utf8Path;

use super::ParsedReport;
use super::common::{normalize_path, strip_ansi};
use super::junit::{JunitError, read_junit};
use crate::results::ReportedStatus;

/// Parses the JUnit that `node --test --test-reporter=junit` writes; `root` is the folder node
/// ran in.
pub fn parse_node_junit(text: &str, root: &Utf8Path) -> Result<ParsedReport, JunitError> {
    let mut parsed = ParsedReport::default();
    for mut case in read_junit(text)? {
        let whole_file = case.name.starts_with('/') && case.status != ReportedStatus::Passed;
        if whole_file {
            let file = normalize_path(&case.name, root);
            let detail = strip_ansi(case.output.as_deref().unwrap_or("")).trim().to_string();
            parsed.errors_outside_tests.push(format!(
                "{file}: the test file failed outside its tests ({}){}",
                case.message.as_deref().unwrap_or("test failed"),
                if detail.is_empty() {
                    String::new()
                } else {
                    format!(":\n{detail}")
                }
            ));
            continue;
        }
        if case.classname.as_deref() == Some("test") {
            case.classname = None;
        }
        parsed.cases.push(case);
    }
    Ok(parsed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::formats::common::{fixture, fixture_root};

    #[test]
    fn real_junit_from_node() {
        let parsed = parse_node_junit(&fixture("node/junit.xml"), &fixture_root("node")).unwrap();
        let find = |name: &str| parsed.cases.iter().find(|c| c.name == name).unwrap();
        assert_eq!(find("fails [p0]").status, ReportedStatus::Failed);
        assert_eq!(find("adds [p0]").status, ReportedStatus::Passed);
        assert_eq!(
            find("concatenates (odd) names: a/b | c.*").status,
            ReportedStatus::Passed
        );
        assert_eq!(find("is skipped").status, ReportedStatus::Skipped);
        assert_eq!(find("is a todo").status, ReportedStatus::Skipped);
        assert_eq!(parsed.cases.iter().filter(|c| c.name.starts_with("sleeps")).count(), 8);
        assert!(parsed.cases.iter().all(|c| c.file.is_none() && c.classname.is_none()));
        assert_eq!(
            parsed.errors_outside_tests.len(),
            1,
            "{:?}",
            parsed.errors_outside_tests
        );
        assert!(parsed.errors_outside_tests[0].starts_with("broken/broken.test.mjs: the test file failed"));
    }

    #[test]
    fn garbage_is_an_error() {
        let full = fixture("node/junit.xml");
        assert!(parse_node_junit(&full[..full.len() / 2], Utf8Path::new("/p")).is_err());
    }
}

//! [`parse_pytest_junit`]: pytest's `--junit-xml=FILE` report.
//!
//! pytest specifics on top of [`parse_junit`](crate::results::parse_junit):
//! - The default family (xunit2) writes only `classname` (`tests.test_a.TestGroup`, the node
//!   id's path with `/` → `.` and `.py` dropped) and `name` (`test_b[param]`). With
//!   `-o junit_family=xunit1` it adds `file` (relative to pytest's rootdir) and `line`, which is
//!   **0-based** (the line of the decorator or `def`, minus one): here it becomes 1-based.
//! - `id`: the pytest node id (`tests/test_a.py::TestGroup::test_b[param]`), rebuilt from `file`,
//!   `classname` and `name` when `file` is there (xunit1); `None` with xunit2.
//! - A collection error (an import or syntax error in a test module, a missing fixture file) is
//!   an `<error message="collection failure">` case with an empty `classname` and the module as
//!   `name` (`broken.test_broken`): an error outside tests here, not a case. pytest exits 2 when
//!   any module fails to collect and then runs nothing, unless `--continue-on-collection-errors`.
//! - Setup and teardown errors (`failed on setup with ...`) are `<error>` cases of the test:
//!   cases with status error. xfail is skipped, a strict xpass is a failure, xpass is a pass.
//!
//! The exit code matters as much as the file: 5 means no test was collected (the file has no
//! case: not a failure when a marker selects nothing in this batch), 4 a usage error (a file or
//! node id that does not exist: "ERROR: not found"; the file still has no case), 2 interrupted
//! (collection errors), 3 an internal error. See `docs/runners.md`.

use camino::Utf8Path;

use super::ParsedReport;
use super::common::{normalize_path, strip_ansi};
use super::junit::{JunitError, read_junit};
use crate::results::ReportedStatus;

/// Parses a pytest JUnit report (`pytest --junit-xml=FILE`, either junit family); `root` is the
/// folder pytest ran in.
pub fn parse_pytest_junit(text: &str, root: &Utf8Path) -> Result<ParsedReport, JunitError> {
    let mut parsed = ParsedReport::default();
    for mut case in read_junit(text)? {
        if case.classname.is_none() && case.status == ReportedStatus::Error {
            let module = case
                .file
                .as_deref()
                .map_or_else(|| case.name.clone(), |f| normalize_path(f, root));
            let detail = strip_ansi(case.output.as_deref().or(case.message.as_deref()).unwrap_or(""));
            parsed.errors_outside_tests.push(format!(
                "{module}: {}:\n{}",
                case.message.as_deref().unwrap_or("collection failure"),
                detail.trim()
            ));
            continue;
        }
        case.line = case.line.map(|l| l.saturating_add(1));
        if let Some(file) = &case.file {
            let file = normalize_path(file, root);
            let module = file.strip_suffix(".py").unwrap_or(&file).replace('/', ".");
            let scope = case
                .classname
                .as_deref()
                .and_then(|c| c.strip_prefix(&module))
                .map(|rest| rest.trim_start_matches('.'))
                .unwrap_or("");
            let mut id = file.clone();
            for part in scope.split('.').filter(|p| !p.is_empty()) {
                id.push_str("::");
                id.push_str(part);
            }
            id.push_str("::");
            id.push_str(&case.name);
            case.id = Some(id);
            case.file = Some(file);
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
    fn xunit1_has_files_lines_and_node_ids() {
        let parsed = parse_pytest_junit(&fixture("pytest/xunit1.xml"), &fixture_root("pytest")).unwrap();
        assert!(parsed.errors_outside_tests.is_empty());
        assert_eq!(parsed.cases.len(), 19);
        let by_id = |id: &str| parsed.cases.iter().find(|c| c.id.as_deref() == Some(id)).unwrap();
        let failed = by_id("tests/test_fail.py::test_fails");
        assert_eq!(failed.status, ReportedStatus::Failed);
        assert_eq!(failed.file.as_deref(), Some("tests/test_fail.py"));
        assert_eq!(failed.line, Some(6), "the decorator's line, 1-based");
        assert!(
            failed
                .message
                .as_deref()
                .unwrap()
                .starts_with("AssertionError: arithmetic is broken")
        );
        let in_class = by_id("tests/test_pass.py::TestGroup::test_in_class");
        assert_eq!(in_class.classname.as_deref(), Some("tests.test_pass.TestGroup"));
        for id in [
            "tests/test_pass.py::test_param[with space]",
            "tests/test_pass.py::test_param[a/b]",
            "tests/test_pass.py::test_param[x::y]",
        ] {
            assert_eq!(by_id(id).status, ReportedStatus::Passed);
        }
        assert_eq!(
            by_id("tests/test_pass.py::test_skipped").status,
            ReportedStatus::Skipped
        );
        let slow: Vec<_> = parsed
            .cases
            .iter()
            .filter(|c| c.name.starts_with("test_slow["))
            .collect();
        assert_eq!(slow.len(), 8);
        assert!(slow.iter().all(|c| c.time > 0.3 && c.time < 2.0));
    }

    #[test]
    fn xunit2_has_classnames_only() {
        let parsed = parse_pytest_junit(&fixture("pytest/xunit2.xml"), &fixture_root("pytest")).unwrap();
        assert_eq!(parsed.cases.len(), 19);
        assert!(
            parsed
                .cases
                .iter()
                .all(|c| c.file.is_none() && c.line.is_none() && c.id.is_none())
        );
        let flaky = parsed.cases.iter().find(|c| c.name == "test_flaky").unwrap();
        assert_eq!(flaky.classname.as_deref(), Some("tests.test_flaky"));
        assert_eq!(flaky.status, ReportedStatus::Failed);
    }

    #[test]
    fn collection_errors_are_outside_tests() {
        // Exit code 2: pytest collected, found an error, and ran nothing.
        let parsed = parse_pytest_junit(&fixture("pytest/collection_error.xml"), &fixture_root("pytest")).unwrap();
        assert!(parsed.cases.is_empty());
        assert_eq!(parsed.errors_outside_tests.len(), 1);
        let error = &parsed.errors_outside_tests[0];
        assert!(error.starts_with("broken.test_broken: collection failure:"), "{error}");
        assert!(error.contains("No module named 'flotilla_no_such_module'"));

        // --continue-on-collection-errors (exit 1): the good module ran; xunit1 names the file.
        let parsed = parse_pytest_junit(
            &fixture("pytest/collection_error_continue.xml"),
            &fixture_root("pytest"),
        )
        .unwrap();
        assert_eq!(parsed.cases.len(), 8);
        assert_eq!(parsed.errors_outside_tests.len(), 1);
        assert!(parsed.errors_outside_tests[0].starts_with("broken/test_broken.py: collection failure:"));

        let parsed = parse_pytest_junit(&fixture("pytest/syntax_error.xml"), &fixture_root("pytest-variants")).unwrap();
        assert_eq!(parsed.errors_outside_tests.len(), 1);
        assert!(parsed.errors_outside_tests[0].contains("SyntaxError"));
    }

    #[test]
    fn no_tests_and_usage_errors_leave_an_empty_report() {
        // Exit 5 (nothing selected) and exit 4 (no such file) both write a report with no case.
        for file in ["pytest/no_tests.xml", "pytest/usage_error.xml"] {
            let parsed = parse_pytest_junit(&fixture(file), &fixture_root("pytest")).unwrap();
            assert_eq!(parsed, ParsedReport::default(), "{file}");
        }
    }

    #[test]
    fn setup_teardown_xfail_and_xpass() {
        let parsed = parse_pytest_junit(&fixture("pytest/variants.xml"), &fixture_root("pytest-variants")).unwrap();
        let status = |name: &str| parsed.cases.iter().find(|c| c.name == name).unwrap().status.clone();
        assert_eq!(status("test_setup_error"), ReportedStatus::Error);
        assert_eq!(status("test_teardown_error"), ReportedStatus::Error);
        assert_eq!(status("test_xfail"), ReportedStatus::Skipped);
        assert_eq!(status("test_xpass_strict"), ReportedStatus::Failed);
        assert_eq!(status("test_xpass"), ReportedStatus::Passed);
        assert_eq!(status("test_output"), ReportedStatus::Failed);
        assert!(
            parsed.errors_outside_tests.is_empty(),
            "setup errors belong to their test"
        );
        let setup = parsed.cases.iter().find(|c| c.name == "test_setup_error").unwrap();
        assert_eq!(
            setup.message.as_deref(),
            Some("failed on setup with \"RuntimeError: setup exploded\"")
        );
    }

    #[test]
    fn garbage_is_an_error() {
        let full = fixture("pytest/xunit1.xml");
        assert!(parse_pytest_junit(&full[..full.len() / 2], Utf8Path::new("/p")).is_err());
        assert!(parse_pytest_junit("", Utf8Path::new("/p")).is_err());
    }
}

//! [`parse_junit_report`]: plain JUnit XML as a [`ParsedReport`], for producers whose JUnit needs
//! no dialect handling: cargo-nextest (`[profile.<name>.junit]`), jest-junit, go-junit-report,
//! gotestsum, Maven surefire and `custom` suites.
//!
//! The cases are what [`parse_junit`] reads, with `file` made relative to the root. JUnit has no
//! notion of errors outside tests, so `errors_outside_tests` stays empty: the caller decides from
//! the exit code (a non-zero exit with no failing case is one). nextest writes its JUnit only
//! once tests ran: a build failure (exit 101) leaves no file, or the previous run's file, which
//! is why each job needs its own report path, deleted before the job starts.
//!
//! nextest mapping: `classname` is the binary id (`suite::fail`, or the crate name for unit
//! tests), `name` the test's path in it (`tests::unit_adds_p0`), `time` the last attempt's; a
//! test that passed on a retry carries `flakyFailure` elements (counted in `flaky_runs`).
//! `cargo nextest run -E 'binary_id(suite::fail) & test(=fails_p0)'` selects one test.

use camino::Utf8Path;

use super::ParsedReport;
use super::common::normalize_path;
use crate::results::{JunitReadError, ReportedCase, parse_junit};

/// What is wrong with a JUnit XML report (plain JUnit, pytest's and node's dialects).
#[derive(Debug, thiserror::Error)]
pub enum JunitError {
    /// Nothing but whitespace: the runner stopped before writing its report.
    #[error("the JUnit report is empty")]
    Empty,
    /// What the JUnit reader ([`parse_junit`]) found wrong: XML that does not parse (with the
    /// byte offset), a file that ends before its elements close (truncated), a document with no
    /// `<testsuites>` or `<testsuite>`, a `time` that is not a number. Worded as the reader
    /// words it.
    #[error(transparent)]
    Malformed(#[from] JunitReadError),
}

/// The cases of a JUnit document, through the shared reader, with its error typed.
pub(super) fn read_junit(text: &str) -> Result<Vec<ReportedCase>, JunitError> {
    if text.trim().is_empty() {
        return Err(JunitError::Empty);
    }
    Ok(parse_junit(text)?)
}

/// Parses a JUnit XML report; `root` is the folder the runner ran in.
pub fn parse_junit_report(text: &str, root: &Utf8Path) -> Result<ParsedReport, JunitError> {
    let mut cases = read_junit(text)?;
    for case in &mut cases {
        if let Some(file) = &case.file {
            case.file = Some(normalize_path(file, root));
        }
    }
    Ok(ParsedReport {
        cases,
        errors_outside_tests: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::ReportedStatus;
    use crate::results::formats::common::{fixture, fixture_root};

    #[test]
    fn real_nextest_junit() {
        let parsed = parse_junit_report(&fixture("nextest/junit.xml"), &fixture_root("nextest")).unwrap();
        assert_eq!(parsed.cases.len(), 15, "the ignored test is not in nextest's JUnit");
        let find = |class: &str, name: &str| {
            parsed
                .cases
                .iter()
                .find(|c| c.classname.as_deref() == Some(class) && c.name == name)
                .unwrap()
        };
        let failed = find("suite::fail", "fails_p0");
        assert_eq!(failed.status, ReportedStatus::Failed);
        assert!(
            failed
                .message
                .as_deref()
                .unwrap()
                .contains("panicked at suite/tests/fail.rs:5:5")
        );
        assert!(failed.output.as_deref().unwrap().contains("arithmetic is broken"));
        assert_eq!(find("suite", "tests::unit_adds_p0").status, ReportedStatus::Passed);
        assert_eq!(
            find("suite::pass", "strings::concatenates").status,
            ReportedStatus::Passed
        );
        assert_eq!(
            find("suite::flaky", "passes_on_retry_p1").status,
            ReportedStatus::Failed
        );
        let slow: Vec<_> = parsed
            .cases
            .iter()
            .filter(|c| c.classname.as_deref() == Some("suite::slow"))
            .collect();
        assert_eq!(slow.len(), 8);
        assert!(slow.iter().all(|c| c.time > 0.3 && c.time < 2.0));
        assert!(parsed.cases.iter().all(|c| c.file.is_none() && c.line.is_none()));
    }

    #[test]
    fn nextest_retries_mark_flaky_tests() {
        let parsed = parse_junit_report(&fixture("nextest/junit_retries.xml"), &fixture_root("nextest")).unwrap();
        let flaky = parsed.cases.iter().find(|c| c.name == "passes_on_retry_p1").unwrap();
        assert_eq!(flaky.status, ReportedStatus::Passed);
        assert_eq!(flaky.flaky_runs, 1);
        let failed = parsed.cases.iter().find(|c| c.name == "fails_p0").unwrap();
        assert_eq!(failed.status, ReportedStatus::Failed, "failed on both attempts");
    }

    #[test]
    fn files_are_normalised() {
        let xml = r#"<testsuites><testsuite name="s" file="/work/p/./src/a.test.js"><testcase name="t"/></testsuite></testsuites>"#;
        let parsed = parse_junit_report(xml, Utf8Path::new("/work/p")).unwrap();
        assert_eq!(parsed.cases[0].file.as_deref(), Some("src/a.test.js"));
        assert!(parse_junit_report("<testsuites><testsuite>", Utf8Path::new("/p")).is_err());
        assert!(matches!(
            parse_junit_report(" \n", Utf8Path::new("/p")),
            Err(JunitError::Empty)
        ));
    }
}

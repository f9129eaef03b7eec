//! [`parse_mocha_junit`]: the JUnit written by mocha-junit-reporter, which is what Cypress's
//! documented `cypress run --reporter junit --reporter-options "mochaFile=DIR/result-[hash].xml"`
//! uses (Cypress bundles it; bktec reads no results for Cypress at all).
//!
//! Cypress runs each spec file on its own and the reporter writes one XML per spec (`[hash]`
//! keeps them apart): read every file of the job's result folder and concatenate.
//!
//! mocha-junit-reporter specifics:
//! - Suites are written flat, not nested, and only the first one ("Root Suite") carries the
//!   spec's `file` (relative to the Cypress project): it applies to every case of the document.
//! - By default `name` is the test's full title (describe titles and its own) and `classname`
//!   its own title; here `name` stays the full title and `classname` is dropped (it repeats the
//!   name's tail). Pending tests are left out unless `includePending` is set.
//! - No `id`: Cypress addresses spec files (`--spec`), not tests.
//!
//! Errors outside tests: the test Cypress generates for an error in a spec file outside any
//! test ("An uncaught error was detected outside of a test": an import or compile error), and
//! failing hooks (`"before all" hook for "..."` and friends), which stand in for tests that then
//! never ran.

use camino::Utf8Path;
use quick_xml::Reader;
use quick_xml::events::Event;

use super::ParsedReport;
use super::common::{normalize_path, strip_ansi};
use super::junit::{JunitError, read_junit};
use crate::results::ReportedStatus;

const OUTSIDE_A_TEST: &str = "An uncaught error was detected outside of a test";
const HOOKS: [&str; 4] = [
    "\"before all\" hook",
    "\"after all\" hook",
    "\"before each\" hook",
    "\"after each\" hook",
];

/// What is wrong with one mocha-junit-reporter file.
#[derive(Debug, thiserror::Error)]
pub enum MochaJunitError {
    /// Empty, truncated, not XML, or not JUnit.
    #[error(transparent)]
    Junit(#[from] JunitError),
    /// The XML does not parse where the spec's `file` is looked for.
    #[error("malformed JUnit XML: {source}")]
    Xml {
        /// What quick-xml said.
        #[source]
        source: quick_xml::Error,
    },
    /// The root suite's `file` attribute cannot be read (a bad entity or character reference).
    #[error("malformed JUnit XML attribute `file`: {source}")]
    FileAttribute {
        /// What quick-xml said.
        #[source]
        source: quick_xml::Error,
    },
}

/// Parses one mocha-junit-reporter XML file (one Cypress spec); `root` is the Cypress project
/// folder.
pub fn parse_mocha_junit(text: &str, root: &Utf8Path) -> Result<ParsedReport, MochaJunitError> {
    let cases = read_junit(text)?;
    let file = spec_file(text)?.map(|f| normalize_path(&f, root));
    let mut parsed = ParsedReport::default();
    for mut case in cases {
        let outside = case.name.contains(OUTSIDE_A_TEST) || HOOKS.iter().any(|hook| case.name.contains(hook));
        if outside && case.status != ReportedStatus::Passed {
            let detail = strip_ansi(case.output.as_deref().or(case.message.as_deref()).unwrap_or(""));
            parsed.errors_outside_tests.push(format!(
                "{}: {}:\n{}",
                file.as_deref().unwrap_or("(unknown spec)"),
                case.name,
                detail.trim()
            ));
            continue;
        }
        case.classname = None;
        if case.file.is_none() {
            case.file.clone_from(&file);
        } else if let Some(own) = &case.file {
            case.file = Some(normalize_path(own, root));
        }
        parsed.cases.push(case);
    }
    Ok(parsed)
}

/// The first `file` attribute on a `<testsuite>` (the "Root Suite").
fn spec_file(text: &str) -> Result<Option<String>, MochaJunitError> {
    let mut reader = Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(start) | Event::Empty(start)) if start.local_name().as_ref() == "testsuite" => {
                for attribute in start.attributes().with_checks(false).flatten() {
                    if attribute.key.local_name().as_ref() == "file" {
                        let value = attribute
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map_err(|source| MochaJunitError::FileAttribute { source })?;
                        return Ok(Some(value.into_owned()));
                    }
                }
            }
            Ok(Event::Eof) => return Ok(None),
            Ok(_) => {}
            Err(source) => return Err(MochaJunitError::Xml { source }),
        }
    }
}

#[cfg(test)]
mod tests {
    //! Cypress cannot be installed here (no npm registry): the files under `cypress/` are
    //! hand-written from Cypress's reporter documentation and mocha-junit-reporter's source
    //! (`getTestsuiteData`, `getTestcaseData`: file on the root suite only, flat suites,
    //! `name` = full title, `classname` = title).

    use super::*;
    use crate::results::formats::common::fixture;

    fn root() -> &'static Utf8Path {
        Utf8Path::new("/tmp/flotilla-formats/cypress")
    }

    #[test]
    fn the_root_suite_names_the_spec_of_every_case() {
        let parsed = parse_mocha_junit(&fixture("cypress/login.xml"), root()).unwrap();
        assert!(parsed.errors_outside_tests.is_empty());
        let names: Vec<_> = parsed.cases.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "Login shows the form",
                "Login rejects a wrong password",
                "Login with remember me keeps the session"
            ]
        );
        assert!(
            parsed
                .cases
                .iter()
                .all(|c| c.file.as_deref() == Some("cypress/e2e/login.cy.js"))
        );
        assert!(parsed.cases.iter().all(|c| c.classname.is_none()));
        let failed = &parsed.cases[1];
        assert_eq!(failed.status, ReportedStatus::Failed);
        assert!(
            failed
                .message
                .as_deref()
                .unwrap()
                .starts_with("Timed out retrying after 4000ms")
        );
        assert!((failed.time - 0.5).abs() < 1e-9);
    }

    #[test]
    fn errors_outside_a_test_and_failing_hooks() {
        let parsed = parse_mocha_junit(&fixture("cypress/broken.xml"), root()).unwrap();
        assert!(parsed.cases.is_empty());
        assert_eq!(parsed.errors_outside_tests.len(), 1);
        let error = &parsed.errors_outside_tests[0];
        assert!(error.starts_with("cypress/e2e/broken.cy.js: An uncaught error was detected outside of a test:"));
        assert!(error.contains("Cannot find module './does-not-exist'"));

        let parsed = parse_mocha_junit(&fixture("cypress/dashboard.xml"), root()).unwrap();
        assert!(parsed.cases.is_empty());
        assert_eq!(parsed.errors_outside_tests.len(), 1);
        assert!(parsed.errors_outside_tests[0].contains("\"before all\" hook for \"loads\""));
    }

    #[test]
    fn garbage_is_an_error() {
        let full = fixture("cypress/login.xml");
        assert!(parse_mocha_junit(&full[..full.len() / 2], root()).is_err());
        assert!(parse_mocha_junit("<html/>", root()).is_err());
    }
}

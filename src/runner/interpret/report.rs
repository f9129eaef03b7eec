//! The job's report: what the runner left ([`ReportContents`], read from disk by
//! [`read_report`] so that the interpreter itself works on text), its parse by the format's
//! parser ([`parse_report`], one typed error per format gathered in [`ReportProblem`]), and
//! [`ReportError`]: which format, which file, what is wrong.

use std::path::PathBuf;

use camino::{Utf8Path, Utf8PathBuf};

use crate::results::formats::{
    CucumberJsonError, GoTestJsonError, JestJsonError, JunitError, MochaJunitError, NodeEventsError, ParsedReport,
    PlaywrightJsonError, RspecJsonError, VitestJsonError, parse_cucumber_json, parse_go_test_json, parse_jest_json,
    parse_junit_report, parse_mocha_junit, parse_node_events, parse_playwright_json, parse_rspec_json,
    parse_vitest_json,
};
use crate::runners::{ReportFormat, ReportSource};

/// What a job left where its report should be.
#[derive(Debug)]
pub(crate) enum ReportContents {
    /// No report: no file, or a folder that is missing or holds no file.
    Missing,
    /// One document: the report file, or the job's stdout then its stderr (go test -json).
    Text(String),
    /// The files of a report folder (one per spec), sorted, each with its text or why it could
    /// not be read.
    Files(Vec<(PathBuf, std::io::Result<String>)>),
}

/// Reads what the job left: the report file at `path`, the folder `path`, or (for a runner
/// whose report is its output) the job's `stdout` and `stderr` logs.
pub(crate) fn read_report(
    source: ReportSource,
    path: &Utf8Path,
    stdout: &Utf8Path,
    stderr: &Utf8Path,
) -> ReportContents {
    match source {
        ReportSource::File(_) => std::fs::read_to_string(path).map_or(ReportContents::Missing, ReportContents::Text),
        ReportSource::Stdout(_) => {
            // A job that printed nothing leaves no log file: that is empty output, not no report.
            let stdout = std::fs::read_to_string(stdout).unwrap_or_default();
            let stderr = std::fs::read_to_string(stderr).unwrap_or_default();
            ReportContents::Text(format!("{stdout}\n{stderr}"))
        }
        ReportSource::Dir(_) => {
            let Ok(entries) = std::fs::read_dir(path) else {
                return ReportContents::Missing;
            };
            let mut files: Vec<PathBuf> = entries
                .flatten()
                .map(|entry| entry.path())
                .filter(|p| p.is_file())
                .collect();
            if files.is_empty() {
                return ReportContents::Missing;
            }
            files.sort();
            ReportContents::Files(
                files
                    .into_iter()
                    .map(|file| {
                        let text = std::fs::read_to_string(&file);
                        (file, text)
                    })
                    .collect(),
            )
        }
    }
}

/// What is wrong with a report (or with one file of a report folder), in the words of its
/// format's parser.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ReportProblem {
    #[error(transparent)]
    Junit(#[from] JunitError),
    #[error(transparent)]
    RspecJson(#[from] RspecJsonError),
    #[error(transparent)]
    CucumberJson(#[from] CucumberJsonError),
    #[error(transparent)]
    JestJson(JestJsonError),
    #[error(transparent)]
    VitestJson(VitestJsonError),
    #[error(transparent)]
    GoTestJson(#[from] GoTestJsonError),
    #[error(transparent)]
    NodeEvents(#[from] NodeEventsError),
    #[error(transparent)]
    PlaywrightJson(#[from] PlaywrightJsonError),
    #[error(transparent)]
    MochaJunit(#[from] MochaJunitError),
    /// A file of a report folder that exists but cannot be read.
    #[error("{0}")]
    Unreadable(#[source] std::io::Error),
}

/// A report the job wrote that cannot be used: every target of the job is an error.
#[derive(Debug, thiserror::Error)]
#[error("malformed {} report `{path}`: {}{problem}", .format.name(), .file.as_ref().map(|f| format!("{}: ", f.display())).unwrap_or_default())]
pub(crate) struct ReportError {
    pub(crate) format: ReportFormat,
    /// Where the runner was told to write its report (`{result}`): a file or a folder.
    pub(crate) path: Utf8PathBuf,
    /// The file of the folder `path` that is wrong.
    pub(crate) file: Option<PathBuf>,
    #[source]
    pub(crate) problem: ReportProblem,
}

/// Dispatches `text` to the parser of `format` (`src/results/formats/`).
pub(crate) fn parse_report(format: ReportFormat, text: &str, root: &Utf8Path) -> Result<ParsedReport, ReportProblem> {
    Ok(match format {
        ReportFormat::Junit => parse_junit_report(text, root)?,
        ReportFormat::RspecJson => parse_rspec_json(text, root)?,
        ReportFormat::CucumberJson => parse_cucumber_json(text, root)?,
        ReportFormat::JestJson => parse_jest_json(text, root).map_err(ReportProblem::JestJson)?,
        ReportFormat::VitestJson => parse_vitest_json(text, root).map_err(ReportProblem::VitestJson)?,
        ReportFormat::GoTestJson => parse_go_test_json(text, root)?,
        ReportFormat::NodeEvents => parse_node_events(text, root)?,
        ReportFormat::PlaywrightJson => parse_playwright_json(text, root)?,
        ReportFormat::MochaJunit => parse_mocha_junit(text, root)?,
    })
}

/// The report in `contents`, parsed (a folder's files merged in order), or `None` when the job
/// wrote none. The error names the file of a folder that is wrong; the caller adds the rest.
pub(super) fn parse_contents(
    format: ReportFormat,
    contents: ReportContents,
    root: &Utf8Path,
) -> Option<Result<ParsedReport, (Option<PathBuf>, ReportProblem)>> {
    match contents {
        ReportContents::Missing => None,
        ReportContents::Text(text) => Some(parse_report(format, &text, root).map_err(|problem| (None, problem))),
        ReportContents::Files(files) => {
            let mut merged = ParsedReport::default();
            for (file, text) in files {
                let parsed = text
                    .map_err(ReportProblem::Unreadable)
                    .and_then(|text| parse_report(format, &text, root));
                match parsed {
                    Ok(parsed) => {
                        merged.cases.extend(parsed.cases);
                        merged.errors_outside_tests.extend(parsed.errors_outside_tests);
                    }
                    Err(problem) => return Some(Err((Some(file), problem))),
                }
            }
            Some(Ok(merged))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_file_of_a_folder_is_named() {
        let root = Utf8Path::new("/p");
        let good = r#"<testsuites><testsuite name="Root Suite" file="cypress/e2e/a.cy.js"><testcase name="t"/></testsuite></testsuites>"#;
        let contents = ReportContents::Files(vec![
            (PathBuf::from("/r/job/a.xml"), Ok(good.to_string())),
            (PathBuf::from("/r/job/b.xml"), Ok("<testsuites><testsuite>".to_string())),
        ]);
        let Some(Err((file, problem))) = parse_contents(ReportFormat::MochaJunit, contents, root) else {
            panic!("the second file is malformed");
        };
        assert!(
            matches!(problem, ReportProblem::MochaJunit(MochaJunitError::Junit(_))),
            "{problem:?}"
        );
        let error = ReportError {
            format: ReportFormat::MochaJunit,
            path: "/r/job".into(),
            file,
            problem,
        };
        assert!(
            error
                .to_string()
                .starts_with("malformed mocha-junit-reporter JUnit report `/r/job`: /r/job/b.xml: malformed JUnit XML"),
            "{error}"
        );
        assert!(std::error::Error::source(&error).is_some());
    }

    #[test]
    fn an_unreadable_file_of_a_folder_is_an_error() {
        let contents = ReportContents::Files(vec![(
            PathBuf::from("/r/job/a.xml"),
            Err(std::io::Error::from(std::io::ErrorKind::PermissionDenied)),
        )]);
        let result = parse_contents(ReportFormat::MochaJunit, contents, Utf8Path::new("/p"));
        assert!(matches!(result, Some(Err((Some(_), ReportProblem::Unreadable(_))))));
    }

    #[test]
    fn a_folder_merges_its_files_in_order() {
        let spec = |file: &str| {
            format!(
                r#"<testsuites><testsuite name="Root Suite" file="{file}"><testcase name="t"/></testsuite></testsuites>"#
            )
        };
        let contents = ReportContents::Files(vec![
            (PathBuf::from("a.xml"), Ok(spec("a.cy.js"))),
            (PathBuf::from("b.xml"), Ok(spec("b.cy.js"))),
        ]);
        let parsed = parse_contents(ReportFormat::MochaJunit, contents, Utf8Path::new("/p"))
            .unwrap()
            .unwrap();
        let files: Vec<_> = parsed.cases.iter().map(|c| c.file.as_deref().unwrap()).collect();
        assert_eq!(files, ["a.cy.js", "b.cy.js"]);
        assert!(parse_contents(ReportFormat::MochaJunit, ReportContents::Missing, Utf8Path::new("/p")).is_none());
    }
}

//! [`Cypress`]: `cypress run` with the bundled JUnit reporter (mocha-junit-reporter), which
//! writes one XML file per spec into the job's report folder (`mochaFile={result}/result-[hash].xml`).
//! The unit is the spec file (`--spec`, comma-separated; glob characters in names are escaped):
//! Cypress cannot address one test or list tests without plugins, so retries re-run spec files
//! and specs are never split. Selection needs the `@cypress/grep` plugin: it is passed as
//! `--env grepTags=EXPR`. Cypress's own retries are turned off (`--config retries=0`). Not run
//! here (Cypress cannot be installed offline): command building and parsing are tested against
//! result files written from its documentation. An error outside a test ("An uncaught error
//! was detected outside of a test") and failing hooks are errors outside tests.

use std::ffi::OsString;

use super::Capabilities;
use super::ListError;
use super::adapter::{Adapter, Invocation, ListedTest, Project, ReportFormat, ReportSource};
use super::jest::NODE_MODULES;
use crate::results::ReportedCase;

/// The Cypress adapter.
#[derive(Debug)]
pub struct Cypress;

impl Adapter for Cypress {
    fn capabilities(&self) -> Capabilities {
        Capabilities::DEFAULT
    }

    fn default_files(&self) -> &'static [&'static str] {
        // Cypress's default `specPattern`.
        &["cypress/e2e/**/*.cy.{js,jsx,ts,tsx}"]
    }

    fn always_exclude(&self) -> &'static [&'static str] {
        NODE_MODULES
    }

    fn default_program(&self) -> &'static [&'static str] {
        &["node_modules/.bin/cypress"]
    }

    fn subcommand(&self) -> &'static [&'static str] {
        &["run"]
    }

    fn batch_args(&self, invocation: &Invocation<'_>) -> Vec<OsString> {
        let specs: Vec<String> = invocation.files().iter().map(|f| glob_escape(f)).collect();
        let mut args: Vec<OsString> = vec![
            "--spec".into(),
            specs.join(",").into(),
            "--reporter".into(),
            "junit".into(),
            "--reporter-options".into(),
            format!("mochaFile={}/result-[hash].xml", invocation.result).into(),
            "--config".into(),
            "retries=0".into(),
        ];
        if let Some(select) = invocation.select {
            args.push("--env".into());
            args.push(format!("grepTags={select}").into());
        }
        args
    }

    fn report(&self) -> ReportSource {
        ReportSource::Dir(ReportFormat::MochaJunit)
    }

    fn list_args(&self, _: &Project<'_>, _: Option<&str>) -> Option<Vec<OsString>> {
        None
    }

    fn parse_list(&self, _: &str, _: &Project<'_>) -> Result<Vec<ListedTest>, ListError> {
        Ok(Vec::new())
    }

    /// `cypress/e2e/login.cy.ts::Login shows an error`: the spec and the test's full title.
    fn test_id(&self, case: &ReportedCase, file: &str) -> Option<String> {
        Some(format!("{file}::{}", case.name))
    }
}

/// A path as a literal glob (Cypress expands `--spec` entries as globs).
fn glob_escape(file: &str) -> String {
    let mut out = String::with_capacity(file.len());
    for c in file.chars() {
        if matches!(c, '*' | '?' | '[' | ']' | '{' | '}' | '(' | ')' | '!' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use camino::Utf8Path;

    use super::*;
    use crate::runners::Target;

    #[test]
    fn batch_args_run_specs_into_a_report_folder() {
        let targets = vec![
            Target::file("cypress/e2e/login.cy.ts"),
            Target::file("cypress/e2e/[id]/page.cy.ts"),
        ];
        let invocation = Invocation {
            targets: &targets,
            result: "/run/results/job-00004",
            root: Utf8Path::new("/p"),
            worker: 1,
            run_id: "r",
            select: Some("@p0"),
            deselect: &[],
        };
        let args: Vec<String> = Cypress
            .batch_args(&invocation)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(
            args,
            [
                "--spec",
                r"cypress/e2e/login.cy.ts,cypress/e2e/\[id\]/page.cy.ts",
                "--reporter",
                "junit",
                "--reporter-options",
                "mochaFile=/run/results/job-00004/result-[hash].xml",
                "--config",
                "retries=0",
                "--env",
                "grepTags=@p0"
            ]
        );
    }

    #[test]
    fn documented_reports_give_spec_and_title_ids() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/formats/cypress/login.xml"
        ))
        .unwrap();
        let parsed = crate::results::formats::parse_mocha_junit(&text, Utf8Path::new("/p")).unwrap();
        assert_eq!(Cypress.report(), ReportSource::Dir(ReportFormat::MochaJunit));
        let ids: Vec<String> = parsed
            .cases
            .iter()
            .filter_map(|c| Cypress.test_id(c, c.file.as_deref()?))
            .collect();
        assert_eq!(
            ids,
            [
                "cypress/e2e/login.cy.js::Login shows the form",
                "cypress/e2e/login.cy.js::Login rejects a wrong password",
                "cypress/e2e/login.cy.js::Login with remember me keeps the session"
            ]
        );
    }
}

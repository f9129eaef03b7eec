//! [`Playwright`]: `playwright test` with its JSON reporter (the report path is the environment
//! variable `PLAYWRIGHT_JSON_OUTPUT_FILE`, not a flag; `list` on stdout for people), tests
//! addressed by `file:line` (plus `--project` when the report names one), listed with
//! `--list --reporter=json`, selection with `--grep`. Playwright's own retries are turned off
//! (`--retries=0`): flotilla retries. Not run here (Playwright cannot be installed offline):
//! command building and parsing are tested against result files written from its
//! documentation. Its file arguments are regular expressions on absolute paths: each is
//! escaped and anchored (`/tests/a\.spec\.ts$`). Errors in the report's top-level `errors`
//! (a file that fails to load, global setup) are errors outside tests.

use std::ffi::OsString;

use super::Capabilities;
use super::ListError;
use super::adapter::{Adapter, Invocation, ListedTest, Project, ReportFormat, ReportSource};
use super::common::regex_escape;
use super::jest::{NODE_MODULES, listed_cases};
use crate::results::ReportedCase;
use crate::results::formats::parse_playwright_json;

/// The Playwright adapter.
#[derive(Debug)]
pub struct Playwright;

impl Adapter for Playwright {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            addresses_tests: true,
            ..Capabilities::DEFAULT
        }
    }

    fn default_files(&self) -> &'static [&'static str] {
        // Playwright's default `testMatch`: **/*.@(spec|test).?(c|m)[jt]s?(x).
        &["**/*.{spec,test}.{js,jsx,ts,tsx,mjs,cjs,mts,cts}"]
    }

    fn always_exclude(&self) -> &'static [&'static str] {
        NODE_MODULES
    }

    fn default_program(&self) -> &'static [&'static str] {
        &["node_modules/.bin/playwright"]
    }

    fn subcommand(&self) -> &'static [&'static str] {
        &["test"]
    }

    fn batch_args(&self, invocation: &Invocation<'_>) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec![
            "--reporter=json,list".into(),
            "--retries=0".into(),
            "--pass-with-no-tests".into(),
        ];
        if let Some(select) = invocation.select {
            args.push("--grep".into());
            args.push(select.into());
        }
        let mut projects: Vec<&str> = Vec::new();
        let mut every_project = invocation.has_whole_files();
        for target in invocation.targets {
            match target.test.as_deref().and_then(|id| location(id, &target.file)) {
                Some((line, project)) => {
                    args.push(format!("{}:{line}", file_filter(&target.file)).into());
                    match project {
                        Some(project) if !projects.contains(&project) => projects.push(project),
                        Some(_) => {}
                        None => every_project = true,
                    }
                }
                None => args.push(file_filter(&target.file).into()),
            }
        }
        if !every_project {
            args.extend(projects.into_iter().map(|p| OsString::from(format!("--project={p}"))));
        }
        args
    }

    fn environment(&self, invocation: &Invocation<'_>) -> Vec<(String, String)> {
        vec![("PLAYWRIGHT_JSON_OUTPUT_FILE".into(), invocation.result.into())]
    }

    fn report(&self) -> ReportSource {
        ReportSource::File(ReportFormat::PlaywrightJson)
    }

    fn lists_tests(&self, _: Option<&str>) -> bool {
        true
    }

    fn list_args(&self, project: &Project<'_>, select: Option<&str>) -> Option<Vec<OsString>> {
        let mut args: Vec<OsString> = vec!["--list".into(), "--reporter=json".into()];
        if let Some(select) = select {
            args.push("--grep".into());
            args.push(select.into());
        }
        args.extend(project.files.iter().map(|f| OsString::from(file_filter(f))));
        Some(args)
    }

    fn parse_list(&self, stdout: &str, project: &Project<'_>) -> Result<Vec<ListedTest>, ListError> {
        let json = stdout.find('{').map_or(stdout, |at| &stdout[at..]);
        Ok(listed_cases(
            &parse_playwright_json(json, project.root)?.cases,
            project,
            self,
        ))
    }

    /// `tests/a.spec.ts:12`, with ` [project]` when the report names a project.
    fn test_id(&self, case: &ReportedCase, file: &str) -> Option<String> {
        let base = match case.line {
            Some(line) => format!("{file}:{line}"),
            None => file.to_string(),
        };
        Some(match &case.classname {
            Some(project) => format!("{base} [{project}]"),
            None => base,
        })
    }
}

/// A file as a Playwright file filter: its positional arguments are regular expressions
/// matched against absolute paths, so escape it and anchor it at a path boundary and the end.
fn file_filter(file: &str) -> String {
    format!("/{}$", regex_escape(file))
}

/// The line and project of a `file:line [project]` id.
fn location<'a>(id: &'a str, file: &str) -> Option<(u32, Option<&'a str>)> {
    let rest = id.strip_prefix(file)?.strip_prefix(':')?;
    let (line, project) = match rest.split_once(" [") {
        Some((line, project)) => (line, Some(project.strip_suffix(']')?)),
        None => (rest, None),
    };
    Some((line.parse().ok()?, project))
}

#[cfg(test)]
mod tests {
    use camino::Utf8Path;

    use super::*;
    use crate::runners::Target;

    #[test]
    fn batch_args_escape_files_and_address_lines_per_project() {
        let targets = vec![
            Target {
                file: "tests/app/[id]/page.spec.ts".into(),
                test: Some("tests/app/[id]/page.spec.ts:12 [chromium]".into()),
            },
            Target {
                file: "tests/b.spec.ts".into(),
                test: Some("tests/b.spec.ts:3 [firefox]".into()),
            },
        ];
        let invocation = Invocation {
            targets: &targets,
            result: "/run/results/job-00001.json",
            root: Utf8Path::new("/p"),
            worker: 1,
            run_id: "r",
            select: Some("@p0"),
            deselect: &[],
        };
        let args: Vec<String> = Playwright
            .batch_args(&invocation)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(
            args,
            [
                "--reporter=json,list",
                "--retries=0",
                "--pass-with-no-tests",
                "--grep",
                "@p0",
                r"/tests/app/\[id\]/page\.spec\.ts$:12",
                r"/tests/b\.spec\.ts$:3",
                "--project=chromium",
                "--project=firefox"
            ]
        );
        assert_eq!(
            Playwright.environment(&invocation),
            [(
                "PLAYWRIGHT_JSON_OUTPUT_FILE".to_string(),
                "/run/results/job-00001.json".to_string()
            )]
        );
        let whole = vec![Target::file("tests/b.spec.ts")];
        let invocation = Invocation {
            targets: &whole,
            select: None,
            ..invocation
        };
        let args: Vec<String> = Playwright
            .batch_args(&invocation)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(args[3..], [r"/tests/b\.spec\.ts$"]);
    }

    #[test]
    fn documented_report_gives_line_and_project_ids_and_lists_them() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/formats/playwright/run.json"
        ))
        .unwrap();
        let files = vec![
            "tests/example.spec.ts".to_string(),
            "tests/checkout.spec.ts".to_string(),
        ];
        let project = Project {
            root: Utf8Path::new("/tmp/flotilla-formats/playwright"),
            files: &files,
        };
        let listed = Playwright
            .parse_list(&format!("Listing tests:\n{text}"), &project)
            .unwrap();
        let ids: Vec<&str> = listed.iter().map(|t| t.id.as_str()).collect();
        assert!(ids.contains(&"tests/example.spec.ts:11 [firefox]"), "{ids:?}");
        assert!(ids.contains(&"tests/checkout.spec.ts:4 [chromium]"), "{ids:?}");
        let target = Target {
            file: "tests/example.spec.ts".into(),
            test: Some("tests/example.spec.ts:11 [firefox]".into()),
        };
        assert_eq!(
            location(target.test.as_deref().unwrap(), &target.file),
            Some((11, Some("firefox")))
        );
    }
}

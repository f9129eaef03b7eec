//! [`Jest`]: Jest with its JSON report (`--json --outputFile={result}`), files always passed
//! with `--runTestsByPath` (else they are regular expressions: `app/[id]/page.test.js` would
//! match nothing), tests addressed by file plus full name (`-t '^(escaped full name)$'`),
//! selection with `-t`. Jest has no listing command: a run whose name pattern matches nothing
//! (`-t '(?!)'`) loads the files and reports every test as skipped without running any, which
//! lists them (not with a selection: those files are not split). A test file that fails
//! outside its tests ("Test suite failed to run") is an error outside tests.

use std::ffi::OsString;

use camino::Utf8Path;

use super::Capabilities;
use super::ListError;
use super::adapter::{Adapter, Invocation, ListedTest, Project, ReportFormat, ReportSource, Target, split_tests_apart};
use super::common::{anchored_union, path_arg, project_file};
use crate::results::ReportedCase;
use crate::results::formats::parse_jest_json;

/// The Jest adapter.
#[derive(Debug)]
pub struct Jest;

/// Where JavaScript test runners look by default, minus dependencies.
pub(super) const NODE_MODULES: &[&str] = &["**/node_modules/**"];

impl Adapter for Jest {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            addresses_tests: true,
            ..Capabilities::DEFAULT
        }
    }

    fn default_files(&self) -> &'static [&'static str] {
        // Jest's default `testMatch`.
        &["**/__tests__/**/*.{js,jsx,ts,tsx}", "**/*.{test,spec}.{js,jsx,ts,tsx}"]
    }

    fn always_exclude(&self) -> &'static [&'static str] {
        NODE_MODULES
    }

    fn default_program(&self) -> &'static [&'static str] {
        &["node_modules/.bin/jest"]
    }

    fn batch_args(&self, invocation: &Invocation<'_>) -> Vec<OsString> {
        let mut args: Vec<OsString> = ["--ci", "--json", "--testLocationInResults"]
            .into_iter()
            .map(OsString::from)
            .collect();
        args.push(format!("--outputFile={}", invocation.result).into());
        if let Some(pattern) = name_pattern(invocation) {
            args.push("-t".into());
            args.push(pattern.into());
        }
        args.push("--runTestsByPath".into());
        args.extend(invocation.files().iter().map(|f| path_arg(f)));
        args
    }

    fn report(&self) -> ReportSource {
        ReportSource::File(ReportFormat::JestJson)
    }

    fn job_key(&self, target: &Target, _: &Utf8Path) -> Option<String> {
        split_tests_apart(target)
    }

    fn lists_tests(&self, select: Option<&str>) -> bool {
        // A listing cannot apply the selection: `-t SELECT` would run the selected tests.
        select.is_none()
    }

    fn list_args(&self, project: &Project<'_>, select: Option<&str>) -> Option<Vec<OsString>> {
        if select.is_some() {
            return None;
        }
        let mut args: Vec<OsString> = [
            "--ci",
            "--json",
            "--testLocationInResults",
            "-t",
            NOTHING,
            "--runTestsByPath",
        ]
        .into_iter()
        .map(OsString::from)
        .collect();
        args.extend(project.files.iter().map(|f| path_arg(f)));
        Some(args)
    }

    fn parse_list(&self, stdout: &str, project: &Project<'_>) -> Result<Vec<ListedTest>, ListError> {
        let json = stdout.find('{').map_or(stdout, |at| &stdout[at..]);
        Ok(listed_cases(&parse_jest_json(json, project.root)?.cases, project, self))
    }

    /// `tests/a.test.js::Outer inner test`: the file and the full name `-t` matches.
    fn test_id(&self, case: &ReportedCase, file: &str) -> Option<String> {
        Some(format!("{file}::{}", case.id.as_deref().unwrap_or(&case.name)))
    }
}

/// A regular expression that matches no name: a run with it lists the tests without running them.
pub(super) const NOTHING: &str = "(?!)";

/// The listed tests of `cases`, with the ids their results will carry.
pub(super) fn listed_cases(cases: &[ReportedCase], project: &Project<'_>, adapter: &dyn Adapter) -> Vec<ListedTest> {
    let mut listed: Vec<ListedTest> = Vec::new();
    for case in cases {
        let reported = case.file.as_deref().unwrap_or_default();
        let Some(file) = project_file(reported, project.files, project.root, None) else {
            continue;
        };
        let Some(id) = adapter.test_id(case, &file) else {
            continue;
        };
        if !listed.iter().any(|t| t.id == id) {
            listed.push(ListedTest { file, id });
        }
    }
    listed
}

/// The `-t` / `--testNamePattern` of a job: exactly its single tests (their full names,
/// escaped and anchored), else the selection. A job that also runs whole files gets the
/// selection only: a name pattern would leave the whole files' other tests out.
pub(super) fn name_pattern(invocation: &Invocation<'_>) -> Option<String> {
    if invocation.has_tests() && !invocation.has_whole_files() {
        Some(anchored_union(invocation.targets.iter().filter_map(|t| t.test_name())))
    } else {
        invocation.select.map(str::to_string)
    }
}

#[cfg(test)]
mod tests {
    use camino::Utf8Path;

    use super::*;
    use crate::runners::Target;

    fn args(targets: &[Target], select: Option<&str>) -> Vec<String> {
        let invocation = Invocation {
            targets,
            result: "/r/job.json",
            root: Utf8Path::new("/p"),
            worker: 1,
            run_id: "r",
            select,
            deselect: &[],
        };
        Jest.batch_args(&invocation)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    #[test]
    fn files_are_literal_paths_and_select_is_a_name_pattern() {
        let targets = vec![
            Target::file("app/[id]/(main)/page.test.js"),
            Target::file("t/b.test.js"),
        ];
        assert_eq!(
            args(&targets, Some(r"\[p0\]")),
            [
                "--ci",
                "--json",
                "--testLocationInResults",
                "--outputFile=/r/job.json",
                "-t",
                r"\[p0\]",
                "--runTestsByPath",
                "app/[id]/(main)/page.test.js",
                "t/b.test.js"
            ]
        );
    }

    #[test]
    fn single_tests_are_escaped_anchored_full_names() {
        let targets = vec![
            Target {
                file: "t/a.test.js".into(),
                test: Some("t/a.test.js::Failing fails [p0]".into()),
            },
            Target {
                file: "t/b.test.js".into(),
                test: Some("t/b.test.js::with strings a/b | c.*".into()),
            },
        ];
        let args = args(&targets, Some("ignored for single tests"));
        assert_eq!(
            args[4..],
            [
                "-t",
                r"^(Failing fails \[p0\]|with strings a/b \| c\.\*)$",
                "--runTestsByPath",
                "t/a.test.js",
                "t/b.test.js"
            ]
        );
    }

    #[test]
    fn listing_is_a_run_that_matches_no_name() {
        let files = vec!["tests/slow.test.js".to_string()];
        let project = Project {
            root: Utf8Path::new("/p"),
            files: &files,
        };
        let args: Vec<String> = Jest
            .list_args(&project, None)
            .unwrap()
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(args[3..], ["-t", "(?!)", "--runTestsByPath", "tests/slow.test.js"]);
        assert!(Jest.list_args(&project, Some("p0")).is_none());
        let stdout = r#"{"numFailedTestSuites":0,"testResults":[{"name":"/p/tests/slow.test.js","status":"pending","message":"","assertionResults":[{"ancestorTitles":["Slow"],"title":"sleeps 0","fullName":"Slow sleeps 0","status":"pending","duration":null,"failureMessages":[]},{"ancestorTitles":["Slow"],"title":"sleeps 1","fullName":"Slow sleeps 1","status":"pending","duration":null,"failureMessages":[]}]}]}"#;
        let listed = Jest.parse_list(stdout, &project).unwrap();
        let ids: Vec<&str> = listed.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            ["tests/slow.test.js::Slow sleeps 0", "tests/slow.test.js::Slow sleeps 1"]
        );
    }

    #[test]
    fn ids_are_file_and_full_name() {
        let case = ReportedCase {
            name: "adds".into(),
            id: Some("Calculator adds".into()),
            ..ReportedCase::default()
        };
        assert_eq!(
            Jest.test_id(&case, "t/a.test.js").unwrap(),
            "t/a.test.js::Calculator adds"
        );
    }
}

//! [`Jest`]: Jest with its JSON report (`--json --outputFile={result}`), files always passed
//! with `--runTestsByPath` (else they are regular expressions: `app/[id]/page.test.js` would
//! match nothing), tests addressed by file plus full name (`-t '^(escaped full name)$'`),
//! selection with `-t`. Jest cannot list the tests of a file, so Jest files are never split.
//! A test file that fails outside its tests ("Test suite failed to run") is an error outside
//! tests.

use std::ffi::OsString;

use super::adapter::{Adapter, Invocation, ListedTest, Project, ReportFormat, ReportSource};
use super::common::{anchored_union, path_arg};
use crate::results::ReportedCase;

/// The Jest adapter.
#[derive(Debug)]
pub struct Jest;

/// Where JavaScript test runners look by default, minus dependencies.
pub(super) const NODE_MODULES: &[&str] = &["**/node_modules/**"];

impl Adapter for Jest {
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

    fn addresses_tests(&self) -> bool {
        true
    }

    fn test_filter_spans_files(&self) -> bool {
        true
    }

    fn list_args(&self, _: &Project<'_>, _: Option<&str>) -> Option<Vec<OsString>> {
        None
    }

    fn parse_list(&self, _: &str, _: &Project<'_>) -> Result<Vec<ListedTest>, String> {
        Ok(Vec::new())
    }

    /// `tests/a.test.js::Outer inner test`: the file and the full name `-t` matches.
    fn test_id(&self, case: &ReportedCase, file: &str) -> Option<String> {
        Some(format!("{file}::{}", case.id.as_deref().unwrap_or(&case.name)))
    }
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

//! [`NodeTest`]: `node --test` with flotilla's own reporter (`NODE_REPORTER`, written next to
//! the job's report and passed with `--test-reporter`; Node's JUnit does not say which file a
//! test is in), Node's `spec` reporter on stdout for people. Tests are addressed by file plus
//! describe path and name; a retry passes the test's own name as `--test-name-pattern` (Node
//! 20 matches a test's own name, not its path, so a same-named test elsewhere in the file may
//! run too). Selection with `--test-name-pattern`. Node cannot list tests: files are not split.
//! A file that fails outside its tests (an import error) is an error outside tests.

use std::ffi::OsString;

use camino::{Utf8Path, Utf8PathBuf};

use super::adapter::{Adapter, Invocation, ListedTest, Project, ReportFormat, ReportSource, remove_report};
use super::common::{path_arg, regex_escape};
use super::jest::NODE_MODULES;
use crate::results::ReportedCase;
use crate::results::formats::NODE_REPORTER;

/// The `node --test` adapter.
#[derive(Debug)]
pub struct NodeTest;

/// How the parser joins a test's describe path and name.
const PATH_SEPARATOR: &str = " > ";

impl Adapter for NodeTest {
    fn default_files(&self) -> &'static [&'static str] {
        // Node's default test file patterns, without `test/**` (helpers live there too).
        &[
            "**/*.test.{js,mjs,cjs}",
            "**/*-test.{js,mjs,cjs}",
            "**/*_test.{js,mjs,cjs}",
            "**/test-*.{js,mjs,cjs}",
        ]
    }

    fn always_exclude(&self) -> &'static [&'static str] {
        NODE_MODULES
    }

    fn default_program(&self) -> &'static [&'static str] {
        &["node"]
    }

    fn batch_args(&self, invocation: &Invocation<'_>) -> Vec<OsString> {
        let reporter = reporter_path(Utf8Path::new(invocation.result));
        let mut args: Vec<OsString> = vec![
            "--test".into(),
            "--test-reporter=spec".into(),
            "--test-reporter-destination=stdout".into(),
            format!("--test-reporter={reporter}").into(),
            format!("--test-reporter-destination={}", invocation.result).into(),
        ];
        if invocation.has_tests() && !invocation.has_whole_files() {
            // Several patterns are OR-ed; each matches a test's own name.
            let mut names: Vec<String> = invocation
                .targets
                .iter()
                .filter_map(|t| t.test_name())
                .map(|path| format!("^{}$", regex_escape(own_name(path))))
                .collect();
            names.sort();
            names.dedup();
            args.extend(
                names
                    .into_iter()
                    .map(|n| OsString::from(format!("--test-name-pattern={n}"))),
            );
        } else if let Some(select) = invocation.select {
            args.push(format!("--test-name-pattern={select}").into());
        }
        args.extend(invocation.files().iter().map(|f| path_arg(f)));
        args
    }

    fn report(&self) -> ReportSource {
        ReportSource::File(ReportFormat::NodeEvents)
    }

    /// Removes the previous report and writes the reporter module next to it (atomically:
    /// concurrent jobs share it).
    fn prepare_job(&self, result: &Utf8Path) -> std::io::Result<()> {
        remove_report(result)?;
        let reporter = reporter_path(result);
        let temporary = result.with_extension("reporter.tmp");
        fs_err::write(&temporary, NODE_REPORTER)?;
        fs_err::rename(&temporary, &reporter)
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

    /// `tests/a.test.mjs::Outer > inner > name`.
    fn test_id(&self, case: &ReportedCase, file: &str) -> Option<String> {
        Some(match &case.classname {
            Some(path) => format!("{file}::{path}{PATH_SEPARATOR}{}", case.name),
            None => format!("{file}::{}", case.name),
        })
    }
}

/// Where the reporter module is written: next to the job's report.
fn reporter_path(result: &Utf8Path) -> Utf8PathBuf {
    result.with_file_name("flotilla-node-reporter.mjs")
}

/// A test's own name: the last part of its describe path.
fn own_name(path: &str) -> &str {
    path.rsplit_once(PATH_SEPARATOR).map_or(path, |(_, name)| name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runners::Target;

    #[test]
    fn batch_args_use_flotillas_reporter_and_own_names() {
        let targets = vec![
            Target {
                file: "tests/fail.test.mjs".into(),
                test: Some("tests/fail.test.mjs::Failing > fails [p0]".into()),
            },
            Target {
                file: "tests/flaky.test.mjs".into(),
                test: Some("tests/flaky.test.mjs::passes on retry [p1]".into()),
            },
        ];
        let invocation = Invocation {
            targets: &targets,
            result: "/run/results/job-00002.jsonl",
            root: Utf8Path::new("/p"),
            worker: 1,
            run_id: "r",
            select: Some("ignored"),
            deselect: &[],
        };
        let args: Vec<String> = NodeTest
            .batch_args(&invocation)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(
            args,
            [
                "--test",
                "--test-reporter=spec",
                "--test-reporter-destination=stdout",
                "--test-reporter=/run/results/flotilla-node-reporter.mjs",
                "--test-reporter-destination=/run/results/job-00002.jsonl",
                r"--test-name-pattern=^fails \[p0\]$",
                r"--test-name-pattern=^passes on retry \[p1\]$",
                "tests/fail.test.mjs",
                "tests/flaky.test.mjs"
            ]
        );
    }

    #[test]
    fn the_reporter_is_written_next_to_the_report() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        let result = root.join("job-00001.jsonl");
        std::fs::write(&result, "stale").unwrap();
        NodeTest.prepare_job(&result).unwrap();
        assert!(!result.exists());
        assert_eq!(
            std::fs::read_to_string(root.join("flotilla-node-reporter.mjs")).unwrap(),
            NODE_REPORTER
        );
    }
}

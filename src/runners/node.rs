//! [`NodeTest`]: `node --test` with flotilla's own reporter (`NODE_REPORTER`, written next to
//! the job's report and passed with `--test-reporter`; Node's JUnit does not say which file a
//! test is in), Node's `spec` reporter on stdout for people. Tests are addressed by file plus
//! describe path and name; a retry passes the test's own name as `--test-name-pattern` (Node
//! 20 matches a test's own name, not its path, so a same-named test elsewhere in the file may
//! run too). Selection with `--test-name-pattern`. Node 20 has no listing mode: a run whose
//! name pattern matches nothing (`--test-name-pattern=(?!)`) reports every test as skipped
//! without running it, which lists them (the reporter is passed as a `data:` URL there, as
//! listing has no run folder; not with a selection: those files are not split). A file that
//! fails outside its tests (an import error) is an error outside tests.

use std::ffi::OsString;

use camino::{Utf8Path, Utf8PathBuf};

use super::Capabilities;
use super::ListError;
use super::adapter::{
    Adapter, Invocation, ListedTest, Project, ReportFormat, ReportSource, Target, remove_report, split_tests_apart,
};
use super::common::{path_arg, regex_escape};
use super::jest::{NODE_MODULES, NOTHING, listed_cases};
use crate::results::ReportedCase;
use crate::results::formats::{NODE_REPORTER, parse_node_events};

/// The `node --test` adapter.
#[derive(Debug)]
pub struct NodeTest;

/// How the parser joins a test's describe path and name.
const PATH_SEPARATOR: &str = " > ";

impl Adapter for NodeTest {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            addresses_tests: true,
            ..Capabilities::DEFAULT
        }
    }

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

    fn job_key(&self, target: &Target, _: &Utf8Path) -> Option<String> {
        split_tests_apart(target)
    }

    fn lists_tests(&self, select: Option<&str>) -> bool {
        // A listing cannot apply the selection: the pattern would run the selected tests.
        select.is_none()
    }

    fn list_args(&self, project: &Project<'_>, select: Option<&str>) -> Option<Vec<OsString>> {
        if select.is_some() {
            return None;
        }
        let mut args: Vec<OsString> = vec![
            "--test".into(),
            format!(
                "--test-reporter=data:text/javascript;base64,{}",
                base64(NODE_REPORTER.as_bytes())
            )
            .into(),
            "--test-reporter-destination=stdout".into(),
            format!("--test-name-pattern={NOTHING}").into(),
        ];
        args.extend(project.files.iter().map(|f| path_arg(f)));
        Some(args)
    }

    fn parse_list(&self, stdout: &str, project: &Project<'_>) -> Result<Vec<ListedTest>, ListError> {
        // The parser leaves out tests the name pattern skipped; here they are the listing.
        let events = stdout.replace(
            "\"skip\":\"test name does not match pattern\"",
            "\"skip\":\"listed by flotilla\"",
        );
        Ok(listed_cases(
            &parse_node_events(&events, project.root)?.cases,
            project,
            self,
        ))
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

/// Standard base64 (RFC 4648, with padding).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[(n >> shift & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
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
    fn base64_is_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
    }

    #[test]
    fn listing_reads_the_skipped_tests() {
        let files = vec!["tests/slow.test.mjs".to_string()];
        let project = Project {
            root: Utf8Path::new("/p"),
            files: &files,
        };
        let skip = r#""skip":"test name does not match pattern","todo":null,"failure_type":null,"error":null}"#;
        let stdout = format!(
            "{{\"event\":\"pass\",\"name\":\"sleeps 0\",\"nesting\":1,\"file\":\"/p/tests/slow.test.mjs\",\"line\":7,\"type\":\"test\",\"duration_ms\":0.5,{skip}\n\
             {{\"event\":\"pass\",\"name\":\"Slow\",\"nesting\":0,\"file\":\"/p/tests/slow.test.mjs\",\"line\":5,\"type\":\"suite\",\"duration_ms\":2.0,\"skip\":null,\"todo\":null,\"failure_type\":null,\"error\":null}}\n\
             {{\"event\":\"end\"}}\n"
        );
        let listed = NodeTest.parse_list(&stdout, &project).unwrap();
        assert_eq!(
            listed,
            [ListedTest {
                file: "tests/slow.test.mjs".into(),
                id: "tests/slow.test.mjs::Slow > sleeps 0".into()
            }]
        );
        assert!(NodeTest.list_args(&project, Some("p0")).is_none());
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

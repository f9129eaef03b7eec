//! [`Vitest`]: `vitest run` with its JSON reporter (Jest's shape, `--outputFile={result}`),
//! tests addressed by file plus full name (`-t`), selection with `-t`. Not run here (Vitest
//! cannot be installed offline): command building and parsing are tested against result files
//! written from Vitest's documentation. Vitest's file arguments are substring filters
//! (`a.test.ts` also runs `a.test.tsx`): cases from other files are dropped, their own jobs
//! report them. Files are not split: `vitest list` names tests differently from the report.

use std::ffi::OsString;

use camino::Utf8Path;

use super::Capabilities;
use super::ListError;
use super::adapter::{Adapter, Invocation, ListedTest, Project, ReportFormat, ReportSource, Target, split_tests_apart};
use super::common::path_arg;
use super::jest::{NODE_MODULES, name_pattern};
use crate::results::ReportedCase;

/// The Vitest adapter.
#[derive(Debug)]
pub struct Vitest;

impl Adapter for Vitest {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            addresses_tests: true,
            drops_foreign_cases: true,
            ..Capabilities::DEFAULT
        }
    }

    fn default_files(&self) -> &'static [&'static str] {
        // Vitest's default `include`: **/*.{test,spec}.?(c|m)[jt]s?(x).
        &["**/*.{test,spec}.{js,jsx,ts,tsx,mjs,cjs,mts,cts}"]
    }

    fn always_exclude(&self) -> &'static [&'static str] {
        NODE_MODULES
    }

    fn default_program(&self) -> &'static [&'static str] {
        &["node_modules/.bin/vitest"]
    }

    fn subcommand(&self) -> &'static [&'static str] {
        &["run"]
    }

    fn batch_args(&self, invocation: &Invocation<'_>) -> Vec<OsString> {
        let mut args: Vec<OsString> = ["--reporter=default", "--reporter=json", "--passWithNoTests"]
            .into_iter()
            .map(OsString::from)
            .collect();
        args.push(format!("--outputFile={}", invocation.result).into());
        if let Some(pattern) = name_pattern(invocation) {
            args.push("-t".into());
            args.push(pattern.into());
        }
        args.extend(invocation.files().iter().map(|f| path_arg(f)));
        args
    }

    fn report(&self) -> ReportSource {
        ReportSource::File(ReportFormat::VitestJson)
    }

    fn job_key(&self, target: &Target, _: &Utf8Path) -> Option<String> {
        split_tests_apart(target)
    }

    fn list_args(&self, _: &Project<'_>, _: Option<&str>) -> Option<Vec<OsString>> {
        None
    }

    fn parse_list(&self, _: &str, _: &Project<'_>) -> Result<Vec<ListedTest>, ListError> {
        Ok(Vec::new())
    }

    /// `tests/a.test.ts::Outer inner test`: the file and the full name `-t` matches.
    fn test_id(&self, case: &ReportedCase, file: &str) -> Option<String> {
        Some(format!("{file}::{}", case.id.as_deref().unwrap_or(&case.name)))
    }
}

#[cfg(test)]
mod tests {
    use camino::Utf8Path;

    use super::*;
    use crate::runners::Target;

    #[test]
    fn batch_args_run_files_with_the_json_reporter() {
        let targets = vec![
            Target {
                file: "src/a.test.ts".into(),
                test: Some("src/a.test.ts::math adds (p0)".into()),
            },
            Target {
                file: "src/a.test.ts".into(),
                test: Some("src/a.test.ts::math subtracts".into()),
            },
        ];
        let invocation = Invocation {
            targets: &targets,
            result: "/r/job.json",
            root: Utf8Path::new("/p"),
            worker: 1,
            run_id: "r",
            select: None,
            deselect: &[],
        };
        let args: Vec<String> = Vitest
            .batch_args(&invocation)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(
            args,
            [
                "--reporter=default",
                "--reporter=json",
                "--passWithNoTests",
                "--outputFile=/r/job.json",
                "-t",
                r"^(math adds \(p0\)|math subtracts)$",
                "src/a.test.ts"
            ]
        );
    }

    #[test]
    fn documented_report_gives_file_and_full_name_ids() {
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/formats/vitest/run.json"
        ))
        .unwrap();
        let root = Utf8Path::new("/tmp/flotilla-formats/vitest");
        let parsed = crate::results::formats::parse_vitest_json(&text, root).unwrap();
        assert_eq!(Vitest.report(), ReportSource::File(ReportFormat::VitestJson));
        let ids: Vec<String> = parsed
            .cases
            .iter()
            .filter_map(|c| Vitest.test_id(c, c.file.as_deref()?))
            .collect();
        assert!(
            ids.contains(&"tests/math.test.ts::Calculator fails [p0]".to_string()),
            "{ids:?}"
        );
        assert!(
            parsed
                .errors_outside_tests
                .iter()
                .any(|e| e.starts_with("broken/broken.test.ts"))
        );
    }
}

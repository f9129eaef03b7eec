//! [`Rspec`]: RSpec with its JSON report (`--format json --out {result}`, next to the progress
//! output), examples addressed by id (`spec/a_spec.rb[1:2]`), listed with `--dry-run`,
//! selection with `--tag`. A file that fails to load is an error outside examples, and RSpec
//! then runs no example at all: the job's other files are queued again (see `run::job`).

use std::ffi::OsString;

use super::Capabilities;
use super::ListError;
use super::adapter::{Adapter, Invocation, ListedTest, Project, ReportFormat, ReportSource};
use super::common::{dry_run_json_args, path_arg};
use crate::results::ReportedCase;
use crate::results::formats::parse_rspec_json;

/// The RSpec adapter.
#[derive(Debug)]
pub struct Rspec;

impl Adapter for Rspec {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            addresses_tests: true,
            ..Capabilities::DEFAULT
        }
    }

    fn default_files(&self) -> &'static [&'static str] {
        &["spec/**/*_spec.rb"]
    }

    fn default_program(&self) -> &'static [&'static str] {
        &["rspec"]
    }

    fn batch_args(&self, invocation: &Invocation<'_>) -> Vec<OsString> {
        let mut args: Vec<OsString> = ["--format", "progress", "--format", "json", "--out"]
            .into_iter()
            .map(OsString::from)
            .collect();
        args.push(invocation.result.into());
        if let Some(select) = invocation.select {
            // Example ids were selected by the same tag when they were listed: harmless on them.
            args.push("--tag".into());
            args.push(select.into());
        }
        args.extend(invocation.targets.iter().map(|t| path_arg(t.id())));
        args
    }

    fn report(&self) -> ReportSource {
        ReportSource::File(ReportFormat::RspecJson)
    }

    fn lists_tests(&self, _: Option<&str>) -> bool {
        true
    }

    fn list_args(&self, project: &Project<'_>, select: Option<&str>) -> Option<Vec<OsString>> {
        Some(dry_run_json_args(project.files, "--tag", select))
    }

    fn parse_list(&self, stdout: &str, project: &Project<'_>) -> Result<Vec<ListedTest>, ListError> {
        // Anything a spec file printed while loading comes before the JSON document.
        let json = stdout.find("{\"version\"").map_or(stdout, |at| &stdout[at..]);
        let parsed = parse_rspec_json(json, project.root)?;
        Ok(parsed
            .cases
            .iter()
            .filter_map(|case| {
                let file = case.file.clone()?;
                Some(ListedTest {
                    id: self.test_id(case, &file)?,
                    file,
                })
            })
            .collect())
    }

    /// `spec/a_spec.rb[1:2]`: the example's id, with the job's spelling of its file.
    fn test_id(&self, case: &ReportedCase, file: &str) -> Option<String> {
        let id = case.id.as_deref()?;
        let scope = &id[id.find('[')?..];
        Some(format!("{file}{scope}"))
    }
}

#[cfg(test)]
mod tests {
    use camino::Utf8Path;

    use super::*;
    use crate::runners::Target;

    #[test]
    fn batch_args_write_json_and_address_examples() {
        let targets = vec![
            Target {
                file: "spec/a_spec.rb".into(),
                test: Some("spec/a_spec.rb[1:2]".into()),
            },
            Target::file("-odd_spec.rb"),
        ];
        let invocation = Invocation {
            targets: &targets,
            result: "/r/job.json",
            root: Utf8Path::new("/p"),
            worker: 1,
            run_id: "r",
            select: Some("p0"),
            deselect: &[],
        };
        let args: Vec<String> = Rspec
            .batch_args(&invocation)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(
            args,
            [
                "--format",
                "progress",
                "--format",
                "json",
                "--out",
                "/r/job.json",
                "--tag",
                "p0",
                "spec/a_spec.rb[1:2]",
                "./-odd_spec.rb"
            ]
        );
    }

    #[test]
    fn listing_ids_are_the_result_ids() {
        let stdout = "loading...\n{\"version\":\"3.12.0\",\"examples\":[{\"id\":\"./spec/a_spec.rb[1:1]\",\"description\":\"x\",\"full_description\":\"A x\",\"status\":\"passed\",\"file_path\":\"./spec/a_spec.rb\",\"line_number\":2,\"run_time\":0.0}],\"summary\":{\"duration\":0.0,\"example_count\":1,\"failure_count\":0,\"pending_count\":0,\"errors_outside_of_examples_count\":0},\"summary_line\":\"1 example, 0 failures\"}";
        let files = vec!["spec/a_spec.rb".to_string()];
        let project = Project {
            root: Utf8Path::new("/p"),
            files: &files,
        };
        let listed = Rspec.parse_list(stdout, &project).unwrap();
        assert_eq!(
            listed,
            [ListedTest {
                file: "spec/a_spec.rb".into(),
                id: "spec/a_spec.rb[1:1]".into()
            }]
        );
    }

    #[test]
    fn a_cut_off_listing_is_a_typed_error_in_the_parser_s_words() {
        let files = vec!["spec/a_spec.rb".to_string()];
        let project = Project {
            root: Utf8Path::new("/p"),
            files: &files,
        };
        let error = Rspec
            .parse_list("{\"version\":\"3.12.0\",\"examples\":[", &project)
            .unwrap_err();
        let ListError::Rspec(inner) = &error else {
            panic!("{error:?}");
        };
        assert_eq!(error.to_string(), inner.to_string());
        assert!(error.to_string().contains("ends early"), "{error}");
    }
}

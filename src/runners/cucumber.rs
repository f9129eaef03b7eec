//! [`Cucumber`]: cucumber-ruby with its JSON report (`--format json --out {result}`), scenarios
//! addressed by `file:line` (outline rows by their row's line), listed with `--dry-run`,
//! selection with `--tags`. A feature file that does not parse (or step definitions that do not
//! load) makes cucumber exit 2 before running anything and leave an empty report: an error
//! outside tests, blamed on the file its output names; the job's other files are queued again.

use std::collections::BTreeMap;
use std::ffi::OsString;

use super::Capabilities;
use super::ListError;
use super::adapter::{Adapter, Invocation, ListedTest, Project, ReportFormat, ReportSource};
use super::common::{dry_run_json_args, path_arg};
use crate::results::ReportedCase;
use crate::results::formats::parse_cucumber_json;

/// The Cucumber adapter.
#[derive(Debug)]
pub struct Cucumber;

impl Adapter for Cucumber {
    fn capabilities(&self) -> Capabilities {
        // With `--strict`, pending steps exit 1 although the report counts them as skipped.
        Capabilities {
            addresses_tests: true,
            abort_codes: &[2],
            trusts_report_over_exit: true,
            ..Capabilities::DEFAULT
        }
    }

    fn default_files(&self) -> &'static [&'static str] {
        &["features/**/*.feature"]
    }

    fn default_program(&self) -> &'static [&'static str] {
        &["cucumber"]
    }

    fn batch_args(&self, invocation: &Invocation<'_>) -> Vec<OsString> {
        let mut args: Vec<OsString> = ["--format", "progress", "--format", "json", "--out"]
            .into_iter()
            .map(OsString::from)
            .collect();
        args.push(invocation.result.into());
        if let Some(select) = invocation.select {
            args.push("--tags".into());
            args.push(select.into());
        }
        // Always name the files: with none, cucumber loads every feature (broken ones too).
        // Lines of one file are joined (`a.feature:5:9`), as cucumber writes them itself.
        let mut lines: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        let mut order: Vec<&str> = Vec::new();
        for target in invocation.targets {
            if !order.contains(&target.file.as_str()) {
                order.push(&target.file);
            }
            let entry = lines.entry(&target.file).or_default();
            match target.test.as_deref().and_then(|id| line_of(id, &target.file)) {
                Some(line) => entry.push(line),
                None => entry.push(0),
            }
        }
        for file in order {
            let file_lines = &lines[file];
            if file_lines.contains(&0) {
                args.push(path_arg(file));
            } else {
                let joined: Vec<String> = file_lines.iter().map(u32::to_string).collect();
                args.push(path_arg(&format!("{file}:{}", joined.join(":"))));
            }
        }
        args
    }

    fn report(&self) -> ReportSource {
        ReportSource::File(ReportFormat::CucumberJson)
    }

    fn lists_tests(&self, _: Option<&str>) -> bool {
        true
    }

    fn list_args(&self, project: &Project<'_>, select: Option<&str>) -> Option<Vec<OsString>> {
        Some(dry_run_json_args(project.files, "--tags", select))
    }

    fn parse_list(&self, stdout: &str, project: &Project<'_>) -> Result<Vec<ListedTest>, ListError> {
        let json = stdout.find('[').map_or(stdout, |at| &stdout[at..]);
        if json.trim().is_empty() {
            return Ok(Vec::new());
        }
        let parsed = parse_cucumber_json(json, project.root)?;
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

    /// `features/a.feature:5`: the scenario's (or outline row's) line.
    fn test_id(&self, case: &ReportedCase, file: &str) -> Option<String> {
        match case.line {
            Some(line) => Some(format!("{file}:{line}")),
            None => case.id.clone(),
        }
    }
}

/// The line of a `file:line` id.
fn line_of(id: &str, file: &str) -> Option<u32> {
    id.strip_prefix(file)?.strip_prefix(':')?.parse().ok()
}

#[cfg(test)]
mod tests {
    use camino::Utf8Path;

    use super::*;
    use crate::runners::Target;

    #[test]
    fn batch_args_join_lines_per_file() {
        let targets = vec![
            Target {
                file: "features/a.feature".into(),
                test: Some("features/a.feature:5".into()),
            },
            Target::file("features/b.feature"),
            Target {
                file: "features/a.feature".into(),
                test: Some("features/a.feature:9".into()),
            },
        ];
        let invocation = Invocation {
            targets: &targets,
            result: "/r/job.json",
            root: Utf8Path::new("/p"),
            worker: 1,
            run_id: "r",
            select: Some("@p0"),
            deselect: &[],
        };
        let args: Vec<String> = Cucumber
            .batch_args(&invocation)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(
            args[5..],
            [
                "/r/job.json",
                "--tags",
                "@p0",
                "features/a.feature:5:9",
                "features/b.feature"
            ]
        );
    }

    #[test]
    fn listing_ids_are_file_and_line() {
        let stdout = r#"[{"uri":"features/a.feature","name":"A","elements":[{"keyword":"Scenario","name":"x","line":5,"type":"scenario","steps":[{"keyword":"Given ","name":"y","line":6,"result":{"status":"skipped"}}]}]}]"#;
        let files = vec!["features/a.feature".to_string()];
        let project = Project {
            root: Utf8Path::new("/p"),
            files: &files,
        };
        let listed = Cucumber.parse_list(stdout, &project).unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].id, "features/a.feature:5");
    }
}

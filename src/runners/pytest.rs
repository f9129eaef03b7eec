//! pytest: JUnit results (`--junit-xml`, xunit1 so cases carry `file`), tests addressed by node
//! id (`tests/test_a.py::TestX::test_y[param]`), listed with `--collect-only -q`, selection
//! with `-m`. `--continue-on-collection-errors` keeps one broken module from stopping a whole
//! batch; its collection error is reported as an error outside tests.

use std::ffi::OsString;

use super::Capabilities;
use super::ListError;
use super::adapter::{Adapter, Invocation, ListedTest, Project, ReportFormat, ReportSource};

/// The pytest adapter.
#[derive(Debug)]
pub struct Pytest;

impl Adapter for Pytest {
    fn capabilities(&self) -> Capabilities {
        // Exit 5: no tests were collected (everything deselected by `-m`).
        Capabilities {
            addresses_tests: true,
            deselects_tests: true,
            success_codes: &[0, 5],
            ..Capabilities::DEFAULT
        }
    }

    fn default_files(&self) -> &'static [&'static str] {
        &["**/test_*.py", "**/*_test.py"]
    }

    fn default_program(&self) -> &'static [&'static str] {
        &["python3", "-m", "pytest"]
    }

    fn batch_args(&self, invocation: &Invocation<'_>) -> Vec<OsString> {
        let mut args: Vec<OsString> = [
            "-p",
            "no:cacheprovider",
            "--continue-on-collection-errors",
            "-o",
            "junit_family=xunit1",
            "-o",
            "console_output_style=classic",
        ]
        .into_iter()
        .map(OsString::from)
        .collect();
        args.push(format!("--junit-xml={}", invocation.result).into());
        if let Some(select) = invocation.select {
            args.push("-m".into());
            args.push(select.into());
        }
        for id in invocation.deselect {
            args.push(format!("--deselect={id}").into());
        }
        // `--` keeps a file or node id that starts with `-` from being read as an option.
        args.push("--".into());
        args.extend(invocation.targets.iter().map(|t| OsString::from(t.id())));
        args
    }

    fn report(&self) -> ReportSource {
        ReportSource::File(ReportFormat::Junit)
    }

    fn lists_tests(&self, _: Option<&str>) -> bool {
        true
    }

    fn list_args(&self, project: &Project<'_>, select: Option<&str>) -> Option<Vec<OsString>> {
        let mut args: Vec<OsString> = [
            "-p",
            "no:cacheprovider",
            "--collect-only",
            "-q",
            "--continue-on-collection-errors",
            "--",
        ]
        .into_iter()
        .map(OsString::from)
        .collect();
        if let Some(select) = select {
            args.splice(
                args.len() - 1..args.len() - 1,
                [OsString::from("-m"), OsString::from(select)],
            );
        }
        args.extend(project.files.iter().map(OsString::from));
        Some(args)
    }

    fn is_outside_tests(&self, case: &crate::results::ReportedCase) -> bool {
        // Collection errors are `<error message="collection failure">` cases with an empty classname.
        case.status == crate::results::ReportedStatus::Error && case.classname.is_none()
    }

    fn parse_list(&self, stdout: &str, _: &Project<'_>) -> Result<Vec<ListedTest>, ListError> {
        Ok(stdout
            .lines()
            .take_while(|line| !line.trim().is_empty())
            .filter_map(|line| {
                let (file, _) = line.split_once("::")?;
                Some(ListedTest {
                    file: file.to_string(),
                    id: line.to_string(),
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runners::Target;

    #[test]
    fn batch_args_address_files_or_node_ids() {
        let targets = vec![
            Target {
                file: "t/test_a.py".into(),
                test: Some("t/test_a.py::test_x[a b]".into()),
            },
            Target::file("t/test_b.py"),
        ];
        let invocation = Invocation {
            targets: &targets,
            result: "/r.xml",
            root: camino::Utf8Path::new("/p"),
            worker: 1,
            run_id: "r",
            select: Some("priority_p0"),
            deselect: &[],
        };
        let args = Pytest.batch_args(&invocation);
        let tail: Vec<&str> = args.iter().rev().take(5).rev().map(|a| a.to_str().unwrap()).collect();
        assert_eq!(
            tail,
            ["-m", "priority_p0", "--", "t/test_a.py::test_x[a b]", "t/test_b.py"]
        );
        assert!(args.iter().any(|a| a == "--junit-xml=/r.xml"));
    }

    #[test]
    fn parses_collect_only_output() {
        let stdout = "t/test_a.py::TestG::test_in_class\nt/test_a.py::test_param[a b]\n\n3 tests collected in 0.01s\n";
        let project = Project {
            root: camino::Utf8Path::new("/p"),
            files: &[],
        };
        let listed = Pytest.parse_list(stdout, &project).unwrap();
        assert_eq!(listed.len(), 2);
        assert_eq!(
            listed[1],
            ListedTest {
                file: "t/test_a.py".into(),
                id: "t/test_a.py::test_param[a b]".into()
            }
        );
    }
}

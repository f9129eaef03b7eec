//! [`GoTest`]: `go test -json` (the report is its stdout, with go's stderr: build failures are
//! only text there before Go 1.24). The unit is a package folder: discovery finds `*_test.go`
//! files and [`Adapter::units`] maps them to their folders, passed as `./pkg`. Tests are
//! addressed by package plus top-level name (`-run '^(TestA|TestB)$' ./pkg`; a subtest re-runs
//! with its parent), listed with `go test -list`, selection with `-run`. `-count=1` always:
//! cached results would replay old timings and never re-run a flaky test. A package that fails
//! with no failing test (build or setup failure, `TestMain`) is an error outside tests.

use std::ffi::OsString;

use camino::{Utf8Path, Utf8PathBuf};

use super::Capabilities;
use super::ListError;
use super::adapter::{Adapter, Invocation, ListedTest, Project, ReportFormat, ReportSource, Target, split_tests_apart};
use super::common::{anchored_union, go_package_arg};
use crate::results::ReportedCase;
use crate::results::formats::go_module_path;

/// The go test adapter.
#[derive(Debug)]
pub struct GoTest;

impl Adapter for GoTest {
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            addresses_tests: true,
            ..Capabilities::DEFAULT
        }
    }

    fn default_files(&self) -> &'static [&'static str] {
        &["**/*_test.go"]
    }

    fn always_exclude(&self) -> &'static [&'static str] {
        // `go test ./...` skips these too.
        &["**/vendor/**", "**/testdata/**"]
    }

    fn default_program(&self) -> &'static [&'static str] {
        &["go"]
    }

    fn subcommand(&self) -> &'static [&'static str] {
        &["test"]
    }

    fn units(&self, _: &Utf8Path, files: Vec<String>) -> Vec<String> {
        let mut dirs: Vec<String> = files
            .iter()
            .map(|file| match Utf8Path::new(file).parent().map(Utf8Path::as_str) {
                None | Some("") => ".".to_string(),
                Some(dir) => dir.to_string(),
            })
            .collect();
        dirs.sort();
        dirs.dedup();
        dirs
    }

    fn batch_args(&self, invocation: &Invocation<'_>) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["-json".into(), "-count=1".into()];
        let pattern = if invocation.has_tests() && !invocation.has_whole_files() {
            // `-run` applies to every package of the job: it may also run a same-named test of
            // another package (an extra result), never fewer tests than asked.
            Some(anchored_union(
                invocation.targets.iter().filter_map(|t| top_level(t.test_name()?)),
            ))
        } else {
            invocation.select.map(str::to_string)
        };
        if let Some(pattern) = pattern {
            args.push("-run".into());
            args.push(pattern.into());
        }
        args.extend(invocation.files().iter().map(|dir| go_package_arg(dir)));
        args
    }

    fn report(&self) -> ReportSource {
        ReportSource::Stdout(ReportFormat::GoTestJson)
    }

    fn job_key(&self, target: &Target, _: &Utf8Path) -> Option<String> {
        split_tests_apart(target)
    }

    fn lists_tests(&self, _: Option<&str>) -> bool {
        true
    }

    fn list_args(&self, project: &Project<'_>, select: Option<&str>) -> Option<Vec<OsString>> {
        let mut args: Vec<OsString> = vec!["-list".into(), select.unwrap_or(".").into()];
        args.extend(project.files.iter().map(|dir| go_package_arg(dir)));
        Some(args)
    }

    fn parse_list(&self, stdout: &str, project: &Project<'_>) -> Result<Vec<ListedTest>, ListError> {
        let names = self.report_names(project);
        let mut listed = Vec::new();
        let mut pending: Vec<&str> = Vec::new();
        for line in stdout.lines() {
            let line = line.trim_end();
            let mut fields = line.split_whitespace();
            match fields.next() {
                Some("ok" | "?" | "FAIL") => {
                    let Some(package) = fields.next() else {
                        pending.clear();
                        continue;
                    };
                    if let Some((_, dir)) = names.iter().find(|(name, _)| name == package) {
                        listed.extend(pending.iter().map(|test| ListedTest {
                            file: dir.clone(),
                            id: format!("{dir}::{test}"),
                        }));
                    }
                    pending.clear();
                }
                // Tests, examples and fuzz targets run under `go test`; benchmarks do not.
                Some(name)
                    if !line.starts_with(char::is_whitespace)
                        && fields.next().is_none()
                        && ["Test", "Example", "Fuzz"].iter().any(|p| name.starts_with(p)) =>
                {
                    pending.push(name);
                }
                _ => {}
            }
        }
        Ok(listed)
    }

    /// Each package folder's import path: the module path of the nearest `go.mod` at or above
    /// the folder, plus the rest of its path (so nested modules get their own path). In Go's own
    /// source tree (`module std`) import paths have no module prefix (`archive/zip`).
    fn report_names(&self, project: &Project<'_>) -> Vec<(String, String)> {
        let mut modules = ModuleCache::default();
        project
            .files
            .iter()
            .filter_map(|dir| Some((modules.import_path(project.root, dir)?, dir.clone())))
            .collect()
    }

    /// `pkg::TestName` (subtests `pkg::TestParent/sub`).
    fn test_id(&self, case: &ReportedCase, file: &str) -> Option<String> {
        Some(format!("{file}::{}", case.name))
    }
}

/// The top-level test of a test name (`TestParent/sub` → `TestParent`).
fn top_level(name: &str) -> Option<&str> {
    name.split('/').next().filter(|n| !n.is_empty())
}

/// The `go.mod` files already read while naming the folders of one job.
#[derive(Default)]
struct ModuleCache {
    /// Folder → its module (folder of the `go.mod`, module path), or `None` for no `go.mod`.
    known: std::collections::HashMap<Utf8PathBuf, Option<(Utf8PathBuf, String)>>,
}

impl ModuleCache {
    /// The import path of the package in `dir` (relative to `root`; `.` is the root).
    fn import_path(&mut self, root: &Utf8Path, dir: &str) -> Option<String> {
        let folder = if dir == "." { root.to_path_buf() } else { root.join(dir) };
        let (module_dir, module) = self.module_of(&folder)?;
        let rest = folder.strip_prefix(&module_dir).ok()?.as_str().to_string();
        Some(match (module.as_str(), rest.as_str()) {
            (module, "") => module.to_string(),
            // GOROOT/src: the standard library's import paths are its folders.
            ("std", rest) => rest.to_string(),
            (module, rest) => format!("{module}/{rest}"),
        })
    }

    /// The folder of the `go.mod` at or above `folder`, and its module path.
    fn module_of(&mut self, folder: &Utf8Path) -> Option<(Utf8PathBuf, String)> {
        let mut missed = Vec::new();
        let mut found = None;
        for dir in folder.ancestors() {
            if let Some(known) = self.known.get(dir) {
                found.clone_from(known);
                break;
            }
            missed.push(dir.to_path_buf());
            if let Some(module) = std::fs::read_to_string(dir.join("go.mod"))
                .ok()
                .and_then(|text| go_module_path(&text))
            {
                found = Some((dir.to_path_buf(), module));
                break;
            }
        }
        for dir in missed {
            self.known.insert(dir, found.clone());
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runners::Target;

    #[test]
    fn test_files_map_to_package_folders() {
        let files = vec![
            "a_test.go".to_string(),
            "pkg/b_test.go".to_string(),
            "pkg/c_test.go".to_string(),
        ];
        assert_eq!(GoTest.units(Utf8Path::new("/p"), files), [".", "pkg"]);
    }

    #[test]
    fn batch_args_run_packages_or_top_level_tests() {
        let targets = vec![
            Target {
                file: "fail".into(),
                test: Some("fail::TestParent/bad".into()),
            },
            Target {
                file: "fail".into(),
                test: Some("fail::TestParent".into()),
            },
            Target {
                file: "flaky".into(),
                test: Some("flaky::TestPassesOnRetryP1".into()),
            },
        ];
        let invocation = Invocation {
            targets: &targets,
            result: "/r/job.jsonl",
            root: Utf8Path::new("/p"),
            worker: 1,
            run_id: "r",
            select: Some("P0"),
            deselect: &[],
        };
        let args: Vec<String> = GoTest
            .batch_args(&invocation)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(
            args,
            [
                "-json",
                "-count=1",
                "-run",
                "^(TestParent|TestPassesOnRetryP1)$",
                "./fail",
                "./flaky"
            ]
        );
        let whole = vec![Target::file("."), Target::file("pass")];
        let invocation = Invocation {
            targets: &whole,
            ..invocation
        };
        let args: Vec<String> = GoTest
            .batch_args(&invocation)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(args, ["-json", "-count=1", "-run", "P0", ".", "./pass"]);
    }

    #[test]
    fn listing_maps_import_paths_to_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        std::fs::write(root.join("go.mod"), "module example.com/m\n\ngo 1.19\n").unwrap();
        let files = vec!["fail".to_string(), "pass".to_string(), "broken".to_string()];
        let project = Project {
            root: &root,
            files: &files,
        };
        let stdout = "TestAddP0\nBenchmarkX\nExampleAdd\nok  \texample.com/m/pass\t0.001s\nTestFailsP0\nok  \texample.com/m/fail\t0.004s\nFAIL\texample.com/m/broken [build failed]\nFAIL\n";
        let listed = GoTest.parse_list(stdout, &project).unwrap();
        let ids: Vec<&str> = listed.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["pass::TestAddP0", "pass::ExampleAdd", "fail::TestFailsP0"]);
        assert_eq!(listed[2].file, "fail");
    }

    #[test]
    fn import_paths_follow_the_nearest_module_and_gos_own_tree() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        let write = |path: &str, text: &str| {
            let path = root.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("go.mod", "module example.com/m\n");
        write("tools/go.mod", "module tools\n");
        write("goroot/src/go.mod", "module std\n\ngo 1.19\n");
        let files: Vec<String> = [".", "pkg/a", "tools", "tools/gen", "goroot/src/archive/zip"]
            .map(String::from)
            .to_vec();
        let names = GoTest.report_names(&Project {
            root: &root,
            files: &files,
        });
        let imports: Vec<&str> = names.iter().map(|(import, _)| import.as_str()).collect();
        assert_eq!(
            imports,
            [
                "example.com/m",
                "example.com/m/pkg/a",
                "tools",
                "tools/gen",
                "archive/zip"
            ]
        );
        let nested = root.join("goroot/src");
        let files = vec!["container/list".to_string(), "unicode/utf8".to_string()];
        let names = GoTest.report_names(&Project {
            root: &nested,
            files: &files,
        });
        assert_eq!(
            names,
            [
                ("container/list".to_string(), "container/list".to_string()),
                ("unicode/utf8".to_string(), "unicode/utf8".to_string())
            ]
        );
    }
}

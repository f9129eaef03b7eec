//! [`Nextest`]: `cargo nextest run` writing JUnit through a per-job tool config (a profile
//! `tool:flotilla` whose `junit.path` is `{result}`, with nextest's own retries off). The unit
//! is a test binary, found through its source: `CRATE/tests/NAME.rs` (or `tests/NAME/main.rs`)
//! is `-p PACKAGE --test NAME` (binary id `PACKAGE::NAME`), `CRATE/src/lib.rs` is `--lib`
//! (binary id `PACKAGE`). Tests are addressed with a filterset (`binary_id(=ID) & test(=NAME)`),
//! listed with `cargo nextest list`, selection with `-E`. A build failure (exit 101, no JUnit)
//! is an error outside tests blamed on the crates cargo could not compile; the job's other
//! files are queued again.

use std::ffi::OsString;

use camino::{Utf8Path, Utf8PathBuf};

use super::Capabilities;
use super::ListError;
use super::adapter::{
    Adapter, Invocation, ListedTest, Project, ReportFormat, ReportSource, Target, blame_by_mention, remove_report,
};
use crate::results::ReportedCase;

/// The cargo-nextest adapter.
#[derive(Debug)]
pub struct Nextest;

/// The profile of flotilla's tool config.
const PROFILE: &str = "tool:flotilla";

/// Which test binary of a package a source file is.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Binary {
    /// The library's unit tests (`--lib`).
    Lib,
    /// An integration test (`--test NAME`).
    Test(String),
}

/// A test binary: its package, how cargo addresses that package, and its kind.
#[derive(Clone, Debug, PartialEq, Eq)]
struct TestBinary {
    package: String,
    /// `path+file:///abs/crate#name`: the package by its folder, never by a bare name, which is
    /// ambiguous when a dependency is the same crate at another version (a dev-dependency on
    /// the published release of the crate under test, a common layout).
    spec: String,
    binary: Binary,
}

impl TestBinary {
    /// nextest's binary id: `package::name` for integration tests, `package` for the library.
    fn id(&self) -> String {
        match &self.binary {
            Binary::Lib => self.package.clone(),
            Binary::Test(name) => format!("{}::{name}", self.package),
        }
    }
}

impl Adapter for Nextest {
    fn capabilities(&self) -> Capabilities {
        // Exit 4: no test matched the filters (a selection that leaves this job nothing); 101:
        // the build failed before any test ran.
        Capabilities {
            addresses_tests: true,
            deselects_tests: true,
            success_codes: &[0, 4],
            abort_codes: &[101],
            ..Capabilities::DEFAULT
        }
    }

    fn default_files(&self) -> &'static [&'static str] {
        &["**/tests/*.rs", "**/tests/*/main.rs", "**/src/lib.rs"]
    }

    fn always_exclude(&self) -> &'static [&'static str] {
        &["**/target/**"]
    }

    fn default_program(&self) -> &'static [&'static str] {
        &["cargo", "nextest"]
    }

    fn subcommand(&self) -> &'static [&'static str] {
        &["run"]
    }

    fn list_subcommand(&self) -> &'static [&'static str] {
        &["list"]
    }

    /// Only files that are test binaries of a package (not `tests/common/mod.rs`, not files of
    /// a folder without a `Cargo.toml`).
    fn units(&self, root: &Utf8Path, files: Vec<String>) -> Vec<String> {
        files.into_iter().filter(|f| test_binary(root, f).is_some()).collect()
    }

    fn batch_args(&self, invocation: &Invocation<'_>) -> Vec<OsString> {
        let mut args: Vec<OsString> = vec!["--no-fail-fast".into()];
        if invocation.select.is_none() {
            // Its JUnit leaves skipped tests out (`#[ignore]`): it prints them (`printed_cases`).
            // With a `select` filterset it would print every test the filter leaves out too,
            // which no runner reports.
            args.extend(["--status-level".into(), "skip".into()]);
        }
        args.extend([
            "--tool-config-file".into(),
            format!("flotilla:{}", tool_config_path(Utf8Path::new(invocation.result))).into(),
            "--profile".into(),
            PROFILE.into(),
        ]);
        let targets: Vec<(TestBinary, Option<&str>)> = invocation
            .targets
            .iter()
            .filter_map(|t| Some((test_binary(invocation.root, &t.file)?, t.test_name())))
            .collect();
        let binaries: Vec<&TestBinary> = targets.iter().map(|(b, _)| b).collect();
        args.extend(build_selection(&binaries));
        let terms: Vec<String> = targets
            .iter()
            .map(|(binary, test)| match test {
                Some(name) => format!("(binary_id(={}) & test(={}))", escape(&binary.id()), escape(name)),
                None => format!("binary_id(={})", escape(&binary.id())),
            })
            .collect();
        // Quarantined tests are left out by the filterset itself.
        let excluded: Vec<String> = invocation
            .deselect
            .iter()
            .filter_map(|id| {
                let (file, name) = id.split_once("::")?;
                let binary = test_binary(invocation.root, file)?;
                Some(format!(
                    "(binary_id(={}) & test(={}))",
                    escape(&binary.id()),
                    escape(name)
                ))
            })
            .collect();
        let mut filter = with_select(&terms, invocation.select);
        if !excluded.is_empty() {
            filter = format!("({filter}) & not ({})", excluded.join(" | "));
        }
        args.push("-E".into());
        args.push(filter.into());
        args
    }

    fn report(&self) -> ReportSource {
        ReportSource::File(ReportFormat::Junit)
    }

    /// Removes the previous report (a build failure leaves the old JUnit in place) and writes
    /// the tool config that points nextest's JUnit at `result`.
    fn prepare_job(&self, result: &Utf8Path) -> std::io::Result<()> {
        remove_report(result)?;
        let path = serde_json::to_string(result.as_str()).map_err(std::io::Error::other)?;
        let config = format!(
            "# Written by flotilla for one job: JUnit at the job's result path, nextest's retries off.\n\
             [profile.\"{PROFILE}\"]\nfail-fast = false\nretries = 0\n\n\
             [profile.\"{PROFILE}\".junit]\npath = {path}\nstore-success-output = false\nstore-failure-output = true\n"
        );
        fs_err::write(tool_config_path(result), config)
    }

    /// One package per job: cargo applies `--test NAME` to every selected package, so a job
    /// with two packages could build (and fail on) a binary of the other one.
    fn job_key(&self, target: &Target, root: &Utf8Path) -> Option<String> {
        test_binary(root, &target.file).map(|binary| binary.package)
    }

    fn lists_tests(&self, _: Option<&str>) -> bool {
        true
    }

    fn list_args(&self, project: &Project<'_>, select: Option<&str>) -> Option<Vec<OsString>> {
        let binaries: Vec<TestBinary> = project
            .files
            .iter()
            .filter_map(|f| test_binary(project.root, f))
            .collect();
        let mut args: Vec<OsString> = vec!["--message-format".into(), "oneline".into()];
        if select.is_none() {
            // `#[ignore]` tests too: a split binary's jobs then name them, nextest skips them
            // and says so, and they are counted as skipped as when the binary runs whole.
            args.extend(["--run-ignored".into(), "all".into()]);
        }
        args.extend(build_selection(&binaries.iter().collect::<Vec<_>>()));
        let terms: Vec<String> = binaries
            .iter()
            .map(|b| format!("binary_id(={})", escape(&b.id())))
            .collect();
        args.push("-E".into());
        args.push(with_select(&terms, select).into());
        Some(args)
    }

    fn parse_list(&self, stdout: &str, project: &Project<'_>) -> Result<Vec<ListedTest>, ListError> {
        let names = self.report_names(project);
        Ok(stdout
            .lines()
            .filter_map(|line| {
                let (binary_id, test) = line.trim().split_once(' ')?;
                let (_, file) = names.iter().find(|(name, _)| name == binary_id)?;
                Some(ListedTest {
                    file: file.clone(),
                    id: format!("{file}::{test}"),
                })
            })
            .collect())
    }

    /// Each file's binary id, which is the JUnit classname of its tests.
    fn report_names(&self, project: &Project<'_>) -> Vec<(String, String)> {
        project
            .files
            .iter()
            .filter_map(|file| Some((test_binary(project.root, file)?.id(), file.clone())))
            .collect()
    }

    /// The tests nextest skipped, from its `SKIP [ ] (───) BINARY_ID TEST` lines (`#[ignore]`
    /// tests, and those the filterset leaves out: the interpreter keeps only the job's own).
    fn printed_cases(&self, output: &dyn Fn() -> String) -> Vec<ReportedCase> {
        skipped_in_output(&output())
    }

    /// `suite/tests/fail.rs::fails_p0`: the file and the test's path in its binary.
    fn test_id(&self, case: &ReportedCase, file: &str) -> Option<String> {
        Some(format!("{file}::{}", case.name))
    }

    /// The files cargo "could not compile": `(test "NAME")` is that integration test,
    /// `(lib test)` the library's unit tests, anything else (the library itself, a build
    /// script) every test binary of the package. Without such a line, the files named.
    fn blame(&self, message: &str, project: &Project<'_>, names: &[(String, String)]) -> Vec<String> {
        let failures: Vec<(&str, &str)> = message
            .split("could not compile `")
            .skip(1)
            .filter_map(|rest| {
                let (package, after) = rest.split_once('`')?;
                let target = after
                    .trim_start()
                    .strip_prefix('(')
                    .and_then(|t| t.split_once(')'))
                    .map_or("", |(target, _)| target);
                Some((package, target))
            })
            .collect();
        if failures.is_empty() {
            return blame_by_mention(message, project, &[]);
        }
        names
            .iter()
            .filter(|(id, _)| {
                let (package, binary) = id.split_once("::").map_or((id.as_str(), None), |(p, b)| (p, Some(b)));
                failures.iter().any(|(broken, target)| {
                    *broken == package
                        && match (binary, target.strip_prefix("test \"").and_then(|t| t.strip_suffix('"'))) {
                            (_, Some(test)) => binary == Some(test),
                            (None, None) => true,
                            (Some(_), None) => *target != "lib test",
                        }
                })
            })
            .map(|(_, file)| file.clone())
            .collect()
    }
}

/// `job-00001.xml` → `job-00001.toml`, next to the report.
fn tool_config_path(result: &Utf8Path) -> Utf8PathBuf {
    result.with_extension("toml")
}

/// `-p PACKAGE` and `--test NAME` / `--lib` for the binaries: only they are built, so a crate
/// that does not compile breaks only the jobs that include it. (Cargo applies every target
/// flag to every selected package; the filterset keeps the run to exactly these binaries.)
fn build_selection(binaries: &[&TestBinary]) -> Vec<OsString> {
    let mut packages: Vec<&str> = Vec::new();
    let mut targets: Vec<OsString> = Vec::new();
    for binary in binaries {
        if !packages.contains(&binary.spec.as_str()) {
            packages.push(&binary.spec);
        }
        let flags: Vec<OsString> = match &binary.binary {
            Binary::Lib => vec!["--lib".into()],
            Binary::Test(name) => vec!["--test".into(), name.into()],
        };
        if !targets.windows(flags.len()).any(|w| w == flags.as_slice()) {
            targets.extend(flags);
        }
    }
    let mut args: Vec<OsString> = Vec::new();
    for package in packages {
        args.push("-p".into());
        args.push(package.into());
    }
    args.extend(targets);
    args
}

/// The targets' filterset, intersected with the selection.
fn with_select(terms: &[String], select: Option<&str>) -> String {
    let targets = if terms.is_empty() {
        "none()".to_string()
    } else {
        terms.join(" | ")
    };
    match select {
        Some(select) => format!("({targets}) & ({select})"),
        None => targets,
    }
}

/// A name as a filterset matcher argument: `\`, `(`, `)` and `,` escaped.
fn escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '\\' | '(' | ')' | ',') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The test binary `file` (relative to `root`) is, if any, with its package's name.
fn test_binary(root: &Utf8Path, file: &str) -> Option<TestBinary> {
    let path = Utf8Path::new(file);
    let parts: Vec<&str> = path.iter().collect();
    let (crate_parts, binary) = match parts.as_slice() {
        [dir @ .., "src", "lib.rs"] => (dir, Binary::Lib),
        [dir @ .., "tests", name, "main.rs"] => (dir, Binary::Test((*name).to_string())),
        [dir @ .., "tests", name] => (dir, Binary::Test(name.strip_suffix(".rs")?.to_string())),
        _ => return None,
    };
    let crate_dir: Utf8PathBuf = crate_parts.iter().collect();
    let manifest = std::fs::read_to_string(root.join(&crate_dir).join("Cargo.toml")).ok()?;
    let manifest: toml::Table = toml::from_str(&manifest).ok()?;
    let package = manifest.get("package")?.get("name")?.as_str()?.to_string();
    let spec = package_spec(&root.join(&crate_dir), &package);
    Some(TestBinary { package, spec, binary })
}

/// Cargo's package id spec for the package `name` in folder `dir`: `path+file:///dir#name`,
/// with the characters a URL path cannot hold percent-encoded.
fn package_spec(dir: &Utf8Path, name: &str) -> String {
    let absolute = std::path::absolute(dir)
        .ok()
        .and_then(|p| Utf8PathBuf::from_path_buf(p).ok())
        .unwrap_or_else(|| dir.to_path_buf());
    let path = absolute.as_str().trim_end_matches('/');
    let mut encoded = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            encoded.push(char::from(byte));
        } else {
            encoded.push_str(&format!("%{byte:02X}"));
        }
    }
    format!("path+file://{encoded}#{name}")
}

/// The `SKIP` status lines of nextest's output as skipped cases (classname: the binary id, as
/// in its JUnit), each once (the final status lines may repeat them).
fn skipped_in_output(output: &str) -> Vec<ReportedCase> {
    let mut seen = std::collections::HashSet::new();
    output
        .lines()
        .filter_map(|line| {
            let rest = line.trim_start().strip_prefix("SKIP")?.trim_start();
            // `[         ]` (no duration), then nextest 0.9.8x+'s `(───)` counter.
            let rest = rest.strip_prefix('[')?.split_once(']')?.1.trim_start();
            let rest = match rest.strip_prefix('(') {
                Some(counted) => counted.split_once(')')?.1.trim_start(),
                None => rest,
            };
            let (binary, test) = rest.split_once(' ')?;
            let test = test.trim();
            (!binary.is_empty() && !test.is_empty() && !test.contains(' ')).then_some((binary, test))
        })
        .filter(|pair| seen.insert(*pair))
        .map(|(binary, test)| ReportedCase {
            name: test.to_string(),
            classname: Some(binary.to_string()),
            status: crate::results::ReportedStatus::Skipped,
            message: Some("skipped by cargo-nextest (#[ignore], or left out by the filter)".to_string()),
            ..ReportedCase::default()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_lines_become_skipped_cases_once_each() {
        let output = "    Starting 1 test across 1 binary (2 tests skipped)\n        SKIP [         ] (───) suite::pass is_ignored\n        SKIP [         ] suite tests::old_format\n        PASS [   0.006s] (1/1) suite::pass adds_p0\n     Summary [   0.006s] 1 test run: 1 passed, 2 skipped\n        SKIP [         ] (───) suite::pass is_ignored\n";
        let cases = skipped_in_output(output);
        let names: Vec<(Option<&str>, &str)> = cases
            .iter()
            .map(|c| (c.classname.as_deref(), c.name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                (Some("suite::pass"), "is_ignored"),
                (Some("suite"), "tests::old_format")
            ]
        );
        assert!(
            cases
                .iter()
                .all(|c| c.status == crate::results::ReportedStatus::Skipped)
        );
        assert!(skipped_in_output("SKIP\nSKIPPED stuff\n").is_empty());
    }
    use crate::runners::Target;

    fn workspace() -> (tempfile::TempDir, Utf8PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        for (path, text) in [
            ("Cargo.toml", "[workspace]\nmembers = [\"suite\", \"other\"]\n"),
            ("suite/Cargo.toml", "[package]\nname = \"suite\"\nversion = \"0.1.0\"\n"),
            (
                "other/Cargo.toml",
                "[package]\nname = \"other-crate\"\nversion = \"0.1.0\"\n",
            ),
        ] {
            std::fs::create_dir_all(root.join(path).parent().unwrap()).unwrap();
            std::fs::write(root.join(path), text).unwrap();
        }
        (dir, root)
    }

    #[test]
    fn files_map_to_test_binaries() {
        let (_dir, root) = workspace();
        let files: Vec<String> = [
            "suite/tests/fail.rs",
            "suite/tests/common/mod.rs",
            "suite/tests/big/main.rs",
            "suite/src/lib.rs",
            "other/src/lib.rs",
            "nocrate/tests/x.rs",
        ]
        .iter()
        .map(ToString::to_string)
        .collect();
        let units = Nextest.units(&root, files.clone());
        assert_eq!(
            units,
            [
                "suite/tests/fail.rs",
                "suite/tests/big/main.rs",
                "suite/src/lib.rs",
                "other/src/lib.rs"
            ]
        );
        let project = Project {
            root: &root,
            files: &units,
        };
        let names: Vec<String> = Nextest.report_names(&project).into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["suite::fail", "suite::big", "suite", "other-crate"]);
    }

    #[test]
    fn batch_args_build_only_the_binaries_and_filter_exactly() {
        let (_dir, root) = workspace();
        let targets = vec![
            Target::file("suite/tests/pass.rs"),
            Target {
                file: "suite/tests/fail.rs".into(),
                test: Some("suite/tests/fail.rs::fails_p0".into()),
            },
            Target::file("other/src/lib.rs"),
        ];
        let invocation = Invocation {
            targets: &targets,
            result: "/run/results/job-00003.xml",
            root: &root,
            worker: 1,
            run_id: "r",
            select: Some("test(/p0/)"),
            deselect: &[],
        };
        let args: Vec<String> = Nextest
            .batch_args(&invocation)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(
            args,
            [
                "--no-fail-fast",
                "--tool-config-file",
                "flotilla:/run/results/job-00003.toml",
                "--profile",
                "tool:flotilla",
                "-p",
                &format!("path+file://{root}/suite#suite"),
                "-p",
                &format!("path+file://{root}/other#other-crate"),
                "--test",
                "pass",
                "--test",
                "fail",
                "--lib",
                "-E",
                "(binary_id(=suite::pass) | (binary_id(=suite::fail) & test(=fails_p0)) | binary_id(=other-crate)) & (test(/p0/))"
            ]
        );
    }

    #[test]
    fn quarantined_tests_are_subtracted_from_the_filterset() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        std::fs::create_dir_all(root.join("suite/tests")).unwrap();
        std::fs::write(root.join("suite/Cargo.toml"), "[package]\nname = \"suite\"\n").unwrap();
        let targets = vec![Target::file("suite/tests/fail.rs")];
        let deselect = ["suite/tests/fail.rs::fails_p0".to_string(), "not a test id".to_string()];
        let invocation = Invocation {
            targets: &targets,
            result: "/run/results/job-00003.xml",
            root: &root,
            worker: 1,
            run_id: "r",
            select: None,
            deselect: &deselect,
        };
        let args: Vec<String> = Nextest
            .batch_args(&invocation)
            .into_iter()
            .map(|a| a.into_string().unwrap())
            .collect();
        assert_eq!(
            args.last().unwrap(),
            "(binary_id(=suite::fail)) & not ((binary_id(=suite::fail) & test(=fails_p0)))"
        );
    }

    #[test]
    fn the_tool_config_points_junit_at_the_result() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        let result = root.join("job-00001.xml");
        std::fs::write(&result, "stale").unwrap();
        Nextest.prepare_job(&result).unwrap();
        assert!(!result.exists(), "a stale report is removed");
        let config: toml::Table =
            toml::from_str(&std::fs::read_to_string(root.join("job-00001.toml")).unwrap()).unwrap();
        let profile = &config["profile"][PROFILE];
        assert_eq!(profile["retries"].as_integer(), Some(0));
        assert_eq!(profile["junit"]["path"].as_str(), Some(result.as_str()));
    }

    #[test]
    fn build_failures_blame_the_crates_that_did_not_compile() {
        let (_dir, root) = workspace();
        let files = vec!["suite/tests/fail.rs".to_string(), "other/src/lib.rs".to_string()];
        let project = Project {
            root: &root,
            files: &files,
        };
        let names = Nextest.report_names(&project);
        let message = "warning: unused --> suite/tests/fail.rs:3:1\nerror: could not compile `other-crate` (lib test) due to 1 previous error";
        assert_eq!(Nextest.blame(message, &project, &names), ["other/src/lib.rs"]);
        let message = "error: could not compile `suite` (test \"fail\") due to 1 previous error";
        assert_eq!(Nextest.blame(message, &project, &names), ["suite/tests/fail.rs"]);
        let message = "error: could not compile `suite` (lib) due to 1 previous error";
        assert_eq!(Nextest.blame(message, &project, &names), ["suite/tests/fail.rs"]);
        let message = "error: could not compile `suite` (test \"pass\") due to 1 previous error";
        assert!(Nextest.blame(message, &project, &names).is_empty());
        let listed = Nextest
            .parse_list("suite::fail fails_p0\nother-crate tests::a\nunknown::x y\n", &project)
            .unwrap();
        let ids: Vec<&str> = listed.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["suite/tests/fail.rs::fails_p0", "other/src/lib.rs::tests::a"]);
    }

    #[test]
    fn packages_are_addressed_by_their_folder() {
        assert_eq!(
            package_spec(Utf8Path::new("/work/my crate/"), "serde"),
            "path+file:///work/my%20crate#serde"
        );
    }
}

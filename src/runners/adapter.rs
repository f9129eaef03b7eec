//! [`Adapter`]: what flotilla knows about one test framework, and [`Invocation`], one job's
//! targets. Adapters are mostly data: default globs, the argv of a batch, where results go and
//! in which format ([`ReportSource`], [`ReportFormat`]), how a single test is addressed and
//! listed ([`ListedTest`]), how selection maps to the runner's own filter, and which failures
//! are outside tests.

use std::ffi::OsString;

use camino::Utf8Path;

use super::ListError;
use crate::results::ReportedCase;

/// One thing a job runs: a whole file, or one test in it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Target {
    /// The test file (or, for go, the package folder), relative to the config folder.
    pub file: String,
    /// A single test's stable id, when the job runs tests rather than whole files.
    pub test: Option<String>,
}

impl Target {
    /// A whole file.
    #[must_use]
    pub fn file(file: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            test: None,
        }
    }

    /// The identity of this target as a unit of scheduling and history.
    #[must_use]
    pub fn id(&self) -> &str {
        self.test.as_deref().unwrap_or(&self.file)
    }

    /// The test's id without its `file::` prefix, for runners whose ids are `file::name`.
    #[must_use]
    pub fn test_name(&self) -> Option<&str> {
        let test = self.test.as_deref()?;
        Some(
            test.strip_prefix(self.file.as_str())
                .and_then(|rest| rest.strip_prefix("::"))
                .unwrap_or(test),
        )
    }
}

/// What one job's argv is built from.
#[derive(Clone, Copy, Debug)]
pub struct Invocation<'a> {
    /// The targets, all files or all tests.
    pub targets: &'a [Target],
    /// Where the runner should write its machine-readable results.
    pub result: &'a str,
    /// The folder the job runs in (the config folder); target files are relative to it.
    pub root: &'a Utf8Path,
    /// 1-based worker slot.
    pub worker: usize,
    /// This run's id.
    pub run_id: &'a str,
    /// The selection expression (`--select` / `select`), if any.
    pub select: Option<&'a str>,
    /// Ids of quarantined tests to leave out, for runners that can deselect.
    pub deselect: &'a [String],
}

impl Invocation<'_> {
    /// The distinct files of the targets, in order.
    #[must_use]
    pub fn files(&self) -> Vec<String> {
        distinct_files(self.targets)
    }

    /// Whether some target is a single test.
    #[must_use]
    pub fn has_tests(&self) -> bool {
        self.targets.iter().any(|t| t.test.is_some())
    }

    /// Whether some target is a whole file.
    #[must_use]
    pub fn has_whole_files(&self) -> bool {
        self.targets.iter().any(|t| t.test.is_none())
    }
}

/// Formats of machine-readable results; `src/results/formats/` has one parser per format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// JUnit XML (pytest, cargo-nextest, custom commands).
    Junit,
    /// RSpec's `--format json`.
    RspecJson,
    /// Cucumber's `--format json`.
    CucumberJson,
    /// Jest's `--json`.
    JestJson,
    /// Vitest's `json` reporter (Jest's shape).
    VitestJson,
    /// `go test -json` (test2json events, with go's own stderr mixed in).
    GoTestJson,
    /// flotilla's own `node --test` reporter (JSON lines).
    NodeEvents,
    /// Playwright's `json` reporter.
    PlaywrightJson,
    /// mocha-junit-reporter's JUnit (Cypress), one file per spec.
    MochaJunit,
}

impl ReportFormat {
    /// Its name in messages.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Junit => "JUnit",
            Self::RspecJson => "RSpec JSON",
            Self::CucumberJson => "Cucumber JSON",
            Self::JestJson => "Jest JSON",
            Self::VitestJson => "Vitest JSON",
            Self::GoTestJson => "go test -json",
            Self::NodeEvents => "node --test events",
            Self::PlaywrightJson => "Playwright JSON",
            Self::MochaJunit => "mocha-junit-reporter JUnit",
        }
    }

    /// The extension of a report file in this format.
    #[must_use]
    pub fn extension(self) -> &'static str {
        match self {
            Self::Junit | Self::MochaJunit => "xml",
            Self::GoTestJson | Self::NodeEvents => "jsonl",
            Self::RspecJson | Self::CucumberJson | Self::JestJson | Self::VitestJson | Self::PlaywrightJson => "json",
        }
    }
}

/// Where a job's machine-readable results are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportSource {
    /// In the file at `{result}` (optional: a job may write none).
    File(ReportFormat),
    /// On the job's stdout, with its stderr after it (go test -json).
    Stdout(ReportFormat),
    /// In every file of the folder `{result}` (Cypress writes one file per spec).
    Dir(ReportFormat),
}

impl ReportSource {
    /// The format, wherever it is.
    #[must_use]
    pub fn format(self) -> ReportFormat {
        match self {
            Self::File(format) | Self::Stdout(format) | Self::Dir(format) => format,
        }
    }
}

/// A test found by listing a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedTest {
    /// The file it is in.
    pub file: String,
    /// Its stable id (the same id its results will carry).
    pub id: String,
}

/// The project a listing or a report is read in: its root and the files (units) involved.
#[derive(Clone, Copy, Debug)]
pub struct Project<'a> {
    /// The folder the runner ran in (the config folder).
    pub root: &'a Utf8Path,
    /// The files (units) of the job or listing, relative to `root`.
    pub files: &'a [String],
}

/// One test framework.
///
/// A job's argv is `program` (the suite's `command`, else [`Adapter::default_program`]),
/// then [`Adapter::subcommand`], the suite's `args`, and [`Adapter::batch_args`].
pub trait Adapter: Send + Sync + std::fmt::Debug {
    /// Globs used when a suite gives no `files`.
    fn default_files(&self) -> &'static [&'static str];
    /// Globs always left out, whatever the suite's `files` (`node_modules`, `target`).
    fn always_exclude(&self) -> &'static [&'static str] {
        &[]
    }
    /// The program (and leading arguments) used when a suite gives no `command`.
    fn default_program(&self) -> &'static [&'static str];
    /// Words after the program that pick the runner's "run tests" subcommand (`test` for go,
    /// `run` for cargo-nextest), before the suite's `args`.
    fn subcommand(&self) -> &'static [&'static str] {
        &[]
    }
    /// Words after the program that pick the runner's listing subcommand.
    fn list_subcommand(&self) -> &'static [&'static str] {
        self.subcommand()
    }
    /// The units discovered files stand for (go: a package folder per `*_test.go` file;
    /// cargo-nextest: only files that are test targets). Sorted, without duplicates.
    fn units(&self, root: &Utf8Path, files: Vec<String>) -> Vec<String> {
        let _ = root;
        files
    }
    /// Arguments after the program, subcommand and the suite's `args` that run `invocation`'s
    /// targets and write results.
    fn batch_args(&self, invocation: &Invocation<'_>) -> Vec<OsString>;
    /// Extra environment variables for a job (Playwright's report path).
    fn environment(&self, invocation: &Invocation<'_>) -> Vec<(String, String)> {
        let _ = invocation;
        Vec::new()
    }
    /// Where the results of a job are.
    fn report(&self) -> ReportSource;
    /// Gets the job's report location ready before the job starts: a report left from before
    /// must never be read as this job's (by default the file or folder at `result` is removed;
    /// a folder source is created empty). Adapters that need support files write them here.
    fn prepare_job(&self, result: &Utf8Path) -> std::io::Result<()> {
        remove_report(result)?;
        if matches!(self.report(), ReportSource::Dir(_)) {
            fs_err::create_dir_all(result)?;
        }
        Ok(())
    }
    /// What it can do and how to read its exit codes.
    fn capabilities(&self) -> super::Capabilities;
    /// Targets with different keys never share a planned job (`None`: any may). Runners whose
    /// test filter (`-run`, `-t`, `--test-name-pattern`) applies to every file of a job keep a
    /// split file's single tests apart ([`split_tests_apart`]); cargo-nextest keeps packages
    /// apart, so one crate's build never depends on another's.
    fn job_key(&self, target: &Target, root: &Utf8Path) -> Option<String> {
        let _ = (target, root);
        None
    }
    /// Whether [`Adapter::list_args`] can list the tests of a file under selection `select`.
    fn lists_tests(&self, select: Option<&str>) -> bool {
        let _ = select;
        false
    }
    /// Arguments after the program, list subcommand and `args` that list the tests of
    /// `project.files` (restricted to `select`) on stdout, if supported.
    fn list_args(&self, project: &Project<'_>, select: Option<&str>) -> Option<Vec<OsString>>;
    /// The tests in a listing's stdout; `project.files` are the files that were listed.
    fn parse_list(&self, stdout: &str, project: &Project<'_>) -> Result<Vec<ListedTest>, ListError>;
    /// Whether a reported case is a failure outside any test (collection, import, compile
    /// errors): reported as an error, never retried.
    fn is_outside_tests(&self, case: &ReportedCase) -> bool {
        let _ = case;
        false
    }
    /// How the report names each unit, when not by its path: `(name, file)` pairs matched
    /// against a case's classname and in messages (go: the import path of a package folder;
    /// cargo-nextest: the binary id of a test target).
    fn report_names(&self, project: &Project<'_>) -> Vec<(String, String)> {
        let _ = project;
        Vec::new()
    }
    /// The stable id of a reported case that belongs to `file`; `None` builds
    /// `file::classname::name` (JUnit). Must equal the id listing gives for the same test.
    fn test_id(&self, case: &ReportedCase, file: &str) -> Option<String> {
        let _ = file;
        case.id.clone()
    }
    /// Cases the runner only printed, not in its report (cargo-nextest leaves the tests it
    /// skipped out of its JUnit): `output` reads the job's stdout and stderr, for the adapters
    /// that need it. Merged into the report's cases; skipped cases of tests the job did not target are
    /// dropped as the report's are.
    fn printed_cases(&self, output: &dyn Fn() -> String) -> Vec<ReportedCase> {
        let _ = output;
        Vec::new()
    }
    /// The job files a failure outside tests is about: by default those `message` names, by
    /// path or by one of their `names` ([`Adapter::report_names`]).
    fn blame(&self, message: &str, project: &Project<'_>, names: &[(String, String)]) -> Vec<String> {
        blame_by_mention(message, project, names)
    }
}

/// The [`Adapter::job_key`] of runners whose test filter spans every file of a job: whole
/// files together, the single tests of each file apart.
#[must_use]
pub fn split_tests_apart(target: &Target) -> Option<String> {
    Some(match &target.test {
        Some(_) => format!("tests of {}", target.file),
        None => String::new(),
    })
}

/// The distinct files of `targets`, in first-seen order.
#[must_use]
pub fn distinct_files<'a>(targets: impl IntoIterator<Item = &'a Target>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    targets
        .into_iter()
        .filter(|target| seen.insert(target.file.as_str()))
        .map(|target| target.file.clone())
        .collect()
}

/// Removes a report file or folder; a missing one is fine.
pub(super) fn remove_report(path: &Utf8Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => fs_err::remove_dir_all(path),
        Ok(_) => fs_err::remove_file(path),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(error) => Err(error),
    }
}

/// The files of `project` that `message` mentions: by relative path (also as `./path` or
/// under the root), or by one of the names the report uses for them.
#[must_use]
pub fn blame_by_mention(message: &str, project: &Project<'_>, names: &[(String, String)]) -> Vec<String> {
    let canonical = project.root.canonicalize_utf8().ok();
    let mut roots = vec![project.root.as_str()];
    roots.extend(canonical.as_ref().map(|c| c.as_str()));
    project
        .files
        .iter()
        .filter(|file| {
            super::common::mentions(message, file, &roots)
                || names
                    .iter()
                    .any(|(name, named)| named == *file && super::common::mentions(message, name, &roots))
        })
        .cloned()
        .collect()
}

//! [`Adapter`]: what flotilla knows about one test framework, and [`Invocation`], one job's
//! targets. Adapters are mostly data: default globs, the argv of a batch, where results go and
//! in which format, how a single test is addressed and listed, how selection maps to the
//! runner's own filter.

use std::ffi::OsString;

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
}

/// What one job's argv is built from.
#[derive(Clone, Copy, Debug)]
pub struct Invocation<'a> {
    /// The targets, all files or all tests.
    pub targets: &'a [Target],
    /// Where the runner should write its machine-readable results.
    pub result: &'a str,
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
        let mut files: Vec<String> = Vec::new();
        for target in self.targets {
            if files.last() != Some(&target.file) && !files.contains(&target.file) {
                files.push(target.file.clone());
            }
        }
        files
    }
}

/// Formats of machine-readable results.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportFormat {
    /// JUnit XML.
    Junit,
}

impl ReportFormat {
    /// Its name in messages.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Junit => "JUnit",
        }
    }
}

/// Where a job's machine-readable results are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReportSource {
    /// In the file at `{result}` (optional: a job may write none).
    File(ReportFormat),
}

/// A test found by listing a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedTest {
    /// The file it is in.
    pub file: String,
    /// Its stable id (the same id its results will carry).
    pub id: String,
}

/// One test framework.
pub trait Adapter: Send + Sync + std::fmt::Debug {
    /// Globs used when a suite gives no `files`.
    fn default_files(&self) -> &'static [&'static str];
    /// The program (and leading arguments) used when a suite gives no `command`.
    fn default_program(&self) -> &'static [&'static str];
    /// Arguments after the program and the suite's `args` that run `invocation`'s targets and
    /// write results.
    fn batch_args(&self, invocation: &Invocation<'_>) -> Vec<OsString>;
    /// Where the results of a job are.
    fn report(&self) -> ReportSource;
    /// Whether single tests can be run (so retries and splitting work per test).
    fn addresses_tests(&self) -> bool;
    /// Arguments after the program that list the tests of `files` (restricted to `select`)
    /// on stdout, if supported.
    fn list_args(&self, files: &[String], select: Option<&str>) -> Option<Vec<OsString>>;
    /// The tests in a listing's stdout.
    fn parse_list(&self, stdout: &str) -> Vec<ListedTest>;
    /// Whether exit `code` means success for this runner even without passing tests (pytest's
    /// 5 = nothing selected).
    fn success_code(&self, code: i32) -> bool {
        code == 0
    }
    /// Whether a reported case is a failure outside any test (collection, import, compile
    /// errors): reported as an error, never retried.
    fn is_outside_tests(&self, case: &crate::results::ReportedCase) -> bool {
        let _ = case;
        false
    }
}

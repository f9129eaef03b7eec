//! [`Capabilities`]: what a runner can do and how to read its exit, as one value per adapter
//! (instead of a boolean method each), so a runner's policy reads at a glance in its file.

/// What a runner can do, and which exit codes mean what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// Single tests can be run, so retries and splitting work per test.
    pub addresses_tests: bool,
    /// It leaves out the quarantined tests of `Invocation::deselect` itself; those are reported
    /// as skipped ("not run"). Other runners run them and their result is ignored.
    pub deselects_tests: bool,
    /// Every run writes a report, so a job that exits 0 without one is an error, never a pass
    /// (`custom`: a command may write none; its exit code is its result).
    pub report_required: bool,
    /// A report that parsed is trusted over a non-zero exit code (cucumber: pending steps fail
    /// the exit code under `--strict` but are skips in the report).
    pub trusts_report_over_exit: bool,
    /// Cases from files that are not the job's are dropped (Vitest's positional arguments are
    /// substring filters: `a.test.ts` also runs `a.test.tsx`, whose own job reports it).
    pub drops_foreign_cases: bool,
    /// Exit codes that mean success even without passing tests (pytest's 5: nothing selected).
    pub success_codes: &'static [i32],
    /// Exit codes that, with no usable report, mean the runner stopped before running any test
    /// (a parse or build error): an error outside tests, blamed on the files its output names
    /// (cucumber 2, cargo-nextest 101).
    pub abort_codes: &'static [i32],
}

impl Capabilities {
    /// A runner that runs whole files only and writes a report every time; exit 0 is success.
    pub const DEFAULT: Self = Self {
        addresses_tests: false,
        deselects_tests: false,
        report_required: true,
        trusts_report_over_exit: false,
        drops_foreign_cases: false,
        success_codes: &[0],
        abort_codes: &[],
    };

    /// Whether exit `code` means success.
    #[must_use]
    pub fn succeeds(&self, code: i32) -> bool {
        self.success_codes.contains(&code)
    }

    /// Whether exit `code` without a usable report means it stopped before running anything.
    #[must_use]
    pub fn aborted(&self, code: i32) -> bool {
        self.abort_codes.contains(&code)
    }
}

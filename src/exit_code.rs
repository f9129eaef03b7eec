//! Documented, stable exit codes (see README "Exit codes").

/// Every test passed (flaky tests count as passed unless `--flaky-result=fail`).
pub const SUCCESS: u8 = 0;
/// At least one test failed, errored or timed out.
pub const TESTS_FAILED: u8 = 1;
/// Bad command-line usage or configuration.
pub const USAGE: u8 = 2;
/// The environment could not be set up (a runner is missing, the run dir is not writable, …).
pub const ENVIRONMENT: u8 = 3;
/// The run was interrupted by SIGINT or SIGTERM.
pub const INTERRUPTED: u8 = 130;

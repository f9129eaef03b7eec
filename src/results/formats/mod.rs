//! Parsers for the machine-readable results each runner writes, one file per format, all with
//! the same shape: `parse_<format>(text, root) -> Result<ParsedReport, <Format>Error>`, each
//! format with its own error enum (what is wrong, and where when the parser knows: the line of a
//! JSON-lines event, the field serde_json missed). The JSON formats share [`JsonError`] for
//! empty, truncated and foreign documents.
//!
//! Every parser is a pure function of the report's text and the project root (the folder the
//! runner ran in, which relative paths in [`ReportedCase::file`] are made relative to with
//! [`normalize_path`]). It is tolerant of the variants real runners write and strict about
//! garbage: an empty, truncated or foreign file is an `Err` that says what is wrong, never an
//! empty pass. [`ParsedReport::errors_outside_tests`] carries failures that belong to no test
//! (collection, import, compile and load errors, failing suite-level hooks): they must be
//! reported as errors, never retried and never hidden by a later passing attempt.
//!
//! `docs/runners.md` says which command writes each format and what every field maps to; the
//! fixtures the tests read are real runner output (`tests/fixtures/formats/`), except Vitest,
//! Playwright and Cypress, which are written from those tools' documentation.

mod common;
mod cucumber_json;
mod go_test_json;
mod jest_json;
mod junit;
mod mocha_junit;
mod node_events;
mod node_junit;
mod playwright_json;
mod pytest_junit;
mod rspec_json;
mod vitest_json;

pub use common::{JsonError, normalize_path};
pub use cucumber_json::{CucumberJsonError, parse_cucumber_json};
pub use go_test_json::{GoTestJsonError, go_module_path, go_package_dir, parse_go_test_json};
pub use jest_json::{JestJsonError, parse_jest_json};
pub use junit::{JunitError, parse_junit_report};
pub use mocha_junit::{MochaJunitError, parse_mocha_junit};
pub use node_events::{NODE_REPORTER, NodeEventsError, parse_node_events};
pub use node_junit::parse_node_junit;
pub use playwright_json::{PlaywrightJsonError, parse_playwright_json};
pub use pytest_junit::parse_pytest_junit;
pub use rspec_json::{RspecJsonError, parse_rspec_json};
pub use vitest_json::{VitestJsonError, parse_vitest_json};

use super::ReportedCase;

/// What one result file says: its test cases, and the failures that belong to no test.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedReport {
    /// One entry per test (per test and project for Playwright), in report order.
    pub cases: Vec<ReportedCase>,
    /// Failures outside any test, each a message naming where it happened (file or package)
    /// and what the runner said. Never retried; never hidden by a passing retry.
    pub errors_outside_tests: Vec<String>,
}

//! [`ListError`]: why a runner's listing output (see [`Adapter::parse_list`]) is not a list of
//! tests.
//!
//! The adapters that read their listing as text (pytest's `--collect-only -q`, `go test -list`,
//! `cargo nextest list`) skip lines that name no test and cannot fail. The others list with a
//! dry run that writes the runner's own report format, so what goes wrong is what goes wrong
//! with that report: empty, truncated, not JSON, or another shape. Each variant keeps the
//! format parser's typed error, worded as that parser words it.
//!
//! [`Adapter::parse_list`]: super::Adapter::parse_list

use crate::results::formats::{CucumberJsonError, JestJsonError, NodeEventsError, PlaywrightJsonError, RspecJsonError};

/// Why the output of a suite's listing command could not be read as its tests.
#[derive(Debug, thiserror::Error)]
pub enum ListError {
    /// `rspec --dry-run --format json` wrote no usable RSpec JSON document.
    #[error(transparent)]
    Rspec(#[from] RspecJsonError),
    /// `cucumber --dry-run --format json` wrote no usable Cucumber JSON document.
    #[error(transparent)]
    Cucumber(#[from] CucumberJsonError),
    /// `jest --json` (run with a name pattern that matches nothing) wrote no usable Jest JSON.
    #[error(transparent)]
    Jest(#[from] JestJsonError),
    /// `node --test` with flotilla's reporter wrote events that do not parse.
    #[error(transparent)]
    NodeEvents(#[from] NodeEventsError),
    /// `playwright test --list --reporter=json` wrote no usable Playwright JSON.
    #[error(transparent)]
    Playwright(#[from] PlaywrightJsonError),
}

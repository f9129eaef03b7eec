//! [`SummaryDoc`]: the parts of a `summary.json` (schema in `docs/summary-json.md`) the gate
//! needs, and [`Found`], one file on disk with its parsed content or [`SummaryError`].
//!
//! Only the fields the gate reads are declared, and unknown fields are accepted, because the
//! schema adds fields within a version. A different `schema_version` is an error.

use camino::{Utf8Path, Utf8PathBuf};
use serde::Deserialize;

use crate::results::SCHEMA_VERSION;

/// The oldest schema the gate reads: what it reads has not changed since (version 2 only made
/// jobs' log paths optional).
const OLDEST_READABLE: u32 = 1;

/// What the gate reads from one `summary.json`.
#[derive(Clone, Debug, Deserialize)]
pub struct SummaryDoc {
    /// The schema version ([`OLDEST_READABLE`] to [`SCHEMA_VERSION`]).
    pub schema_version: u32,
    /// The run that wrote it.
    pub run_id: String,
    /// No failure, error or timeout, and not interrupted.
    pub passed: bool,
    /// SIGINT/SIGTERM cut the run short.
    pub interrupted: bool,
    /// One entry per test.
    pub tests: Vec<SummaryTest>,
    /// One entry per job (a suite can appear here without any test result).
    #[serde(default)]
    pub jobs: Vec<SuiteRef>,
    /// Files that never finished because of an interrupt.
    #[serde(default)]
    pub not_run: Vec<SuiteRef>,
}

/// One `tests[]` entry.
#[derive(Clone, Debug, Deserialize)]
pub struct SummaryTest {
    /// Its suite.
    pub suite: String,
    /// Its final outcome.
    pub outcome: TestOutcome,
}

/// Any entry that names a suite (`jobs[]`, `not_run[]`).
#[derive(Clone, Debug, Deserialize)]
pub struct SuiteRef {
    /// The suite.
    pub suite: String,
}

/// A test's final outcome as written in `summary.json`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TestOutcome {
    /// Passed.
    Passed,
    /// Failed.
    Failed,
    /// Could not run properly.
    Error,
    /// Skipped by the runner.
    Skipped,
    /// Failed, then passed on a retry (green).
    Flaky,
    /// Killed at the timeout.
    TimedOut,
    /// Not run: carried from an earlier green run with the same inputs (green).
    Cached,
}

impl TestOutcome {
    /// Whether this outcome makes its suite red.
    #[must_use]
    pub fn is_failure(self) -> bool {
        matches!(self, Self::Failed | Self::Error | Self::TimedOut)
    }
}

/// Why a `summary.json` could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SummaryError {
    /// The file (or a folder on the way to it) could not be read.
    #[error("could not read it ({message}); check the artifact download and the file's permissions")]
    Unreadable {
        /// What the operating system said.
        message: String,
    },
    /// Not JSON, or not a flotilla summary.
    #[error("not a flotilla summary.json: {source}; re-run the step that wrote it, or remove the file")]
    Malformed {
        /// The JSON error, with line and column.
        #[source]
        source: serde_json::Error,
    },
    /// Written with another schema version.
    #[error(
        "schema_version {found} is not supported (this flotilla reads {OLDEST_READABLE} to {SCHEMA_VERSION}); run the gate with the flotilla version that wrote it"
    )]
    UnsupportedVersion {
        /// The version in the file.
        found: u32,
    },
}

/// One `summary.json` found on disk.
#[derive(Debug)]
pub struct Found {
    /// Its path, as reached from the folder given on the command line.
    pub path: Utf8PathBuf,
    /// Its content, or why it cannot be used.
    pub summary: Result<SummaryDoc, SummaryError>,
}

impl Found {
    /// Reads and parses `path`.
    #[must_use]
    pub fn load(path: &Utf8Path) -> Self {
        let summary = match fs_err::read(path) {
            Ok(bytes) => parse(&bytes),
            Err(error) => Err(SummaryError::Unreadable {
                message: error.to_string(),
            }),
        };
        Self {
            path: path.to_path_buf(),
            summary,
        }
    }
}

/// Parses the bytes of a `summary.json`.
///
/// # Errors
///
/// [`SummaryError::Malformed`] or [`SummaryError::UnsupportedVersion`].
pub(crate) fn parse(bytes: &[u8]) -> Result<SummaryDoc, SummaryError> {
    let doc: SummaryDoc = serde_json::from_slice(bytes).map_err(|source| SummaryError::Malformed { source })?;
    if !(OLDEST_READABLE..=SCHEMA_VERSION).contains(&doc.schema_version) {
        return Err(SummaryError::UnsupportedVersion {
            found: doc.schema_version,
        });
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_the_run_writes() {
        let doc = parse(
            br#"{"schema_version":1,"run_id":"r","passed":false,"interrupted":false,"extra":1,
                "tests":[{"suite":"api","outcome":"timed_out","id":"x"}],"jobs":[{"suite":"api"}],"not_run":[]}"#,
        )
        .unwrap();
        assert_eq!(doc.tests[0].outcome, TestOutcome::TimedOut);
        assert!(doc.tests[0].outcome.is_failure());
    }

    #[test]
    fn rejects_other_documents_and_versions() {
        let error = parse(b"{\"schema_version\":1}").unwrap_err().to_string();
        assert!(
            error.starts_with("not a flotilla summary.json: missing field"),
            "{error}"
        );
        let error = parse(b"{").unwrap_err().to_string();
        assert!(error.contains("line 1"), "{error}");
        let error = parse(br#"{"schema_version":3,"run_id":"r","passed":true,"interrupted":false,"tests":[]}"#)
            .unwrap_err()
            .to_string();
        assert!(
            error.starts_with("schema_version 3 is not supported (this flotilla reads 1 to 2)"),
            "{error}"
        );
        let error = parse(br#"{"schema_version":1,"run_id":"r","passed":true,"interrupted":false,"tests":[{"suite":"a","outcome":"meh"}]}"#)
            .unwrap_err()
            .to_string();
        assert!(error.contains("unknown variant `meh`"), "{error}");
    }
}

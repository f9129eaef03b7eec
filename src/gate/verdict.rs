//! [`Verdict`]: the gate's answer, one [`Row`] per suite, missing requirement or unusable
//! file, each with a [`Status`].

use camino::Utf8PathBuf;

use super::config::Requirement;

/// How one row stands. Everything but [`Status::Passed`] fails the gate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Status {
    /// Present and green.
    Passed,
    /// A test failed, errored or timed out (or the run says it did not pass).
    Failed,
    /// The run was cut short, so some tests may never have run.
    Interrupted,
    /// Required, but no summary has it (or no summary exists at all).
    Missing,
    /// A `summary.json` could not be read or parsed.
    Malformed,
}

impl Status {
    /// The word in the table: lowercase when green, capitals otherwise, so failures stand out
    /// in plain CI logs.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Failed => "FAILED",
            Self::Interrupted => "INTERRUPTED",
            Self::Missing => "MISSING",
            Self::Malformed => "MALFORMED",
        }
    }

    /// The lowercase word for the closing line.
    #[must_use]
    pub fn word(self) -> &'static str {
        match self {
            Self::Passed => "passed",
            Self::Failed => "failed",
            Self::Interrupted => "interrupted",
            Self::Missing => "missing",
            Self::Malformed => "malformed",
        }
    }

    /// For merging one suite's results from several summaries: a failure outweighs an
    /// interruption, which outweighs a pass.
    pub(crate) fn worst(self, other: Self) -> Self {
        let rank = |s: Self| match s {
            Self::Passed => 0,
            Self::Interrupted => 1,
            Self::Failed => 2,
            Self::Missing => 3,
            Self::Malformed => 4,
        };
        if rank(other) > rank(self) { other } else { self }
    }
}

/// What a row is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// A suite found in the summaries (merged over every summary that has it).
    Suite(String),
    /// A requirement that no suite matched.
    Requirement(Requirement),
    /// One `summary.json` with a problem of its own (unreadable, or red without a red suite).
    File(Utf8PathBuf),
    /// Nothing was found at all and nothing was required.
    NoSummaries,
}

/// Test counts of one suite, summed over the summaries that have it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SuiteCounts {
    /// Every test.
    pub total: usize,
    /// Passed (flaky included).
    pub passed: usize,
    /// Failed, errored or timed out.
    pub failed: usize,
    /// Skipped.
    pub skipped: usize,
    /// Failed, then passed on a retry.
    pub flaky: usize,
}

/// One line of the gate's table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// How it stands.
    pub status: Status,
    /// What it is about.
    pub subject: Subject,
    /// Test counts, for suites.
    pub counts: Option<SuiteCounts>,
    /// Where it came from or what is wrong, in words.
    pub detail: String,
}

/// The gate's answer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verdict {
    /// Suites (by name), then missing requirements, then file problems.
    pub rows: Vec<Row>,
    /// How many `summary.json` files were found (usable or not).
    pub files: usize,
}

impl Verdict {
    /// Whether the gate passes: there is something, and every row is green.
    #[must_use]
    pub fn passed(&self) -> bool {
        !self.rows.is_empty() && self.rows.iter().all(|row| row.status == Status::Passed)
    }

    /// How many rows have `status`.
    #[must_use]
    pub fn count(&self, status: Status) -> usize {
        self.rows.iter().filter(|row| row.status == status).count()
    }
}

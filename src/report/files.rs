//! [`ReportFiles`]: junit.xml and summary.json of a run, written when it finishes, and the
//! `latest` link pointed at it.

use camino::Utf8PathBuf;

use crate::error::Error;
use crate::results::{RunSummary, write_junit, write_summary};
use crate::runner::RunDir;

/// Writes the run's report files.
pub struct ReportFiles {
    run_dir: RunDir,
}

impl ReportFiles {
    /// Reports of the run in `run_dir`.
    #[must_use]
    pub fn new(run_dir: RunDir) -> Self {
        Self { run_dir }
    }

    /// Writes junit.xml and summary.json and points `latest` at the run; returns their paths.
    pub fn write(&self, summary: &RunSummary) -> Result<Vec<Utf8PathBuf>, Error> {
        let junit = self.run_dir.path.join("junit.xml");
        write_junit(summary, &junit).map_err(|source| Error::Report {
            what: "JUnit report",
            path: junit.clone(),
            source,
        })?;
        let json = self.run_dir.path.join("summary.json");
        write_summary(summary, &json).map_err(|source| Error::Report {
            what: "summary",
            path: json.clone(),
            source,
        })?;
        self.run_dir.mark_latest().map_err(|source| Error::Report {
            what: "latest link",
            path: self.run_dir.path.clone(),
            source,
        })?;
        Ok(vec![junit, json])
    }
}

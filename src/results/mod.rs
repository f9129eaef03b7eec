//! The outcome model and its file formats: reading JUnit from runners, writing the merged
//! `junit.xml` and the documented `summary.json`.
//!
//! The main types are [`Outcome`], [`TestResult`] (one test, all its attempts) and
//! [`RunSummary`] (what a run produced). [`write_junit`] and [`write_summary`] stream a whole
//! summary to disk; [`ReportSink`] writes the same files from tests handed over as they settle.

mod display;
mod first_failure;
pub mod formats;
mod header;
mod junit_read;
mod junit_write;
pub mod merge;
mod model;
mod sink;
mod steps;
mod summary_json;
mod table;

pub use display::signal_name;
pub use first_failure::{EarliestFailure, FirstFailure};
pub use header::RunHeader;
pub use junit_read::{JunitReadError, ReportedCase, ReportedStatus, parse_junit};
pub use junit_write::write_junit;
pub use model::{Attempt, Counts, FlakyResult, JobExit, JobRecord, Outcome, RunSummary, TestResult};
pub use sink::ReportSink;
pub use steps::{CommandRecord, StepOutcome, StepRecord};
pub use summary_json::{SCHEMA_VERSION, write_summary};
pub use table::ResultTable;

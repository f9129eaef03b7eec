//! History: each test's recent durations and outcomes in an embedded SQLite file, the cost
//! model that turns them into estimates, and the export format that carries them between
//! machines.
//!
//! [`History`] is the store (WAL, busy timeout, schema version in `PRAGMA user_version`); it
//! never fails a run: a corrupt or unreadable file gives a warning and a fresh store. It keeps
//! a bounded number of samples per test ([`RECENT_SAMPLES`]), so its size follows the number
//! of tests, not of runs. [`estimate_suite`] is the pure cost model: a robust per-file
//! estimate, fallbacks that are never zero, and the learned fixed cost of starting a job.
//! [`HistoryData`] is what `flotilla history export` writes and `import` merges.

mod cpu_share;
mod estimate;
mod exchange;
mod sample;
mod schema;
mod seconds;
mod size_estimate;
mod startup_cost;
mod store;
mod subtests;
mod suite_run;

pub use cpu_share::CpuShare;
pub use estimate::{
    DEFAULT_ESTIMATE, Estimate, EstimateSource, SuiteEstimates, clamp_secs, estimate_suite, percentile,
};
pub use exchange::{
    ExchangeError, FORMAT_NAME, FORMAT_VERSION, HistoryData, RunCounts, RunRecord, StartupRecord, TestRecord,
    export_to_file, import_from_file, read_export, write_export,
};
pub use sample::{RECENT_SAMPLES, Sample, SampleOutcome, key_of};
pub use schema::{KEEP_RUNS, RECENT_JOBS, SCHEMA_VERSION};
pub use size_estimate::estimate_by_size;
pub use startup_cost::{Startup, StartupSample};
pub use store::{History, RECENT_FAILURE_RUNS};
pub use suite_run::{CachedTest, SuiteRun};

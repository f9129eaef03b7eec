//! History: past durations and outcomes in an embedded SQLite file, and the cost model that
//! turns them into estimates.
//!
//! [`History`] is the store (WAL, busy timeout, schema version in `PRAGMA user_version`); it
//! never fails a run: a corrupt or unreadable file gives a warning and a fresh store.
//! [`estimate_suite`] is the pure cost model: a robust per-file estimate, fallbacks that are
//! never zero, and the learned fixed cost of starting a job.

mod estimate;
mod store;

pub use estimate::{
    DEFAULT_ESTIMATE, Estimate, EstimateSource, Startup, SuiteEstimates, clamp_secs, estimate_suite, percentile,
};
pub use store::{History, SCHEMA_VERSION};

//! `flotilla merge`: one result from the run folders of a parallel step's nodes, and the proof
//! that every planned test ran exactly once ([`MergeRecord`]).
//!
//! Pure: [`parse_summary`] reads a node's summary.json text back into a [`RunSummary`];
//! [`ran_units`] says which planned units a node's jobs ran; [`prove`] checks the plan against
//! what every node reports; [`combine`]
//! builds the merged summary, which the usual writers turn into junit.xml and summary.json. A
//! work queue's record is merged by `crate::queue::merged_summary` into the same shape, with a
//! [`QueueProof`] in its record.
//!
//! [`RunSummary`]: super::RunSummary

mod combine;
mod prove;
mod ran;
mod read;
mod record;

pub use combine::combine;
pub use prove::{NodeView, prove};
pub use ran::ran_units;
pub use read::{SummaryReadError, parse_summary};
pub use record::{
    Duplicate, FailedBatch, HashMismatch, MergeRecord, MissingUnit, NeverReported, QueueProof, ReportedNode,
    UnfinishedBatch,
};

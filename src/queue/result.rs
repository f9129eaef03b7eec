//! [`BatchResult`]: what a node writes to the queue when a batch is done, before it
//! acknowledges it. It names the node, so the merge step can say which node ran each test.

use serde::{Deserialize, Serialize};

use crate::results::Outcome;

/// One test's final result (after the node's own retries).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TestRecord {
    pub suite: String,
    pub id: String,
    pub name: String,
    pub file: String,
    pub outcome: Outcome,
    /// Wall time of all its attempts, in milliseconds.
    pub duration_ms: u64,
    /// How many attempts it took.
    pub attempts: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// How a batch ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BatchStatus {
    /// A node ran it; its tests are in [`BatchResult::tests`].
    Ran,
    /// It was delivered more often than allowed (its nodes died or stalled each time); its units
    /// are reported failed, not run again.
    Failed { reason: String },
}

/// One batch's result, as stored in the queue's results hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchResult {
    pub batch: String,
    /// The node index that wrote it.
    pub node: u32,
    /// That node's retry count.
    pub retry: u32,
    /// Its consumer name (one per process).
    pub consumer: String,
    /// The delivery of the batch it ran (1 = first).
    pub delivery: u32,
    pub status: BatchStatus,
    pub tests: Vec<TestRecord>,
}

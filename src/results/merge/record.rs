//! [`MergeRecord`]: what `flotilla merge` found, written as `merge` in the merged summary.json
//! (`docs/summary-json.md`): which nodes reported, and every way the exactly-once proof failed.

use serde::{Deserialize, Serialize};

use crate::nodes::FileKey;

/// The proof that every planned unit ran exactly once, or why not.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeRecord {
    /// The plan the nodes were checked against.
    pub plan_hash: String,
    /// How many nodes the plan has.
    pub nodes: u32,
    /// How many units the plan has.
    pub planned: usize,
    /// The node results merged, by node index.
    pub reported: Vec<ReportedNode>,
    /// Earlier attempts of a node that a later attempt (higher retry count) replaced.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub superseded: Vec<ReportedNode>,
    /// Nodes of the plan that no result came from, with the units they were given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub never_reported: Vec<NeverReported>,
    /// Units of a node that reported but did not run them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<MissingUnit>,
    /// Units that ran on more than one node.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<Duplicate>,
    /// Node results made from another plan (left out of the merge).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub plan_hash_mismatches: Vec<HashMismatch>,
    /// Files the nodes discovered that the plan gives to no node (run nowhere).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unplanned: Vec<FileKey>,
    /// Merged from a work queue's record (`flotilla merge --queue`): what the queue held and the
    /// batches that did not end with a result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queue: Option<QueueProof>,
}

impl MergeRecord {
    /// Every planned unit ran exactly once, on the node that was given it, from one plan.
    #[must_use]
    pub fn proven(&self) -> bool {
        self.never_reported.is_empty()
            && self.missing.is_empty()
            && self.duplicates.is_empty()
            && self.plan_hash_mismatches.is_empty()
            && self.unplanned.is_empty()
            && self.queue.as_ref().is_none_or(QueueProof::holds)
    }
}

/// What a work queue's record proved (`flotilla merge --queue`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueProof {
    /// The queues merged (`build B step S plan H`), one per parallel step.
    pub scopes: Vec<String>,
    /// How many batches they were seeded with.
    pub batches: usize,
    /// Batches without a result, with their units and who held them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unfinished: Vec<UnfinishedBatch>,
    /// Batches reported failed after too many deliveries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<FailedBatch>,
    /// Planned units of a completed batch that reported no test: `suite: id`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub silent: Vec<String>,
}

impl QueueProof {
    /// Every batch ended with a result that reported every one of its units.
    #[must_use]
    pub fn holds(&self) -> bool {
        self.unfinished.is_empty() && self.failed.is_empty() && self.silent.is_empty()
    }
}

/// A batch of the queue that no node completed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnfinishedBatch {
    /// The batch id.
    pub batch: String,
    /// Its units, `suite: id`.
    pub units: Vec<String>,
    /// The consumer that holds it without acknowledging it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_by: Option<String>,
}

/// A batch the queue gave up on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FailedBatch {
    /// The batch id.
    pub batch: String,
    /// Why (its deliveries).
    pub reason: String,
}

/// One node result taken into the merge.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportedNode {
    /// The node, counting from 0.
    pub node: u32,
    /// Its retry count.
    pub retry: u32,
    /// Where its summary.json was found.
    pub source: String,
    /// Its run id.
    pub run_id: String,
}

/// A node that never reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeverReported {
    /// The node, counting from 0.
    pub node: u32,
    /// The ids (`suite: id`) of the units it was given.
    pub units: Vec<String>,
}

/// A planned unit its node did not run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingUnit {
    /// Its suite.
    pub suite: String,
    /// Its id (test id or file).
    pub id: String,
    /// The node the plan gave it to.
    pub node: u32,
}

/// A unit that ran on several nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    /// Its suite.
    pub suite: String,
    /// Its id (test id or file).
    pub id: String,
    /// The nodes that ran it.
    pub nodes: Vec<u32>,
}

/// A node result from another plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HashMismatch {
    /// Where its summary.json was found.
    pub source: String,
    /// Its node index.
    pub node: u32,
    /// The plan it ran a share of.
    pub plan_hash: String,
}

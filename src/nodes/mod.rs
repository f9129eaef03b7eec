//! Splitting one selection across the nodes of a CI parallel step. Pure and deterministic:
//! every node computes the same [`NodePlan`] from the same inputs.
//!
//! A node's static share comes from one of two sources ([`ShareSource`]): a plan computed here
//! from the history, or a plan file (`flotilla plan --out`); the third source of work, the
//! Redis queue (`queue/`), feeds the runner's `WorkSource::Remote` instead. Either way the node
//! ends up with planned units that the local planner (`prepare`) cuts into batches for the same
//! dispatcher, and a [`NodeSummary`] that `flotilla merge` uses to prove every planned unit ran
//! exactly once.
//!
//! - [`partition`]: longest processing time first onto the least-loaded node.
//! - [`plan_file`]: the versioned `plan.json` schema (`docs/plan-json.md`), its hash.
//! - [`identity`]: which node this is (`--partition`, `FLOTILLA_NODE_*`, the CI's variables).
//! - [`share`]: a node's share of a plan, reconciled with what is discovered now.

pub mod emit;
mod error;
mod identity;
mod partition;
mod plan_file;
mod share;
mod target_time;

pub use error::NodeError;
pub use identity::{NodeIdentity, Partition, PartitionError, node_identity};
pub use partition::{ALGORITHM, NodeUnit, least_loaded, partition};
pub use plan_file::{NodePlan, PLAN_SCHEMA_VERSION, PlanFileError, PlannedUnit, UnitKey};
pub use share::{FileKey, MissingUnit, NodeRequest, NodeShare, NodeSummary, ShareSource, reconcile};
pub use target_time::{NodeCount, choose_nodes, predicted_node_time, predicted_time};

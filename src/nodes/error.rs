//! [`NodeError`]: why a node cannot run its share (each message says what to do).

use camino::Utf8PathBuf;

use super::emit::EmitError;
use super::plan_file::PlanFileError;

/// Why a node of a parallel step cannot run its share.
#[derive(Debug, thiserror::Error)]
pub enum NodeError {
    /// A retried node without a pinned plan would split again from today's history.
    #[error(
        "this is retry {retry} of node {number} of {total} ({retry_reason}); without a plan file it would split again from today's history and could run other tests than its first attempt did. Pin the plan: run `flotilla plan --nodes {total} --out plan.json` in a step before the parallel step, hand plan.json to every node (an artifact), and run `flotilla run --plan plan.json`; or pass `--allow-new-split` to accept a new split"
    )]
    RetryNeedsPlan {
        retry: u32,
        number: u32,
        total: u32,
        retry_reason: String,
    },
    /// The plan file is for another number of nodes.
    #[error(
        "`{path}` plans {plan_nodes} nodes but this step has {total} ({identified_by}): write the plan with `flotilla plan --nodes {total} --out {path}`, or set the step's parallelism to {plan_nodes}"
    )]
    PlanNodeCount {
        path: Utf8PathBuf,
        plan_nodes: u32,
        total: u32,
        identified_by: String,
    },
    /// A plan for several nodes, and nothing says which node this is.
    #[error(
        "`{path}` plans {plan_nodes} nodes but nothing says which one this is: pass `--partition I/{plan_nodes}` (I from 1), or set FLOTILLA_NODE_INDEX (from 0) and FLOTILLA_NODE_TOTAL={plan_nodes}, or run inside the CI's parallel step"
    )]
    WhichNode { path: Utf8PathBuf, plan_nodes: u32 },
    /// The plan file could not be read or written.
    #[error(transparent)]
    PlanFile(#[from] PlanFileError),
    /// A CI configuration could not be written.
    #[error(transparent)]
    Emit(#[from] EmitError),
}

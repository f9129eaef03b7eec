//! Planning: files plus estimates plus worker count → a deterministic [`Plan`].
//!
//! Pure functions only: the same input gives the same plan (and [`Plan::hash`]) on every
//! machine. [`batches`] cuts each suite into jobs whose size shrinks as the queue drains;
//! [`simulate`] predicts which worker runs what when workers pull jobs longest-first, by the
//! same [`DispatchQueue`] rule the runner's dispatcher uses. Ties go [`cold_order`]'s way, and
//! recent failures start early within a makespan tolerance ([`early_start`]). Test groups
//! (`[group.NAME]`) are batched apart and admitted by [`GroupLimits`], in the simulation as in
//! the dispatcher.

mod batches;
mod cold_order;
mod dispatch_queue;
mod early_start;
mod group_limits;
mod simulate;

pub use batches::{MAX_BATCH_ARGV_BYTES, PlanInput, PlanSuite, PlanUnit, plan};
pub use dispatch_queue::DispatchQueue;
pub use group_limits::GroupLimits;
pub use simulate::{Plan, WorkerLoad};

/// One job of the plan: files of one suite that run in one runner invocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Batch {
    /// Its suite in [`PlanInput::suites`].
    pub suite: crate::suite_index::SuiteIndex,
    /// Indices of the units (in [`PlanInput::units`]), longest first.
    pub units: Vec<usize>,
    /// Start-up cost plus the sum of the units' estimates.
    pub estimate: std::time::Duration,
    /// The test groups its units belong to (indices into [`PlanInput::group_limits`]), sorted;
    /// every unit of a batch has the same groups.
    pub groups: Vec<usize>,
}

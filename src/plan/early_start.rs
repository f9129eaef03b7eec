//! [`start_recent_failures_early`]: jobs holding tests that failed or were flaky in recent runs
//! are dispatched early, so a failure that comes back is seen in seconds, not at the end.
//!
//! Balance comes first: the longest-first order is simulated as it is, and each such job is
//! moved to the front of the queue, else to the front of the jobs of similar length (at most
//! [`SIMILAR`] times its estimate), only while the simulated makespan stays within
//! [`MAKESPAN_TOLERANCE_PERCENT`] of the longest-first plan's. A short job at the front costs
//! almost nothing (the tail of short jobs absorbs it); a long one usually stays where it is.

use std::time::Duration;

use super::Batch;
use super::simulate::{Plan, simulate};
use crate::worker_slot::WorkerSlot;

/// The most a plan may lose to starting recent failures early, in percent of its makespan.
pub(super) const MAKESPAN_TOLERANCE_PERCENT: u32 = 3;
/// Jobs up to this multiple of a job's estimate count as its similar-length peers.
const SIMILAR: u32 = 2;
/// At most this many jobs are moved (each move is one simulation); the rest keep their place.
const MOST_MOVED: usize = 64;

/// Plans `batches` (longest first) with the jobs whose units `recently_failed` says moved
/// forward, as far as the makespan allows; within a moved job its recent failures run first.
pub(super) fn start_recent_failures_early(
    mut batches: Vec<Batch>,
    recently_failed: &dyn Fn(usize) -> bool,
    workers: usize,
    pinned: &[Option<Vec<WorkerSlot>>],
    limits: &[usize],
) -> Plan {
    let mut flagged: Vec<usize> = (0..batches.len())
        .filter(|&b| batches[b].units.iter().any(|&u| recently_failed(u)))
        .collect();
    if flagged.is_empty() {
        return simulate(batches, workers, pinned, limits);
    }
    for &batch in &flagged {
        // Stable: the recent failures first, the rest still longest first.
        batches[batch].units.sort_by_key(|&u| !recently_failed(u));
    }
    // The shortest first: cheapest to start early and the quickest to report.
    flagged.sort_by_key(|&b| (batches[b].estimate, b));
    flagged.truncate(MOST_MOVED);
    let ordered = |order: &[usize]| -> Vec<Batch> { order.iter().map(|&b| batches[b].clone()).collect() };
    let mut order: Vec<usize> = (0..batches.len()).collect();
    let mut best = simulate(batches.clone(), workers, pinned, limits);
    let bound = early_start_bound(best.makespan);
    let mut front = 0;
    for batch in flagged {
        let at = order
            .iter()
            .position(|&b| b == batch)
            .expect("every batch is in the order");
        let limit = batches[batch].estimate * SIMILAR;
        let peers = front
            + order[front..]
                .iter()
                .take_while(|&&b| batches[b].estimate > limit)
                .count();
        for target in [front, peers] {
            if target >= at {
                continue;
            }
            let mut moved = order.clone();
            moved.remove(at);
            moved.insert(target, batch);
            let plan = simulate(ordered(&moved), workers, pinned, limits);
            if plan.makespan <= bound {
                order = moved;
                best = plan;
                if target == front {
                    front += 1;
                }
                break;
            }
        }
    }
    best
}

/// The makespan a plan may reach when recent failures start early: `plain` plus the tolerance.
#[must_use]
pub(super) fn early_start_bound(plain: Duration) -> Duration {
    plain + plain * MAKESPAN_TOLERANCE_PERCENT / 100
}

//! [`simulate`]: predicts the run — workers pull batches in order, each taking the next one
//! when it becomes free, test groups permitting — and wraps the result into a [`Plan`].

use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};
use std::time::Duration;

use super::Batch;
use super::dispatch_queue::DispatchQueue;
use super::group_limits::GroupLimits;
use crate::worker_slot::WorkerSlot;

/// Predicted work of one worker.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkerLoad {
    /// Indices into [`Plan::batches`], in run order.
    pub batches: Vec<usize>,
    /// Sum of their estimates.
    pub load: Duration,
}

/// A plan: the dispatch queue and its predicted outcome.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// Jobs in dispatch order (longest first).
    pub batches: Vec<Batch>,
    /// Predicted load per worker, worker 1 first ([`Plan::loads`] pairs each with its slot).
    pub workers: Vec<WorkerLoad>,
    /// Predicted wall time: when the last batch ends (a worker may wait for a group's room, so
    /// this can exceed every worker's load).
    pub makespan: Duration,
    /// Sum of all estimates.
    pub total: Duration,
    /// Stable fingerprint of the plan (FNV-1a over workers, batches and estimates).
    pub hash: u64,
}

impl Plan {
    /// Each worker's slot and predicted load, worker 1 first.
    pub fn loads(&self) -> impl Iterator<Item = (WorkerSlot, &WorkerLoad)> {
        WorkerSlot::all(self.workers.len()).zip(&self.workers)
    }
}

/// Predicts the run: whenever a worker is free (the lowest-numbered first), it takes the batch
/// [`DispatchQueue::pick_next`] gives it among those [`GroupLimits`] admits, as the runner's
/// dispatcher does; a worker with nothing it may start waits for the next job to end (a group
/// may have room then). `pinned[suite]` lists the slots of a suite limited by `on-workers`;
/// `limits[group]` is a test group's `max-concurrency`.
pub(super) fn simulate(
    batches: Vec<Batch>,
    workers: usize,
    pinned: &[Option<Vec<WorkerSlot>>],
    limits: &[usize],
) -> Plan {
    simulate_observed(batches, workers, pinned, limits, &mut |_, _, _| {})
}

/// [`simulate`], telling `started` when each batch starts: (time, worker, batch index).
/// The plan keeps no start times (a million batches would hold them all); tests replay the
/// simulation to see them.
pub(super) fn simulate_observed(
    batches: Vec<Batch>,
    workers: usize,
    pinned: &[Option<Vec<WorkerSlot>>],
    limits: &[usize],
    started: &mut dyn FnMut(Duration, WorkerSlot, usize),
) -> Plan {
    let mut loads = vec![WorkerLoad::default(); workers];
    let mut queue = DispatchQueue::new();
    for (index, batch) in batches.iter().enumerate() {
        queue.push_back(index, pinned.get(batch.suite.get()).and_then(Option::as_deref));
    }
    let mut groups = GroupLimits::new(limits.to_vec());
    let mut free: BTreeSet<WorkerSlot> = WorkerSlot::all(workers).collect();
    // Running batches by (end, worker): the earliest end first, the lowest worker on a tie.
    let mut running: BinaryHeap<Reverse<(Duration, WorkerSlot, usize)>> = BinaryHeap::new();
    let mut now = Duration::ZERO;
    let mut makespan = Duration::ZERO;
    // Without pins every worker may run the same batches: when the lowest free one finds
    // nothing to start, neither does any other.
    let any_pinned = pinned.iter().any(Option::is_some);
    loop {
        while let Some((worker, index)) = free
            .iter()
            .take(if any_pinned { workers } else { 1 })
            .find_map(|&worker| {
                queue
                    .pick_next(worker, |&b| groups.admits(&batches[b].groups))
                    .map(|index| (worker, index))
            })
        {
            free.remove(&worker);
            groups.start(&batches[index].groups);
            loads[worker.index()].batches.push(index);
            started(now, worker, index);
            loads[worker.index()].load += batches[index].estimate;
            running.push(Reverse((now + batches[index].estimate, worker, index)));
        }
        // Nothing runs: what is left (if anything) no worker may ever run.
        let Some(Reverse((end, worker, index))) = running.pop() else {
            break;
        };
        now = end;
        makespan = makespan.max(end);
        free.insert(worker);
        groups.finish(&batches[index].groups);
    }
    let total = batches.iter().map(|b| b.estimate).sum();
    let hash = fingerprint(&batches, workers, pinned, limits);
    Plan {
        batches,
        workers: loads,
        makespan,
        total,
        hash,
    }
}

fn fingerprint(batches: &[Batch], workers: usize, pinned: &[Option<Vec<WorkerSlot>>], limits: &[usize]) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0100_0000_01b3;
    let mut hash = OFFSET;
    let mut feed = |value: u64| {
        for byte in value.to_le_bytes() {
            hash = (hash ^ u64::from(byte)).wrapping_mul(PRIME);
        }
    };
    feed(workers as u64);
    // Only pinned suites feed their slots, so plans without `on-workers` keep their hash.
    for (suite, slots) in pinned.iter().enumerate() {
        if let Some(slots) = slots {
            feed(suite as u64);
            for &slot in slots {
                feed(slot.get() as u64);
            }
        }
    }
    // Only plans with grouped batches feed the limits and groups, so plans without keep their hash.
    let grouped = batches.iter().any(|b| !b.groups.is_empty());
    if grouped {
        for &limit in limits {
            feed(limit as u64);
        }
    }
    for batch in batches {
        if grouped {
            feed(batch.groups.len() as u64);
            for &group in &batch.groups {
                feed(group as u64);
            }
        }
        feed(batch.suite.get() as u64);
        feed(u64::try_from(batch.estimate.as_nanos()).unwrap_or(u64::MAX));
        feed(batch.units.len() as u64);
        for &unit in &batch.units {
            feed(unit as u64);
        }
    }
    hash
}

//! [`simulate`]: predicts the run — workers pull batches in order, each taking the next one
//! when it becomes free — and wraps the result into a [`Plan`].

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Duration;

use super::Batch;
use super::dispatch_queue::DispatchQueue;

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
    /// Predicted load per worker (index 0 is worker 1).
    pub workers: Vec<WorkerLoad>,
    /// Predicted wall time.
    pub makespan: Duration,
    /// Sum of all estimates.
    pub total: Duration,
    /// Stable fingerprint of the plan (FNV-1a over workers, batches and estimates).
    pub hash: u64,
}

/// Predicts the run: each worker, when free (the lowest-numbered first on a tie), takes the
/// batch [`DispatchQueue::pick_next`] gives it, as the runner's dispatcher does. `pinned[suite]` lists the 1-based slots of a suite limited by `on-workers`.
pub(super) fn simulate(batches: Vec<Batch>, workers: usize, pinned: &[Option<Vec<usize>>]) -> Plan {
    let mut loads = vec![WorkerLoad::default(); workers];
    let mut free_at: BinaryHeap<Reverse<(Duration, usize)>> =
        (0..workers).map(|w| Reverse((Duration::ZERO, w))).collect();
    let mut queue = DispatchQueue::new();
    for (index, batch) in batches.iter().enumerate() {
        queue.push_back(index, pinned.get(batch.suite).and_then(Option::as_deref));
    }
    while let Some(Reverse((at, worker))) = free_at.pop() {
        // Nothing left that this worker may run: it stays idle to the end.
        let Some(index) = queue.pick_next(worker + 1, |_| true) else {
            continue;
        };
        loads[worker].batches.push(index);
        loads[worker].load += batches[index].estimate;
        free_at.push(Reverse((at + batches[index].estimate, worker)));
    }
    let makespan = loads.iter().map(|w| w.load).max().unwrap_or_default();
    let total = batches.iter().map(|b| b.estimate).sum();
    let hash = fingerprint(&batches, workers, pinned);
    Plan {
        batches,
        workers: loads,
        makespan,
        total,
        hash,
    }
}

fn fingerprint(batches: &[Batch], workers: usize, pinned: &[Option<Vec<usize>>]) -> u64 {
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
                feed(slot as u64);
            }
        }
    }
    for batch in batches {
        feed(batch.suite as u64);
        feed(u64::try_from(batch.estimate.as_nanos()).unwrap_or(u64::MAX));
        feed(batch.units.len() as u64);
        for &unit in &batch.units {
            feed(unit as u64);
        }
    }
    hash
}

//! [`simulate`]: predicts the run — workers pull batches in order, each taking the next one
//! when it becomes free — and wraps the result into a [`Plan`].

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Duration;

use super::Batch;

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

/// Predicts the run: each worker, when free (the lowest-numbered first on a tie), takes the first
/// batch in `batches` order that its slot may run, among those the fewest slots may run, as the
/// orchestrator does. `pinned[suite]` lists the 1-based slots of a suite limited by `on-workers`.
pub(super) fn simulate(batches: Vec<Batch>, workers: usize, pinned: &[Option<Vec<usize>>]) -> Plan {
    let mut loads = vec![WorkerLoad::default(); workers];
    let mut free_at: BinaryHeap<Reverse<(Duration, usize)>> =
        (0..workers).map(|w| Reverse((Duration::ZERO, w))).collect();
    // With pinning, one queue per suite in dispatch order: a free worker takes the earliest head
    // it may run. Without, one queue (the common case, kept cheap for huge plans).
    let suites = if pinned.iter().any(Option::is_some) {
        batches.iter().map(|b| b.suite + 1).max().unwrap_or(0).max(pinned.len())
    } else {
        1
    };
    let mut queues: Vec<VecDeque<usize>> = vec![VecDeque::new(); suites];
    for (index, batch) in batches.iter().enumerate() {
        queues[if suites == 1 { 0 } else { batch.suite }].push_back(index);
    }
    let may_run = |worker: usize, queue: usize| {
        suites == 1
            || pinned
                .get(queue)
                .and_then(Option::as_ref)
                .is_none_or(|slots| slots.contains(&(worker + 1)))
    };
    let slots = |queue: usize| pinned.get(queue).and_then(Option::as_ref).map_or(usize::MAX, Vec::len);
    while let Some(Reverse((at, worker))) = free_at.pop() {
        let next = (0..suites)
            .filter(|&queue| may_run(worker, queue))
            .filter_map(|queue| queues[queue].front().map(|&index| (slots(queue), index, queue)))
            .min();
        // Nothing left that this worker may run: it stays idle to the end.
        let Some((_, index, queue)) = next else { continue };
        queues[queue].pop_front();
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

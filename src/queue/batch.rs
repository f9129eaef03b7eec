//! [`QueueBatch`]: a duration-budgeted batch of one suite's units, as it travels through the
//! queue, and [`cut_batches`], the pure rule that cuts a step's units into them.
//!
//! The budget of the next batch is `clamp(remaining / (2·slots), 10·startup, total / slots)`,
//! where `slots` counts every worker of every node: the first batches are big (start-up is paid
//! rarely), the tail is single units (a late or slow node ends with little left), and no batch
//! exceeds one slot's share. There is no first wave: on a queue, a batch of 85% of a worker's
//! share would let the first node to arrive take most of the build.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::plan::MAX_BATCH_ARGV_BYTES;

/// One unit: a file, or a single test split out of one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueUnit {
    pub file: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub test: Option<String>,
    /// The seeder's estimate, in milliseconds.
    pub estimate_ms: u64,
}

impl QueueUnit {
    /// The file, or the test's id.
    #[must_use]
    pub fn id(&self) -> &str {
        self.test.as_deref().unwrap_or(&self.file)
    }
}

/// Units of one suite that one runner invocation runs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueBatch {
    /// `b0000`, `b0001`, … in dispatch order (longest first); unique within a queue.
    pub id: String,
    /// The suite's name.
    pub suite: String,
    pub units: Vec<QueueUnit>,
    /// Start-up plus the units' estimates, in milliseconds.
    pub estimate_ms: u64,
}

impl QueueBatch {
    /// The predicted wall time.
    #[must_use]
    pub fn estimate(&self) -> Duration {
        Duration::from_millis(self.estimate_ms)
    }
}

/// One suite's units, as the seeding node planned them.
#[derive(Clone, Debug)]
pub struct SeedSuite {
    pub name: String,
    /// Its command takes one file per run: one batch per unit.
    pub per_file: bool,
    /// The cost of starting one job.
    pub startup: Duration,
    /// (file, split-out test, estimate).
    pub units: Vec<(String, Option<String>, Duration)>,
}

const STARTUP_MULTIPLE: u32 = 10;

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// Cuts every suite's units into batches for `slots` workers in all (nodes × workers each),
/// longest first, ids in that order. Deterministic: equal estimates keep the input order.
#[must_use]
pub fn cut_batches(suites: &[SeedSuite], slots: usize) -> Vec<QueueBatch> {
    let slots = u32::try_from(slots.max(1)).unwrap_or(u32::MAX);
    let mut batches: Vec<QueueBatch> = Vec::new();
    for suite in suites {
        let mut units: Vec<&(String, Option<String>, Duration)> = suite.units.iter().collect();
        units.sort_by_key(|(_, _, estimate)| std::cmp::Reverse(*estimate));
        let unit = |(file, test, estimate): &(String, Option<String>, Duration)| QueueUnit {
            file: file.clone(),
            test: test.clone(),
            estimate_ms: millis(*estimate),
        };
        let batch = |units: Vec<QueueUnit>, sum: Duration| QueueBatch {
            id: String::new(),
            suite: suite.name.clone(),
            units,
            estimate_ms: millis(suite.startup + sum),
        };
        if suite.per_file {
            batches.extend(units.iter().map(|u| batch(vec![unit(u)], u.2)));
            continue;
        }
        let total: Duration = units.iter().map(|u| u.2).sum();
        let share = (total / slots).max(Duration::from_nanos(1));
        let floor = suite.startup * STARTUP_MULTIPLE;
        let mut remaining = total;
        let mut next = 0;
        while next < units.len() {
            let budget = (remaining / (2 * slots)).max(floor).min(share);
            let mut sum = units[next].2;
            let mut bytes = argv_bytes(units[next]);
            let mut end = next + 1;
            while end < units.len()
                && sum + units[end].2 <= budget
                && bytes + argv_bytes(units[end]) <= MAX_BATCH_ARGV_BYTES
            {
                sum += units[end].2;
                bytes += argv_bytes(units[end]);
                end += 1;
            }
            batches.push(batch(units[next..end].iter().map(|u| unit(u)).collect(), sum));
            remaining = remaining.saturating_sub(sum);
            next = end;
        }
    }
    batches.sort_by_key(|b| std::cmp::Reverse(b.estimate_ms));
    for (index, batch) in batches.iter_mut().enumerate() {
        batch.id = format!("b{index:04}");
    }
    batches
}

fn argv_bytes((file, test, _): &(String, Option<String>, Duration)) -> usize {
    test.as_deref().unwrap_or(file).len() + 1 + std::mem::size_of::<usize>()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn suite(per_file: bool, estimates: &[u64]) -> SeedSuite {
        SeedSuite {
            name: "s".into(),
            per_file,
            startup: Duration::from_millis(10),
            units: estimates
                .iter()
                .enumerate()
                .map(|(i, &ms)| (format!("f{i}.sh"), None, Duration::from_millis(ms)))
                .collect(),
        }
    }

    #[test]
    fn batches_shrink_towards_the_tail_and_go_longest_first() {
        let batches = cut_batches(&[suite(false, &[1000; 40])], 8);
        assert!(batches.len() > 8, "more batches than slots: {}", batches.len());
        let sizes: Vec<usize> = batches.iter().map(|b| b.units.len()).collect();
        assert!(sizes.first() > sizes.last(), "{sizes:?}");
        assert!(batches.windows(2).all(|w| w[0].estimate_ms >= w[1].estimate_ms));
        assert_eq!(batches[0].id, "b0000");
    }

    #[test]
    fn a_per_file_suite_gets_one_batch_per_file() {
        let batches = cut_batches(&[suite(true, &[5, 7, 6])], 4);
        let files: Vec<&str> = batches.iter().map(|b| b.units[0].file.as_str()).collect();
        assert_eq!(files, ["f1.sh", "f2.sh", "f0.sh"]);
    }

    proptest! {
        #[test]
        fn every_unit_lands_in_exactly_one_batch(
            estimates in proptest::collection::vec(1u64..5000, 0..200),
            slots in 1usize..40,
            per_file: bool,
        ) {
            let batches = cut_batches(&[suite(per_file, &estimates)], slots);
            let mut files: Vec<String> = batches.iter().flat_map(|b| b.units.iter().map(|u| u.file.clone())).collect();
            files.sort();
            let mut expected: Vec<String> = (0..estimates.len()).map(|i| format!("f{i}.sh")).collect();
            expected.sort();
            prop_assert_eq!(files, expected);
            let mut ids: Vec<&str> = batches.iter().map(|b| b.id.as_str()).collect();
            ids.dedup();
            prop_assert_eq!(ids.len(), batches.len());
        }
    }
}

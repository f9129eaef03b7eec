//! [`QueueRecord`]: everything one queue knows (every planned batch, the one result that counts
//! for each, what is still in flight, which node index took what), and [`ExactlyOnce`], the
//! proof the merge step checks: every planned unit has results, and no test has two.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use super::batch::{QueueBatch, QueueUnit};
use super::result::{BatchResult, BatchStatus, TestRecord};
use super::scope::QueueScope;

/// A batch some consumer holds and has not acknowledged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingBatch {
    pub consumer: String,
    /// Since its last heartbeat.
    pub idle: Duration,
    pub deliveries: u32,
}

/// One planned batch and what became of it.
#[derive(Clone, Debug)]
pub struct RecordedBatch {
    pub entry: String,
    pub batch: QueueBatch,
    /// The result that counts: a retried node's replay over the first attempt's (a retry is
    /// what the user asked for), else the first written.
    pub result: Option<BatchResult>,
    /// Results written for it that do not count.
    pub superseded: Vec<BatchResult>,
    /// Held by a consumer, not acknowledged.
    pub pending: Option<PendingBatch>,
}

/// One test's result, with the node that ran it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordedTest {
    pub test: TestRecord,
    pub batch: String,
    pub node: u32,
    pub retry: u32,
    pub consumer: String,
}

/// Everything one queue knows.
#[derive(Clone, Debug)]
pub struct QueueRecord {
    pub scope: QueueScope,
    /// In dispatch order.
    pub batches: Vec<RecordedBatch>,
    /// Node index → the batch ids it took, in order.
    pub taken: BTreeMap<u32, Vec<String>>,
}

/// The exactly-once check's inputs and findings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExactlyOnce {
    /// Planned units.
    pub planned: usize,
    /// Tests with a result.
    pub tests: usize,
    /// Batches without a result: (batch id, its units, who holds it, if anyone).
    pub missing: Vec<(String, Vec<QueueUnit>, Option<PendingBatch>)>,
    /// Batches failed after too many deliveries: (batch id, reason).
    pub failed: Vec<(String, String)>,
    /// Planned units of a batch with a result that reported no test.
    pub silent: Vec<(String, QueueUnit)>,
    /// (suite, test id) reported by more than one batch, with those batches.
    pub duplicates: Vec<((String, String), Vec<String>)>,
}

impl ExactlyOnce {
    /// Every planned unit ran and no test counts twice.
    #[must_use]
    pub fn holds(&self) -> bool {
        self.missing.is_empty() && self.silent.is_empty() && self.duplicates.is_empty()
    }

    /// One line per problem, naming the batch, its tests and who held it (for the merge step).
    #[must_use]
    pub fn problems(&self) -> Vec<String> {
        let mut lines = Vec::new();
        for (batch, units, pending) in &self.missing {
            let ids: Vec<&str> = units.iter().map(QueueUnit::id).collect();
            let held = match pending {
                Some(p) => format!(
                    "held by {} (silent for {:?}, delivered {} times): that node died or is still running; retry it",
                    p.consumer, p.idle, p.deliveries
                ),
                None => "never taken: no node was left to take it; retry a node or re-run the build".into(),
            };
            lines.push(format!("batch {batch} never completed ({}): {held}", ids.join(", ")));
        }
        for (batch, reason) in &self.failed {
            lines.push(format!("batch {batch} failed: {reason}"));
        }
        for (batch, unit) in &self.silent {
            lines.push(format!(
                "batch {batch} completed but reported no test of {}: check that the runner writes its report",
                unit.id()
            ));
        }
        for ((suite, id), batches) in &self.duplicates {
            lines.push(format!(
                "test {suite}::{id} has results from batches {}",
                batches.join(", ")
            ));
        }
        lines
    }
}

impl QueueRecord {
    pub(crate) fn assemble(
        scope: QueueScope,
        batches: Vec<(String, QueueBatch)>,
        mut results: HashMap<String, Vec<BatchResult>>,
        mut pending: HashMap<String, PendingBatch>,
        taken: BTreeMap<u32, Vec<String>>,
    ) -> Self {
        let batches = batches
            .into_iter()
            .map(|(entry, batch)| {
                let mut written = results.remove(&batch.id).unwrap_or_default();
                // Replays of retried nodes count over first attempts; the latest retry wins.
                written.sort_by_key(|r| std::cmp::Reverse(r.retry));
                let mut written = written.into_iter();
                let result = written.next();
                RecordedBatch {
                    pending: pending.remove(&entry),
                    entry,
                    batch,
                    result,
                    superseded: written.collect(),
                }
            })
            .collect();
        Self { scope, batches, taken }
    }

    /// Every test's one result, with the node that ran it, in dispatch order.
    #[must_use]
    pub fn tests(&self) -> Vec<RecordedTest> {
        self.batches
            .iter()
            .filter_map(|b| b.result.as_ref())
            .flat_map(|result| {
                result.tests.iter().map(|test| RecordedTest {
                    test: test.clone(),
                    batch: result.batch.clone(),
                    node: result.node,
                    retry: result.retry,
                    consumer: result.consumer.clone(),
                })
            })
            .collect()
    }

    /// The batch ids node `index` took, in order.
    #[must_use]
    pub fn taken_by(&self, index: u32) -> &[String] {
        self.taken.get(&index).map_or(&[], Vec::as_slice)
    }

    /// Checks that every planned unit has results and no test counts twice.
    #[must_use]
    pub fn exactly_once(&self) -> ExactlyOnce {
        let mut check = ExactlyOnce::default();
        let mut seen: HashMap<(String, String), Vec<String>> = HashMap::new();
        for recorded in &self.batches {
            check.planned += recorded.batch.units.len();
            let Some(result) = &recorded.result else {
                check.missing.push((
                    recorded.batch.id.clone(),
                    recorded.batch.units.clone(),
                    recorded.pending.clone(),
                ));
                continue;
            };
            if let BatchStatus::Failed { reason } = &result.status {
                check.failed.push((recorded.batch.id.clone(), reason.clone()));
                continue;
            }
            for unit in &recorded.batch.units {
                let reported = result.tests.iter().any(|t| match &unit.test {
                    Some(test) => t.id == *test,
                    None => t.file == unit.file,
                });
                if !reported {
                    check.silent.push((recorded.batch.id.clone(), unit.clone()));
                }
            }
            for test in &result.tests {
                check.tests += 1;
                seen.entry((test.suite.clone(), test.id.clone()))
                    .or_default()
                    .push(recorded.batch.id.clone());
            }
        }
        check.duplicates = seen.into_iter().filter(|(_, batches)| batches.len() > 1).collect();
        check.duplicates.sort();
        check
    }
}

//! [`merged_summary`]: a build's one result from its work queues' records (`flotilla merge
//! --queue`). Pure: the records (read from Redis by the caller) and, optionally, the node run
//! folders' summaries in, one [`RunSummary`] with its proof ([`QueueProof`]) out.
//!
//! The record is what counts: for each test, the one result the queue kept (a retried node's
//! replay over the first attempt). A node's own summary.json only adds detail (every attempt,
//! its output, its job) to a test whose counted result it holds; without the node folders the
//! merged result is built from the record alone, so a node whose disk was lost costs nothing.
//! Batches that never completed, that the queue gave up on, or that reported none of a unit's
//! tests become error results whose message says what happened and what to do.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use super::record::{QueueRecord, RecordedTest};
use crate::results::merge::{Duplicate, FailedBatch, MergeRecord, QueueProof, ReportedNode, UnfinishedBatch};
use crate::results::{Attempt, FlakyResult, JobRecord, Outcome, RunSummary, TestResult};

/// A job number meaning "no job of this summary" (the record knows the batch, not the job).
const NO_JOB: usize = usize::MAX;

/// The build's one result from `records` (one per queue of the build), with detail taken from
/// `nodes` (node summaries from run folders; any order, any subset).
#[must_use]
pub fn merged_summary(records: &[QueueRecord], nodes: Vec<RunSummary>, run_id: String) -> RunSummary {
    let mut merged = RunSummary {
        run_id,
        run_dir: camino::Utf8PathBuf::new(),
        started_at: nodes
            .iter()
            .map(|n| n.started_at)
            .min()
            .unwrap_or_else(chrono::Local::now),
        duration: Duration::ZERO,
        workers: 0,
        interrupted: false,
        tests: Vec::new(),
        jobs: Vec::new(),
        not_run: Vec::new(),
        predicted: Duration::ZERO,
        flaky_result: nodes.first().map_or(FlakyResult::default(), |n| n.flaky_result),
        timing_match: 0.0,
        steps: Vec::new(),
        node: None,
        merge: None,
    };
    let mut details = Details::new(nodes, &mut merged);
    let mut proof = QueueProof::default();
    let mut record = MergeRecord::default();
    let mut reported: BTreeSet<(u32, u32, String)> = BTreeSet::new();
    for queue in records {
        proof.scopes.push(queue.scope.to_string());
        proof.batches += queue.batches.len();
        let check = queue.exactly_once();
        record.planned += check.planned;
        let node_of_batch: HashMap<&str, u32> = queue
            .batches
            .iter()
            .filter_map(|b| Some((b.batch.id.as_str(), b.result.as_ref()?.node)))
            .collect();
        for ((suite, id), batches) in &check.duplicates {
            let mut nodes: Vec<u32> = batches
                .iter()
                .filter_map(|b| node_of_batch.get(b.as_str()).copied())
                .collect();
            nodes.sort_unstable();
            record.duplicates.push(Duplicate {
                suite: suite.clone(),
                id: id.clone(),
                nodes,
            });
        }
        for recorded in &queue.batches {
            if let Some(result) = &recorded.result {
                reported.insert((result.node, result.retry, result.consumer.clone()));
            }
            for superseded in &recorded.superseded {
                record.superseded.push(ReportedNode {
                    node: superseded.node,
                    retry: superseded.retry,
                    source: format!("work queue ({})", queue.scope),
                    run_id: superseded.consumer.clone(),
                });
            }
        }
        for test in queue.tests() {
            let result = details
                .take(&test, &mut merged.jobs)
                .unwrap_or_else(|| from_record(&test));
            merged.tests.push(result);
        }
        let mut unrun = Unrun::default();
        for (batch, units, pending) in &check.missing {
            let suite = suite_of(queue, batch);
            let why = match pending {
                Some(p) => format!(
                    "batch {batch} of the work queue never completed: {} held it without acknowledging it (silent for {:?}, delivered {} times); that node died or is still running: retry it, then merge again",
                    p.consumer, p.idle, p.deliveries
                ),
                None => format!(
                    "batch {batch} of the work queue was never taken: no node was left to take it; retry a node of the step, then merge again"
                ),
            };
            proof.unfinished.push(UnfinishedBatch {
                batch: batch.clone(),
                units: units.iter().map(|u| format!("{suite}: {}", u.id())).collect(),
                held_by: pending.as_ref().map(|p| p.consumer.clone()),
            });
            for unit in units {
                unrun.add(&suite, &unit.file, unit.test.as_deref(), &why);
            }
        }
        for (batch, reason) in &check.failed {
            let suite = suite_of(queue, batch);
            proof.failed.push(FailedBatch {
                batch: batch.clone(),
                reason: reason.clone(),
            });
            let why = format!("batch {batch} of the work queue failed: {reason}");
            for unit in queue
                .batches
                .iter()
                .filter(|b| b.batch.id == *batch)
                .flat_map(|b| &b.batch.units)
            {
                unrun.add(&suite, &unit.file, unit.test.as_deref(), &why);
            }
        }
        for (batch, unit) in &check.silent {
            let suite = suite_of(queue, batch);
            proof.silent.push(format!("{suite}: {}", unit.id()));
            let why = format!(
                "batch {batch} of the work queue completed but reported no test of `{}`: check that the runner writes its report for it",
                unit.id()
            );
            unrun.add(&suite, &unit.file, unit.test.as_deref(), &why);
        }
        unrun.into_results(&mut merged);
    }
    record.reported = reported
        .into_iter()
        .map(|(node, retry, consumer)| ReportedNode {
            node,
            retry,
            source: "work queue".to_string(),
            run_id: consumer,
        })
        .collect();
    record.nodes = record.reported.iter().map(|r| r.node + 1).max().unwrap_or(0);
    record.plan_hash = records
        .iter()
        .map(|r| r.scope.plan_hash.as_str())
        .collect::<Vec<_>>()
        .join("+");
    record.queue = Some(proof);
    // Quarantine skips are never queued (every node reports them): taken once from the folders.
    let counted: HashSet<TestKey> = merged.tests.iter().map(|t| (t.suite.clone(), t.id.clone())).collect();
    let skips = details.quarantine_skips(&counted);
    merged.tests.extend(skips);
    merged.tests.sort_by(|a, b| (&a.suite, &a.id).cmp(&(&b.suite, &b.id)));
    merged.merge = Some(record);
    merged
}

fn suite_of(queue: &QueueRecord, batch: &str) -> String {
    queue
        .batches
        .iter()
        .find(|b| b.batch.id == batch)
        .map_or_else(String::new, |b| b.batch.suite.clone())
}

/// A test's result as the record has it: one attempt carrying the final outcome, its total
/// time, and the node that ran it (the node's run folder has every attempt).
fn from_record(recorded: &RecordedTest) -> TestResult {
    let test = &recorded.test;
    let retry = if recorded.retry > 0 {
        format!(", retry {}", recorded.retry)
    } else {
        String::new()
    };
    let ran_on = format!(
        "ran on node {} (index {}{retry}, {}) in batch {}, {} attempt(s); its run folder has the details",
        recorded.node + 1,
        recorded.node,
        recorded.consumer,
        recorded.batch,
        test.attempts
    );
    let message = match &test.message {
        Some(message) => format!("{message}\n({ran_on})"),
        None => ran_on,
    };
    // The last attempt passed when the final outcome is flaky.
    let last = if test.outcome == Outcome::Flaky {
        Outcome::Passed
    } else {
        test.outcome
    };
    TestResult {
        suite: Arc::from(test.suite.as_str()),
        id: test.id.clone().into_boxed_str(),
        name: test.name.clone().into_boxed_str(),
        classname: None,
        file: test.file.clone().into_boxed_str(),
        outcome: test.outcome,
        outside_tests: false,
        quarantine: None,
        attempts: vec![Attempt {
            attempt: test.attempts.max(1),
            outcome: last,
            duration: Duration::from_millis(test.duration_ms),
            worker: 0,
            job: NO_JOB,
            message: Some(message),
            output: None,
        }],
    }
}

/// A test's (suite, id).
type TestKey = (Arc<str>, Box<str>);

/// The node summaries' tests, by (suite, id), each taken at most once, with the jobs its
/// attempts point at copied into the merged summary on first use.
struct Details {
    nodes: Vec<RunSummary>,
    /// Worker slots of node summary `i` are numbered on from `worker_base[i]`.
    worker_base: Vec<usize>,
    by_id: HashMap<TestKey, Vec<(usize, usize)>>,
    /// (summary, its job id) → the merged job id.
    jobs: HashMap<(usize, usize), usize>,
}

impl Details {
    /// Also adds the nodes' workers, wall time and prediction to `merged`.
    fn new(nodes: Vec<RunSummary>, merged: &mut RunSummary) -> Self {
        let mut worker_base = Vec::with_capacity(nodes.len());
        let mut by_id: HashMap<TestKey, Vec<(usize, usize)>> = HashMap::new();
        for (n, node) in nodes.iter().enumerate() {
            worker_base.push(merged.workers);
            merged.workers += node.workers;
            let end = (node.started_at - merged.started_at).to_std().unwrap_or_default() + node.duration;
            merged.duration = merged.duration.max(end);
            merged.predicted = merged.predicted.max(node.predicted);
            merged.interrupted |= node.interrupted;
            for (t, test) in node.tests.iter().enumerate() {
                by_id
                    .entry((test.suite.clone(), test.id.clone()))
                    .or_default()
                    .push((n, t));
            }
        }
        Self {
            nodes,
            worker_base,
            by_id,
            jobs: HashMap::new(),
        }
    }

    /// The node summary's result for `recorded`, when one holds the same final outcome (the
    /// one that counts; a superseded attempt's folder may hold another).
    fn take(&mut self, recorded: &RecordedTest, jobs: &mut Vec<JobRecord>) -> Option<TestResult> {
        let key: TestKey = (Arc::from(recorded.test.suite.as_str()), recorded.test.id.clone().into());
        let candidates = self.by_id.get_mut(&key)?;
        let position = candidates
            .iter()
            .position(|&(n, t)| self.nodes[n].tests[t].outcome == recorded.test.outcome)?;
        let (n, t) = candidates.swap_remove(position);
        let mut test = self.nodes[n].tests[t].clone();
        for attempt in &mut test.attempts {
            if attempt.worker != 0 {
                attempt.worker += self.worker_base[n];
            }
            attempt.job = self.job(n, attempt.job, jobs);
        }
        Some(test)
    }

    /// Quarantine skips of the node summaries not in `counted`, each once.
    fn quarantine_skips(&self, counted: &HashSet<TestKey>) -> Vec<TestResult> {
        let mut seen = HashSet::new();
        self.nodes
            .iter()
            .flat_map(|node| &node.tests)
            .filter(|t| t.quarantine.is_some() && t.outcome == Outcome::Skipped)
            .filter(|t| {
                let key = (t.suite.clone(), t.id.clone());
                !counted.contains(&key) && seen.insert(key)
            })
            .map(|t| {
                let mut test = t.clone();
                for attempt in &mut test.attempts {
                    attempt.job = NO_JOB;
                    attempt.worker = 0;
                }
                test
            })
            .collect()
    }

    fn job(&mut self, node: usize, job: usize, jobs: &mut Vec<JobRecord>) -> usize {
        if let Some(&id) = self.jobs.get(&(node, job)) {
            return id;
        }
        let Some(record) = self.nodes[node].jobs.get(job) else {
            return NO_JOB;
        };
        let mut record = record.clone();
        record.id = jobs.len();
        if record.worker != 0 {
            record.worker += self.worker_base[node];
        }
        let id = record.id;
        jobs.push(record);
        self.jobs.insert((node, job), id);
        id
    }
}

/// Units no batch result covers, as error results with one job record per (reason, suite).
#[derive(Default)]
struct Unrun {
    units: Vec<(String, String, Option<String>, String)>,
}

impl Unrun {
    fn add(&mut self, suite: &str, file: &str, test: Option<&str>, why: &str) {
        self.units.push((
            suite.to_string(),
            file.to_string(),
            test.map(ToString::to_string),
            why.to_string(),
        ));
    }

    fn into_results(self, merged: &mut RunSummary) {
        let mut jobs: BTreeMap<(String, String), usize> = BTreeMap::new();
        for (suite, file, test, why) in self.units {
            let job = *jobs.entry((why.clone(), suite.clone())).or_insert_with(|| {
                let id = merged.jobs.len();
                merged
                    .jobs
                    .push(JobRecord::never_started(id, &suite, why.clone(), why.clone()));
                id
            });
            let record = &mut merged.jobs[job];
            if !record.files.contains(&file) {
                record.files.push(file.clone());
            }
            record.tests.extend(test.clone());
            let id = test.unwrap_or_else(|| file.clone());
            merged.tests.push(TestResult {
                suite: Arc::from(suite.as_str()),
                name: id.clone().into_boxed_str(),
                id: id.into_boxed_str(),
                classname: None,
                file: file.into_boxed_str(),
                outcome: Outcome::Error,
                outside_tests: false,
                quarantine: None,
                attempts: vec![Attempt {
                    attempt: 1,
                    outcome: Outcome::Error,
                    duration: Duration::ZERO,
                    worker: 0,
                    job,
                    message: Some(why),
                    output: None,
                }],
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::queue::batch::{QueueBatch, QueueUnit};
    use crate::queue::record::PendingBatch;
    use crate::queue::result::{BatchResult, BatchStatus, TestRecord};
    use crate::queue::scope::QueueScope;

    fn batch(id: &str, files: &[&str]) -> QueueBatch {
        QueueBatch {
            id: id.into(),
            suite: "s".into(),
            units: files
                .iter()
                .map(|f| QueueUnit {
                    file: (*f).into(),
                    test: None,
                    estimate_ms: 1000,
                })
                .collect(),
            estimate_ms: 1000,
        }
    }

    fn test(file: &str, outcome: Outcome) -> TestRecord {
        TestRecord {
            suite: "s".into(),
            id: file.into(),
            name: file.into(),
            file: file.into(),
            outcome,
            duration_ms: 1500,
            attempts: if outcome == Outcome::Flaky { 2 } else { 1 },
            message: None,
        }
    }

    fn result(batch: &str, node: u32, retry: u32, tests: Vec<TestRecord>) -> BatchResult {
        BatchResult {
            batch: batch.into(),
            node,
            retry,
            consumer: format!("node{node}-r{retry}"),
            delivery: 1,
            status: BatchStatus::Ran,
            tests,
        }
    }

    fn record(batches: Vec<QueueBatch>, results: Vec<BatchResult>, pending: Vec<(&str, PendingBatch)>) -> QueueRecord {
        let entries: Vec<(String, QueueBatch)> = batches.into_iter().map(|b| (format!("e-{}", b.id), b)).collect();
        let mut by_batch: HashMap<String, Vec<BatchResult>> = HashMap::new();
        let mut taken: BTreeMap<u32, Vec<String>> = BTreeMap::new();
        for r in results {
            taken.entry(r.node).or_default().push(r.batch.clone());
            by_batch.entry(r.batch.clone()).or_default().push(r);
        }
        let pending = pending.into_iter().map(|(b, p)| (format!("e-{b}"), p)).collect();
        QueueRecord::assemble(
            QueueScope {
                build: "b".into(),
                step: "st".into(),
                plan_hash: "h".into(),
            },
            entries,
            by_batch,
            pending,
            taken,
        )
    }

    #[test]
    fn every_batch_with_a_result_gives_each_test_once_and_the_proof_holds() {
        let queue = record(
            vec![batch("b0", &["a.sh", "b.sh"]), batch("b1", &["c.sh"])],
            vec![
                result(
                    "b0",
                    0,
                    0,
                    vec![test("a.sh", Outcome::Passed), test("b.sh", Outcome::Flaky)],
                ),
                result("b1", 1, 0, vec![test("c.sh", Outcome::Passed)]),
            ],
            vec![],
        );
        let merged = merged_summary(&[queue], Vec::new(), "m".into());
        let record = merged.merge.as_ref().unwrap();
        assert!(record.proven(), "{record:?}");
        assert_eq!(record.planned, 3);
        assert_eq!(record.nodes, 2);
        assert_eq!(merged.tests.len(), 3);
        let flaky = merged.tests.iter().find(|t| &*t.id == "b.sh").unwrap();
        assert_eq!(flaky.outcome, Outcome::Flaky);
        assert_eq!(flaky.last().outcome, Outcome::Passed);
        assert!(flaky.last().message.as_deref().unwrap().contains("node 1 (index 0"));
        assert!(merged.passed());
    }

    #[test]
    fn a_batch_held_by_a_dead_node_is_named_and_its_files_are_errors() {
        let queue = record(
            vec![batch("b0", &["a.sh"]), batch("b1", &["c.sh", "d.sh"])],
            vec![result("b0", 0, 0, vec![test("a.sh", Outcome::Passed)])],
            vec![(
                "b1",
                PendingBatch {
                    consumer: "node1-r0".into(),
                    idle: Duration::from_secs(90),
                    deliveries: 1,
                },
            )],
        );
        let merged = merged_summary(&[queue], Vec::new(), "m".into());
        let record = merged.merge.as_ref().unwrap();
        assert!(!record.proven());
        let proof = record.queue.as_ref().unwrap();
        assert_eq!(proof.unfinished.len(), 1);
        assert_eq!(proof.unfinished[0].held_by.as_deref(), Some("node1-r0"));
        assert_eq!(proof.unfinished[0].units, vec!["s: c.sh", "s: d.sh"]);
        let errors: Vec<&TestResult> = merged.tests.iter().filter(|t| t.outcome == Outcome::Error).collect();
        assert_eq!(errors.len(), 2);
        for error in errors {
            let message = error.last().message.as_deref().unwrap();
            assert!(
                message.contains("node1-r0") && message.contains("retry it"),
                "{message}"
            );
            assert!(
                merged.jobs.get(error.last().job).is_some(),
                "points at its reason's job"
            );
        }
        assert!(!merged.passed());
    }

    #[test]
    fn a_failed_batch_and_a_silent_unit_fail_the_proof() {
        let mut failed = result("b1", 1, 0, Vec::new());
        failed.status = BatchStatus::Failed {
            reason: "delivered 3 times".into(),
        };
        let queue = record(
            vec![batch("b0", &["a.sh", "quiet.sh"]), batch("b1", &["c.sh"])],
            vec![result("b0", 0, 0, vec![test("a.sh", Outcome::Passed)]), failed],
            vec![],
        );
        let merged = merged_summary(&[queue], Vec::new(), "m".into());
        let proof = merged.merge.as_ref().unwrap().queue.clone().unwrap();
        assert_eq!(proof.failed.len(), 1);
        assert_eq!(proof.silent, vec!["s: quiet.sh"]);
        let ids: Vec<&str> = merged
            .tests
            .iter()
            .filter(|t| t.outcome == Outcome::Error)
            .map(|t| &*t.id)
            .collect();
        assert_eq!(ids, vec!["c.sh", "quiet.sh"]);
    }

    #[test]
    fn a_retried_nodes_replay_counts_and_the_first_attempt_is_superseded() {
        let queue = record(
            vec![batch("b0", &["a.sh"])],
            vec![
                result("b0", 0, 0, vec![test("a.sh", Outcome::Failed)]),
                result("b0", 0, 1, vec![test("a.sh", Outcome::Passed)]),
            ],
            vec![],
        );
        let merged = merged_summary(&[queue], Vec::new(), "m".into());
        assert_eq!(merged.tests.len(), 1);
        assert_eq!(merged.tests[0].outcome, Outcome::Passed);
        let record = merged.merge.unwrap();
        assert_eq!(record.superseded.len(), 1);
        assert_eq!(record.superseded[0].retry, 0);
        assert!(record.proven());
    }

    #[test]
    fn a_node_folder_gives_the_counted_results_attempts_and_job() {
        let queue = record(
            vec![batch("b0", &["a.sh"])],
            vec![result("b0", 0, 0, vec![test("a.sh", Outcome::Flaky)])],
            vec![],
        );
        let job = JobRecord::never_started(0, "s", String::new(), String::new());
        let attempt = |n: u32, outcome: Outcome| Attempt {
            attempt: n,
            outcome,
            duration: Duration::from_millis(700),
            worker: 2,
            job: 0,
            message: None,
            output: None,
        };
        let mut node = RunSummary {
            run_id: "node0".into(),
            run_dir: camino::Utf8PathBuf::new(),
            started_at: chrono::Local::now(),
            duration: Duration::from_secs(3),
            workers: 2,
            interrupted: false,
            tests: vec![TestResult {
                suite: Arc::from("s"),
                id: "a.sh".into(),
                name: "a.sh".into(),
                classname: None,
                file: "a.sh".into(),
                outcome: Outcome::Flaky,
                outside_tests: false,
                quarantine: None,
                attempts: vec![attempt(1, Outcome::Failed), attempt(2, Outcome::Passed)],
            }],
            jobs: vec![job],
            not_run: Vec::new(),
            predicted: Duration::from_secs(3),
            flaky_result: FlakyResult::Pass,
            timing_match: 1.0,
            steps: Vec::new(),
            node: None,
            merge: None,
        };
        let mut skipped = node.tests[0].clone();
        skipped.id = "q.sh".into();
        skipped.outcome = Outcome::Skipped;
        skipped.quarantine = Some(crate::quarantine::QuarantineMode::Skip);
        let mut other_node = node.clone();
        other_node.tests = vec![skipped.clone()];
        node.tests.push(skipped);
        let merged = merged_summary(&[queue], vec![node, other_node], "m".into());
        assert_eq!(
            merged.tests.iter().filter(|t| &*t.id == "q.sh").count(),
            1,
            "a quarantine skip every node reports counts once"
        );
        assert_eq!(
            merged.tests[0].attempts.len(),
            2,
            "both attempts, from the node's folder"
        );
        assert_eq!(merged.jobs.len(), 1);
        assert_eq!(merged.tests[0].last().job, 0);
        assert_eq!(merged.workers, 4);
        assert_eq!(merged.duration, Duration::from_secs(3));
    }
}

//! [`QueueMode`] and [`start`]: a test step's remote [`WorkSource`] backed by the Redis work
//! queue (`crate::queue`). A task of its own connects, seeds the queue (or, on a retried node,
//! loads the batches to replay), answers each `WantWork` with one batch (waiting while other
//! nodes hold batches that may still come back), heartbeats the leases of the batches in flight,
//! and writes each settled batch's results before acknowledging it. Without Redis it falls back
//! to this node's static share (first attempts only).
//!
//! [`WorkSource`]: super::work_source::WorkSource

use std::collections::{HashMap, HashSet, VecDeque};
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::time::Instant;

use super::work_source::{FromSource, RemoteBatch, RemoteWork, ToSource};
use crate::error::Error;
use crate::prepare::Prepared;
use crate::queue::{
    Fallback, Lease, NodeId, QueueBatch, QueueClient, QueueError, QueueOptions, QueueScope, SeedSuite, Taken,
    TestRecord, cut_batches, decide_fallback,
};
use crate::results::TestResult;
use crate::runners::BatchMode;
use crate::runners::Target;

/// `flotilla run --queue`: which queue, and who this node is.
#[derive(Clone, Debug)]
pub struct QueueMode {
    /// The Redis URL.
    pub url: String,
    /// The CI's build id (shared by every node, kept on a retry).
    pub build: String,
    /// The CI step (parallel job) within the build; each test step's name is appended.
    pub step: String,
    pub node: NodeId,
    pub options: QueueOptions,
}

/// The queue's fingerprint of test step `plan`'s selection and its units cut into batches for
/// `slots` workers in all. Every node computes it (only the first seeds); the fingerprint covers
/// the files, not the estimates, so nodes with different histories still share one queue.
pub(super) fn seed_batches(prepared: &Prepared, plan: usize, slots: usize) -> (String, Vec<QueueBatch>) {
    let step = &prepared.plans[plan];
    let mut suites: Vec<SeedSuite> = step
        .suites
        .iter()
        .map(|&suite| SeedSuite {
            name: prepared.config.suites[suite].name.clone(),
            per_file: prepared.config.suites[suite].command.mode() == BatchMode::PerFile,
            startup: prepared.startups[suite.get()].duration,
            units: Vec::new(),
        })
        .collect();
    let mut units: Vec<usize> = step.plan.batches.iter().flat_map(|b| b.units.iter().copied()).collect();
    units.sort_unstable();
    for unit in units {
        let unit = &prepared.units[unit];
        let Some(at) = step.suites.iter().position(|&s| s == unit.suite) else {
            continue;
        };
        suites[at].units.push((
            unit.target.file.clone(),
            unit.target.test.clone(),
            unit.estimate.duration,
        ));
    }
    let files: Vec<(String, Vec<String>)> = suites
        .iter()
        .map(|suite| {
            let mut files: Vec<String> = suite.units.iter().map(|(file, _, _)| file.clone()).collect();
            files.sort();
            files.dedup();
            (suite.name.clone(), files)
        })
        .collect();
    let hash = QueueScope::selection_hash(files.iter().map(|(name, files)| (name.as_str(), files.as_slice())));
    (hash, cut_batches(&suites, slots))
}

/// Starts the source of one test step: `batches` (the whole step, cut for every node's
/// workers) seed the queue scoped to `plan_hash`.
pub(super) fn start(mode: &QueueMode, step: &str, plan_hash: String, batches: Vec<QueueBatch>) -> RemoteWork {
    let (to, asks) = mpsc::unbounded_channel();
    let (replies, from) = mpsc::unbounded_channel();
    let scope = QueueScope {
        build: mode.build.clone(),
        step: format!("{}/{step}", mode.step),
        plan_hash,
    };
    let task = tokio::spawn(serve(mode.clone(), scope, batches, asks, replies));
    RemoteWork { to, from, task }
}

type Replies = mpsc::UnboundedSender<FromSource>;

fn note(replies: &Replies, message: String) {
    let _ = replies.send(FromSource::Note(message));
}

fn broken(replies: &Replies, error: QueueError) {
    let _ = replies.send(FromSource::Broken(Error::Queue(error)));
}

async fn serve(
    mode: QueueMode,
    scope: QueueScope,
    batches: Vec<QueueBatch>,
    mut asks: mpsc::UnboundedReceiver<ToSource>,
    replies: Replies,
) {
    let node = mode.node.clone();
    let mut client = match QueueClient::connect(&mode.url, scope.clone(), node.clone(), mode.options).await {
        Ok(client) => client,
        Err(error) => return fall_back(error, &node, &batches, asks, &replies).await,
    };
    let url = client.url().to_string();
    let mut replay: Option<VecDeque<Lease>> = None;
    if node.retry > 0 {
        match client.replay().await {
            Ok(leases) => {
                note(
                    &replies,
                    format!(
                        "{node}: replaying exactly the {} batches it took from the work queue at {url} ({}), and nothing else",
                        leases.len(),
                        leases
                            .iter()
                            .map(|l| l.batch.id.as_str())
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                replay = Some(leases.into());
            }
            Err(error) => return broken(&replies, error),
        }
    } else {
        match client.seed(&batches).await {
            Ok(true) => note(
                &replies,
                format!(
                    "{node} seeded the work queue at {url} with {} batches ({scope})",
                    batches.len()
                ),
            ),
            Ok(false) => {}
            Err(error) => return broken(&replies, error),
        }
    }
    let lease_length = mode.options.lease;
    let mut leases: HashMap<u64, Lease> = HashMap::new();
    let mut lost: HashSet<String> = HashSet::new();
    let mut next_origin = 0_u64;
    let mut wanted = false;
    let mut retry_at: Option<Instant> = None;
    let mut heartbeat = tokio::time::interval((lease_length / 3).max(Duration::from_millis(10)));
    heartbeat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        if wanted && retry_at.is_none_or(|at| at <= Instant::now()) {
            retry_at = None;
            let taken = match replay.as_mut() {
                Some(queue) => Ok(queue
                    .pop_front()
                    .map_or(Taken::Drained { batches: 0, took: 0 }, Taken::Batch)),
                None => client.take().await,
            };
            match taken {
                Ok(Taken::Batch(lease)) => {
                    wanted = false;
                    if let Some(from) = &lease.reclaimed_from {
                        note(
                            &replies,
                            format!(
                                "{node} took batch {} over from {from}, which stopped heartbeating for {lease_length:?} (delivery {})",
                                lease.batch.id, lease.delivery
                            ),
                        );
                    }
                    let _ = replies.send(FromSource::Batch(remote_batch(next_origin, &lease.batch)));
                    leases.insert(next_origin, lease);
                    next_origin += 1;
                }
                Ok(Taken::Poisoned { lease, reason }) => {
                    wanted = false;
                    let _ = replies.send(FromSource::Failed {
                        suite: lease.batch.suite.clone(),
                        targets: lease.batch.units.iter().map(target).collect(),
                        message: reason,
                    });
                }
                Ok(Taken::Wait(after)) => retry_at = Some(Instant::now() + after),
                Ok(Taken::Drained { batches, took }) => {
                    wanted = false;
                    if replay.is_none() {
                        let message = if took == 0 {
                            format!(
                                "the work queue at {url} is drained: other nodes ran all {batches} batches; {node} ran none"
                            )
                        } else {
                            format!("the work queue at {url} is drained: {node} ran {took} of the {batches} batches")
                        };
                        note(&replies, message);
                    }
                    let _ = replies.send(FromSource::Exhausted);
                }
                Err(error) => return broken(&replies, error),
            }
            continue;
        }
        tokio::select! {
            ask = asks.recv() => match ask {
                None => return,
                Some(ToSource::WantWork) => wanted = true,
                Some(ToSource::Settled { origin, tests, complete }) => {
                    let Some(lease) = leases.remove(&origin) else { continue };
                    if !complete {
                        note(&replies, format!(
                            "batch {} was cut short by the interrupt: its results are not written, and another node takes it once its lease lapses",
                            lease.batch.id
                        ));
                        continue;
                    }
                    match client.complete(&lease, records(&tests)).await {
                        Ok(true) => {}
                        Ok(false) => note(&replies, format!(
                            "batch {}: another node's result was written first, so {node}'s does not count (nothing is counted twice)",
                            lease.batch.id
                        )),
                        Err(error) => return broken(&replies, error),
                    }
                }
            },
            _ = heartbeat.tick() => {
                let entries: Vec<String> = leases
                    .values()
                    .filter(|l| !l.replay && !lost.contains(&l.entry))
                    .map(|l| l.entry.clone())
                    .collect();
                match client.heartbeat(&entries).await {
                    Ok(gone) => {
                        for entry in gone {
                            if let Some(lease) = leases.values().find(|l| l.entry == entry) {
                                note(&replies, format!(
                                    "{node} lost the lease of batch {}: it stalled for longer than {lease_length:?} and another node took the batch over; the first result written counts",
                                    lease.batch.id
                                ));
                            }
                            lost.insert(entry);
                        }
                    }
                    Err(error) => return broken(&replies, error),
                }
            }
            () = sleep_until(retry_at), if wanted && retry_at.is_some() => {}
        }
    }
}

/// No queue: a first attempt runs its static share (and says so); a retry refuses.
async fn fall_back(
    error: QueueError,
    node: &NodeId,
    batches: &[QueueBatch],
    mut asks: mpsc::UnboundedReceiver<ToSource>,
    replies: &Replies,
) {
    let share = match decide_fallback(error, node, batches, None) {
        Fallback::RunStaticShare {
            batches, note: text, ..
        } => {
            note(replies, text);
            batches
        }
        Fallback::Refuse(error) => return broken(replies, error),
    };
    let mut share = share.into_iter();
    let mut origin = 0;
    while let Some(ask) = asks.recv().await {
        if let ToSource::WantWork = ask {
            let reply = match share.next() {
                Some(batch) => FromSource::Batch(remote_batch(origin, &batch)),
                None => FromSource::Exhausted,
            };
            origin += 1;
            let _ = replies.send(reply);
        }
    }
}

fn target(unit: &crate::queue::QueueUnit) -> Target {
    Target {
        file: unit.file.clone(),
        test: unit.test.clone(),
    }
}

fn remote_batch(origin: u64, batch: &QueueBatch) -> RemoteBatch {
    RemoteBatch {
        origin,
        suite: batch.suite.clone(),
        targets: batch
            .units
            .iter()
            .map(|unit| (target(unit), Duration::from_millis(unit.estimate_ms)))
            .collect(),
        estimate: batch.estimate(),
    }
}

/// A settled batch's results as the queue stores them.
fn records(tests: &[TestResult]) -> Vec<TestRecord> {
    tests
        .iter()
        .map(|test| TestRecord {
            suite: test.suite.to_string(),
            id: test.id.to_string(),
            name: test.name.to_string(),
            file: test.file.to_string(),
            outcome: test.outcome,
            duration_ms: test
                .attempts
                .iter()
                .map(|a| u64::try_from(a.duration.as_millis()).unwrap_or(u64::MAX))
                .sum(),
            attempts: u32::try_from(test.attempts.len()).unwrap_or(u32::MAX),
            message: test.attempts.last().and_then(|a| a.message.clone()),
        })
        .collect()
}

async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

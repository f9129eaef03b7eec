//! [`QueueClient`]: one node's connection to one build's queue (async, on the run loop's
//! current-thread tokio runtime; a multiplexed connection, so the heartbeat shares it).

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use redis::streams::StreamRangeReply;

use super::batch::QueueBatch;
use super::error::QueueError;
use super::record::{PendingBatch, QueueRecord};
use super::result::{BatchResult, BatchStatus, TestRecord};
use super::scope::{GROUP, Keys, NodeId, QueueScope, redact_url};
use super::scripts;

/// Timings of the protocol.
#[derive(Clone, Copy, Debug)]
pub struct QueueOptions {
    /// A batch whose node has not heartbeated for this long goes to another node.
    pub lease: Duration,
    /// A batch delivered more often than this is failed instead of delivered again.
    pub max_deliveries: u32,
    /// Every key expires this long after its last write.
    pub ttl: Duration,
    /// How long connecting may take before the queue counts as unreachable.
    pub connect_timeout: Duration,
    /// With nothing to take while other nodes hold batches, how often to look again (a node
    /// must notice soon that the last batch is done, and a lapsed lease at once).
    pub poll: Duration,
}

impl Default for QueueOptions {
    fn default() -> Self {
        Self {
            lease: Duration::from_secs(30),
            max_deliveries: 3,
            ttl: Duration::from_secs(24 * 60 * 60),
            connect_timeout: Duration::from_secs(5),
            poll: Duration::from_millis(200),
        }
    }
}

/// A batch this node holds: run it, then [`QueueClient::complete`] it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    /// The stream entry's id.
    pub entry: String,
    pub batch: QueueBatch,
    /// 1 on first delivery; more when it was reclaimed from nodes that died. 0 for a replay.
    pub delivery: u32,
    /// The consumer it was reclaimed from, if it was.
    pub reclaimed_from: Option<String>,
    /// Replayed by a retried node (not taken from the group).
    pub replay: bool,
}

/// What [`QueueClient::take`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Taken {
    /// A batch to run.
    Batch(Lease),
    /// A batch delivered more than `max_deliveries` times: it is recorded as failed and
    /// acknowledged; report its units failed.
    Poisoned { lease: Lease, reason: String },
    /// Nothing now, but other nodes hold batches: ask again after this (one may die).
    Wait(Duration),
    /// Nothing is left that this node could ever take.
    Drained {
        /// Batches in the queue.
        batches: usize,
        /// Batches this client took.
        took: usize,
    },
}

/// One node's connection to one build's queue.
pub struct QueueClient {
    url: String,
    connection: MultiplexedConnection,
    scope: QueueScope,
    keys: Keys,
    node: NodeId,
    options: QueueOptions,
    took: usize,
}

fn secs(duration: Duration) -> u64 {
    duration.as_secs().max(1)
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX).max(1)
}

impl QueueClient {
    /// Connects to `url` (and checks the server answers).
    pub async fn connect(
        url: &str,
        scope: QueueScope,
        node: NodeId,
        options: QueueOptions,
    ) -> Result<Self, QueueError> {
        let shown = redact_url(url);
        let client = redis::Client::open(url).map_err(|source| QueueError::InvalidUrl {
            url: shown.clone(),
            source,
        })?;
        let connect = async {
            let mut connection = client.get_multiplexed_async_connection().await?;
            redis::cmd("PING").query_async::<()>(&mut connection).await?;
            Ok::<_, redis::RedisError>(connection)
        };
        let connection = match tokio::time::timeout(options.connect_timeout, connect).await {
            Ok(Ok(connection)) => connection,
            Ok(Err(source)) => return Err(QueueError::Unreachable { url: shown, source }),
            Err(_) => {
                return Err(QueueError::ConnectTimeout {
                    url: shown,
                    after: options.connect_timeout,
                });
            }
        };
        Ok(Self {
            url: shown,
            connection,
            keys: scope.keys(),
            scope,
            node,
            options,
            took: 0,
        })
    }

    /// This node.
    #[must_use]
    pub fn node(&self) -> &NodeId {
        &self.node
    }

    /// The server's URL, without its password.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The queue's scope.
    #[must_use]
    pub fn scope(&self) -> &QueueScope {
        &self.scope
    }

    /// The protocol's timings.
    #[must_use]
    pub fn options(&self) -> QueueOptions {
        self.options
    }

    fn failed(&self, action: &'static str) -> impl FnOnce(redis::RedisError) -> QueueError + '_ {
        move |source| QueueError::Command {
            url: self.url.clone(),
            action,
            source,
        }
    }

    fn parse_batch(&self, entry: &str, json: &str) -> Result<QueueBatch, QueueError> {
        serde_json::from_str(json).map_err(|source| QueueError::BadEntry {
            url: self.url.clone(),
            entry: entry.to_string(),
            prefix: self.keys.stream(),
            source,
        })
    }

    /// Seeds the queue with `batches` unless some node already did; `true` if this call did.
    pub async fn seed(&mut self, batches: &[QueueBatch]) -> Result<bool, QueueError> {
        let script = redis::Script::new(scripts::SEED);
        let mut invocation = script.prepare_invoke();
        invocation
            .key(self.keys.init())
            .key(self.keys.stream())
            .key(self.keys.meta())
            .arg(&self.node.consumer)
            .arg(secs(self.options.ttl))
            .arg(GROUP);
        for batch in batches {
            invocation.arg(serde_json::to_string(batch).expect("batches serialize"));
        }
        let seeded: i64 = invocation
            .invoke_async(&mut self.connection)
            .await
            .map_err(self.failed("seed the queue"))?;
        Ok(seeded == 1)
    }

    /// Whether the queue has been seeded.
    pub async fn is_seeded(&mut self) -> Result<bool, QueueError> {
        redis::cmd("EXISTS")
            .arg(self.keys.stream())
            .query_async(&mut self.connection)
            .await
            .map_err(self.failed("read the queue"))
    }

    /// Takes the next batch (see [`Taken`]).
    pub async fn take(&mut self) -> Result<Taken, QueueError> {
        let reply: Vec<String> = redis::Script::new(scripts::TAKE)
            .key(self.keys.stream())
            .key(self.keys.taken(self.node.index))
            .key(self.keys.takers())
            .arg(GROUP)
            .arg(&self.node.consumer)
            .arg(millis(self.options.lease))
            .arg(secs(self.options.ttl))
            .arg(self.node.index)
            .arg(self.options.max_deliveries)
            .invoke_async(&mut self.connection)
            .await
            .map_err(self.failed("hand out a batch"))?;
        let [kind, entry, json, deliveries, owner] = <[String; 5]>::try_from(reply).unwrap_or_default();
        if kind.is_empty() {
            return self.nothing_now().await;
        }
        let lease = Lease {
            batch: self.parse_batch(&entry, &json)?,
            entry,
            delivery: deliveries.parse().unwrap_or(u32::MAX),
            reclaimed_from: (!owner.is_empty()).then_some(owner),
            replay: false,
        };
        if kind == "poisoned" {
            let reason = format!(
                "batch {} was delivered {} times (at most {}): each node that took it died or stopped heartbeating before finishing it (the last was {}); its tests are failed, not run again",
                lease.batch.id,
                lease.delivery,
                self.options.max_deliveries,
                lease.reclaimed_from.as_deref().unwrap_or("unknown")
            );
            self.write_result(&lease, BatchStatus::Failed { reason: reason.clone() }, Vec::new())
                .await?;
            return Ok(Taken::Poisoned { lease, reason });
        }
        self.took += 1;
        Ok(Taken::Batch(lease))
    }

    /// No batch now: wait while other nodes hold some (one may die), else drained.
    async fn nothing_now(&mut self) -> Result<Taken, QueueError> {
        let pending: Vec<(String, String, u64, u64)> = redis::cmd("XPENDING")
            .arg(self.keys.stream())
            .arg(GROUP)
            .arg("-")
            .arg("+")
            .arg(10_000)
            .query_async(&mut self.connection)
            .await
            .map_err(self.failed("read the batches in flight"))?;
        let lease = millis(self.options.lease);
        let soonest = pending
            .iter()
            .filter(|(_, consumer, _, _)| *consumer != self.node.consumer)
            .map(|(_, _, idle, _)| lease.saturating_sub(*idle))
            .min();
        match soonest {
            Some(ms) => Ok(Taken::Wait(Duration::from_millis(ms.max(10)).min(self.options.poll))),
            None => {
                let batches: usize = redis::cmd("XLEN")
                    .arg(self.keys.stream())
                    .query_async(&mut self.connection)
                    .await
                    .map_err(self.failed("read the queue"))?;
                Ok(Taken::Drained {
                    batches,
                    took: self.took,
                })
            }
        }
    }

    /// Renews the leases of `entries` (this node's batches in flight); returns those it lost.
    pub async fn heartbeat(&mut self, entries: &[String]) -> Result<Vec<String>, QueueError> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let script = redis::Script::new(scripts::HEARTBEAT);
        let mut invocation = script.prepare_invoke();
        invocation.key(self.keys.stream()).arg(GROUP).arg(&self.node.consumer);
        for entry in entries {
            invocation.arg(entry);
        }
        invocation
            .invoke_async(&mut self.connection)
            .await
            .map_err(self.failed("renew this node's leases"))
    }

    /// Writes the results of `lease`'s batch, then acknowledges it. `true` if they count (no
    /// other node's result for the batch came first).
    pub async fn complete(&mut self, lease: &Lease, tests: Vec<TestRecord>) -> Result<bool, QueueError> {
        self.write_result(lease, BatchStatus::Ran, tests).await
    }

    async fn write_result(
        &mut self,
        lease: &Lease,
        status: BatchStatus,
        tests: Vec<TestRecord>,
    ) -> Result<bool, QueueError> {
        let result = BatchResult {
            batch: lease.batch.id.clone(),
            node: self.node.index,
            retry: self.node.retry,
            consumer: self.node.consumer.clone(),
            delivery: lease.delivery,
            status,
            tests,
        };
        let field = result_field(&lease.batch.id, lease.replay.then_some(self.node.retry));
        let won: i64 = redis::Script::new(scripts::COMPLETE)
            .key(self.keys.stream())
            .key(self.keys.results())
            .arg(GROUP)
            .arg(&lease.entry)
            .arg(field)
            .arg(serde_json::to_string(&result).expect("results serialize"))
            .arg(secs(self.options.ttl))
            .invoke_async(&mut self.connection)
            .await
            .map_err(self.failed("store a batch's results"))?;
        Ok(won == 1)
    }

    /// The batches this node index took before (in order), for a retried node to replay.
    pub async fn replay(&mut self) -> Result<Vec<Lease>, QueueError> {
        let entries: Vec<String> = redis::cmd("LRANGE")
            .arg(self.keys.taken(self.node.index))
            .arg(0)
            .arg(-1)
            .query_async(&mut self.connection)
            .await
            .map_err(self.failed("read what this node ran"))?;
        let all = self.batches().await?;
        let mut leases = Vec::new();
        for entry in entries {
            if leases.iter().any(|l: &Lease| l.entry == entry) {
                continue;
            }
            if let Some((_, batch)) = all.iter().find(|(id, _)| *id == entry) {
                leases.push(Lease {
                    entry,
                    batch: batch.clone(),
                    delivery: 0,
                    reclaimed_from: None,
                    replay: true,
                });
            }
        }
        if leases.is_empty() {
            return Err(QueueError::NothingToReplay {
                url: self.url.clone(),
                node: self.node.index,
                retry: self.node.retry,
            });
        }
        Ok(leases)
    }

    /// Every seeded batch with its stream entry id, in order.
    async fn batches(&mut self) -> Result<Vec<(String, QueueBatch)>, QueueError> {
        let reply: StreamRangeReply = redis::cmd("XRANGE")
            .arg(self.keys.stream())
            .arg("-")
            .arg("+")
            .query_async(&mut self.connection)
            .await
            .map_err(self.failed("read the queue"))?;
        reply
            .ids
            .into_iter()
            .map(|entry| {
                let json: String = entry.get("batch").unwrap_or_default();
                let batch = self.parse_batch(&entry.id, &json)?;
                Ok((entry.id, batch))
            })
            .collect()
    }

    /// Everything the queue knows, for the merge step (see [`QueueRecord`]).
    pub async fn record(&mut self) -> Result<QueueRecord, QueueError> {
        let batches = self.batches().await?;
        let results: HashMap<String, String> = redis::cmd("HGETALL")
            .arg(self.keys.results())
            .query_async(&mut self.connection)
            .await
            .map_err(self.failed("read the results"))?;
        let pending: Vec<(String, String, u64, u64)> = if batches.is_empty() {
            Vec::new()
        } else {
            redis::cmd("XPENDING")
                .arg(self.keys.stream())
                .arg(GROUP)
                .arg("-")
                .arg("+")
                .arg(batches.len())
                .query_async(&mut self.connection)
                .await
                .map_err(self.failed("read the batches in flight"))?
        };
        let takers: Vec<u32> = redis::cmd("SMEMBERS")
            .arg(self.keys.takers())
            .query_async(&mut self.connection)
            .await
            .map_err(self.failed("read which nodes took batches"))?;
        let mut taken = BTreeMap::new();
        for index in takers {
            let entries: Vec<String> = redis::cmd("LRANGE")
                .arg(self.keys.taken(index))
                .arg(0)
                .arg(-1)
                .query_async(&mut self.connection)
                .await
                .map_err(self.failed("read what a node ran"))?;
            let ids = entries
                .iter()
                .filter_map(|entry| batches.iter().find(|(id, _)| id == entry))
                .map(|(_, batch)| batch.id.clone())
                .collect();
            taken.insert(index, ids);
        }
        let mut parsed: HashMap<String, Vec<BatchResult>> = HashMap::new();
        for (field, json) in results {
            let result: BatchResult = serde_json::from_str(&json).map_err(|source| QueueError::BadEntry {
                url: self.url.clone(),
                entry: field.clone(),
                prefix: self.keys.results(),
                source,
            })?;
            parsed.entry(result.batch.clone()).or_default().push(result);
        }
        let pending: HashMap<String, PendingBatch> = pending
            .into_iter()
            .map(|(entry, consumer, idle, deliveries)| {
                (
                    entry,
                    PendingBatch {
                        consumer,
                        idle: Duration::from_millis(idle),
                        deliveries: u32::try_from(deliveries).unwrap_or(u32::MAX),
                    },
                )
            })
            .collect();
        Ok(QueueRecord::assemble(
            self.scope.clone(),
            batches,
            parsed,
            pending,
            taken,
        ))
    }
}

/// The scopes of every queue of `build` at `url` (one per step and selection), for a merge
/// step that knows the build but not the plan hash.
pub async fn scopes_of_build(url: &str, build: &str, options: QueueOptions) -> Result<Vec<QueueScope>, QueueError> {
    let probe = QueueScope {
        build: build.to_string(),
        step: String::new(),
        plan_hash: String::new(),
    };
    let mut client = QueueClient::connect(url, probe, NodeId::new(u32::MAX, 1, 0), options).await?;
    let pattern = format!("flotilla:{{{}/*}}:meta", glob_escape(build));
    let mut cursor = 0_u64;
    let mut scopes = Vec::new();
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut client.connection)
            .await
            .map_err(client.failed("list the build's queues"))?;
        for key in keys {
            let inner = key
                .strip_prefix(&format!("flotilla:{{{build}/"))
                .and_then(|rest| rest.strip_suffix("}:meta"));
            if let Some((step, hash)) = inner.and_then(|inner| inner.rsplit_once('/')) {
                scopes.push(QueueScope {
                    build: build.to_string(),
                    step: step.to_string(),
                    plan_hash: hash.to_string(),
                });
            }
        }
        if next == 0 {
            break;
        }
        cursor = next;
    }
    scopes.sort_by(|a, b| (&a.step, &a.plan_hash).cmp(&(&b.step, &b.plan_hash)));
    scopes.dedup();
    Ok(scopes)
}

/// Reads the record of the queue `scope` at `url` (what `flotilla merge --queue` builds on).
pub async fn read_record(url: &str, scope: QueueScope, options: QueueOptions) -> Result<QueueRecord, QueueError> {
    QueueClient::connect(url, scope, NodeId::new(u32::MAX, 1, 0), options)
        .await?
        .record()
        .await
}

fn glob_escape(text: &str) -> String {
    text.chars()
        .flat_map(|c| match c {
            '*' | '?' | '[' | ']' | '\\' => vec!['\\', c],
            c => vec![c],
        })
        .collect()
}

/// The results-hash field of a batch: its id, or `id@rN` for a retried node's replay.
fn result_field(batch: &str, replay_retry: Option<u32>) -> String {
    match replay_retry {
        Some(retry) => format!("{batch}@r{retry}"),
        None => batch.to_string(),
    }
}

//! The Redis work queue (`flotilla::queue`) against a real redis-server of each test's own.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use flotilla::queue::{
    BatchStatus, Fallback, Lease, NodeId, QueueBatch, QueueClient, QueueError, QueueOptions, QueueScope, QueueUnit,
    Taken, TestRecord, decide_fallback,
};
use flotilla::results::Outcome;

use crate::redis_server::{RedisServer, free_port};

fn block_on<F: std::future::Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(future)
}

fn scope() -> QueueScope {
    QueueScope {
        build: "build-1".into(),
        step: "tests".into(),
        plan_hash: "feed".into(),
    }
}

fn batches(n: usize) -> Vec<QueueBatch> {
    (0..n)
        .map(|i| QueueBatch {
            id: format!("b{i:04}"),
            suite: "s".into(),
            units: vec![QueueUnit {
                file: format!("t{i}.sh"),
                test: None,
                estimate_ms: 100,
            }],
            estimate_ms: 100,
        })
        .collect()
}

fn options(lease_ms: u64) -> QueueOptions {
    QueueOptions {
        lease: Duration::from_millis(lease_ms),
        ..QueueOptions::default()
    }
}

async fn client(server: &RedisServer, index: u32, retry: u32, options: QueueOptions) -> QueueClient {
    QueueClient::connect(&server.url(), scope(), NodeId::new(index, 4, retry), options)
        .await
        .expect("connects")
}

/// Results of a lease: each unit passed.
fn passed(lease: &Lease) -> Vec<TestRecord> {
    lease
        .batch
        .units
        .iter()
        .map(|unit| TestRecord {
            suite: lease.batch.suite.clone(),
            id: unit.file.clone(),
            name: unit.file.clone(),
            file: unit.file.clone(),
            outcome: Outcome::Passed,
            duration_ms: 1,
            attempts: 1,
            message: None,
        })
        .collect()
}

/// Takes until a batch comes, honouring the queue's own "ask again after"; fails at the deadline.
async fn take_batch(client: &mut QueueClient) -> Taken {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match client.take().await.expect("take") {
            Taken::Wait(after) => {
                assert!(Instant::now() < deadline, "no batch came back");
                tokio::time::sleep(after).await;
            }
            other => return other,
        }
    }
}

#[test]
fn concurrent_seeders_seed_the_queue_once() {
    let server = RedisServer::start();
    block_on(async {
        let mut clients = Vec::new();
        for index in 0..4 {
            clients.push(client(&server, index, 0, QueueOptions::default()).await);
        }
        let all = batches(20);
        let [a, b, c, d] = <[QueueClient; 4]>::try_from(clients).ok().unwrap();
        let (mut a, mut b, mut c, mut d) = (a, b, c, d);
        let (ra, rb, rc, rd) = tokio::join!(a.seed(&all), b.seed(&all), c.seed(&all), d.seed(&all));
        let seeded = [ra.unwrap(), rb.unwrap(), rc.unwrap(), rd.unwrap()];
        assert_eq!(seeded.iter().filter(|s| **s).count(), 1, "{seeded:?}");
        assert!(!a.seed(&all).await.unwrap(), "a later seeder does nothing");
        let record = a.record().await.unwrap();
        assert_eq!(record.batches.len(), 20, "each batch once");
    });
}

#[test]
fn two_consumers_share_the_batches_without_overlap() {
    let server = RedisServer::start();
    block_on(async {
        let mut a = client(&server, 0, 0, QueueOptions::default()).await;
        let mut b = client(&server, 1, 0, QueueOptions::default()).await;
        a.seed(&batches(9)).await.unwrap();
        let mut got: [Vec<String>; 2] = Default::default();
        let mut done = [false, false];
        while !done.iter().all(|d| *d) {
            for (i, node) in [&mut a, &mut b].into_iter().enumerate() {
                if done[i] {
                    continue;
                }
                match node.take().await.unwrap() {
                    Taken::Batch(lease) => {
                        got[i].push(lease.batch.id.clone());
                        assert!(node.complete(&lease, passed(&lease)).await.unwrap());
                    }
                    Taken::Drained { took, .. } => {
                        assert_eq!(took, got[i].len());
                        done[i] = true;
                    }
                    other => panic!("{other:?}"),
                }
            }
        }
        let ids_a: HashSet<&String> = got[0].iter().collect();
        assert!(got[1].iter().all(|id| !ids_a.contains(id)), "{got:?}");
        assert_eq!(got[0].len() + got[1].len(), 9);
        assert!(!got[0].is_empty() && !got[1].is_empty(), "both took some: {got:?}");
        let record = a.record().await.unwrap();
        assert_eq!(record.taken_by(0), got[0].as_slice());
        assert_eq!(record.taken_by(1), got[1].as_slice());
        let check = record.exactly_once();
        assert!(check.holds(), "{check:?}");
        assert_eq!(check.tests, 9);
    });
}

#[test]
fn a_dead_consumers_batch_goes_to_another_after_the_lease_and_counts_once() {
    let server = RedisServer::start();
    block_on(async {
        let mut dead = client(&server, 0, 0, options(300)).await;
        let mut live = client(&server, 1, 0, options(300)).await;
        dead.seed(&batches(2)).await.unwrap();
        let Taken::Batch(orphan) = dead.take().await.unwrap() else {
            panic!("a batch")
        };
        // The dead node stops heartbeating; the live one runs the rest, then waits for the lease.
        let Taken::Batch(other) = live.take().await.unwrap() else {
            panic!("the second batch")
        };
        assert!(live.complete(&other, passed(&other)).await.unwrap());
        assert!(
            matches!(live.take().await.unwrap(), Taken::Wait(_)),
            "the orphan's lease holds"
        );
        let Taken::Batch(reclaimed) = take_batch(&mut live).await else {
            panic!("the orphan comes back")
        };
        assert_eq!(reclaimed.batch, orphan.batch);
        assert_eq!(reclaimed.delivery, 2);
        assert_eq!(reclaimed.reclaimed_from.as_deref(), Some(dead.node().consumer.as_str()));
        assert!(live.complete(&reclaimed, passed(&reclaimed)).await.unwrap());
        // The "dead" node was only slow: its lease is gone and its late result does not count.
        let lost = dead.heartbeat(std::slice::from_ref(&orphan.entry)).await.unwrap();
        assert_eq!(lost.as_slice(), std::slice::from_ref(&orphan.entry));
        assert!(
            !dead.complete(&orphan, passed(&orphan)).await.unwrap(),
            "first result wins"
        );
        assert!(matches!(live.take().await.unwrap(), Taken::Drained { .. }));
        let record = live.record().await.unwrap();
        let check = record.exactly_once();
        assert!(check.holds(), "{check:?}");
        assert_eq!(check.tests, 2, "nothing counted twice");
        let ran_orphan: Vec<u32> = record
            .tests()
            .iter()
            .filter(|t| t.batch == orphan.batch.id)
            .map(|t| t.node)
            .collect();
        assert_eq!(ran_orphan, [1], "the live node's result counts");
    });
}

#[test]
fn heartbeats_keep_a_lease_past_its_length() {
    let server = RedisServer::start();
    block_on(async {
        let mut holder = client(&server, 0, 0, options(800)).await;
        let mut other = client(&server, 1, 0, options(800)).await;
        holder.seed(&batches(1)).await.unwrap();
        let Taken::Batch(lease) = holder.take().await.unwrap() else {
            panic!("a batch")
        };
        let until = Instant::now() + Duration::from_millis(2400);
        while Instant::now() < until {
            assert!(
                holder
                    .heartbeat(std::slice::from_ref(&lease.entry))
                    .await
                    .unwrap()
                    .is_empty()
            );
            assert!(
                matches!(other.take().await.unwrap(), Taken::Wait(_)),
                "a heartbeating node keeps its batch"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(holder.complete(&lease, passed(&lease)).await.unwrap());
    });
}

#[test]
fn a_batch_delivered_too_often_is_failed_not_looped() {
    let server = RedisServer::start();
    block_on(async {
        let limited = QueueOptions {
            max_deliveries: 2,
            ..options(200)
        };
        let mut first = client(&server, 0, 0, limited).await;
        first.seed(&batches(1)).await.unwrap();
        assert!(matches!(first.take().await.unwrap(), Taken::Batch(_)));
        let mut second = client(&server, 1, 0, limited).await;
        let Taken::Batch(again) = take_batch(&mut second).await else {
            panic!("redelivered")
        };
        assert_eq!(again.delivery, 2);
        let mut third = client(&server, 2, 0, limited).await;
        let Taken::Poisoned { lease, reason } = take_batch(&mut third).await else {
            panic!("the third delivery is refused")
        };
        assert_eq!(lease.batch.id, "b0000");
        assert!(reason.contains("delivered 3 times (at most 2)"), "{reason}");
        assert!(matches!(third.take().await.unwrap(), Taken::Drained { took: 0, .. }));
        let record = third.record().await.unwrap();
        let result = record.batches[0].result.as_ref().expect("recorded");
        assert!(matches!(result.status, BatchStatus::Failed { .. }));
        assert_eq!(record.exactly_once().failed.len(), 1);
    });
}

#[test]
fn a_node_that_starts_after_the_queue_drained_takes_nothing() {
    let server = RedisServer::start();
    block_on(async {
        let mut early = client(&server, 0, 0, QueueOptions::default()).await;
        early.seed(&batches(3)).await.unwrap();
        while let Taken::Batch(lease) = early.take().await.unwrap() {
            early.complete(&lease, passed(&lease)).await.unwrap();
        }
        let mut late = client(&server, 3, 0, QueueOptions::default()).await;
        assert!(!late.seed(&batches(3)).await.unwrap(), "no second seeding");
        assert_eq!(late.take().await.unwrap(), Taken::Drained { batches: 3, took: 0 });
    });
}

#[test]
fn a_retried_node_replays_exactly_what_it_ran_and_its_results_count() {
    let server = RedisServer::start();
    block_on(async {
        let mut zero = client(&server, 0, 0, QueueOptions::default()).await;
        let mut one = client(&server, 1, 0, QueueOptions::default()).await;
        zero.seed(&batches(5)).await.unwrap();
        let mut ran_by_one = Vec::new();
        for index in [1, 0, 1, 0, 0] {
            let node = if index == 1 { &mut one } else { &mut zero };
            let Taken::Batch(lease) = node.take().await.unwrap() else {
                panic!("five batches")
            };
            if node.node().index == 1 {
                ran_by_one.push(lease.batch.id.clone());
            }
            node.complete(&lease, passed(&lease)).await.unwrap();
        }
        let mut retried = client(&server, 1, 1, QueueOptions::default()).await;
        let replay = retried.replay().await.unwrap();
        let ids: Vec<String> = replay.iter().map(|l| l.batch.id.clone()).collect();
        assert_eq!(ids, ran_by_one);
        for lease in &replay {
            assert!(lease.replay);
            assert!(
                retried.complete(lease, passed(lease)).await.unwrap(),
                "a replay's result counts"
            );
        }
        let record = retried.record().await.unwrap();
        for batch in record.batches.iter().filter(|b| ran_by_one.contains(&b.batch.id)) {
            assert_eq!(batch.result.as_ref().unwrap().retry, 1, "the retry's result counts");
            assert_eq!(batch.superseded.len(), 1);
        }
        assert!(record.exactly_once().holds());
        let mut never_ran = client(&server, 3, 1, QueueOptions::default()).await;
        let error = never_ran.replay().await.unwrap_err();
        assert!(matches!(error, QueueError::NothingToReplay { node: 3, .. }), "{error}");
    });
}

#[test]
fn an_unreachable_queue_is_a_typed_error_and_a_first_attempt_falls_back() {
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let error = block_on(QueueClient::connect(
        &url,
        scope(),
        NodeId::new(0, 2, 0),
        QueueOptions::default(),
    ))
    .err()
    .expect("nothing listens there");
    assert!(error.is_unreachable(), "{error:?}");
    assert!(error.to_string().contains(&url), "{error}");
    match decide_fallback(error, &NodeId::new(0, 2, 0), &batches(4), None) {
        Fallback::RunStaticShare { batches, note, .. } => {
            assert_eq!(batches.len(), 2);
            assert!(note.contains("falling back"), "{note}");
        }
        Fallback::Refuse(error) => panic!("a first attempt falls back: {error}"),
    }
    let error = block_on(QueueClient::connect(
        &url,
        scope(),
        NodeId::new(0, 2, 1),
        QueueOptions::default(),
    ))
    .err()
    .unwrap();
    assert!(matches!(
        decide_fallback(error, &NodeId::new(0, 2, 1), &batches(4), None),
        Fallback::Refuse(QueueError::UnreachableOnRetry { .. })
    ));
}

#[test]
fn the_record_names_a_batch_a_dead_node_still_holds() {
    let server = RedisServer::start();
    block_on(async {
        let mut only = client(&server, 2, 0, QueueOptions::default()).await;
        only.seed(&batches(2)).await.unwrap();
        let Taken::Batch(done) = only.take().await.unwrap() else {
            panic!("a batch")
        };
        only.complete(&done, passed(&done)).await.unwrap();
        let Taken::Batch(held) = only.take().await.unwrap() else {
            panic!("a batch")
        };
        drop(only);
        let record = flotilla::queue::read_record(&server.url(), scope(), QueueOptions::default())
            .await
            .unwrap();
        let check = record.exactly_once();
        assert!(!check.holds());
        let problems = check.problems();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].contains(&held.batch.id) && problems[0].contains("t1.sh") && problems[0].contains("node2"),
            "{problems:?}"
        );
    });
}

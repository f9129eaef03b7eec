//! [`decide_fallback`]: what a node does when the queue cannot be reached. On a first attempt
//! it runs its static share of the batches (the same greedy split on every node, so the shares
//! cover everything once) minus the batches the queue says already ran, if it could read that;
//! on a retry it refuses, because a retry must replay what the first attempt ran and only the
//! queue knows that (Knapsack Pro's rule).

use std::collections::HashSet;

use super::batch::QueueBatch;
use super::error::QueueError;
use super::scope::NodeId;

/// What to do without the queue.
#[derive(Debug)]
pub enum Fallback {
    /// Run these batches; `note` says so (print it).
    RunStaticShare {
        batches: Vec<QueueBatch>,
        /// Batches of the share left out because the queue says they already ran.
        already_ran: usize,
        note: String,
    },
    /// Run nothing: fail with this error.
    Refuse(QueueError),
}

/// Node `index`'s share of `batches` (in dispatch order, longest first) on `total` nodes: each
/// batch goes to the least-loaded node, ties to the lowest index. Deterministic.
#[must_use]
pub fn static_share(batches: &[QueueBatch], index: u32, total: u32) -> Vec<QueueBatch> {
    let costs = batches
        .iter()
        .map(|b| u64::try_from(b.estimate().as_micros()).unwrap_or(u64::MAX));
    let (assigned, _) = crate::nodes::least_loaded(costs, total);
    batches
        .iter()
        .zip(assigned)
        .filter(|&(_, node)| node == index)
        .map(|(batch, _)| batch.clone())
        .collect()
}

/// Decides what `node` does after `error` (connecting to the queue failed). `already_ran`: the
/// batch ids the queue reported done, if it could be read at all.
#[must_use]
pub fn decide_fallback(
    error: QueueError,
    node: &NodeId,
    batches: &[QueueBatch],
    already_ran: Option<&HashSet<String>>,
) -> Fallback {
    if !error.is_unreachable() {
        return Fallback::Refuse(error);
    }
    if node.retry > 0 {
        let url = match &error {
            QueueError::Unreachable { url, .. } | QueueError::ConnectTimeout { url, .. } => url.clone(),
            _ => String::new(),
        };
        return Fallback::Refuse(QueueError::UnreachableOnRetry {
            url,
            node: node.index,
            retry: node.retry,
            source: Box::new(error),
        });
    }
    let all_batches = batches.len();
    let share = static_share(batches, node.index, node.total);
    let planned = share.len();
    let (batches, skipped): (Vec<QueueBatch>, Vec<QueueBatch>) = share
        .into_iter()
        .partition(|batch| already_ran.is_none_or(|ran| !ran.contains(&batch.id)));
    let known = if already_ran.is_some() {
        format!(", minus {} the queue says already ran", skipped.len())
    } else {
        ", not knowing what other nodes already ran (some tests may run twice)".to_string()
    };
    let note = format!(
        "{error}; falling back to {node}'s static share of the plan: {} of its {planned} batches ({} in all){known}",
        batches.len(),
        all_batches,
    );
    Fallback::RunStaticShare {
        batches,
        already_ran: skipped.len(),
        note,
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn batches(estimates: &[u64]) -> Vec<QueueBatch> {
        estimates
            .iter()
            .enumerate()
            .map(|(i, &ms)| QueueBatch {
                id: format!("b{i:04}"),
                suite: "s".into(),
                units: Vec::new(),
                estimate_ms: ms,
            })
            .collect()
    }

    fn unreachable() -> QueueError {
        let source = redis::RedisError::from(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        QueueError::Unreachable {
            url: "redis://127.0.0.1:1".into(),
            source,
        }
    }

    #[test]
    fn a_first_attempt_runs_its_share_minus_what_already_ran_and_says_so() {
        let all = batches(&[50, 40, 30, 20, 10]);
        let node = NodeId::new(0, 2, 0);
        let ran: HashSet<String> = ["b0000".to_string()].into();
        let Fallback::RunStaticShare {
            batches,
            already_ran,
            note,
        } = decide_fallback(unreachable(), &node, &all, Some(&ran))
        else {
            panic!("a first attempt falls back");
        };
        let ids: Vec<&str> = batches.iter().map(|b| b.id.as_str()).collect();
        assert_eq!(ids, ["b0003", "b0004"], "node 0's share is b0000, b0003, b0004");
        assert_eq!(already_ran, 1);
        assert!(note.contains("redis://127.0.0.1:1"), "{note}");
        assert!(
            note.contains("static share of the plan: 2 of its 3 batches (5 in all)"),
            "{note}"
        );
        assert!(note.contains("minus 1 the queue says already ran"), "{note}");
    }

    #[test]
    fn without_knowing_what_ran_the_whole_share_runs_and_the_note_warns() {
        let all = batches(&[50, 40]);
        let Fallback::RunStaticShare { batches, note, .. } =
            decide_fallback(unreachable(), &NodeId::new(1, 2, 0), &all, None)
        else {
            panic!("falls back");
        };
        assert_eq!(batches.len(), 1);
        assert!(note.contains("may run twice"), "{note}");
    }

    #[test]
    fn a_retry_refuses_and_names_the_queue() {
        let decision = decide_fallback(unreachable(), &NodeId::new(1, 2, 1), &batches(&[5]), None);
        let Fallback::Refuse(error) = decision else {
            panic!("a retry refuses")
        };
        assert!(matches!(error, QueueError::UnreachableOnRetry { retry: 1, .. }));
        assert!(error.to_string().contains("redis://127.0.0.1:1"), "{error}");
    }

    #[test]
    fn a_bad_url_is_not_a_reason_to_fall_back() {
        let source = redis::Client::open("nope://").expect_err("not a URL");
        let error = QueueError::InvalidUrl {
            url: "nope://".into(),
            source,
        };
        assert!(matches!(
            decide_fallback(error, &NodeId::new(0, 1, 0), &[], None),
            Fallback::Refuse(QueueError::InvalidUrl { .. })
        ));
    }

    proptest! {
        #[test]
        fn the_shares_of_all_nodes_cover_every_batch_once(
            estimates in proptest::collection::vec(1u64..10_000, 0..100),
            total in 1u32..12,
        ) {
            let all = batches(&estimates);
            let mut ids: Vec<String> = (0..total)
                .flat_map(|i| static_share(&all, i, total))
                .map(|b| b.id)
                .collect();
            ids.sort();
            let mut expected: Vec<String> = all.iter().map(|b| b.id.clone()).collect();
            expected.sort();
            prop_assert_eq!(ids, expected);
        }
    }
}

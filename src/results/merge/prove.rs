//! [`prove`]: checks what every node reports against the plan: each planned unit ran exactly
//! once, on the node the plan gave it to, and every node result comes from that one plan.
//!
//! A node reported twice (a retried CI job leaves both attempts' folders) counts once: the
//! attempt with the highest retry count replaces the earlier ones (listed as superseded).

use std::collections::{BTreeMap, BTreeSet};

use super::record::{Duplicate, HashMismatch, MergeRecord, MissingUnit, NeverReported, ReportedNode};
use crate::nodes::{FileKey, NodePlan, UnitKey};

/// What one node result says, whatever it was read from (a node's summary.json today; a
/// queue's record of what each node acknowledged could give the same).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeView {
    /// Where it was read from (for messages).
    pub source: String,
    /// The node, counting from 0.
    pub node: u32,
    /// Its retry count.
    pub retry: u32,
    /// Its run id.
    pub run_id: String,
    /// The plan it ran a share of.
    pub plan_hash: String,
    /// The planned units it ran.
    pub ran: BTreeSet<UnitKey>,
    /// Files it discovered that the plan gives to no node.
    pub unplanned: Vec<FileKey>,
}

/// The proof, and which of `views` were taken into the merge (indices, by node).
#[must_use]
pub fn prove(plan: &NodePlan, views: &[NodeView]) -> (MergeRecord, Vec<usize>) {
    let mut record = MergeRecord {
        plan_hash: plan.plan_hash.clone(),
        nodes: plan.nodes,
        planned: plan.units.len(),
        ..MergeRecord::default()
    };
    let reported = |view: &NodeView| ReportedNode {
        node: view.node,
        retry: view.retry,
        source: view.source.clone(),
        run_id: view.run_id.clone(),
    };
    // Per node, the latest attempt.
    let mut taken: BTreeMap<u32, usize> = BTreeMap::new();
    for (index, view) in views.iter().enumerate() {
        if view.plan_hash != plan.plan_hash || view.node >= plan.nodes {
            record.plan_hash_mismatches.push(HashMismatch {
                source: view.source.clone(),
                node: view.node,
                plan_hash: view.plan_hash.clone(),
            });
            continue;
        }
        match taken.get(&view.node) {
            Some(&earlier) if views[earlier].retry >= view.retry => record.superseded.push(reported(view)),
            Some(&earlier) => {
                record.superseded.push(reported(&views[earlier]));
                taken.insert(view.node, index);
            }
            None => {
                taken.insert(view.node, index);
            }
        }
    }
    record.reported = taken.values().map(|&i| reported(&views[i])).collect();
    for node in (0..plan.nodes).filter(|n| !taken.contains_key(n)) {
        record.never_reported.push(NeverReported {
            node,
            units: plan.share(node).iter().map(|u| u.key().to_string()).collect(),
        });
    }
    for unit in &plan.units {
        let key = unit.key();
        let ran_on: Vec<u32> = taken
            .iter()
            .filter(|&(_, &i)| views[i].ran.contains(&key))
            .map(|(&node, _)| node)
            .collect();
        if ran_on.len() > 1 {
            record.duplicates.push(Duplicate {
                suite: key.suite.clone(),
                id: key.id.clone(),
                nodes: ran_on,
            });
        } else if taken.contains_key(&unit.node) && !ran_on.contains(&unit.node) {
            record.missing.push(MissingUnit {
                suite: key.suite,
                id: key.id,
                node: unit.node,
            });
        }
    }
    let unplanned: BTreeSet<FileKey> = taken
        .values()
        .flat_map(|&i| views[i].unplanned.iter().cloned())
        .collect();
    record.unplanned = unplanned.into_iter().collect();
    (record, taken.into_values().collect())
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::nodes::{NodeUnit, partition};

    fn plan() -> NodePlan {
        let units: Vec<NodeUnit> = (0..6)
            .map(|i| NodeUnit {
                suite: "s".into(),
                file: format!("t/{i}.sh"),
                test: None,
                estimate: Duration::from_secs(6 - i),
            })
            .collect();
        partition(&units, 3)
    }

    fn view(plan: &NodePlan, node: u32, retry: u32) -> NodeView {
        NodeView {
            source: format!("node-{node}-{retry}"),
            node,
            retry,
            run_id: format!("run-{node}-{retry}"),
            plan_hash: plan.plan_hash.clone(),
            ran: plan.share(node).iter().map(|u| u.key()).collect(),
            unplanned: Vec::new(),
        }
    }

    #[test]
    fn every_node_ran_its_share_proves_it() {
        let plan = plan();
        let views: Vec<NodeView> = (0..3).map(|n| view(&plan, n, 0)).collect();
        let (record, taken) = prove(&plan, &views);
        assert!(record.proven(), "{record:?}");
        assert_eq!(taken, vec![0, 1, 2]);
        assert_eq!(record.planned, 6);
    }

    #[test]
    fn a_node_that_never_reported_is_named_with_its_units() {
        let plan = plan();
        let views = vec![view(&plan, 0, 0), view(&plan, 2, 0)];
        let (record, _) = prove(&plan, &views);
        assert!(!record.proven());
        assert_eq!(record.never_reported.len(), 1);
        assert_eq!(record.never_reported[0].node, 1);
        let expected: Vec<String> = plan.share(1).iter().map(|u| u.key().to_string()).collect();
        assert_eq!(record.never_reported[0].units, expected);
        assert!(
            record.missing.is_empty(),
            "a silent node's units are not also 'missing'"
        );
    }

    #[test]
    fn missing_duplicate_and_foreign_plan_are_each_reported() {
        let plan = plan();
        let mut views: Vec<NodeView> = (0..3).map(|n| view(&plan, n, 0)).collect();
        let dropped = plan.share(0)[0].key();
        views[0].ran.remove(&dropped);
        let doubled = plan.share(1)[0].key();
        views[2].ran.insert(doubled.clone());
        let mut foreign = view(&plan, 1, 0);
        foreign.plan_hash = "0000000000000000".into();
        foreign.source = "elsewhere".into();
        views.push(foreign);
        let (record, taken) = prove(&plan, &views);
        assert_eq!(taken.len(), 3);
        assert_eq!(
            record.missing,
            vec![MissingUnit {
                suite: "s".into(),
                id: dropped.id,
                node: 0
            }]
        );
        assert_eq!(
            record.duplicates,
            vec![Duplicate {
                suite: "s".into(),
                id: doubled.id,
                nodes: vec![1, 2]
            }]
        );
        assert_eq!(record.plan_hash_mismatches.len(), 1);
        assert_eq!(record.plan_hash_mismatches[0].source, "elsewhere");
        assert!(!record.proven());
    }

    #[test]
    fn a_retried_node_replaces_its_earlier_attempt() {
        let plan = plan();
        let mut first = view(&plan, 1, 0);
        first.ran.clear();
        let views = vec![view(&plan, 0, 0), first, view(&plan, 2, 0), view(&plan, 1, 1)];
        let (record, taken) = prove(&plan, &views);
        assert!(record.proven(), "{record:?}");
        assert_eq!(taken, vec![0, 3, 2]);
        assert_eq!(record.superseded.len(), 1);
        assert_eq!(record.superseded[0].retry, 0);
    }
}

//! [`choose_nodes`]: the fewest nodes (up to a maximum) whose predicted wall time meets a
//! target (`flotilla plan --target-time 2m --max-nodes 10`), or why none does.
//!
//! A node's predicted time is its share spread over its local workers: `max(load / workers,
//! its longest unit)`, the lower bound of its local run (the local planner gets close to it).

use std::time::Duration;

use super::partition::{NodeUnit, partition};
use super::plan_file::{NodePlan, PlannedUnit, UnitKey};

/// The answer to "how many nodes meet the target?".
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NodeCount {
    /// `plan` (on `plan.nodes` nodes) is predicted to finish within the target.
    Meets { plan: NodePlan, predicted: Duration },
    /// Even `plan` on the most nodes allowed is predicted to take `predicted`.
    TooFewNodes { plan: NodePlan, predicted: Duration },
    /// One unit alone takes longer than the target: no number of nodes meets it.
    LongestUnitExceeds { unit: UnitKey, estimate: Duration },
}

/// The predicted wall time of the slowest node of `plan` with `workers` local workers.
#[must_use]
pub fn predicted_time(plan: &NodePlan, workers: usize) -> Duration {
    (0..plan.nodes)
        .map(|node| predicted_node_time(&plan.share(node), workers))
        .max()
        .unwrap_or_default()
}

/// The predicted wall time of one node's share on `workers` local workers.
#[must_use]
pub fn predicted_node_time(share: &[&PlannedUnit], workers: usize) -> Duration {
    let workers = u64::try_from(workers.max(1)).unwrap_or(u64::MAX);
    let load: u64 = share.iter().map(|u| u.estimate_us).sum();
    let longest = share.iter().map(|u| u.estimate_us).max().unwrap_or(0);
    Duration::from_micros((load / workers).max(longest))
}

/// The fewest nodes in `1..=max_nodes` whose slowest node is predicted within `target`.
#[must_use]
pub fn choose_nodes(units: &[NodeUnit], workers: usize, target: Duration, max_nodes: u32) -> NodeCount {
    if let Some(longest) = units
        .iter()
        .filter(|u| u.estimate > target)
        .max_by(|a, b| a.estimate.cmp(&b.estimate).then_with(|| b.file.cmp(&a.file)))
    {
        return NodeCount::LongestUnitExceeds {
            unit: UnitKey {
                suite: longest.suite.clone(),
                id: longest.test.clone().unwrap_or_else(|| longest.file.clone()),
            },
            estimate: longest.estimate,
        };
    }
    let max_nodes = max_nodes.max(1);
    let mut last = None;
    for nodes in 1..=max_nodes {
        let plan = partition(units, nodes);
        let predicted = predicted_time(&plan, workers);
        if predicted <= target {
            return NodeCount::Meets { plan, predicted };
        }
        last = Some((plan, predicted));
    }
    let (plan, predicted) = last.expect("at least one node count tried");
    NodeCount::TooFewNodes { plan, predicted }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(secs: &[u64]) -> Vec<NodeUnit> {
        secs.iter()
            .enumerate()
            .map(|(i, &s)| NodeUnit {
                suite: "s".into(),
                file: format!("t/{i}.sh"),
                test: None,
                estimate: Duration::from_secs(s),
            })
            .collect()
    }

    #[test]
    fn the_fewest_nodes_that_meet_the_target() {
        // 8 units of 10 s on 2 workers: 40 s on one node, 20 s on two, 10 s on four.
        let all = units(&[10; 8]);
        match choose_nodes(&all, 2, Duration::from_secs(20), 10) {
            NodeCount::Meets { plan, predicted } => {
                assert_eq!(plan.nodes, 2);
                assert_eq!(predicted, Duration::from_secs(20));
            }
            other => panic!("{other:?}"),
        }
        match choose_nodes(&all, 2, Duration::from_secs(15), 10) {
            NodeCount::Meets { plan, .. } => assert_eq!(plan.nodes, 3),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_unit_longer_than_the_target_cannot_be_helped() {
        match choose_nodes(&units(&[10, 300, 5]), 2, Duration::from_secs(120), 10) {
            NodeCount::LongestUnitExceeds { unit, estimate } => {
                assert_eq!(unit.id, "t/1.sh");
                assert_eq!(estimate, Duration::from_secs(300));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn too_few_nodes_says_what_the_most_would_take() {
        match choose_nodes(&units(&[10; 8]), 1, Duration::from_secs(15), 2) {
            NodeCount::TooFewNodes { plan, predicted } => {
                assert_eq!(plan.nodes, 2);
                assert_eq!(predicted, Duration::from_secs(40));
            }
            other => panic!("{other:?}"),
        }
    }
}

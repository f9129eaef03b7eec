//! [`partition`]: the static split of a selection across nodes, longest processing time first
//! (LPT): units sorted by estimate (longest first, ties by suite, file and test, so the input
//! order never matters), each onto the node with the least load so far (the lowest index on a
//! tie). Graham's bound holds: no node ends later than `total / nodes + longest unit`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::time::Duration;

use super::plan_file::{NodePlan, PLAN_SCHEMA_VERSION, PlannedUnit, plan_hash};

/// The name and version of the algorithm, part of every plan's hash: a change of the split
/// rule changes the hash, so nodes running different flotilla versions are caught by `merge`.
pub const ALGORITHM: &str = "lpt-v1";

/// One unit of work to place on a node: a file, or a test split out of a big file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeUnit {
    /// The suite's name.
    pub suite: String,
    /// The test file (go: package folder), relative to the config folder.
    pub file: String,
    /// A single test's id, when the unit is a test split out of its file.
    pub test: Option<String>,
    /// Its expected duration on one worker.
    pub estimate: Duration,
}

/// Splits `units` across `nodes` (at least 1). The same units, in any order, give the same
/// plan and the same hash.
#[must_use]
pub fn partition(units: &[NodeUnit], nodes: u32) -> NodePlan {
    let nodes = nodes.max(1);
    let mut planned: Vec<PlannedUnit> = units
        .iter()
        .map(|unit| PlannedUnit {
            node: 0,
            suite: unit.suite.clone(),
            file: unit.file.clone(),
            test: unit.test.clone(),
            // Whole microseconds: the plan file stores them exactly, so a plan read back
            // hashes and splits the same.
            estimate_us: u64::try_from(unit.estimate.as_micros()).unwrap_or(u64::MAX).max(1),
        })
        .collect();
    planned.sort_by(|a, b| {
        b.estimate_us
            .cmp(&a.estimate_us)
            .then_with(|| (&a.suite, &a.file, &a.test).cmp(&(&b.suite, &b.file, &b.test)))
    });
    let (assigned, loads) = least_loaded(planned.iter().map(|u| u.estimate_us), nodes);
    for (unit, node) in planned.iter_mut().zip(assigned) {
        unit.node = node;
    }
    // The file lists units by key, not by estimate: easy to read and to diff between builds.
    planned.sort_by(|a, b| a.key_tuple().cmp(&b.key_tuple()));
    let hash = plan_hash(ALGORITHM, nodes, &planned);
    NodePlan {
        schema_version: PLAN_SCHEMA_VERSION,
        algorithm: ALGORITHM.to_string(),
        plan_hash: hash,
        nodes,
        loads_us: loads,
        units: planned,
    }
}

/// Places `costs`, in the order given, each onto the node (of `nodes`, at least 1) with the
/// least load so far, the lowest index on a tie: the node of each, and every node's load. The
/// one greedy rule of the static split and of a queue node's fallback share.
#[must_use]
pub fn least_loaded(costs: impl IntoIterator<Item = u64>, nodes: u32) -> (Vec<u32>, Vec<u64>) {
    let nodes = nodes.max(1);
    let mut free: BinaryHeap<Reverse<(u64, u32)>> = (0..nodes).map(|n| Reverse((0, n))).collect();
    let mut loads = vec![0_u64; nodes as usize];
    let assigned = costs
        .into_iter()
        .map(|cost| {
            let Reverse((load, node)) = free.pop().expect("at least one node");
            let load = load.saturating_add(cost);
            loads[node as usize] = load;
            free.push(Reverse((load, node)));
            node
        })
        .collect();
    (assigned, loads)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    fn unit(file: &str, ms: u64) -> NodeUnit {
        NodeUnit {
            suite: "s".into(),
            file: file.into(),
            test: None,
            estimate: Duration::from_millis(ms),
        }
    }

    #[test]
    fn longest_first_onto_the_least_loaded_node() {
        let units = [unit("a", 5), unit("b", 4), unit("c", 3), unit("d", 3), unit("e", 3)];
        let plan = partition(&units, 2);
        let node_of: BTreeMap<&str, u32> = plan.units.iter().map(|u| (u.file.as_str(), u.node)).collect();
        // a→0 (5), b→1 (4), c→1 (7), d→0 (8), e→1 (10)
        assert_eq!(node_of["a"], 0);
        assert_eq!(node_of["b"], 1);
        assert_eq!(node_of["c"], 1);
        assert_eq!(node_of["d"], 0);
        assert_eq!(node_of["e"], 1);
        assert_eq!(plan.loads_us, vec![8_000, 10_000]);
    }

    #[test]
    fn more_nodes_than_units_leaves_some_empty() {
        let plan = partition(&[unit("a", 1)], 3);
        assert_eq!(plan.loads_us, vec![1_000, 0, 0]);
        assert!(plan.share(1).is_empty());
    }

    #[test]
    fn the_hash_depends_on_nodes_estimates_and_tests() {
        let base = partition(&[unit("a", 1), unit("b", 2)], 2);
        assert_ne!(base.plan_hash, partition(&[unit("a", 1), unit("b", 2)], 3).plan_hash);
        assert_ne!(base.plan_hash, partition(&[unit("a", 1), unit("b", 3)], 2).plan_hash);
        assert_ne!(base.plan_hash, partition(&[unit("a", 1), unit("c", 2)], 2).plan_hash);
        assert_eq!(base.plan_hash, partition(&[unit("b", 2), unit("a", 1)], 2).plan_hash);
    }

    fn arb_units() -> impl Strategy<Value = Vec<NodeUnit>> {
        prop::collection::vec(
            (0_u8..3, 0_u16..400, prop::option::of(0_u8..4), 1_u64..5_000_000),
            0..120,
        )
        .prop_map(|rows| {
            let mut seen = std::collections::BTreeSet::new();
            rows.into_iter()
                .filter(|(suite, file, test, _)| seen.insert((*suite, *file, *test)))
                .map(|(suite, file, test, us)| NodeUnit {
                    suite: format!("s{suite}"),
                    file: format!("t/{file}.sh"),
                    test: test.map(|t| format!("t/{file}.sh::case{t}")),
                    estimate: Duration::from_micros(us),
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn every_unit_is_in_exactly_one_share(units in arb_units(), nodes in 1_u32..12) {
            let plan = partition(&units, nodes);
            prop_assert_eq!(plan.units.len(), units.len());
            let mut counted = 0;
            for node in 0..nodes {
                counted += plan.share(node).len();
            }
            prop_assert_eq!(counted, units.len());
            let mut keys: Vec<_> = plan.units.iter().map(PlannedUnit::key).collect();
            keys.sort();
            keys.dedup();
            prop_assert_eq!(keys.len(), units.len());
            prop_assert!(plan.units.iter().all(|u| u.node < nodes));
        }

        #[test]
        fn deterministic_whatever_the_input_order(units in arb_units(), nodes in 1_u32..12, seed in any::<u64>()) {
            let mut shuffled = units.clone();
            // A cheap deterministic shuffle.
            let mut state = seed | 1;
            for i in (1..shuffled.len()).rev() {
                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                shuffled.swap(i, (state % (i as u64 + 1)) as usize);
            }
            let a = partition(&units, nodes);
            let b = partition(&shuffled, nodes);
            prop_assert_eq!(&a, &b);
            prop_assert!(a.changed_hash().is_none());
        }

        #[test]
        fn balance_stays_within_grahams_bound(units in arb_units(), nodes in 1_u32..12) {
            let plan = partition(&units, nodes);
            let total: u64 = plan.units.iter().map(|u| u.estimate_us).sum();
            let longest = plan.units.iter().map(|u| u.estimate_us).max().unwrap_or(0);
            let makespan = plan.loads_us.iter().copied().max().unwrap_or(0);
            let lower_bound = (total / u64::from(nodes)).max(longest);
            prop_assert!(makespan >= lower_bound.min(makespan));
            prop_assert!(makespan <= total / u64::from(nodes) + longest + 1,
                "makespan {} > total/N {} + longest {}", makespan, total / u64::from(nodes), longest);
            prop_assert!(makespan <= 2 * lower_bound + 1);
            let summed: u64 = plan.loads_us.iter().sum();
            prop_assert_eq!(summed, total);
        }
    }
}

//! [`ShareSource`] (where a node's work comes from), [`reconcile`] (a node's share of a plan
//! checked against what is discovered now) and [`NodeSummary`] (what a node's summary.json says
//! about its share, for `flotilla merge`).

use std::collections::{BTreeMap, BTreeSet};

use camino::Utf8PathBuf;
use serde::{Deserialize, Serialize};

use super::identity::NodeIdentity;
use super::plan_file::{NodePlan, PlannedUnit, UnitKey};

/// Where a node's work comes from. Each gives the node a list of planned units; the local
/// planner and the dispatcher do not know which.
#[derive(Clone, Debug)]
pub enum ShareSource {
    /// Split the whole selection here, from the history: every node computes the same plan
    /// from the same inputs (the same history file and the same files).
    History,
    /// This node's share of a plan file, whatever the history says now.
    PlanFile {
        /// Where it was read from (for messages).
        path: Utf8PathBuf,
        /// The plan.
        plan: NodePlan,
    },
}

impl ShareSource {
    /// The name written to summary.json's `node.plan_source`.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Self::History => "history",
            Self::PlanFile { .. } => "plan-file",
        }
    }
}

/// What a command asks of `prepare` on a node of a parallel step: which node, and where its
/// work comes from.
#[derive(Clone, Debug)]
pub struct NodeRequest {
    /// This node.
    pub identity: NodeIdentity,
    /// Where its share comes from.
    pub source: ShareSource,
}

/// A node's share of a plan, checked against the files discovered now.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NodeShare {
    /// The node's units whose files are still discovered: what it runs.
    pub run: Vec<PlannedUnit>,
    /// The node's units whose files are no longer discovered (or whose suite is not selected):
    /// reported as errors, never silently dropped.
    pub missing: Vec<UnitKey>,
    /// Files discovered now that no node's share holds: not run by any node (the plan is
    /// authoritative); every node warns and `merge` fails.
    pub unplanned: Vec<FileKey>,
}

/// A discovered file of a suite.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FileKey {
    /// The suite's name.
    pub suite: String,
    /// The file, relative to the config folder.
    pub file: String,
}

/// Node `node`'s share of `plan`, against `discovered` (per suite name, its files now).
#[must_use]
pub fn reconcile(plan: &NodePlan, node: u32, discovered: &BTreeMap<String, BTreeSet<String>>) -> NodeShare {
    let mut share = NodeShare::default();
    let mut planned_files: BTreeSet<(&str, &str)> = BTreeSet::new();
    for unit in &plan.units {
        planned_files.insert((&unit.suite, &unit.file));
        if unit.node != node {
            continue;
        }
        let present = discovered
            .get(&unit.suite)
            .is_some_and(|files| files.contains(&unit.file));
        if present {
            share.run.push(unit.clone());
        } else {
            share.missing.push(unit.key());
        }
    }
    for (suite, files) in discovered {
        for file in files {
            if !planned_files.contains(&(suite.as_str(), file.as_str())) {
                share.unplanned.push(FileKey {
                    suite: suite.clone(),
                    file: file.clone(),
                });
            }
        }
    }
    share
}

/// What a node's summary.json says about its share (`node` in `docs/summary-json.md`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeSummary {
    /// This node, counting from 0.
    pub index: u32,
    /// How many nodes share the step.
    pub total: u32,
    /// How many times this node was retried (0 on the first run).
    pub retry: u32,
    /// Where index and total came from.
    pub identified_by: String,
    /// The hash of the plan the node ran its share of.
    pub plan_hash: String,
    /// `history` (split here) or `plan-file` (`--plan`).
    pub plan_source: String,
    /// The whole plan (every node's share), next to summary.json in the run folder.
    pub plan_file: String,
    /// How many units the plan gave this node.
    pub planned: usize,
    /// Units of its share whose files are no longer discovered (reported as errors).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<MissingUnit>,
    /// Files discovered now that no node's share holds (run by no node).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unplanned: Vec<FileKey>,
}

/// A planned unit that was not found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingUnit {
    /// The suite's name.
    pub suite: String,
    /// The unit's id (test id or file).
    pub id: String,
}

impl NodeSummary {
    /// The summary of `identity` running its share of `plan` from `source`.
    #[must_use]
    pub fn new(identity: &NodeIdentity, source: &ShareSource, plan: &NodePlan, share: &NodeShare) -> Self {
        Self {
            index: identity.index,
            total: identity.total,
            retry: identity.retry,
            identified_by: identity.source.clone(),
            plan_hash: plan.plan_hash.clone(),
            plan_source: source.name().to_string(),
            plan_file: "plan.json".to_string(),
            planned: share.run.len() + share.missing.len(),
            missing: share
                .missing
                .iter()
                .map(|k| MissingUnit {
                    suite: k.suite.clone(),
                    id: k.id.clone(),
                })
                .collect(),
            unplanned: share.unplanned.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::nodes::{NodeUnit, partition};

    #[test]
    fn a_vanished_file_is_missing_and_a_new_one_unplanned() {
        let units: Vec<NodeUnit> = ["a", "b", "c"]
            .iter()
            .map(|f| NodeUnit {
                suite: "s".into(),
                file: (*f).into(),
                test: None,
                estimate: Duration::from_secs(1),
            })
            .collect();
        let plan = partition(&units, 1);
        let discovered = BTreeMap::from([(
            "s".to_string(),
            BTreeSet::from(["a".to_string(), "c".into(), "d".into()]),
        )]);
        let share = reconcile(&plan, 0, &discovered);
        assert_eq!(
            share.run.iter().map(|u| u.file.as_str()).collect::<Vec<_>>(),
            ["a", "c"]
        );
        assert_eq!(
            share.missing,
            vec![UnitKey {
                suite: "s".into(),
                id: "b".into()
            }]
        );
        assert_eq!(
            share.unplanned,
            vec![FileKey {
                suite: "s".into(),
                file: "d".into()
            }]
        );
        // Another node's units are neither run nor missing here.
        let other = reconcile(&plan, 1, &discovered);
        assert!(other.run.is_empty() && other.missing.is_empty());
    }
}

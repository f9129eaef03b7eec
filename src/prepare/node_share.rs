//! [`NodeRun`]: this node's share of the selection, when the step is split across CI nodes.
//! From the history, the whole selection is split here (every node computes the same plan);
//! from a plan file, this node's share is taken as planned and checked against discovery.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Duration;

use super::Unit;
use crate::config::Config;
use crate::history::{Estimate, EstimateSource};
use crate::nodes::{
    NodeIdentity, NodePlan, NodeRequest, NodeShare, NodeSummary, NodeUnit, ShareSource, partition, reconcile,
};
use crate::runners::Target;
use crate::suite_index::SuiteIndex;

/// This node's share, and the whole plan it is a share of.
#[derive(Clone, Debug)]
pub struct NodeRun {
    /// This node.
    pub identity: NodeIdentity,
    /// Where the share came from.
    pub source: ShareSource,
    /// The whole plan (every node's share).
    pub plan: NodePlan,
    /// This node's share against discovery.
    pub share: NodeShare,
}

impl NodeRun {
    /// What summary.json says about it.
    #[must_use]
    pub fn summary(&self) -> NodeSummary {
        NodeSummary::new(&self.identity, &self.source, &self.plan, &self.share)
    }

    /// Things the user should know: tests planned here that are gone, files no node runs.
    pub(super) fn warnings(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        let node = &self.identity;
        if !self.share.missing.is_empty() {
            warnings.push(format!(
                "node {} of {}: {} unit(s) of its share of plan {} are no longer discovered (reported as errors): {}",
                node.index + 1,
                node.total,
                self.share.missing.len(),
                self.plan.plan_hash,
                examples(self.share.missing.iter().map(ToString::to_string))
            ));
        }
        if !self.share.unplanned.is_empty() {
            warnings.push(format!(
                "{} discovered file(s) are in no node's share of plan {} and run on no node: {}; the plan is older than these files: write it again at this commit with `flotilla plan --nodes {} --out plan.json`",
                self.share.unplanned.len(),
                self.plan.plan_hash,
                examples(self.share.unplanned.iter().map(|f| format!("{}: {}", f.suite, f.file))),
                node.total
            ));
        }
        warnings
    }
}

fn examples(items: impl Iterator<Item = String>) -> String {
    let items: Vec<String> = items.collect();
    let mut text = items
        .iter()
        .take(5)
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > 5 {
        text.push_str(&format!(" and {} more", items.len() - 5));
    }
    text
}

/// Per suite name, the files discovered (quarantine-skipped ones left out).
pub(super) fn discovered_map(config: &Config, files: &[Vec<String>]) -> BTreeMap<String, BTreeSet<String>> {
    config
        .suites
        .iter()
        .zip(files)
        .map(|(suite, files)| (suite.name.clone(), files.iter().cloned().collect()))
        .collect()
}

/// This node's units and its [`NodeRun`]: from the history, `units` (the whole selection) split
/// here; from a plan file, the plan's units for this node (`units` is not used).
pub(super) fn node_share(
    config: &Config,
    request: NodeRequest,
    units: Vec<Unit>,
    discovered: &BTreeMap<String, BTreeSet<String>>,
    skipped: &mut Vec<(SuiteIndex, Target)>,
) -> (Vec<Unit>, NodeRun) {
    let NodeRequest { identity, source } = request;
    let plan = match &source {
        ShareSource::History => {
            let all: Vec<NodeUnit> = units
                .iter()
                .map(|unit| NodeUnit {
                    suite: config.suites[unit.suite].name.clone(),
                    file: unit.target.file.clone(),
                    test: unit.target.test.clone(),
                    estimate: unit.estimate.duration,
                })
                .collect();
            partition(&all, identity.total)
        }
        ShareSource::PlanFile { plan, .. } => plan.clone(),
    };
    let mut share = reconcile(&plan, identity.index, discovered);
    quarantine_once(config, &plan, identity.index, &mut share, skipped);
    let mut mine: Vec<Unit> = match &source {
        // Units split here keep the history's own estimate (and its source).
        ShareSource::History => {
            let assigned: HashSet<(&str, &str, Option<&str>)> = share
                .run
                .iter()
                .map(|u| (u.suite.as_str(), u.file.as_str(), u.test.as_deref()))
                .collect();
            units
                .into_iter()
                .filter(|u| {
                    assigned.contains(&(
                        config.suites[u.suite].name.as_str(),
                        u.target.file.as_str(),
                        u.target.test.as_deref(),
                    ))
                })
                .collect()
        }
        ShareSource::PlanFile { .. } => share
            .run
            .iter()
            .filter_map(|planned| {
                let suite = SuiteIndex::new(config.suites.iter().position(|s| s.name == planned.suite)?);
                Some(Unit {
                    suite,
                    target: Target {
                        file: planned.file.clone(),
                        test: planned.test.clone(),
                    },
                    estimate: Estimate {
                        duration: Duration::from_micros(planned.estimate_us),
                        source: EstimateSource::Plan,
                    },
                })
            })
            .collect(),
    };
    // The local planner wants a stable order: suite (config order), then file, then test.
    mine.sort_by(|a, b| (a.suite, &a.target.file, &a.target.test).cmp(&(b.suite, &b.target.file, &b.target.test)));
    (
        mine,
        NodeRun {
            identity,
            source,
            plan,
            share,
        },
    )
}

/// Files quarantine skips are reported (as skipped) by exactly one node: the one whose share
/// holds them in the plan, else node 0. A planned file skipped since the plan was made is then
/// reported skipped, not missing.
fn quarantine_once(
    config: &Config,
    plan: &NodePlan,
    index: u32,
    share: &mut NodeShare,
    skipped: &mut Vec<(SuiteIndex, Target)>,
) {
    let owner = |suite: SuiteIndex, file: &str| {
        plan.units
            .iter()
            .find(|u| u.suite == config.suites[suite].name && u.file == file)
            .map_or(0, |u| u.node)
    };
    skipped.retain(|(suite, target)| owner(*suite, &target.file) == index);
    let skipped_files: HashSet<(&str, &str)> = skipped
        .iter()
        .map(|(suite, target)| (config.suites[*suite].name.as_str(), target.file.as_str()))
        .collect();
    share.missing.retain(|key| {
        let file = plan
            .units
            .iter()
            .find(|u| u.key() == *key)
            .map_or(key.id.as_str(), |u| u.file.as_str());
        !skipped_files.contains(&(key.suite.as_str(), file))
    });
}

//! [`take_jobs`]: a test step's planned batches as runnable [`Job`]s, in dispatch order; and
//! [`remote_jobs`]: one batch of a remote work source as jobs.

use std::time::Duration;

use super::Job;
use super::work_source::RemoteBatch;
use crate::config::Config;
use crate::prepare::Prepared;
use crate::runners::Target;
use crate::suite_index::SuiteIndex;

/// The batches of `prepared.plans[plan]` as jobs. A batch whose targets have different
/// [`Adapter::job_key`]s becomes one job per key: for runners whose test filter spans every file
/// of a job (go `-run`, Jest `-t`), whole files and the single tests of each split file; for
/// cargo-nextest, each package. The targets move out of `prepared.units` into the jobs (a step
/// runs once, and a suite of a million files should not hold every path twice).
///
/// [`Adapter::job_key`]: crate::runners::Adapter::job_key
pub(super) fn take_jobs(prepared: &mut Prepared, plan: usize) -> Vec<Job> {
    let Prepared {
        config,
        units,
        startups,
        plans,
        ..
    } = prepared;
    let step = &plans[plan];
    let last = plans[plan + 1..].is_empty();
    let mut jobs = Vec::with_capacity(step.plan.batches.len());
    for batch in &step.plan.batches {
        let adapter = config.suites[batch.suite].command.adapter();
        let mut groups: Vec<(Option<String>, Vec<usize>)> = Vec::new();
        for &unit in &batch.units {
            let key = adapter.job_key(&units[unit].target, &config.root);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, members)) => members.push(unit),
                None => groups.push((key, vec![unit])),
            }
        }
        let single = groups.len() == 1;
        for (_, members) in groups {
            let (targets, estimates): (Vec<Target>, Vec<Duration>) = members
                .iter()
                .map(|&unit| {
                    let unit = &mut units[unit];
                    let target = Target {
                        file: std::mem::take(&mut unit.target.file),
                        test: unit.target.test.take(),
                    };
                    (target, unit.estimate.duration)
                })
                .unzip();
            let estimate = if single {
                batch.estimate
            } else {
                startups[batch.suite.get()].duration + estimates.iter().sum::<Duration>()
            };
            jobs.push(Job {
                suite: batch.suite,
                targets,
                estimates,
                attempt: 1,
                estimate,
                not_before: None,
                origin: None,
                // Every unit of a batch has the batch's groups.
                groups: batch.groups.clone(),
            });
        }
    }
    if last {
        // No later test step needs them (only a step that never runs reads its units, to
        // report their files as not run): give a large suite's memory back.
        *units = Vec::new();
    }
    jobs
}

/// A remote batch names a suite this node's configuration does not have.
#[derive(Debug, thiserror::Error)]
#[error(
    "the work queue holds suite `{suite}`, which this node's configuration does not have; every node must run the same flotilla.toml"
)]
pub(super) struct UnknownSuite {
    /// The suite the batch names.
    pub(super) suite: String,
}

/// The jobs of a remote batch: one per [`Adapter::job_key`] of its targets, as for planned
/// batches, all with the batch's origin. `Err`: its suite is not in this node's configuration.
///
/// [`Adapter::job_key`]: crate::runners::Adapter::job_key
pub(super) fn remote_jobs(config: &Config, batch: RemoteBatch) -> Result<Vec<Job>, UnknownSuite> {
    let Some(suite) = config
        .suites
        .iter()
        .position(|s| s.name == batch.suite)
        .map(SuiteIndex::new)
    else {
        return Err(UnknownSuite { suite: batch.suite });
    };
    let adapter = config.suites[suite].command.adapter();
    // Targets by job key, in first-seen order.
    type Group = (Option<String>, Vec<(Target, Duration)>);
    let mut groups: Vec<Group> = Vec::new();
    for (target, estimate) in batch.targets {
        let key = adapter.job_key(&target, &config.root);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push((target, estimate)),
            None => groups.push((key, vec![(target, estimate)])),
        }
    }
    let total: Duration = groups.iter().flat_map(|(_, m)| m.iter().map(|(_, e)| *e)).sum();
    Ok(groups
        .into_iter()
        .map(|(_, members)| {
            let (targets, estimates): (Vec<Target>, Vec<Duration>) = members.into_iter().unzip();
            let sum: Duration = estimates.iter().sum();
            let groups = config.suites[suite].groups.of_targets(&targets);
            // Start-up is the batch's estimate beyond its targets', shared by its jobs.
            let startup = batch.estimate.saturating_sub(total);
            Job {
                suite,
                targets,
                estimates,
                attempt: 1,
                estimate: startup + sum,
                not_before: None,
                origin: Some(batch.origin),
                groups,
            }
        })
        .collect())
}

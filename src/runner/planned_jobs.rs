//! [`jobs_of`]: a test step's planned batches as runnable [`Job`]s, in dispatch order.

use std::time::Duration;

use super::Job;
use crate::prepare::{Prepared, StepPlan, Unit};
use crate::runners::Target;

/// The step's batches as jobs. A batch whose targets have different [`Adapter::job_key`]s
/// becomes one job per key: for runners whose test filter spans every file of a job (go `-run`,
/// Jest `-t`), whole files and the single tests of each split file; for cargo-nextest, each
/// package.
///
/// [`Adapter::job_key`]: crate::runners::Adapter::job_key
pub(super) fn jobs_of(prepared: &Prepared, step: &StepPlan) -> Vec<Job> {
    let mut jobs = Vec::with_capacity(step.plan.batches.len());
    for batch in &step.plan.batches {
        let suite = &prepared.config.suites[batch.suite];
        let adapter = suite.command.adapter();
        let mut groups: Vec<(Option<String>, Vec<&Unit>)> = Vec::new();
        for unit in batch.units.iter().map(|&unit| &prepared.units[unit]) {
            let key = adapter.job_key(&unit.target, &prepared.config.root);
            match groups.iter_mut().find(|(k, _)| *k == key) {
                Some((_, members)) => members.push(unit),
                None => groups.push((key, vec![unit])),
            }
        }
        let single = groups.len() == 1;
        for (_, members) in groups {
            let (targets, estimates): (Vec<Target>, Vec<Duration>) = members
                .iter()
                .map(|unit| (unit.target.clone(), unit.estimate.duration))
                .unzip();
            let estimate = if single {
                batch.estimate
            } else {
                prepared.startups[batch.suite].duration + estimates.iter().sum::<Duration>()
            };
            jobs.push(Job {
                suite: batch.suite,
                targets,
                estimates,
                attempt: 1,
                estimate,
                not_before: None,
            });
        }
    }
    jobs
}

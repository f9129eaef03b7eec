//! [`take_jobs`]: a test step's planned batches as runnable [`Job`]s, in dispatch order.

use std::time::Duration;

use super::Job;
use crate::prepare::Prepared;
use crate::runners::Target;

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
                startups[batch.suite].duration + estimates.iter().sum::<Duration>()
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
    if last {
        // No later test step needs them (only a step that never runs reads its units, to
        // report their files as not run): give a large suite's memory back.
        *units = Vec::new();
    }
    jobs
}

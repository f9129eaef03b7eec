//! [`combine`]: the node results taken into a merge as one [`RunSummary`]. Jobs are numbered
//! again across nodes and worker slots are numbered on (node 0's slots first, then node 1's, …),
//! so that every attempt still points at its job. A planned unit that no node ran becomes an
//! error result, attached to a job record that says why (the node never reported, or it
//! reported without running it), so the merged junit.xml and summary.json show it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use super::record::MergeRecord;
use crate::nodes::{NodePlan, PlannedUnit};
use crate::results::{Attempt, JobRecord, Outcome, RunSummary, TestResult};

/// One summary of `parts` (in node order, the taken ones only), proven by `record`.
#[must_use]
pub fn combine(parts: Vec<RunSummary>, record: MergeRecord, plan: &NodePlan, run_id: String) -> RunSummary {
    let started_at = parts
        .iter()
        .map(|p| p.started_at)
        .min()
        .unwrap_or_else(chrono::Local::now);
    let mut merged = RunSummary {
        run_id,
        run_dir: camino::Utf8PathBuf::new(),
        started_at,
        duration: Duration::ZERO,
        workers: 0,
        interrupted: false,
        tests: Vec::new(),
        jobs: Vec::new(),
        not_run: Vec::new(),
        predicted: Duration::ZERO,
        flaky_result: parts.first().map(|p| p.flaky_result).unwrap_or_default(),
        timing_match: 0.0,
        steps: Vec::new(),
        node: None,
        merge: None,
    };
    let count = parts.len().max(1) as f64;
    for part in parts {
        let job_offset = merged.jobs.len();
        let worker_offset = merged.workers;
        // A node's wall time counts from its own start: the merged run lasts until the last ends.
        let end = (part.started_at - started_at).to_std().unwrap_or_default() + part.duration;
        merged.duration = merged.duration.max(end);
        merged.predicted = merged.predicted.max(part.predicted);
        merged.workers += part.workers;
        merged.interrupted |= part.interrupted;
        merged.timing_match += part.timing_match / count;
        // Worker 0 is "no worker" and job `usize::MAX` "no job" (quarantine skips, units that
        // were not found): they stay what they are.
        let worker = |w: usize| if w == 0 { 0 } else { w + worker_offset };
        merged.jobs.extend(part.jobs.into_iter().map(|mut job| {
            job.id += job_offset;
            job.worker = worker(job.worker);
            job
        }));
        merged.tests.extend(part.tests.into_iter().map(|mut test| {
            for attempt in &mut test.attempts {
                if attempt.job != usize::MAX {
                    attempt.job += job_offset;
                }
                attempt.worker = worker(attempt.worker);
            }
            test
        }));
        merged.not_run.extend(part.not_run);
        merged.steps.extend(part.steps);
    }
    let by_key: BTreeMap<(String, String), &PlannedUnit> =
        plan.units.iter().map(|u| ((u.suite.clone(), u.key().id), u)).collect();
    let mut unrun: Vec<(&PlannedUnit, String)> = Vec::new();
    for silent in &record.never_reported {
        for unit in plan.share(silent.node) {
            unrun.push((
                unit,
                format!(
                    "planned on node {} of {} (index {}), which never reported: no summary.json of it was among the merged folders; retry that node",
                    silent.node + 1,
                    plan.nodes,
                    silent.node
                ),
            ));
        }
    }
    for missing in &record.missing {
        if let Some(unit) = by_key.get(&(missing.suite.clone(), missing.id.clone())) {
            unrun.push((
                unit,
                format!(
                    "planned on node {} of {} (index {}), which reported without running it",
                    missing.node + 1,
                    plan.nodes,
                    missing.node
                ),
            ));
        }
    }
    add_unrun(&mut merged, &unrun);
    merged.tests.sort_by(|a, b| (&a.suite, &a.id).cmp(&(&b.suite, &b.id)));
    merged.merge = Some(record);
    merged
}

/// Error results, and one job record per (reason, suite) saying why, for units that no node ran.
fn add_unrun(merged: &mut RunSummary, unrun: &[(&PlannedUnit, String)]) {
    let mut jobs: BTreeMap<(String, String), usize> = BTreeMap::new();
    for (unit, why) in unrun {
        let job = *jobs.entry((why.clone(), unit.suite.clone())).or_insert_with(|| {
            let id = merged.jobs.len();
            merged
                .jobs
                .push(JobRecord::never_started(id, &unit.suite, why.clone(), why.clone()));
            id
        });
        let record = &mut merged.jobs[job];
        if !record.files.contains(&unit.file) {
            record.files.push(unit.file.clone());
        }
        record.tests.extend(unit.test.clone());
        let id = unit.key().id;
        merged.tests.push(TestResult {
            suite: Arc::from(unit.suite.as_str()),
            name: id.clone().into_boxed_str(),
            id: id.into_boxed_str(),
            classname: None,
            file: unit.file.clone().into_boxed_str(),
            outcome: Outcome::Error,
            outside_tests: false,
            quarantine: None,
            attempts: vec![Attempt {
                attempt: 1,
                outcome: Outcome::Error,
                duration: Duration::ZERO,
                worker: 0,
                job,
                message: Some(why.clone()),
                output: None,
            }],
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodes::{NodeUnit, partition};
    use crate::results::JobExit;
    use crate::results::merge::{NodeView, prove, ran_units};

    fn plan() -> NodePlan {
        let units: Vec<NodeUnit> = (0..4)
            .map(|i| NodeUnit {
                suite: "s".into(),
                file: format!("t/{i}.sh"),
                test: None,
                estimate: Duration::from_secs(4 - i),
            })
            .collect();
        partition(&units, 2)
    }

    /// A node's summary: one job per planned file of its share, each with one passing test.
    fn node_summary(plan: &NodePlan, node: u32) -> RunSummary {
        let share = plan.share(node);
        let jobs: Vec<JobRecord> = share
            .iter()
            .enumerate()
            .map(|(id, unit)| JobRecord {
                id,
                suite: "s".into(),
                worker: 1 + id % 2,
                attempt: 1,
                files: vec![unit.file.clone()],
                tests: Vec::new(),
                started: Duration::ZERO,
                duration: Duration::from_secs(1),
                estimate: Duration::from_secs(1),
                exit: JobExit::Exited { code: 0 },
                stdout: None,
                stderr: None,
                report: None,
                diagnostics: None,
                error: None,
                reported: None,
                requeued: Vec::new(),
                leaky: false,
                cpu: None,
                max_rss: None,
            })
            .collect();
        let tests = share
            .iter()
            .enumerate()
            .map(|(job, unit)| TestResult {
                suite: Arc::from("s"),
                id: unit.file.clone().into_boxed_str(),
                name: unit.file.clone().into_boxed_str(),
                classname: None,
                file: unit.file.clone().into_boxed_str(),
                outcome: Outcome::Passed,
                outside_tests: false,
                quarantine: None,
                attempts: vec![Attempt {
                    attempt: 1,
                    outcome: Outcome::Passed,
                    duration: Duration::from_secs(1),
                    worker: 1 + job % 2,
                    job,
                    message: None,
                    output: None,
                }],
            })
            .collect();
        RunSummary {
            run_id: format!("node{node}"),
            run_dir: camino::Utf8PathBuf::new(),
            started_at: chrono::Local::now(),
            duration: Duration::from_secs(2),
            workers: 2,
            interrupted: false,
            tests,
            jobs,
            not_run: Vec::new(),
            predicted: Duration::from_secs(2),
            flaky_result: crate::results::FlakyResult::Pass,
            timing_match: 1.0,
            steps: Vec::new(),
            node: None,
            merge: None,
        }
    }

    fn view(plan: &NodePlan, node: u32, summary: &RunSummary) -> NodeView {
        NodeView {
            source: format!("n{node}"),
            node,
            retry: 0,
            run_id: summary.run_id.clone(),
            plan_hash: plan.plan_hash.clone(),
            ran: ran_units(plan, summary),
            unplanned: Vec::new(),
        }
    }

    #[test]
    fn jobs_and_workers_are_numbered_on_so_attempts_still_point_at_their_job() {
        let plan = plan();
        let parts = vec![node_summary(&plan, 0), node_summary(&plan, 1)];
        let views: Vec<NodeView> = parts
            .iter()
            .enumerate()
            .map(|(n, s)| view(&plan, n as u32, s))
            .collect();
        let (record, _) = prove(&plan, &views);
        assert!(record.proven(), "{record:?}");
        let merged = combine(parts, record, &plan, "m".into());
        assert_eq!(merged.tests.len(), 4);
        assert_eq!(merged.workers, 4);
        for test in &merged.tests {
            let job = &merged.jobs[test.last().job];
            assert_eq!(
                job.files,
                vec![test.file.to_string()],
                "the attempt points at its own job"
            );
            assert_eq!(job.worker, test.last().worker);
        }
        assert!(merged.passed());
    }

    #[test]
    fn a_silent_nodes_units_become_errors_that_fail_the_merge() {
        let plan = plan();
        let part = node_summary(&plan, 0);
        let (record, _) = prove(&plan, &[view(&plan, 0, &part)]);
        let merged = combine(vec![part], record, &plan, "m".into());
        let errors: Vec<&TestResult> = merged.tests.iter().filter(|t| t.outcome == Outcome::Error).collect();
        assert_eq!(errors.len(), plan.share(1).len());
        for error in errors {
            let message = error.last().message.as_deref().unwrap();
            assert!(message.contains("never reported"), "{message}");
            assert!(matches!(
                merged.jobs[error.last().job].exit,
                JobExit::SpawnFailed { .. }
            ));
        }
        assert!(!merged.passed());
    }

    #[test]
    fn an_interrupted_job_did_not_run_its_files() {
        let plan = plan();
        let mut part = node_summary(&plan, 0);
        part.jobs[0].exit = JobExit::Interrupted;
        let ran = ran_units(&plan, &part);
        assert_eq!(ran.len(), plan.share(0).len() - 1);
    }
}

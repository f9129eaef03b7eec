//! [`missing_results`]: units of this node's planned share whose files are no longer
//! discovered, as error results (the plan said to run them: never silently dropped), attached
//! to one job record per suite that never started and says why.

use std::sync::Arc;
use std::time::Duration;

use crate::nodes::{NodePlan, UnitKey};
use crate::results::{Attempt, JobRecord, Outcome, RunSummary, TestResult};

/// Adds one error result per missing unit to `summary`.
pub(super) fn add_missing_results(summary: &mut RunSummary, missing: &[UnitKey], plan: &NodePlan) {
    let mut results = Vec::new();
    for key in missing {
        {
            let file = plan
                .units
                .iter()
                .find(|u| u.key() == *key)
                .map_or_else(|| key.id.clone(), |u| u.file.clone());
            let message = format!(
                "planned for this node by plan {} but no longer discovered: its file `{file}` is gone or its suite `{}` is not selected; write the plan again at this commit",
                plan.plan_hash, key.suite
            );
            let job = match summary.jobs.iter().position(|j| j.suite == key.suite && j.worker == 0) {
                Some(job) => job,
                None => {
                    let id = summary.jobs.len();
                    summary.jobs.push(JobRecord::never_started(
                        id,
                        &key.suite,
                        format!("planned units of plan {} that are no longer discovered", plan.plan_hash),
                        "the plan's units were not found, so nothing was started".to_string(),
                    ));
                    id
                }
            };
            results.push(TestResult {
                suite: Arc::from(key.suite.as_str()),
                id: key.id.clone().into_boxed_str(),
                name: key.id.clone().into_boxed_str(),
                classname: None,
                file: file.into_boxed_str(),
                outcome: Outcome::Error,
                outside_tests: false,
                quarantine: None,
                attempts: vec![Attempt {
                    attempt: 1,
                    outcome: Outcome::Error,
                    duration: Duration::ZERO,
                    worker: 0,
                    job,
                    message: Some(message),
                    output: None,
                }],
            });
        }
    }
    summary.tests.extend(results);
    summary.tests.sort_by(|a, b| (&a.suite, &a.id).cmp(&(&b.suite, &b.id)));
}

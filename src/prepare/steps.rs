//! The pipeline's test steps and one [`StepPlan`] for each: test steps run one after the other,
//! so each is planned on its own over every worker, and the run's prediction is their sum.

use std::time::Duration;

use crate::config::{Config, OutputMode, Step, StepAction};
use crate::history::Startup;
use crate::plan::{Plan, PlanInput, PlanSuite, PlanUnit, plan};
use crate::suite_index::SuiteIndex;

use super::Unit;
use super::recent_failures::RecentFailures;

/// The plan of one test step.
#[derive(Clone, Debug)]
pub struct StepPlan {
    /// Position of the step in the pipeline ([`pipeline_steps`]).
    pub step: usize,
    /// The step's name.
    pub name: String,
    /// The suites it runs (of the config's suites).
    pub suites: Vec<SuiteIndex>,
    /// Its plan; every batch's `units` are indices into `Prepared::units`.
    pub plan: Plan,
}

/// The pipeline as it runs: the `[[step]]`s, or, without any, one test step of every suite.
#[must_use]
pub fn pipeline_steps(config: &Config) -> Vec<Step> {
    if !config.steps.is_empty() {
        return config.steps.clone();
    }
    vec![Step {
        name: "tests".into(),
        action: StepAction::Tests(config.suites.iter().map(|s| s.name.clone()).collect()),
        timeout: None,
        timeout_grace: Duration::from_secs(5),
        retry: crate::config::RetryPolicy::NONE,
        continue_on_failure: false,
        services: None,
        exec: None,
        output: OutputMode::Prefix,
        env: Vec::new(),
    }]
}

/// Per suite, the first test step that names it (a suite runs once, there).
pub(super) fn step_of_suite(config: &Config, steps: &[Step]) -> Vec<Option<usize>> {
    config
        .suites
        .iter()
        .map(|suite| {
            steps.iter().position(|step| match &step.action {
                StepAction::Tests(names) => names.contains(&suite.name),
                StepAction::Commands(_) => false,
            })
        })
        .collect()
}

/// Plans every test step over its own units.
pub(super) fn plan_steps(
    config: &Config,
    steps: &[Step],
    step_of_suite: &[Option<usize>],
    units: &[Unit],
    startups: &[Startup],
    first_waves: &[f64],
    recent_failures: &RecentFailures,
) -> Vec<StepPlan> {
    let suites: Vec<PlanSuite> = config
        .suites
        .iter()
        .zip(startups)
        .zip(first_waves)
        .map(|((suite, startup), &first_wave)| PlanSuite {
            mode: suite.command.mode(),
            startup: startup.duration,
            first_wave,
            on_workers: suite.on_workers.clone(),
        })
        .collect();
    steps
        .iter()
        .enumerate()
        .filter(|(_, step)| matches!(step.action, StepAction::Tests(_)))
        .map(|(index, step)| {
            let mine: Vec<usize> = (0..units.len())
                .filter(|&u| step_of_suite[units[u].suite.get()] == Some(index))
                .collect();
            let input = PlanInput {
                suites: suites.clone(),
                units: mine
                    .iter()
                    .map(|&u| PlanUnit {
                        suite: units[u].suite,
                        estimate: units[u].estimate.duration,
                        argv_bytes: argv_bytes(&units[u].target),
                        recently_failed: recent_failures.holds(&units[u]),
                        groups: config.suites[units[u].suite]
                            .groups
                            .of(&units[u].target.file, units[u].target.test.as_deref()),
                    })
                    .collect(),
                workers: config.run.workers,
                group_limits: config.groups.iter().map(|g| g.max_concurrency).collect(),
            };
            let mut plan = plan(&input);
            for batch in &mut plan.batches {
                for unit in &mut batch.units {
                    *unit = mine[*unit];
                }
            }
            StepPlan {
                step: index,
                name: step.name.clone(),
                suites: SuiteIndex::all(config.suites.len())
                    .filter(|s| step_of_suite[s.get()] == Some(index))
                    .collect(),
                plan,
            }
        })
        .collect()
}

/// What a target adds to a batch's command line: its file or test id as one argument (the
/// adapters pass one per target, or fewer), its NUL and its pointer.
fn argv_bytes(target: &crate::runners::Target) -> usize {
    target.id().len() + 1 + std::mem::size_of::<usize>()
}

//! The pipeline of one `flotilla run`: `[[step]]`s in order (a plain run is one implicit test
//! step of every suite), then every `[[cleanup]]` step whatever happened, then the compose
//! environments go. Environments come up just before the first step that needs them, so an
//! image-building step can come first.

use tokio::sync::watch;

use super::command_step::{StepContext, run_command_step};
use super::job_id::JobId;
use super::planned_jobs::take_jobs;
use super::queue_source::{QueueMode, seed_batches, start};
use super::services::Environments;
use super::work_source::WorkSource;
use super::{Event, RunDir, RunInput, execute};
use crate::config::{Step, StepAction};
use crate::error::Error;
use crate::exec::Shutdown;
use crate::prepare::Prepared;
use crate::results::{Counts, RunSummary, StepOutcome, StepRecord};

/// What the pipeline produced.
pub(super) struct PipelineOutcome {
    /// Test results of every test step, plus the step records.
    pub(super) summary: RunSummary,
    /// An environment that could not be set up (exit 3 after cleanup).
    pub(super) setup_error: Option<Error>,
}

/// Runs every step, the cleanup steps and the teardown.
pub(super) async fn run_pipeline(
    prepared: &mut Prepared,
    run_dir: &RunDir,
    mut shutdown: watch::Receiver<Shutdown>,
    queue: Option<&QueueMode>,
    emit: &mut dyn FnMut(&Event),
) -> PipelineOutcome {
    let workers = prepared.config.run.workers;
    let implicit = prepared.config.steps.is_empty();
    let steps: Vec<Step> = prepared.steps.clone();
    let mut environments = Environments::default();
    let mut summary: Option<RunSummary> = None;
    let mut records: Vec<StepRecord> = Vec::new();
    let mut setup_error = None;
    let mut stop = false;
    let mut unrun: Vec<(String, String)> = Vec::new();
    let mut quarantined = std::mem::take(&mut prepared.skipped);
    for (index, step) in steps.iter().enumerate() {
        if stop || *shutdown.borrow() != Shutdown::Running {
            records.push(skipped(step, false));
            not_run(prepared, index, &mut unrun);
            continue;
        }
        let needed = envs_of(step, prepared);
        match environments
            .ensure(&needed, &prepared.config, run_dir, workers, &mut shutdown, emit)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                records.push(skipped(step, false));
                not_run(prepared, index, &mut unrun);
                continue;
            }
            Err(error) => {
                emit(&Event::Warning {
                    message: &format!("step `{}` cannot run: {error}", step.name),
                });
                not_run(prepared, index, &mut unrun);
                setup_error = Some(error);
                records.push(StepRecord {
                    outcome: StepOutcome::Failed,
                    ..skipped(step, false)
                });
                stop = true;
                continue;
            }
        }
        let record = match &step.action {
            StepAction::Commands(commands) => {
                let environments = step.services.as_ref().and_then(|name| environments.workers(name));
                let ctx = StepContext {
                    root: &prepared.config.root,
                    run_dir,
                    index,
                    environments: environments.as_deref(),
                    shutdown: shutdown.clone(),
                    cleanup: false,
                };
                run_command_step(step, commands, ctx, emit).await
            }
            StepAction::Tests(suites) => {
                let started = std::time::Instant::now();
                if !implicit {
                    emit(&Event::StepStarted {
                        step: index,
                        name: &step.name,
                        commands: 0,
                        cleanup: false,
                        grouped: false,
                    });
                }
                let plan = prepared.plans.iter().position(|plan| plan.step == index);
                let work = match (plan, queue) {
                    // With a queue, every node seeds the whole step; workers take from the queue.
                    (Some(plan), Some(mode)) => {
                        let slots = workers * mode.node.total as usize;
                        let (plan_hash, batches) = seed_batches(prepared, plan, slots);
                        WorkSource::Remote(start(mode, &step.name, plan_hash, batches))
                    }
                    (Some(plan), None) => WorkSource::Planned(take_jobs(prepared, plan)),
                    (None, _) => WorkSource::Planned(Vec::new()),
                };
                let (my_skips, other_skips): (Vec<_>, Vec<_>) = quarantined
                    .into_iter()
                    .partition(|(suite, _)| suites.contains(&prepared.config.suites[*suite].name));
                quarantined = other_skips;
                let failures_before = summary.as_ref().map_or(0, |s| {
                    let counts = s.counts();
                    u32::try_from(counts.failed + counts.error + counts.timed_out).unwrap_or(u32::MAX)
                });
                let input = RunInput {
                    failures_before,
                    config: &prepared.config,
                    run_dir,
                    work,
                    workers,
                    timing_match: prepared.timing_match,
                    skipped: my_skips,
                    environments: environments.per_suite(&prepared.config),
                    first_job: JobId::new(
                        summary
                            .as_ref()
                            .map_or(0, |s| s.jobs.iter().map(|j| j.id + 1).max().unwrap_or(0)),
                    ),
                };
                let (result, broken) = execute(input, shutdown.clone(), emit).await;
                let outcome = if let Some(error) = broken {
                    emit(&Event::Warning {
                        message: &format!("step `{}` could not finish its work: {error}", step.name),
                    });
                    setup_error = setup_error.or(Some(error));
                    StepOutcome::Failed
                } else if result.interrupted {
                    StepOutcome::Interrupted
                } else if Counts::of(&result.tests).any_failure() {
                    StepOutcome::Failed
                } else {
                    StepOutcome::Passed
                };
                match summary.as_mut() {
                    Some(summary) => summary.absorb(result),
                    None => summary = Some(result),
                }
                let record = StepRecord {
                    outcome,
                    duration: started.elapsed(),
                    ..skipped(step, false)
                };
                if !implicit {
                    emit(&Event::StepFinished {
                        step: index,
                        name: &step.name,
                        outcome,
                        duration: record.duration,
                    });
                }
                record
            }
        };
        if record.outcome.is_failure() && !step.continue_on_failure {
            stop = true;
        }
        records.push(record);
    }
    // Cleanup steps run whatever happened; only a second signal stops them.
    let cleanup_shutdown = only_immediate(&shutdown);
    for (offset, step) in prepared.config.cleanup.iter().enumerate() {
        let StepAction::Commands(commands) = &step.action else {
            continue;
        };
        let environments = step.services.as_ref().and_then(|name| environments.workers(name));
        let ctx = StepContext {
            root: &prepared.config.root,
            run_dir,
            index: steps.len() + offset,
            environments: environments.as_deref(),
            shutdown: cleanup_shutdown.clone(),
            cleanup: true,
        };
        let record = run_command_step(step, commands, ctx, emit).await;
        if record.outcome.is_failure() {
            emit(&Event::Warning {
                message: &format!(
                    "cleanup step `{}`: {}; it does not change the run's verdict",
                    step.name, record.outcome
                ),
            });
        }
        records.push(record);
    }
    environments.down(emit).await;
    let interrupted = *shutdown.borrow() != Shutdown::Running;
    let mut summary = summary.unwrap_or_else(|| empty_summary(prepared, run_dir));
    summary.interrupted |= interrupted;
    // Test steps that never ran leave their files unrun.
    summary.not_run.extend(unrun);
    summary.not_run.sort();
    summary.not_run.dedup();
    summary.predicted = prepared.predicted();
    if !implicit {
        summary.steps = records;
    }
    PipelineOutcome { summary, setup_error }
}

/// The files of test step `step` (which will not run), as (suite, file).
fn not_run(prepared: &Prepared, step: usize, unrun: &mut Vec<(String, String)>) {
    for plan in prepared.plans.iter().filter(|plan| plan.step == step) {
        for batch in &plan.plan.batches {
            let suite = &prepared.config.suites[batch.suite].name;
            unrun.extend(
                batch
                    .units
                    .iter()
                    .map(|&unit| (suite.clone(), prepared.units[unit].target.file.clone())),
            );
        }
    }
}

/// The environments a step needs up before it starts.
fn envs_of(step: &Step, prepared: &Prepared) -> Vec<String> {
    match &step.action {
        StepAction::Commands(_) => step.services.iter().cloned().collect(),
        StepAction::Tests(suites) => prepared
            .config
            .suites
            .iter()
            .filter(|suite| suites.contains(&suite.name))
            .filter_map(|suite| suite.services.clone())
            .collect(),
    }
}

fn skipped(step: &Step, cleanup: bool) -> StepRecord {
    StepRecord {
        name: step.name.clone(),
        kind: match step.action {
            StepAction::Commands(_) => "command",
            StepAction::Tests(_) => "tests",
        },
        cleanup,
        outcome: StepOutcome::Skipped,
        duration: std::time::Duration::ZERO,
        commands: Vec::new(),
    }
}

/// A shutdown signal that only reacts to the second interrupt (for cleanup steps).
fn only_immediate(shutdown: &watch::Receiver<Shutdown>) -> watch::Receiver<Shutdown> {
    let (tx, rx) = watch::channel(Shutdown::Running);
    let mut source = shutdown.clone();
    tokio::spawn(async move {
        loop {
            if *source.borrow_and_update() == Shutdown::Immediate {
                let _ = tx.send(Shutdown::Immediate);
                return;
            }
            if source.changed().await.is_err() || tx.is_closed() {
                return;
            }
        }
    });
    rx
}

fn empty_summary(prepared: &Prepared, run_dir: &RunDir) -> RunSummary {
    RunSummary {
        run_id: run_dir.run_id.clone(),
        run_dir: run_dir.path.clone(),
        started_at: chrono::Local::now(),
        duration: std::time::Duration::ZERO,
        workers: prepared.config.run.workers,
        interrupted: false,
        tests: Vec::new(),
        jobs: Vec::new(),
        not_run: Vec::new(),
        predicted: std::time::Duration::ZERO,
        flaky_result: prepared.config.run.flaky_result,
        timing_match: prepared.timing_match,
        steps: Vec::new(),
        node: None,
        merge: None,
    }
}

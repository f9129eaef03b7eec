//! [`execute`]: the worker pool. Free workers take the next ready job from one queue (planned
//! longest first); failed tests are queued again at the front while retries remain (single
//! tests where the runner can address them, else their files), after an exponential back-off;
//! targets a runner never reached (it stopped at another file's error outside tests) are
//! queued again at the same attempt; quarantine is applied to every result; the first interrupt stops scheduling; everything
//! ends in a [`RunSummary`].

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinSet;

use super::job::{JobEnv, JobOutput, TestAttempt, run_job};
use super::{Event, Job, RunDir};
use crate::config::{Config, Suite};
use crate::quarantine::QuarantineMode;
use crate::results::{JobExit, JobRecord, Outcome, RunSummary, TestResult};
use crate::runners::{BatchMode, Target};
use crate::signal::Shutdown;

/// What [`execute`] needs.
pub struct RunInput<'a> {
    /// The resolved configuration.
    pub config: &'a Config,
    /// The run folder.
    pub run_dir: &'a RunDir,
    /// Jobs in dispatch order.
    pub jobs: Vec<Job>,
    /// Worker slots.
    pub workers: usize,
    /// Share of units estimated from their own history (for the summary).
    pub timing_match: f64,
    /// Files and split-out tests not run because quarantine skips them, per suite (reported
    /// as skipped).
    pub skipped: Vec<(usize, Target)>,
    /// Per suite, per worker (index 0 = worker 1): its compose environment, if the suite has one.
    pub environments: Vec<Option<Vec<super::JobEnvironment>>>,
    /// Id of the first job (job ids stay unique across several test steps of one run).
    pub first_job: usize,
}

struct State {
    queue: VecDeque<Job>,
    records: Vec<Option<JobRecord>>,
    tests: BTreeMap<(String, String), TestResult>,
    not_run: Vec<(String, String)>,
}

/// Runs every job and returns what happened. Events go to `emit` as they happen.
pub async fn execute(
    mut input: RunInput<'_>,
    mut shutdown: watch::Receiver<Shutdown>,
    emit: &mut dyn FnMut(&Event),
) -> RunSummary {
    let started_at = chrono::Local::now();
    let clock = Instant::now();
    let mut state = State {
        queue: std::mem::take(&mut input.jobs).into(),
        records: Vec::new(),
        tests: BTreeMap::new(),
        not_run: Vec::new(),
    };
    for (suite, target) in &input.skipped {
        record_skipped(&input, &mut state, *suite, target, emit);
    }
    let mut free: BTreeSet<usize> = (1..=input.workers.max(1)).collect();
    let pinned = input.config.suites.iter().any(|suite| suite.on_workers.is_some());
    let mut running: JoinSet<(Job, JobOutput)> = JoinSet::new();
    let mut watching = true;
    let mut announced = false;
    loop {
        let stopping = *shutdown.borrow() != Shutdown::Running;
        if stopping && !announced {
            announced = true;
            emit(&Event::Interrupting);
        }
        while !stopping && !free.is_empty() {
            let now = tokio::time::Instant::now();
            let pinned_to = |job: &Job| input.config.suites[job.suite].on_workers.as_ref();
            let may_run = |job: &Job, worker: usize| {
                job.not_before.is_none_or(|t| t <= now) && pinned_to(job).is_none_or(|slots| slots.contains(&worker))
            };
            // The lowest free worker takes the first ready job its slot may run; with `on-workers`,
            // the first of those fewest slots may run (a pinned worker does its own work before
            // work others could take). The plan's simulation follows the same rule.
            let Some((worker, index)) = free.iter().find_map(|&worker| {
                let mut ready = state.queue.iter().enumerate().filter(|(_, job)| may_run(job, worker));
                if pinned {
                    ready
                        .min_by_key(|(index, job)| (pinned_to(job).map_or(usize::MAX, Vec::len), *index))
                        .map(|(index, _)| (worker, index))
                } else {
                    ready.next().map(|(index, _)| (worker, index))
                }
            }) else {
                break;
            };
            let job = state.queue.remove(index).expect("index from position");
            free.remove(&worker);
            let id = input.first_job + state.records.len();
            state.records.push(None);
            let suite = &input.config.suites[job.suite];
            emit(&Event::JobStarted {
                job: id,
                suite: &suite.name,
                worker,
                attempt: job.attempt,
                files: &job.files(),
                estimate: job.estimate,
            });
            let root = input.config.root.clone();
            let run_dir = input.run_dir.clone();
            let suite = suite.clone();
            // Runners that cannot leave single tests out run them; the result is then ignored.
            let deselect = if suite.command.adapter().deselects_tests() {
                input.config.quarantine.skip_ids.clone()
            } else {
                Vec::new()
            };
            let environment = input
                .environments
                .get(job.suite)
                .and_then(|e| e.as_ref())
                .and_then(|e| e.get(worker - 1))
                .cloned();
            let mut job_shutdown = shutdown.clone();
            let started = clock.elapsed();
            running.spawn(async move {
                let env = JobEnv {
                    root: &root,
                    run_dir: &run_dir,
                    suite: &suite,
                    id,
                    worker,
                    started,
                    deselect: &deselect,
                    environment: environment.as_ref(),
                };
                let output = run_job(&job, &env, &mut job_shutdown).await;
                (job, output)
            });
        }
        if running.is_empty() && (stopping || state.queue.is_empty()) {
            break;
        }
        let next_retry = state.queue.iter().filter_map(|job| job.not_before).min();
        tokio::select! {
            joined = running.join_next(), if !running.is_empty() => {
                let Some(joined) = joined else { continue };
                let (job, output) = joined.expect("job tasks do not panic");
                free.insert(output.record.worker);
                finish_job(&input, &shutdown, job, output, &mut state, emit);
            }
            () = sleep_until(next_retry), if !free.is_empty() && next_retry.is_some() => {}
            changed = shutdown.changed(), if watching => {
                if changed.is_err() {
                    watching = false;
                }
            }
        }
    }
    for job in std::mem::take(&mut state.queue) {
        let suite = &input.config.suites[job.suite].name;
        state
            .not_run
            .extend(job.files().into_iter().map(|file| (suite.clone(), file)));
    }
    state.not_run.sort();
    state.not_run.dedup();
    let interrupted = *shutdown.borrow() != Shutdown::Running;
    let duration = clock.elapsed();
    let tests: Vec<TestResult> = state.tests.into_values().collect();
    RunSummary {
        run_id: input.run_dir.run_id.clone(),
        run_dir: input.run_dir.path.clone(),
        started_at,
        duration,
        workers: input.workers,
        interrupted,
        tests,
        jobs: state.records.into_iter().flatten().collect(),
        not_run: state.not_run,
        predicted: Duration::ZERO,
        flaky_result: input.config.run.flaky_result,
        timing_match: input.timing_match,
        steps: Vec::new(),
    }
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

fn finish_job(
    input: &RunInput<'_>,
    shutdown: &watch::Receiver<Shutdown>,
    job: Job,
    output: JobOutput,
    state: &mut State,
    emit: &mut dyn FnMut(&Event),
) {
    let suite = &input.config.suites[job.suite];
    let record = output.record;
    let mut retry: Vec<(Target, Duration)> = Vec::new();
    for mut test in output.tests {
        let quarantine = input.config.quarantine.mode(&test.id, &test.file);
        if quarantine == Some(QuarantineMode::Skip) && test.attempt.outcome != Outcome::Skipped {
            test.attempt.outcome = Outcome::Skipped;
            test.attempt.message = Some("quarantined (skip): ran, result ignored".into());
        }
        let outcome = test.attempt.outcome;
        emit(&Event::TestFinished {
            suite: &suite.name,
            id: &test.id,
            name: &test.name,
            file: &test.file,
            outcome,
            duration: test.attempt.duration,
            worker: test.attempt.worker,
            attempt: test.attempt.attempt,
            job: record.id,
            message: test.attempt.message.as_deref(),
        });
        if outcome.is_failure() && !test.outside_tests && quarantine.is_none() {
            retry.push((retry_target(suite, &test), test.attempt.duration));
        }
        add_attempt(state, suite, test, quarantine);
    }
    if matches!(record.exit, JobExit::Interrupted) {
        state
            .not_run
            .extend(job.files().into_iter().map(|file| (suite.name.clone(), file)));
    }
    emit(&Event::JobFinished {
        job: record.id,
        suite: &suite.name,
        worker: record.worker,
        attempt: record.attempt,
        exit: &record.exit,
        duration: record.duration,
        error: record.error.as_deref(),
        diagnostics: record.diagnostics.as_deref(),
    });
    let slot = record.id - input.first_job;
    let requeued = requeued_job(&job, &record.requeued);
    state.records[slot] = Some(record);
    if let Some(requeued) = requeued {
        if *shutdown.borrow() == Shutdown::Running {
            emit(&Event::Warning {
                message: &format!(
                    "suite `{}`: the runner stopped at an error outside tests before running {}; running them again",
                    suite.name,
                    requeued.files().join(", ")
                ),
            });
            state.queue.push_front(requeued);
        } else {
            state
                .not_run
                .extend(requeued.files().into_iter().map(|file| (suite.name.clone(), file)));
        }
    }
    if retry.is_empty() || job.attempt > suite.retries || *shutdown.borrow() != Shutdown::Running {
        return;
    }
    let targets = retry_targets(retry, &job);
    let files: Vec<String> = {
        let mut files: Vec<String> = targets.iter().map(|(t, _)| t.file.clone()).collect();
        files.dedup();
        files
    };
    let tests: Vec<String> = targets.iter().filter_map(|(t, _)| t.test.clone()).collect();
    emit(&Event::RetryScheduled {
        suite: &suite.name,
        files: &files,
        tests: &tests,
        attempt: job.attempt + 1,
    });
    let delay = suite.retry_delay.saturating_mul(1 << (job.attempt - 1).min(16));
    let not_before = (!delay.is_zero()).then(|| tokio::time::Instant::now() + delay);
    let retries: Vec<Job> = match suite.command.mode() {
        BatchMode::PerFile => targets
            .into_iter()
            .map(|t| retry_job(&job, vec![t], not_before))
            .collect(),
        BatchMode::Batch => vec![retry_job(&job, targets, not_before)],
    };
    // Retries go first: their tests are known to matter, and running them early keeps them off the tail.
    for retry in retries.into_iter().rev() {
        state.queue.push_front(retry);
    }
}

/// The targets a runner never reached (it stopped at another file's error outside tests), as a
/// job of the same attempt: they have not run yet, so this is not a retry.
fn requeued_job(job: &Job, requeued: &[String]) -> Option<Job> {
    let (targets, estimates): (Vec<Target>, Vec<Duration>) = job
        .targets
        .iter()
        .zip(&job.estimates)
        .filter(|(target, _)| requeued.iter().any(|id| id == target.id()))
        .map(|(target, estimate)| (target.clone(), *estimate))
        .unzip();
    (!targets.is_empty()).then(|| Job {
        suite: job.suite,
        estimate: estimates.iter().sum(),
        targets,
        estimates,
        attempt: job.attempt,
        not_before: None,
    })
}

/// What re-runs a failed test: the test itself where the runner can address it, else its file.
fn retry_target(suite: &Suite, test: &TestAttempt) -> Target {
    if suite.command.adapter().addresses_tests() && test.id != test.file {
        Target {
            file: test.file.clone(),
            test: Some(test.id.clone()),
        }
    } else {
        Target::file(test.file.clone())
    }
}

/// De-duplicated retry targets; a whole-file target absorbs single tests of the same file.
fn retry_targets(failed: Vec<(Target, Duration)>, job: &Job) -> Vec<(Target, Duration)> {
    let whole: BTreeSet<String> = failed
        .iter()
        .filter(|(t, _)| t.test.is_none())
        .map(|(t, _)| t.file.clone())
        .collect();
    let mut seen = BTreeSet::new();
    failed
        .into_iter()
        .filter(|(t, _)| t.test.is_none() || !whole.contains(&t.file))
        .filter(|(t, _)| seen.insert(t.clone()))
        .map(|(target, reported)| {
            let planned = job.targets.iter().position(|t| *t == target).map(|i| job.estimates[i]);
            let estimate = planned.unwrap_or(reported).max(Duration::from_millis(1));
            (target, estimate)
        })
        .collect()
}

fn retry_job(job: &Job, targets: Vec<(Target, Duration)>, not_before: Option<tokio::time::Instant>) -> Job {
    let (targets, estimates): (Vec<Target>, Vec<Duration>) = targets.into_iter().unzip();
    let estimate = estimates.iter().sum();
    Job {
        suite: job.suite,
        targets,
        estimates,
        attempt: job.attempt + 1,
        estimate,
        not_before,
    }
}

fn add_attempt(state: &mut State, suite: &Suite, test: TestAttempt, quarantine: Option<QuarantineMode>) {
    let entry = state
        .tests
        .entry((suite.name.clone(), test.id.clone()))
        .or_insert_with(|| TestResult {
            suite: suite.name.clone(),
            id: test.id,
            name: test.name,
            classname: test.classname,
            file: test.file,
            outcome: test.attempt.outcome,
            outside_tests: test.outside_tests,
            quarantine,
            attempts: Vec::new(),
        });
    entry.outside_tests |= test.outside_tests;
    entry.attempts.push(test.attempt);
    entry.settle();
}

fn record_skipped(
    input: &RunInput<'_>,
    state: &mut State,
    suite: usize,
    target: &Target,
    emit: &mut dyn FnMut(&Event),
) {
    let suite = &input.config.suites[suite];
    let message = "quarantined (skip): not run".to_string();
    let id = target.id().to_string();
    let name = target.test_name().unwrap_or(&target.file).to_string();
    emit(&Event::TestFinished {
        suite: &suite.name,
        id: &id,
        name: &name,
        file: &target.file,
        outcome: Outcome::Skipped,
        duration: Duration::ZERO,
        worker: 0,
        attempt: 1,
        job: 0,
        message: Some(&message),
    });
    let attempt = crate::results::Attempt {
        attempt: 1,
        outcome: Outcome::Skipped,
        duration: Duration::ZERO,
        worker: 0,
        job: usize::MAX,
        message: Some(message),
        output: None,
    };
    let test = TestAttempt {
        id,
        name,
        classname: None,
        file: target.file.clone(),
        outside_tests: false,
        attempt,
    };
    add_attempt(state, suite, test, Some(QuarantineMode::Skip));
}

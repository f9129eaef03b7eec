//! [`execute`]: the worker pool. Free workers take the next job from one queue (planned
//! longest first); failed files are queued again at the front while retries remain; the first
//! interrupt stops scheduling and lets running jobs be killed; everything ends in a
//! [`RunSummary`].

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::time::{Duration, Instant};

use tokio::sync::watch;
use tokio::task::JoinSet;

use super::job::{JobEnv, JobOutput, run_job};
use super::{Event, Job, RunDir};
use crate::config::Config;
use crate::results::{Counts, JobRecord, RunSummary, TestResult};
use crate::runners::BatchMode;
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
    /// Predicted makespan (for the summary).
    pub predicted: Duration,
}

/// Runs every job and returns what happened. Events go to `emit` as they happen.
pub async fn execute(
    mut input: RunInput<'_>,
    mut shutdown: watch::Receiver<Shutdown>,
    emit: &mut dyn FnMut(&Event),
) -> RunSummary {
    let started_at = chrono::Local::now();
    let clock = Instant::now();
    let mut queue: VecDeque<Job> = std::mem::take(&mut input.jobs).into();
    let mut free: BTreeSet<usize> = (1..=input.workers.max(1)).collect();
    let mut running: JoinSet<(Job, JobOutput)> = JoinSet::new();
    let mut records: Vec<Option<JobRecord>> = Vec::new();
    let mut tests: BTreeMap<(String, String), TestResult> = BTreeMap::new();
    let mut not_run: Vec<(String, String)> = Vec::new();
    let mut watching = true;
    let mut announced = false;
    loop {
        let stopping = *shutdown.borrow() != Shutdown::Running;
        if stopping && !announced {
            announced = true;
            emit(&Event::Interrupting);
        }
        while !stopping && !queue.is_empty() && !free.is_empty() {
            let worker = free.pop_first().expect("checked non-empty");
            let job = queue.pop_front().expect("checked non-empty");
            let id = records.len();
            records.push(None);
            let suite = &input.config.suites[job.suite];
            emit(&Event::JobStarted {
                job: id,
                suite: suite.name.clone(),
                worker,
                attempt: job.attempt,
                files: job.files.clone(),
                estimate_secs: job.estimate.as_secs_f64(),
            });
            let root = input.config.root.clone();
            let run_dir = input.run_dir.clone();
            let suite = suite.clone();
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
                };
                let output = run_job(&job, &env, &mut job_shutdown).await;
                (job, output)
            });
        }
        if running.is_empty() {
            break;
        }
        tokio::select! {
            joined = running.join_next() => {
                let Some(joined) = joined else { continue };
                let (job, output) = joined.expect("job tasks do not panic");
                free.insert(output.record.worker);
                finish_job(&input, &shutdown, job, output, &mut queue, &mut tests, &mut not_run, &mut records, emit);
            }
            changed = shutdown.changed(), if watching => {
                if changed.is_err() {
                    watching = false;
                }
            }
        }
    }
    for job in queue {
        let suite = &input.config.suites[job.suite].name;
        not_run.extend(job.files.into_iter().map(|file| (suite.clone(), file)));
    }
    not_run.sort();
    not_run.dedup();
    let interrupted = *shutdown.borrow() != Shutdown::Running;
    let duration = clock.elapsed();
    let tests: Vec<TestResult> = tests.into_values().collect();
    emit(&Event::RunFinished {
        counts: Counts::of(&tests),
        duration_secs: duration.as_secs_f64(),
        interrupted,
    });
    RunSummary {
        run_id: input.run_dir.run_id.clone(),
        run_dir: input.run_dir.path.clone(),
        started_at,
        duration,
        workers: input.workers,
        interrupted,
        tests,
        jobs: records.into_iter().flatten().collect(),
        not_run,
        predicted: input.predicted,
    }
}

#[expect(
    clippy::too_many_arguments,
    reason = "the loop's state, passed explicitly rather than hidden in a struct"
)]
fn finish_job(
    input: &RunInput<'_>,
    shutdown: &watch::Receiver<Shutdown>,
    job: Job,
    output: JobOutput,
    queue: &mut VecDeque<Job>,
    tests: &mut BTreeMap<(String, String), TestResult>,
    not_run: &mut Vec<(String, String)>,
    records: &mut [Option<JobRecord>],
    emit: &mut dyn FnMut(&Event),
) {
    let suite = &input.config.suites[job.suite];
    let record = output.record;
    let mut failed_files: Vec<String> = Vec::new();
    for test in output.tests {
        let outcome = test.attempt.outcome;
        emit(&Event::TestFinished {
            suite: suite.name.clone(),
            id: test.id.clone(),
            name: test.name.clone(),
            file: test.file.clone(),
            outcome,
            duration_secs: test.attempt.duration.as_secs_f64(),
            worker: test.attempt.worker,
            attempt: test.attempt.attempt,
            job: record.id,
            message: test.attempt.message.clone(),
        });
        if outcome.is_failure() && !failed_files.contains(&test.file) {
            failed_files.push(test.file.clone());
        }
        let entry = tests
            .entry((suite.name.clone(), test.id.clone()))
            .or_insert_with(|| TestResult {
                suite: suite.name.clone(),
                id: test.id,
                name: test.name,
                classname: test.classname,
                file: test.file,
                outcome,
                attempts: Vec::new(),
            });
        entry.attempts.push(test.attempt);
        entry.settle();
    }
    if matches!(record.exit, crate::results::JobExit::Interrupted) {
        not_run.extend(job.files.iter().map(|file| (suite.name.clone(), file.clone())));
    }
    emit(&Event::JobFinished {
        job: record.id,
        suite: suite.name.clone(),
        worker: record.worker,
        attempt: record.attempt,
        exit: record.exit.clone(),
        duration_secs: record.duration.as_secs_f64(),
        error: record.error.clone(),
    });
    let id = record.id;
    records[id] = Some(record);
    if failed_files.is_empty() || job.attempt > suite.retries || *shutdown.borrow() != Shutdown::Running {
        return;
    }
    failed_files.sort();
    emit(&Event::RetryScheduled {
        suite: suite.name.clone(),
        files: failed_files.clone(),
        attempt: job.attempt + 1,
    });
    let estimate_of = |file: &String| {
        job.files
            .iter()
            .position(|f| f == file)
            .map_or(Duration::ZERO, |i| job.estimates[i])
    };
    let retries: Vec<Job> = match suite.command.mode() {
        BatchMode::PerFile => failed_files
            .iter()
            .map(|file| single(&job, file, estimate_of(file)))
            .collect(),
        BatchMode::Batch => {
            let estimates: Vec<Duration> = failed_files.iter().map(estimate_of).collect();
            let total = estimates.iter().sum();
            vec![Job {
                suite: job.suite,
                files: failed_files,
                estimates,
                attempt: job.attempt + 1,
                estimate: total,
            }]
        }
    };
    // Retries go first: their files are known to matter, and running them early keeps them off the tail.
    for retry in retries.into_iter().rev() {
        queue.push_front(retry);
    }
}

fn single(job: &Job, file: &str, estimate: Duration) -> Job {
    Job {
        suite: job.suite,
        files: vec![file.to_string()],
        estimates: vec![estimate],
        attempt: job.attempt + 1,
        estimate,
    }
}

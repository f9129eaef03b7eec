//! [`execute`]: the worker pool. Free workers take the next ready job from one queue (planned
//! longest first); failed tests are queued again at the front while retries remain (single
//! tests where the runner can address them, else their files), after an exponential back-off;
//! targets a runner never reached (it stopped at another file's error outside tests) are
//! queued again at the same attempt; quarantine is applied to every result; the first interrupt
//! (or `max-fail` reached, whose `:immediate` stops the running jobs too) stops scheduling; everything
//! ends in a [`RunSummary`]. With a remote [`WorkSource`], a free worker with nothing to do asks
//! the source for a batch, and each batch is reported back once all of its jobs are done. A job
//! still running past its suite's `slow-after` is announced once ([`SlowJobs`]).

use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;
use tokio::time::Instant;

use super::dispatcher::{Dispatcher, Start};
use super::job::{JobEnv, JobOutput, run_job};
use super::job_id::JobId;
use super::planned_jobs::remote_jobs;
use super::slow_jobs::{SlowJobs, Started};
use super::work_source::{FromSource, RemoteWork, ToSource, WorkSource};
use super::{Event, Job, RunDir};
use crate::config::{Config, OnMaxFail};
use crate::error::Error;
use crate::exec::Shutdown;
use crate::results::RunSummary;
use crate::runners::Target;
use crate::suite_index::SuiteIndex;

/// What [`execute`] needs.
pub struct RunInput<'a> {
    /// The resolved configuration.
    pub config: &'a Config,
    /// The run folder.
    pub run_dir: &'a RunDir,
    /// Where the jobs come from.
    pub work: WorkSource,
    /// Worker slots.
    pub workers: usize,
    /// Share of units estimated from their own history (for the summary).
    pub timing_match: f64,
    /// Files and split-out tests not run because quarantine skips them, per suite (reported
    /// as skipped).
    pub skipped: Vec<(SuiteIndex, Target)>,
    /// Per suite, per worker (index 0 = worker 1): its compose environment, if the suite has one.
    pub environments: Vec<Option<Vec<super::JobEnvironment>>>,
    /// Id of the first job (job ids stay unique across several test steps of one run).
    pub first_job: JobId,
    /// Failed tests of the run's earlier test steps (they count against `max-fail`).
    pub failures_before: u32,
}

/// A remote source as the run loop sees it.
struct Remote {
    work: RemoteWork,
    /// A `WantWork` is unanswered.
    asked: bool,
    /// Nothing more will come.
    exhausted: bool,
}

/// Runs every job and returns what happened (and why a remote source broke, if it did).
/// Events go to `emit` as they happen.
pub async fn execute(
    mut input: RunInput<'_>,
    mut shutdown: watch::Receiver<Shutdown>,
    emit: &mut dyn FnMut(&Event),
) -> (RunSummary, Option<Error>) {
    let started_at = chrono::Local::now();
    let clock = std::time::Instant::now();
    let (jobs, mut remote) = match std::mem::replace(&mut input.work, WorkSource::Planned(Vec::new())) {
        WorkSource::Planned(jobs) => (jobs, None),
        WorkSource::Remote(work) => (
            Vec::new(),
            Some(Remote {
                work,
                asked: false,
                exhausted: false,
            }),
        ),
    };
    let mut broken = None;
    let mut dispatcher = Dispatcher::new(input.config, jobs, input.workers, input.first_job);
    dispatcher.count_earlier_failures(input.failures_before);
    // What the jobs see: the run's shutdown, or a graceful stop once `max-fail N:immediate` is reached.
    let (job_stop, job_shutdown) = watch::channel(Shutdown::Running);
    for (suite, target) in &input.skipped {
        dispatcher.skip(*suite, target, emit);
    }
    let mut running: JoinSet<(Job, JobOutput)> = JoinSet::new();
    let mut slow = SlowJobs::default();
    let mut watching = true;
    let mut announced = false;
    loop {
        let signalled = *shutdown.borrow();
        let halted = dispatcher.halted();
        let for_jobs = match (signalled, halted) {
            (Shutdown::Running, Some(OnMaxFail::Immediate)) => Shutdown::Graceful,
            _ => signalled,
        };
        job_stop.send_if_modified(|now| std::mem::replace(now, for_jobs) != for_jobs);
        let stopping = signalled != Shutdown::Running || halted.is_some();
        if signalled != Shutdown::Running && !announced {
            announced = true;
            emit(&Event::Interrupting);
        }
        while !stopping && let Some(start) = dispatcher.next_start(Instant::now()) {
            spawn_job(&input, &job_shutdown, clock, start, &mut running, &mut slow, emit);
        }
        if let Some(remote) = remote.as_mut()
            && !stopping
            && !remote.asked
            && !remote.exhausted
            && dispatcher.wants_work()
        {
            remote.asked = remote.work.to.send(ToSource::WantWork).is_ok();
            remote.exhausted |= !remote.asked;
        }
        let remote_open = remote.as_ref().is_some_and(|r| !r.exhausted);
        if running.is_empty() && (stopping || (!dispatcher.has_waiting() && !remote_open)) {
            break;
        }
        let next_retry = dispatcher.next_retry();
        let next_slow = slow.next_due();
        tokio::select! {
            joined = running.join_next(), if !running.is_empty() => {
                let Some(joined) = joined else { continue };
                let (job, output) = joined.expect("job tasks do not panic");
                slow.finished(JobId::new(output.record.id));
                let stopping = *shutdown.borrow() != Shutdown::Running;
                dispatcher.finished(job, output, stopping, Instant::now(), emit);
                if let Some(remote) = &remote {
                    for settled in dispatcher.take_settled() {
                        let _ = remote.work.to.send(ToSource::Settled {
                            origin: settled.origin,
                            tests: settled.tests,
                            complete: settled.complete,
                        });
                    }
                }
            }
            message = receive(remote.as_mut()), if remote_open => {
                let remote = remote.as_mut().expect("open");
                match message {
                    Some(FromSource::Batch(batch)) => {
                        remote.asked = false;
                        match remote_jobs(input.config, batch) {
                            Ok(jobs) => dispatcher.add(jobs),
                            Err(unknown) => {
                                // Taken but never run: another node gets it once the lease lapses.
                                remote.exhausted = true;
                                broken = Some(Error::Usage {
                                    message: unknown.to_string(),
                                });
                            }
                        }
                    }
                    Some(FromSource::Failed { suite, targets, message }) => {
                        remote.asked = false;
                        match input.config.suites.iter().position(|s| s.name == suite).map(SuiteIndex::new) {
                            Some(suite) => {
                                for target in &targets {
                                    dispatcher.fail_unrun(suite, target, message.clone(), emit);
                                }
                            }
                            None => emit(&Event::Warning { message: &message }),
                        }
                    }
                    Some(FromSource::Note(message)) => emit(&Event::Warning { message: &message }),
                    Some(FromSource::Exhausted) | None => remote.exhausted = true,
                    Some(FromSource::Broken(error)) => {
                        remote.exhausted = true;
                        broken = Some(error);
                    }
                }
            }
            () = sleep_until(next_retry), if dispatcher.has_free_worker() && next_retry.is_some() => {}
            () = sleep_until(next_slow), if next_slow.is_some() => {
                let now = Instant::now();
                for job in slow.take_due(now) {
                    emit(&Event::JobSlow {
                        job: job.job.get(),
                        suite: &input.config.suites[job.suite].name,
                        worker: job.worker.get(),
                        attempt: job.attempt,
                        files: &job.files,
                        elapsed: now - job.started,
                    });
                }
            }
            changed = shutdown.changed(), if watching => {
                if changed.is_err() {
                    watching = false;
                }
            }
        }
    }
    if let Some(Remote { work, .. }) = remote {
        // The source writes what it was told before the run goes on (a node's results must be
        // in the queue before it exits).
        let RemoteWork { to, mut from, task } = work;
        drop(to);
        let _ = task.await;
        while let Ok(message) = from.try_recv() {
            match message {
                FromSource::Note(message) => emit(&Event::Warning { message: &message }),
                FromSource::Broken(error) => broken = broken.or(Some(error)),
                _ => {}
            }
        }
    }
    let interrupted = *shutdown.borrow() != Shutdown::Running;
    let duration = clock.elapsed();
    let done = dispatcher.finish();
    let summary = RunSummary {
        run_id: input.run_dir.run_id.clone(),
        run_dir: input.run_dir.path.clone(),
        started_at,
        duration,
        workers: input.workers,
        interrupted,
        tests: done.tests,
        jobs: done.jobs,
        not_run: done.not_run,
        predicted: Duration::ZERO,
        flaky_result: input.config.run.flaky_result,
        timing_match: input.timing_match,
        steps: Vec::new(),
        node: None,
        merge: None,
    };
    (summary, broken)
}

async fn receive(remote: Option<&mut Remote>) -> Option<FromSource> {
    match remote {
        Some(remote) => remote.work.from.recv().await,
        None => std::future::pending().await,
    }
}

/// Starts `start`'s job on its worker, as a task of `running`.
fn spawn_job(
    input: &RunInput<'_>,
    shutdown: &watch::Receiver<Shutdown>,
    clock: std::time::Instant,
    start: Start,
    running: &mut JoinSet<(Job, JobOutput)>,
    slow: &mut SlowJobs,
    emit: &mut dyn FnMut(&Event),
) {
    let Start { id, worker, job } = start;
    let suite = &input.config.suites[job.suite];
    let files = job.files();
    emit(&Event::JobStarted {
        job: id.get(),
        suite: &suite.name,
        worker: worker.get(),
        attempt: job.attempt,
        files: &files,
        estimate: job.estimate,
    });
    slow.started(
        Started {
            job: id,
            suite: job.suite,
            worker,
            attempt: job.attempt,
            files,
            at: Instant::now(),
        },
        suite.slow_after,
    );
    let root = input.config.root.clone();
    let run_dir = input.run_dir.clone();
    let suite = suite.clone();
    // Runners that cannot leave single tests out run them; the result is then ignored.
    let deselect = if suite.command.adapter().capabilities().deselects_tests {
        input.config.quarantine.skip_ids.clone()
    } else {
        Vec::new()
    };
    let environment = input
        .environments
        .get(job.suite.get())
        .and_then(|e| e.as_ref())
        .and_then(|e| e.get(worker.index()))
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

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

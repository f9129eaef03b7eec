//! [`Dispatcher`]: the pure state of a test step: the queue ([`DispatchQueue`], the rule the
//! plan's simulation uses too), the free worker slots and `on-workers` pins, retries with their
//! back-off, targets queued again when a runner stopped early, quarantine, and the results as
//! they accumulate. It takes "this job finished" and answers what to start next; it starts no
//! process and waits for nothing, so it is tested without any (below). Work from a remote source
//! ([`Dispatcher::add`]) carries an origin; once every job of an origin (its retries and
//! requeues included) is done, [`Dispatcher::take_settled`] hands its tests back for the source.
//! With `max-fail`, a [`FailBudget`] counts final failures; once it is spent nothing new starts
//! and every target left is reported skipped with a "not run" message (and listed as not run).
//! Test groups ([`GroupLimits`], the simulation's rule too): a job whose group already runs
//! `max-concurrency` jobs waits, and the next job that may start is taken instead.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use super::fail_budget::FailBudget;
use super::job::{JobOutput, TestAttempt};
use super::job_id::JobId;
use super::{Event, Job};
use crate::config::{Config, OnMaxFail, Suite};
use crate::plan::{DispatchQueue, GroupLimits};
use crate::quarantine::QuarantineMode;
use crate::results::{JobExit, JobRecord, Outcome, ResultTable, TestResult};
use crate::runners::{BatchMode, Target};
use crate::suite_index::SuiteIndex;
use crate::worker_slot::WorkerSlot;

/// A job to start now.
pub(super) struct Start {
    /// Its id (unique across the run's test steps).
    pub(super) id: JobId,
    /// The worker slot that runs it.
    pub(super) worker: WorkerSlot,
    pub(super) job: Job,
}

/// What a finished test step produced.
pub(super) struct Dispatched {
    pub(super) tests: Vec<TestResult>,
    pub(super) jobs: Vec<JobRecord>,
    /// (suite, file) of what never ran, sorted.
    pub(super) not_run: Vec<(String, String)>,
}

/// A remote batch whose jobs have all finished.
pub(super) struct Settled {
    pub(super) origin: u64,
    /// Its tests' results (each with all its attempts).
    pub(super) tests: Vec<TestResult>,
    /// False when an interrupt cut one of its jobs short: the results are partial.
    pub(super) complete: bool,
}

/// The open jobs of one origin and where its tests are.
#[derive(Default)]
struct Origin {
    open: usize,
    tests: Vec<usize>,
    cut_short: bool,
}

/// The state of one test step's dispatch.
pub(super) struct Dispatcher<'a> {
    config: &'a Config,
    first_job: JobId,
    queue: DispatchQueue<Job>,
    free: BTreeSet<WorkerSlot>,
    records: Vec<Option<JobRecord>>,
    tests: ResultTable,
    /// Each suite's name, shared by all of its results.
    suite_names: Vec<Arc<str>>,
    not_run: Vec<(String, String)>,
    origins: HashMap<u64, Origin>,
    settled: Vec<u64>,
    budget: FailBudget,
    /// Targets the spent budget kept from running (suite, target), reported at the end.
    halted: Vec<(SuiteIndex, Target)>,
    /// Running jobs per test group: a job whose group is at its `max-concurrency` waits.
    groups: GroupLimits,
}

impl<'a> Dispatcher<'a> {
    /// `jobs` in dispatch order on `workers` slots; job ids start at `first_job`.
    pub(super) fn new(config: &'a Config, jobs: Vec<Job>, workers: usize, first_job: JobId) -> Self {
        // Every target gives at least one result (a file may give many).
        let targets = jobs.iter().map(|job| job.targets.len()).sum();
        let mut dispatcher = Self {
            config,
            first_job,
            queue: DispatchQueue::new(),
            free: WorkerSlot::all(workers.max(1)).collect(),
            records: Vec::new(),
            tests: ResultTable::with_capacity(targets),
            suite_names: config
                .suites
                .iter()
                .map(|suite| Arc::from(suite.name.as_str()))
                .collect(),
            not_run: Vec::new(),
            origins: HashMap::new(),
            settled: Vec::new(),
            budget: FailBudget::new(config.run.max_fail, 0),
            halted: Vec::new(),
            groups: GroupLimits::new(config.groups.iter().map(|g| g.max_concurrency).collect()),
        };
        dispatcher.add(jobs);
        dispatcher
    }

    /// Counts `failures` of earlier test steps of the run against `max-fail`.
    pub(super) fn count_earlier_failures(&mut self, failures: u32) {
        self.budget.count(failures);
    }

    /// Once `max-fail` is reached: what becomes of the running jobs (nothing new starts).
    pub(super) fn halted(&self) -> Option<OnMaxFail> {
        self.budget.spent()
    }

    /// Queues `jobs` last (work a remote source handed over as a worker freed up).
    pub(super) fn add(&mut self, jobs: Vec<Job>) {
        for job in jobs {
            self.push(job, false);
        }
    }

    fn push(&mut self, job: Job, front: bool) {
        if let Some(origin) = job.origin {
            self.origins.entry(origin).or_default().open += 1;
        }
        let pins = self.config.suites[job.suite].on_workers.as_deref();
        if front {
            self.queue.push_front(job, pins);
        } else {
            self.queue.push_back(job, pins);
        }
    }

    /// The remote batches settled since the last call, with their tests' results.
    pub(super) fn take_settled(&mut self) -> Vec<Settled> {
        let settled = std::mem::take(&mut self.settled);
        settled
            .into_iter()
            .map(|origin| {
                let mut state = self.origins.remove(&origin).unwrap_or_default();
                state.tests.sort_unstable();
                state.tests.dedup();
                Settled {
                    origin,
                    tests: state.tests.iter().map(|&at| self.tests.at(at).clone()).collect(),
                    complete: !state.cut_short,
                }
            })
            .collect()
    }

    /// The next job to start at `now`, and the worker that takes it: the lowest free worker
    /// that [`DispatchQueue::pick_next`] gives a ready job (its back-off over, each of its test
    /// groups below its `max-concurrency`). `None`: no free worker may run any waiting job now
    /// (all busy, waiting for a retry's back-off or a group's room, or nothing left).
    pub(super) fn next_start(&mut self, now: Instant) -> Option<Start> {
        if self.halted().is_some() {
            return None;
        }
        let groups = &self.groups;
        // A retry waiting out its back-off, or a job whose group is full, is passed over.
        let ready = |job: &Job| job.not_before.is_none_or(|t| t <= now) && groups.admits(&job.groups);
        let (worker, job) = self
            .free
            .iter()
            .find_map(|&worker| self.queue.pick_next(worker, ready).map(|job| (worker, job)))?;
        self.free.remove(&worker);
        self.groups.start(&job.groups);
        let id = self.first_job.after(self.records.len());
        self.records.push(None);
        Some(Start { id, worker, job })
    }

    /// When the earliest retry waiting out its back-off becomes ready.
    pub(super) fn next_retry(&self) -> Option<Instant> {
        self.queue.iter().filter_map(|job| job.not_before).min()
    }

    /// Whether jobs still wait (running ones aside).
    pub(super) fn has_waiting(&self) -> bool {
        !self.queue.is_empty()
    }

    /// Whether a worker is free.
    pub(super) fn has_free_worker(&self) -> bool {
        !self.free.is_empty()
    }

    /// Whether a remote source should be asked for work: a worker is free and fewer jobs wait
    /// for a full test group than workers are free. Jobs a group holds back may take some of
    /// what a free worker would ask for, but never more than one per free worker, so a node
    /// does not take every grouped batch of a shared queue while it can run one at a time.
    pub(super) fn wants_work(&self) -> bool {
        let blocked = self.queue.iter().filter(|job| !self.groups.admits(&job.groups)).count();
        blocked < self.free.len()
    }

    /// Ends the step: what still waits never ran.
    pub(super) fn finish(mut self) -> Dispatched {
        let config = self.config;
        let waiting: Vec<Job> = self.queue.drain().collect();
        for job in waiting {
            let suite = &config.suites[job.suite].name;
            self.not_run
                .extend(job.files().into_iter().map(|file| (suite.clone(), file)));
            if self.halted().is_some() {
                self.halted
                    .extend(job.targets.into_iter().map(|target| (job.suite, target)));
            }
        }
        let message = self.budget.not_run_message();
        for (suite, target) in std::mem::take(&mut self.halted) {
            // A target with a result ran after all (a file whose tests were retried by id).
            if self
                .tests
                .position(&self.suite_names[suite.get()], target.id())
                .is_none()
            {
                self.not_run_as(suite, &target, Outcome::Skipped, message.clone(), None, &mut |_| {});
            }
        }
        self.not_run.sort();
        self.not_run.dedup();
        Dispatched {
            tests: self.tests.into_sorted(),
            jobs: self.records.into_iter().flatten().collect(),
            not_run: self.not_run,
        }
    }

    /// Takes in a finished job: frees its worker, records its tests (quarantine applied) and
    /// the job, queues again what the runner never reached, and schedules retries of the failed
    /// tests while the suite's retries last. `stopping`: an interrupt came; nothing is queued
    /// again and what would have been is not run. `now` starts the retry back-off. The job's
    /// origin settles when this was its last open job.
    pub(super) fn finished(
        &mut self,
        job: Job,
        output: JobOutput,
        stopping: bool,
        now: Instant,
        emit: &mut dyn FnMut(&Event),
    ) {
        let origin = job.origin;
        let cut_short = stopping || matches!(output.record.exit, JobExit::Interrupted);
        self.finish_job(job, output, stopping, now, emit);
        if let Some(origin) = origin {
            let state = self.origins.entry(origin).or_default();
            state.open = state.open.saturating_sub(1);
            state.cut_short |= cut_short;
            if state.open == 0 {
                self.settled.push(origin);
            }
        }
    }

    fn finish_job(&mut self, job: Job, output: JobOutput, stopping: bool, now: Instant, emit: &mut dyn FnMut(&Event)) {
        // Once max-fail is reached, this job's failures are final and what it leaves never runs.
        let halted = !stopping && self.halted().is_some();
        let stopping = stopping || halted;
        self.free.insert(output.worker);
        self.groups.finish(&job.groups);
        let config = self.config;
        let suite = &config.suites[job.suite];
        let record = output.record;
        let mut retry: Vec<(Target, Duration)> = Vec::new();
        let mut failed: u32 = 0;
        for mut test in output.tests {
            let quarantine = config.quarantine.mode(&test.id, &test.file);
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
            if outcome.is_failure() && quarantine.is_none() {
                failed += 1;
                if !test.outside_tests {
                    retry.push((retry_target(suite, &test), test.attempt.duration));
                }
            }
            let at = self.add_attempt(job.suite, test, quarantine);
            if let Some(origin) = job.origin {
                self.origins.entry(origin).or_default().tests.push(at);
            }
        }
        if matches!(record.exit, JobExit::Interrupted) {
            self.not_run
                .extend(job.files().into_iter().map(|file| (suite.name.clone(), file)));
            if halted {
                self.halted
                    .extend(job.targets.iter().map(|target| (job.suite, target.clone())));
            }
        }
        emit(&Event::JobFinished {
            job: record.id,
            suite: &suite.name,
            worker: record.worker,
            attempt: record.attempt,
            files: &record.files,
            exit: &record.exit,
            duration: record.duration,
            error: record.error.as_deref(),
            diagnostics: record.diagnostics.as_deref(),
            leaky: record.leaky,
            cpu: record.cpu,
            max_rss: record.max_rss,
        });
        let slot = JobId::new(record.id)
            .since(self.first_job)
            .expect("a finished job is one of this step's");
        let requeued = requeued_job(&job, &record.requeued);
        self.records[slot] = Some(record);
        if let Some(requeued) = requeued {
            if !stopping {
                emit(&Event::Warning {
                    message: &format!(
                        "suite `{}`: the runner stopped at an error outside tests before running {}; running them again",
                        suite.name,
                        requeued.files().join(", ")
                    ),
                });
                self.push(requeued, true);
            } else {
                self.not_run
                    .extend(requeued.files().into_iter().map(|file| (suite.name.clone(), file)));
                if halted {
                    self.halted
                        .extend(requeued.targets.into_iter().map(|target| (requeued.suite, target)));
                }
            }
        }
        let retrying = !retry.is_empty() && suite.retry.allows_retry_after(job.attempt) && !stopping;
        // A test that will be retried has not failed yet: a flaky one never spends the budget.
        let retried = if retrying { retry.len() } else { 0 };
        let final_failures = failed.saturating_sub(u32::try_from(retried).unwrap_or(u32::MAX));
        if self.budget.count(final_failures) {
            emit(&Event::Warning {
                message: &self.budget.reached_message(),
            });
        }
        if !retrying {
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
        let delay = suite.retry.delay_after(job.attempt);
        let not_before = (!delay.is_zero()).then(|| now + delay);
        let retries: Vec<Job> = match suite.command.mode() {
            BatchMode::PerFile => targets
                .into_iter()
                .map(|t| retry_job(&job, vec![t], not_before))
                .collect(),
            BatchMode::Batch => vec![retry_job(&job, targets, not_before)],
        };
        // Retries go first: their tests are known to matter, and running them early keeps them off the tail.
        for retry in retries.into_iter().rev() {
            self.push(retry, true);
        }
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
        origin: job.origin,
        groups: job.groups.clone(),
    })
}

/// What re-runs a failed test: the test itself where the runner can address it, else its file.
fn retry_target(suite: &Suite, test: &TestAttempt) -> Target {
    if suite.command.adapter().capabilities().addresses_tests && test.id != test.file {
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

fn retry_job(job: &Job, targets: Vec<(Target, Duration)>, not_before: Option<Instant>) -> Job {
    let (targets, estimates): (Vec<Target>, Vec<Duration>) = targets.into_iter().unzip();
    let estimate = estimates.iter().sum();
    Job {
        suite: job.suite,
        targets,
        estimates,
        attempt: job.attempt + 1,
        estimate,
        not_before,
        origin: job.origin,
        // Its targets are some of the job's: the job's groups hold theirs.
        groups: job.groups.clone(),
    }
}

impl Dispatcher<'_> {
    fn add_attempt(&mut self, suite: SuiteIndex, test: TestAttempt, quarantine: Option<QuarantineMode>) -> usize {
        let name = &self.suite_names[suite.get()];
        let at = match self.tests.position(name, &test.id) {
            Some(at) => at,
            None => self.tests.insert(TestResult {
                suite: Arc::clone(name),
                id: test.id.into(),
                name: test.name.into(),
                classname: test.classname.map(String::into_boxed_str),
                file: test.file.into(),
                outcome: test.attempt.outcome,
                outside_tests: test.outside_tests,
                quarantine,
                attempts: Vec::new(),
            }),
        };
        let entry = self.tests.at_mut(at);
        entry.outside_tests |= test.outside_tests;
        entry.attempts.push(test.attempt);
        entry.settle();
        at
    }

    /// Reports a file or test that quarantine skips: never run, reported skipped.
    pub(super) fn skip(&mut self, index: SuiteIndex, target: &Target, emit: &mut dyn FnMut(&Event)) {
        let message = "quarantined (skip): not run".to_string();
        self.not_run_as(
            index,
            target,
            Outcome::Skipped,
            message,
            Some(QuarantineMode::Skip),
            emit,
        );
    }

    /// Reports a file or test that will not run here as failed, with `message` (a remote
    /// source gave up on it: e.g. a batch delivered too often).
    pub(super) fn fail_unrun(
        &mut self,
        index: SuiteIndex,
        target: &Target,
        message: String,
        emit: &mut dyn FnMut(&Event),
    ) {
        self.not_run_as(index, target, Outcome::Failed, message, None, emit);
    }

    fn not_run_as(
        &mut self,
        index: SuiteIndex,
        target: &Target,
        outcome: Outcome,
        message: String,
        quarantine: Option<QuarantineMode>,
        emit: &mut dyn FnMut(&Event),
    ) {
        let suite = &self.config.suites[index];
        let id = target.id().to_string();
        let name = target.test_name().unwrap_or(&target.file).to_string();
        emit(&Event::TestFinished {
            suite: &suite.name,
            id: &id,
            name: &name,
            file: &target.file,
            outcome,
            duration: Duration::ZERO,
            worker: 0,
            attempt: 1,
            job: 0,
            message: Some(&message),
        });
        let attempt = crate::results::Attempt {
            attempt: 1,
            outcome,
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
        self.add_attempt(index, test, quarantine);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::Attempt;

    fn config(suite_extra: &str, rest: &str) -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().unwrap();
        let path = camino::Utf8PathBuf::from_path_buf(dir.path().join("flotilla.toml")).unwrap();
        std::fs::write(
            &path,
            format!("[run]\nworkers = 2\n\n[suite.py]\nrunner = \"pytest\"\n{suite_extra}\n{rest}"),
        )
        .unwrap();
        let config = Config::load(&path, &crate::config::Overrides::default()).unwrap();
        (dir, config)
    }

    pub(super) fn job(files: &[&str]) -> Job {
        Job {
            suite: SuiteIndex::new(0),
            targets: files.iter().map(|f| Target::file(*f)).collect(),
            estimates: vec![Duration::from_secs(1); files.len()],
            attempt: 1,
            estimate: Duration::from_secs(files.len() as u64),
            not_before: None,
            origin: None,
            groups: Vec::new(),
        }
    }

    pub(super) fn output(start: &Start, tests: &[(&str, Outcome)], requeued: &[&str]) -> JobOutput {
        let record = JobRecord {
            id: start.id.get(),
            suite: "py".into(),
            worker: start.worker.get(),
            attempt: start.job.attempt,
            files: start.job.files(),
            tests: Vec::new(),
            started: Duration::ZERO,
            duration: Duration::from_secs(1),
            estimate: start.job.estimate,
            exit: JobExit::Exited { code: 1 },
            stdout: None,
            stderr: None,
            report: None,
            diagnostics: None,
            error: None,
            reported: None,
            requeued: requeued.iter().map(|f| (*f).to_string()).collect(),
            leaky: false,
            cpu: None,
            max_rss: None,
        };
        let tests = tests
            .iter()
            .map(|(id, outcome)| TestAttempt {
                id: (*id).to_string(),
                name: id.rsplit("::").next().unwrap().to_string(),
                classname: None,
                file: id.split("::").next().unwrap().to_string(),
                outside_tests: id.ends_with("<outside tests>"),
                attempt: Attempt {
                    attempt: start.job.attempt,
                    outcome: *outcome,
                    duration: Duration::from_millis(100),
                    worker: start.worker.get(),
                    job: start.id.get(),
                    message: None,
                    output: None,
                },
            })
            .collect();
        JobOutput {
            worker: start.worker,
            record,
            tests,
        }
    }

    pub(super) fn no_events(_: &Event<'_>) {}

    #[test]
    fn only_failed_tests_are_retried_by_id_after_their_back_off() {
        let (_dir, config) = config("retries = 1\nretry-delay = \"2s\"", "");
        let mut dispatcher = Dispatcher::new(&config, vec![job(&["a.py"])], 2, JobId::new(0));
        let now = Instant::now();
        let start = dispatcher.next_start(now).expect("a job for worker 1");
        assert_eq!((start.id.get(), start.worker.get()), (0, 1));
        assert!(dispatcher.next_start(now).is_none(), "nothing else waits");
        let done = output(
            &start,
            &[("a.py::x", Outcome::Failed), ("a.py::y", Outcome::Passed)],
            &[],
        );
        let mut events = Vec::new();
        dispatcher.finished(start.job, done, false, now, &mut |e| events.push(format!("{e:?}")));
        assert!(events.iter().any(|e| e.starts_with("RetryScheduled")), "{events:?}");
        assert!(dispatcher.next_start(now).is_none(), "the retry waits out its back-off");
        assert_eq!(dispatcher.next_retry(), Some(now + Duration::from_secs(2)));
        let retry = dispatcher.next_start(now + Duration::from_secs(2)).expect("the retry");
        assert_eq!(retry.job.attempt, 2);
        assert_eq!(
            retry.job.targets[0].test.as_deref(),
            Some("a.py::x"),
            "the failed test alone"
        );
        let passed = output(&retry, &[("a.py::x", Outcome::Passed)], &[]);
        dispatcher.finished(retry.job, passed, false, now, &mut no_events);
        assert!(
            !dispatcher.has_waiting(),
            "a second failure would have no retries left anyway"
        );
        let done = dispatcher.finish();
        let x = done.tests.iter().find(|t| &*t.id == "a.py::x").unwrap();
        assert_eq!(x.outcome, Outcome::Flaky);
        assert_eq!(x.attempts.len(), 2);
        assert_eq!(done.jobs.len(), 2);
    }

    #[test]
    fn no_retries_left_means_no_retry() {
        let (_dir, config) = config("", "");
        let mut dispatcher = Dispatcher::new(&config, vec![job(&["a.py"])], 1, JobId::new(0));
        let start = dispatcher.next_start(Instant::now()).unwrap();
        let done = output(&start, &[("a.py::x", Outcome::Failed)], &[]);
        dispatcher.finished(start.job, done, false, Instant::now(), &mut no_events);
        assert!(!dispatcher.has_waiting());
        assert_eq!(dispatcher.finish().tests[0].outcome, Outcome::Failed);
    }

    #[test]
    fn a_pinned_suite_runs_only_on_its_workers() {
        let (_dir, config) = config("on-workers = [2]", "");
        let mut dispatcher = Dispatcher::new(&config, vec![job(&["a.py"]), job(&["b.py"])], 2, JobId::new(0));
        let now = Instant::now();
        let first = dispatcher.next_start(now).unwrap();
        assert_eq!(first.worker.get(), 2, "worker 1 may not run the pinned suite");
        assert!(
            dispatcher.next_start(now).is_none(),
            "worker 1 stays idle; worker 2 is busy"
        );
        let done = output(&first, &[("a.py::x", Outcome::Passed)], &[]);
        dispatcher.finished(first.job, done, false, now, &mut no_events);
        assert_eq!(dispatcher.next_start(now).unwrap().worker.get(), 2);
    }

    #[test]
    fn targets_a_runner_never_reached_run_again_at_the_same_attempt() {
        let (_dir, config) = config("retries = 2", "");
        let mut dispatcher = Dispatcher::new(&config, vec![job(&["a.py", "b.py"])], 1, JobId::new(0));
        let start = dispatcher.next_start(Instant::now()).unwrap();
        let done = output(&start, &[("a.py::<outside tests>", Outcome::Error)], &["b.py"]);
        dispatcher.finished(start.job, done, false, Instant::now(), &mut no_events);
        let again = dispatcher.next_start(Instant::now()).expect("b.py is queued again");
        assert_eq!(again.job.attempt, 1, "not a retry: it never ran");
        assert_eq!(again.job.files(), ["b.py"]);
    }

    #[test]
    fn after_an_interrupt_nothing_is_queued_and_what_waits_never_ran() {
        let (_dir, config) = config("retries = 2", "");
        let mut dispatcher = Dispatcher::new(&config, vec![job(&["a.py", "b.py"]), job(&["c.py"])], 1, JobId::new(0));
        let start = dispatcher.next_start(Instant::now()).unwrap();
        let done = output(&start, &[("a.py::x", Outcome::Failed)], &["b.py"]);
        dispatcher.finished(start.job, done, true, Instant::now(), &mut no_events);
        let done = dispatcher.finish();
        let not_run: Vec<&str> = done.not_run.iter().map(|(_, file)| file.as_str()).collect();
        assert_eq!(
            not_run,
            ["b.py", "c.py"],
            "no retry, no requeue; the waiting job never ran"
        );
    }

    #[test]
    fn a_muted_test_is_not_retried() {
        let (_dir, config) = config("retries = 2", "[quarantine]\nmute = [\"a.py::x\"]\n");
        let mut dispatcher = Dispatcher::new(&config, vec![job(&["a.py"])], 1, JobId::new(0));
        let start = dispatcher.next_start(Instant::now()).unwrap();
        let done = output(&start, &[("a.py::x", Outcome::Failed)], &[]);
        dispatcher.finished(start.job, done, false, Instant::now(), &mut no_events);
        assert!(!dispatcher.has_waiting());
        let done = dispatcher.finish();
        assert_eq!(done.tests[0].quarantine, Some(QuarantineMode::Mute));
    }

    #[test]
    fn a_remote_batch_settles_once_its_retries_are_done_with_all_its_tests() {
        let (_dir, config) = config("retries = 1", "");
        let mut dispatcher = Dispatcher::new(&config, Vec::new(), 2, JobId::new(0));
        let remote = |files: &[&str], origin| Job {
            origin: Some(origin),
            ..job(files)
        };
        dispatcher.add(vec![remote(&["a.py"], 7), remote(&["b.py"], 8)]);
        let now = Instant::now();
        let a = dispatcher.next_start(now).unwrap();
        let b = dispatcher.next_start(now).unwrap();
        let failed = output(&a, &[("a.py::x", Outcome::Failed), ("a.py::y", Outcome::Passed)], &[]);
        dispatcher.finished(a.job, failed, false, now, &mut no_events);
        assert!(dispatcher.take_settled().is_empty(), "its retry is still to run");
        let passed = output(&b, &[("b.py::z", Outcome::Passed)], &[]);
        dispatcher.finished(b.job, passed, false, now, &mut no_events);
        let settled = dispatcher.take_settled();
        assert_eq!(settled.len(), 1);
        assert_eq!((settled[0].origin, settled[0].complete), (8, true));
        let retry = dispatcher.next_start(now).unwrap();
        assert_eq!(retry.job.origin, Some(7), "a retry keeps its origin");
        let passed = output(&retry, &[("a.py::x", Outcome::Passed)], &[]);
        dispatcher.finished(retry.job, passed, false, now, &mut no_events);
        let settled = dispatcher.take_settled();
        assert_eq!(settled[0].origin, 7);
        let mut ids: Vec<(&str, Outcome)> = settled[0].tests.iter().map(|t| (&*t.id, t.outcome)).collect();
        ids.sort_by_key(|(id, _)| *id);
        assert_eq!(ids, [("a.py::x", Outcome::Flaky), ("a.py::y", Outcome::Passed)]);
    }

    #[test]
    fn a_remote_batch_cut_short_by_an_interrupt_settles_incomplete() {
        let (_dir, config) = config("retries = 1", "");
        let mut dispatcher = Dispatcher::new(&config, Vec::new(), 1, JobId::new(0));
        dispatcher.add(vec![Job {
            origin: Some(1),
            ..job(&["a.py"])
        }]);
        let start = dispatcher.next_start(Instant::now()).unwrap();
        let done = output(&start, &[("a.py::x", Outcome::Failed)], &[]);
        dispatcher.finished(start.job, done, true, Instant::now(), &mut no_events);
        let settled = dispatcher.take_settled();
        assert!(!settled[0].complete, "partial results must not be written");
    }

    fn with_max_fail(max_fail: &str, suite_extra: &str) -> (tempfile::TempDir, Config) {
        let dir = tempfile::tempdir().unwrap();
        let path = camino::Utf8PathBuf::from_path_buf(dir.path().join("flotilla.toml")).unwrap();
        std::fs::write(
            &path,
            format!("[run]\nmax-fail = \"{max_fail}\"\n\n[suite.py]\nrunner = \"pytest\"\n{suite_extra}\n"),
        )
        .unwrap();
        let config = Config::load(&path, &crate::config::Overrides::default()).unwrap();
        (dir, config)
    }

    fn outcome_of<'d>(done: &'d Dispatched, id: &str) -> (Outcome, Option<&'d str>) {
        let test = done
            .tests
            .iter()
            .find(|t| &*t.id == id)
            .unwrap_or_else(|| panic!("no result for {id}"));
        (test.outcome, test.last().message.as_deref())
    }

    #[test]
    fn max_fail_starts_nothing_more_and_reports_what_waits_as_not_run() {
        let (_dir, config) = with_max_fail("1", "");
        let jobs = vec![job(&["a.py"]), job(&["b.py"]), job(&["c.py"])];
        let mut dispatcher = Dispatcher::new(&config, jobs, 1, JobId::new(0));
        let now = Instant::now();
        let first = dispatcher.next_start(now).unwrap();
        let failed = output(&first, &[("a.py::x", Outcome::Failed)], &[]);
        let mut events = Vec::new();
        dispatcher.finished(first.job, failed, false, now, &mut |e| events.push(format!("{e:?}")));
        assert_eq!(dispatcher.halted(), Some(OnMaxFail::Wait));
        assert!(events.iter().any(|e| e.contains("max-fail 1 reached")), "{events:?}");
        assert!(dispatcher.next_start(now).is_none(), "the budget is spent");
        let done = dispatcher.finish();
        let not_run: Vec<&str> = done.not_run.iter().map(|(_, file)| file.as_str()).collect();
        assert_eq!(not_run, ["b.py", "c.py"]);
        for file in ["b.py", "c.py"] {
            let (outcome, message) = outcome_of(&done, file);
            assert_eq!(outcome, Outcome::Skipped);
            assert!(
                message
                    .unwrap()
                    .starts_with("not run: flotilla stopped after 1 failure(s)"),
                "{message:?}"
            );
        }
        assert_eq!(outcome_of(&done, "a.py::x").0, Outcome::Failed);
    }

    #[test]
    fn without_max_fail_every_job_runs_after_failures() {
        let (_dir, config) = config("", "");
        let mut dispatcher = Dispatcher::new(&config, vec![job(&["a.py"]), job(&["b.py"])], 1, JobId::new(0));
        let now = Instant::now();
        let first = dispatcher.next_start(now).unwrap();
        let failed = output(&first, &[("a.py::x", Outcome::Failed)], &[]);
        dispatcher.finished(first.job, failed, false, now, &mut no_events);
        assert_eq!(dispatcher.halted(), None);
        assert_eq!(dispatcher.next_start(now).unwrap().job.files(), ["b.py"]);
    }

    #[test]
    fn a_test_that_passes_on_its_retry_does_not_spend_the_budget() {
        let (_dir, config) = with_max_fail("1", "retries = 1");
        let mut dispatcher = Dispatcher::new(&config, vec![job(&["a.py"]), job(&["b.py"])], 1, JobId::new(0));
        let now = Instant::now();
        let first = dispatcher.next_start(now).unwrap();
        let failed = output(&first, &[("a.py::x", Outcome::Failed)], &[]);
        dispatcher.finished(first.job, failed, false, now, &mut no_events);
        assert_eq!(dispatcher.halted(), None, "a.py::x will be retried: not a failure yet");
        let retry = dispatcher.next_start(now).unwrap();
        assert_eq!(retry.job.attempt, 2);
        let passed = output(&retry, &[("a.py::x", Outcome::Passed)], &[]);
        dispatcher.finished(retry.job, passed, false, now, &mut no_events);
        assert_eq!(dispatcher.halted(), None, "flaky is not failed");
        let second = dispatcher.next_start(now).expect("b.py still runs");
        let failed = output(&second, &[("b.py::y", Outcome::Failed)], &[]);
        dispatcher.finished(second.job, failed, false, now, &mut no_events);
        assert_eq!(dispatcher.halted(), None, "b.py::y has its retry to come");
        let retry = dispatcher.next_start(now).unwrap();
        let failed = output(&retry, &[("b.py::y", Outcome::Failed)], &[]);
        dispatcher.finished(retry.job, failed, false, now, &mut no_events);
        assert_eq!(dispatcher.halted(), Some(OnMaxFail::Wait), "failed on its last attempt");
        let done = dispatcher.finish();
        assert_eq!(outcome_of(&done, "a.py::x").0, Outcome::Flaky);
    }

    #[test]
    fn once_spent_running_jobs_are_not_retried_and_a_stopped_one_is_reported_not_run() {
        let (_dir, config) = with_max_fail("1:immediate", "retries = 2");
        let jobs = vec![job(&["a.py"]), job(&["b.py"]), job(&["c.py"])];
        let mut dispatcher = Dispatcher::new(&config, jobs, 3, JobId::new(0));
        let now = Instant::now();
        let starts: Vec<Start> = std::iter::from_fn(|| dispatcher.next_start(now)).collect();
        let [a, b, c] = <[Start; 3]>::try_from(starts)
            .ok()
            .expect("three jobs on three workers");
        let broken = output(&a, &[("a.py::<outside tests>", Outcome::Error)], &[]);
        dispatcher.finished(a.job, broken, false, now, &mut no_events);
        assert_eq!(
            dispatcher.halted(),
            Some(OnMaxFail::Immediate),
            "an error outside tests is never retried: final at once"
        );
        let failed = output(&b, &[("b.py::y", Outcome::Failed)], &[]);
        dispatcher.finished(b.job, failed, false, now, &mut no_events);
        assert!(!dispatcher.has_waiting(), "no retry once the budget is spent");
        let mut stopped = output(&c, &[], &[]);
        stopped.record.exit = JobExit::Interrupted;
        dispatcher.finished(c.job, stopped, false, now, &mut no_events);
        let done = dispatcher.finish();
        assert_eq!(outcome_of(&done, "b.py::y").0, Outcome::Failed);
        let (outcome, message) = outcome_of(&done, "c.py");
        assert_eq!(outcome, Outcome::Skipped);
        assert!(message.unwrap().contains("max-fail 1"), "{message:?}");
        assert_eq!(done.not_run, [("py".to_string(), "c.py".to_string())]);
    }
}

/// Test groups in the dispatcher: random jobs, groups, limits and durations on a virtual clock.
#[cfg(test)]
mod group_tests {
    use proptest::prelude::*;
    use tokio::time::Instant;

    use super::tests::{job, no_events, output};
    use super::*;

    fn config(limits: [usize; 2]) -> Config {
        let text = format!(
            "[group.a]\nmax-concurrency = {}\n\n[group.b]\nmax-concurrency = {}\n\n[suite.py]\nrunner = \"pytest\"\n",
            limits[0], limits[1]
        );
        Config::parse(
            camino::Utf8Path::new("/p/flotilla.toml"),
            Arc::new(text),
            &crate::config::Overrides::default(),
        )
        .unwrap()
    }

    fn grouped_job(index: usize, groups: Vec<usize>, ms: u64) -> Job {
        Job {
            estimate: Duration::from_millis(ms),
            groups,
            ..job(&[&format!("f{index}.py")])
        }
    }

    #[test]
    fn a_job_whose_group_is_full_waits_and_the_next_startable_job_is_taken() {
        let config = config([1, 2]);
        let jobs = vec![
            grouped_job(0, vec![0], 1_000),
            grouped_job(1, vec![0], 1_000),
            grouped_job(2, Vec::new(), 1_000),
        ];
        let mut dispatcher = Dispatcher::new(&config, jobs, 3, JobId::new(0));
        let now = Instant::now();
        let first = dispatcher.next_start(now).unwrap();
        assert_eq!(first.job.files(), ["f0.py"]);
        let second = dispatcher.next_start(now).unwrap();
        assert_eq!(
            second.job.files(),
            ["f2.py"],
            "f1.py waits: group a runs one job at a time"
        );
        assert!(
            dispatcher.next_start(now).is_none(),
            "a worker is free, but only f1.py waits"
        );
        assert!(!dispatcher.wants_work(), "one free worker, one job held back for it");
        let done = output(&first, &[("f0.py::t", Outcome::Passed)], &[]);
        dispatcher.finished(first.job, done, false, now, &mut no_events);
        assert_eq!(dispatcher.next_start(now).unwrap().job.files(), ["f1.py"]);
    }

    /// Each job's groups and duration (ms), the two groups' limits, and the worker count.
    type Case = (Vec<(Vec<usize>, u64)>, [usize; 2], usize);

    fn arb_jobs() -> impl Strategy<Value = Case> {
        let groups = prop_oneof![Just(Vec::new()), Just(vec![0]), Just(vec![1]), Just(vec![0, 1])];
        (
            prop::collection::vec((groups, 1u64..5_000), 1..40),
            [1usize..4, 1usize..4],
            1usize..6,
        )
    }

    /// Runs `jobs` through a dispatcher on a virtual clock (each takes its estimate; of jobs
    /// ending together, the lowest worker's first, as the plan's simulation has it) and returns
    /// each worker's jobs, by their first file, in start order.
    fn dispatch_virtually(config: &Config, jobs: Vec<Job>, workers: usize) -> Vec<Vec<String>> {
        let mut dispatcher = Dispatcher::new(config, jobs, workers, JobId::new(0));
        let base = Instant::now();
        let mut now = Duration::ZERO;
        let mut running: Vec<(Duration, Start)> = Vec::new();
        let mut ran = vec![Vec::new(); workers];
        loop {
            while let Some(start) = dispatcher.next_start(base + now) {
                ran[start.worker.index()].push(start.job.files()[0].clone());
                running.push((now + start.job.estimate, start));
            }
            let Some(next) = (0..running.len()).min_by_key(|&i| (running[i].0, running[i].1.worker)) else {
                return ran;
            };
            let (end, start) = running.swap_remove(next);
            now = end;
            let id = format!("{}::t", start.job.files()[0]);
            let done = output(&start, &[(id.as_str(), Outcome::Passed)], &[]);
            dispatcher.finished(start.job, done, false, base + now, &mut no_events);
        }
    }

    proptest! {
        /// `flotilla plan` predicts the run: with groups, the dispatcher gives every worker the
        /// jobs the plan's simulation gave it, in the same order.
        #[test]
        fn the_dispatcher_runs_the_plan_the_simulation_predicts(
            (units, limits, workers) in arb_jobs()
        ) {
            use crate::plan::{PlanInput, PlanSuite, PlanUnit, plan};
            let config = config(limits);
            let input = PlanInput {
                suites: vec![PlanSuite {
                    mode: BatchMode::PerFile,
                    startup: Duration::ZERO,
                    first_wave: 0.0,
                    on_workers: None,
                }],
                units: units
                    .iter()
                    .map(|(groups, ms)| PlanUnit {
                        suite: SuiteIndex::new(0),
                        estimate: Duration::from_millis(*ms),
                        argv_bytes: 0,
                        recently_failed: false,
                        groups: groups.clone(),
                    })
                    .collect(),
                workers,
                group_limits: limits.to_vec(),
            };
            let plan = plan(&input);
            let name = |batch: usize| format!("f{}.py", plan.batches[batch].units[0]);
            let jobs: Vec<Job> = plan
                .batches
                .iter()
                .map(|batch| Job {
                    estimate: batch.estimate,
                    groups: batch.groups.clone(),
                    ..job(&[&format!("f{}.py", batch.units[0])])
                })
                .collect();
            let predicted: Vec<Vec<String>> = plan
                .workers
                .iter()
                .map(|w| w.batches.iter().map(|&b| name(b)).collect())
                .collect();
            prop_assert_eq!(dispatch_virtually(&config, jobs, workers), predicted);
        }

        #[test]
        fn no_instant_has_more_of_a_group_running_than_its_limit_and_every_job_runs_once(
            (jobs, limits, workers) in arb_jobs()
        ) {
            let config = config(limits);
            let count = jobs.len();
            let jobs: Vec<Job> = jobs
                .into_iter()
                .enumerate()
                .map(|(index, (groups, ms))| grouped_job(index, groups, ms))
                .collect();
            let mut dispatcher = Dispatcher::new(&config, jobs, workers, JobId::new(0));
            let base = Instant::now();
            let mut now = Duration::ZERO;
            let mut running: Vec<(Duration, Start)> = Vec::new();
            let mut started = 0;
            loop {
                while let Some(start) = dispatcher.next_start(base + now) {
                    started += 1;
                    running.push((now + start.job.estimate, start));
                    for (group, &limit) in limits.iter().enumerate() {
                        let of_group = running.iter().filter(|(_, s)| s.job.groups.contains(&group)).count();
                        prop_assert!(of_group <= limit, "group {} runs {} jobs, limit {}", group, of_group, limit);
                    }
                }
                if dispatcher.has_free_worker() {
                    // A worker idles only while every waiting job's group is full.
                    for waiting in dispatcher.queue.iter() {
                        prop_assert!(!dispatcher.groups.admits(&waiting.groups), "{:?} could start", waiting.targets);
                    }
                }
                let Some(next) = (0..running.len()).min_by_key(|&i| (running[i].0, running[i].1.id)) else {
                    break;
                };
                let (end, start) = running.swap_remove(next);
                now = end;
                let id = format!("{}::t", start.job.files()[0]);
                let done = output(&start, &[(id.as_str(), Outcome::Passed)], &[]);
                dispatcher.finished(start.job, done, false, base + now, &mut no_events);
            }
            prop_assert!(!dispatcher.has_waiting());
            prop_assert_eq!(started, count);
            let done = dispatcher.finish();
            prop_assert_eq!(done.jobs.len(), count);
            prop_assert_eq!(done.tests.len(), count, "every job's test once");
            prop_assert!(done.tests.iter().all(|t| t.attempts.len() == 1));
        }
    }
}

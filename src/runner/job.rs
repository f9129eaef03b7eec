//! [`Job`] and [`run_job`]: one runner invocation, started in its environment, and what the
//! interpreter (`super::interpret`) made of what it left.
//!
//! `run_job` builds the job's command and environment variables, clears the report location
//! (so a stale report can never become a pass), runs the process (inside the compose
//! environment's `exec` service when the suite asks for it, stopping the work inside the
//! container when the job is timed out or cancelled), hands how it ended to
//! [`interpret`], and collects the environment's diagnostics when a test failed.

use std::time::Duration;

use camino::{Utf8Path, Utf8PathBuf};
use tokio::sync::watch;

use super::RunDir;
use super::executor::{CommandSpec, Placement, run_command};
pub(super) use super::interpret::TestAttempt;
use super::interpret::{Exit, InterpretInput, JobEnd, ReportLocation, interpret, read_report};
use super::job_id::JobId;
use crate::config::Suite;
use crate::exec::Shutdown;
use crate::results::{JobExit, JobRecord};
use crate::runners::{Invocation, ReportSource, Target};
use crate::suite_index::SuiteIndex;
use crate::worker_slot::WorkerSlot;

/// A job waiting in the queue.
#[derive(Clone, Debug)]
pub struct Job {
    /// Its suite in the config.
    pub suite: SuiteIndex,
    /// What it runs: whole files, or single tests.
    pub targets: Vec<Target>,
    /// Estimate of each target (same order).
    pub estimates: Vec<Duration>,
    /// 1 for first runs.
    pub attempt: u32,
    /// Predicted wall time, start-up included.
    pub estimate: Duration,
    /// Not to be started before this instant (retry back-off).
    pub not_before: Option<tokio::time::Instant>,
    /// The remote batch it comes from (its retries and requeues keep it), so the batch can be
    /// reported done once all of its jobs are; `None` for planned work.
    pub origin: Option<u64>,
    /// The test groups (indices into the config's `groups`) its targets belong to, sorted: it
    /// starts only while each of them is below its `max-concurrency`.
    pub groups: Vec<usize>,
}

impl Job {
    /// The distinct files of its targets.
    #[must_use]
    pub fn files(&self) -> Vec<String> {
        crate::runners::distinct_files(&self.targets)
    }
}

/// A worker's copy of the suite's compose environment, as a job sees it.
#[derive(Clone, Debug)]
pub struct JobEnvironment {
    /// The worker's environment.
    pub worker: std::sync::Arc<crate::envs::WorkerEnv>,
    /// Whether jobs run inside the environment's `exec` service.
    pub exec: bool,
    /// How many failed jobs of this worker had diagnostics collected.
    pub diagnosed: std::sync::Arc<std::sync::atomic::AtomicUsize>,
}

/// Diagnostics are collected for at most this many failed jobs per worker.
const DIAGNOSTICS_PER_WORKER: usize = 3;

/// What a finished job produced.
pub(super) struct JobOutput {
    /// The worker slot it ran on (free again).
    pub(super) worker: WorkerSlot,
    pub(super) record: JobRecord,
    pub(super) tests: Vec<TestAttempt>,
}

/// Everything a job needs that is shared by the run.
pub(super) struct JobEnv<'a> {
    pub(super) root: &'a Utf8Path,
    pub(super) run_dir: &'a RunDir,
    pub(super) suite: &'a Suite,
    pub(super) id: JobId,
    pub(super) worker: WorkerSlot,
    pub(super) started: Duration,
    pub(super) deselect: &'a [String],
    pub(super) environment: Option<&'a JobEnvironment>,
}

pub(super) async fn run_job(job: &Job, env: &JobEnv<'_>, shutdown: &mut watch::Receiver<Shutdown>) -> JobOutput {
    let result_path = report_path(env);
    let invocation = Invocation {
        targets: &job.targets,
        result: result_path.as_str(),
        root: env.root,
        worker: env.worker.get(),
        run_id: &env.run_dir.run_id,
        select: env.suite.select.as_deref(),
        deselect: env.deselect,
    };
    let argv = env.suite.command.argv(&invocation);
    let mut variables = env.suite.env.clone();
    variables.extend(env.suite.command.adapter().environment(&invocation));
    variables.extend([
        ("FLOTILLA_WORKER".to_string(), env.worker.to_string()),
        ("FLOTILLA_RUN_ID".to_string(), env.run_dir.run_id.clone()),
        ("FLOTILLA_SUITE".to_string(), env.suite.name.clone()),
        ("FLOTILLA_ATTEMPT".to_string(), job.attempt.to_string()),
        ("FLOTILLA_RESULT".to_string(), result_path.to_string()),
    ]);
    if let Some(select) = &env.suite.select {
        variables.push(("FLOTILLA_SELECT".to_string(), select.clone()));
    }
    let mut record = JobRecord {
        id: env.id.get(),
        suite: env.suite.name.clone(),
        worker: env.worker.get(),
        attempt: job.attempt,
        files: job.files(),
        tests: job.targets.iter().filter_map(|t| t.test.clone()).collect(),
        started: env.started,
        duration: Duration::ZERO,
        estimate: job.estimate,
        exit: JobExit::Interrupted,
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
    };
    // Clears the report location (and writes the adapter's support files) before the job starts.
    if let Err(error) = env.suite.command.adapter().prepare_job(&result_path) {
        let message = format!("could not prepare the report location `{result_path}`: {error}");
        record.exit = JobExit::SpawnFailed {
            message: message.clone(),
        };
        let tests = interpreted(job, env, &mut record, JobEnd::NotStarted(message), Duration::ZERO);
        return JobOutput {
            worker: env.worker,
            record,
            tests,
        };
    }
    let placement = match env.environment {
        Some(environment) if environment.exec => Placement::ExecService,
        _ => Placement::Host,
    };
    let executed = run_command(
        CommandSpec {
            argv,
            variables,
            cwd: env.root.to_path_buf(),
            stdout: env.run_dir.stdout(env.id),
            stderr: env.run_dir.stderr(env.id),
            timeout: env.suite.timeout,
            grace: env.suite.timeout_grace,
            relay: None,
            environment: env.environment,
            placement,
        },
        shutdown,
    )
    .await;
    record.duration = executed.duration;
    record.stdout = executed.stdout;
    record.stderr = executed.stderr;
    record.error = executed.problem;
    record.leaky = executed.leaked;
    record.cpu = executed.usage.cpu;
    record.max_rss = executed.usage.max_rss;
    let end = match executed.exit.clone() {
        JobExit::Interrupted => JobEnd::Cancelled,
        JobExit::TimedOut => JobEnd::TimedOut {
            limit: env.suite.timeout.unwrap_or_default(),
        },
        JobExit::Exited { code } => JobEnd::Exited(Exit::Code(code)),
        JobExit::Signaled { signal } => JobEnd::Exited(Exit::Signal(signal)),
        JobExit::SpawnFailed { message } => JobEnd::NotStarted(message),
    };
    record.exit = executed.exit;
    let tests = interpreted(job, env, &mut record, end, executed.duration);
    if let Some(environment) = env.environment
        && tests.iter().any(|t| t.attempt.outcome.is_failure())
        && environment.diagnosed.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < DIAGNOSTICS_PER_WORKER
    {
        let reason = format!("job {} ({}) failed", env.id, record.files.join(" "));
        if let Ok(diagnostics) = environment.worker.collect_diagnostics(&reason).await {
            record.diagnostics = Some(diagnostics.dir);
        }
    }
    JobOutput {
        worker: env.worker,
        record,
        tests,
    }
}

/// What the interpreter makes of the job's `end`, written into its `record`: the attempts, and
/// the record's error (when the interpreter has one: else the executor's stays), report,
/// reported duration and requeued targets.
fn interpreted(job: &Job, env: &JobEnv<'_>, record: &mut JobRecord, end: JobEnd, wall: Duration) -> Vec<TestAttempt> {
    let adapter = env.suite.command.adapter();
    let path = report_path(env);
    let stdout = env.run_dir.stdout(env.id);
    let stderr = env.run_dir.stderr(env.id);
    let read = || read_report(adapter.report(), &path, &stdout, &stderr);
    let tail = || log_tail(&stdout, &stderr);
    let output = || {
        // A job that printed nothing on a stream leaves no log of it.
        let read = |path: &Utf8Path| std::fs::read_to_string(path).unwrap_or_default();
        format!("{}\n{}", read(&stdout), read(&stderr))
    };
    let interpretation = interpret(&InterpretInput {
        targets: &job.targets,
        estimates: &job.estimates,
        attempt: job.attempt,
        worker: env.worker.get(),
        job: env.id.get(),
        adapter,
        root: env.root,
        deselected: env.deselect,
        report: ReportLocation {
            path: &path,
            stdout: &stdout,
        },
        end,
        wall,
        read_report: &read,
        log_tail: &tail,
        read_output: &output,
    });
    if let Some(error) = interpretation.error {
        record.error = Some(error.to_string());
    }
    record.report = interpretation.report;
    record.reported = interpretation.reported;
    record.requeued = interpretation.requeued;
    interpretation.tests
}

/// Where job `id`'s report goes: `results/job-NNNNN.<ext>` with the format's extension, or the
/// folder `results/job-NNNNN` for runners that write one file per spec.
pub(super) fn report_path(env: &JobEnv<'_>) -> Utf8PathBuf {
    let path = env.run_dir.result(env.id);
    match env.suite.command.adapter().report() {
        ReportSource::Dir(_) => path.with_extension(""),
        source => path.with_extension(source.format().extension()),
    }
}

/// The end of the job's stderr and stdout, for errors the runner only printed.
fn log_tail(stdout: &Utf8Path, stderr: &Utf8Path) -> String {
    let stderr = crate::fsutil::tail(stderr, 4000);
    let stdout = crate::fsutil::tail(stdout, 2000);
    [stderr.trim(), stdout.trim()]
        .into_iter()
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

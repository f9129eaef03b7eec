//! [`Job`] and [`run_job`]: one runner invocation and the per-test attempts it produced.
//!
//! With machine-readable results (JUnit at `{result}`), its cases are the results: a malformed
//! report makes every target of the job an error; a non-zero exit with no failing case is an
//! error "outside tests", never a pass; cases the adapter recognises as collection or import
//! errors are errors outside tests too. Without results, each target is one test whose outcome
//! is the exit code.

use std::time::Duration;

use camino::Utf8Path;
use tokio::sync::watch;

use super::RunDir;
use crate::config::Suite;
use crate::exec::{ProcessEnd, ProcessSpec, run_process};
use crate::results::{Attempt, JobExit, JobRecord, Outcome, ReportedCase, ReportedStatus, parse_junit};
use crate::runners::{Invocation, ReportFormat, ReportSource, Target};
use crate::signal::Shutdown;

/// A job waiting in the queue.
#[derive(Clone, Debug)]
pub struct Job {
    /// Index of the suite in the config.
    pub suite: usize,
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
}

impl Job {
    /// The distinct files of its targets.
    #[must_use]
    pub fn files(&self) -> Vec<String> {
        let mut files: Vec<String> = self.targets.iter().map(|t| t.file.clone()).collect();
        files.dedup();
        let mut seen = std::collections::HashSet::new();
        files.retain(|f| seen.insert(f.clone()));
        files
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

/// One test's attempt, with the identity it belongs to.
#[derive(Clone, Debug)]
pub(super) struct TestAttempt {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) classname: Option<String>,
    pub(super) file: String,
    /// A failure outside any test: never retried.
    pub(super) outside_tests: bool,
    pub(super) attempt: Attempt,
}

/// What a finished job produced.
pub(super) struct JobOutput {
    pub(super) record: JobRecord,
    pub(super) tests: Vec<TestAttempt>,
}

/// Everything a job needs that is shared by the run.
pub(super) struct JobEnv<'a> {
    pub(super) root: &'a Utf8Path,
    pub(super) run_dir: &'a RunDir,
    pub(super) suite: &'a Suite,
    pub(super) id: usize,
    pub(super) worker: usize,
    pub(super) started: Duration,
    pub(super) deselect: &'a [String],
    pub(super) environment: Option<&'a JobEnvironment>,
}

pub(super) async fn run_job(job: &Job, env: &JobEnv<'_>, shutdown: &mut watch::Receiver<Shutdown>) -> JobOutput {
    let result_path = env.run_dir.result(env.id);
    let argv = env.suite.command.argv(&Invocation {
        targets: &job.targets,
        result: result_path.as_str(),
        worker: env.worker,
        run_id: &env.run_dir.run_id,
        select: env.suite.select.as_deref(),
        deselect: env.deselect,
    });
    let mut variables = env.suite.environment.clone();
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
    // The job's result path must not hold anything stale: a crashed job must never look green.
    let _ = std::fs::remove_file(&result_path);
    let mut exec_tag = None;
    let (argv, variables) = match env.environment {
        None => (argv, variables),
        Some(environment) => {
            variables.extend(environment.worker.job_env());
            if environment.exec {
                match environment.worker.exec_command(&argv, &variables) {
                    Ok(command) => {
                        exec_tag = Some(command.tag);
                        (command.argv, command.env)
                    }
                    Err(error) => (
                        vec![std::ffi::OsString::from(format!(
                            "<exec in environment failed: {error}>"
                        ))],
                        variables,
                    ),
                }
            } else {
                (argv, variables)
            }
        }
    };
    let spec = ProcessSpec {
        argv,
        cwd: env.root.to_path_buf(),
        env: variables,
        stdout: env.run_dir.stdout(env.id),
        stderr: env.run_dir.stderr(env.id),
        timeout: env.suite.timeout,
        grace: env.suite.timeout_grace,
        relay: None,
    };
    let mut record = JobRecord {
        id: env.id,
        suite: env.suite.name.clone(),
        worker: env.worker,
        attempt: job.attempt,
        files: job.files(),
        tests: job.targets.iter().filter_map(|t| t.test.clone()).collect(),
        started: env.started,
        duration: Duration::ZERO,
        estimate: job.estimate,
        exit: JobExit::Interrupted,
        stdout: spec.stdout.clone(),
        stderr: spec.stderr.clone(),
        report: None,
        diagnostics: None,
        error: None,
        reported: None,
    };
    let result = match run_process(&spec, shutdown).await {
        Ok(result) => result,
        Err(error) => {
            let message = error.to_string();
            record.exit = JobExit::SpawnFailed {
                message: message.clone(),
            };
            record.error = Some(message.clone());
            let tests = per_target(job, env, Outcome::Error, Duration::ZERO, Some(&message));
            return JobOutput { record, tests };
        }
    };
    record.duration = result.duration;
    if let (Some(environment), Some(tag), ProcessEnd::TimedOut | ProcessEnd::Cancelled) =
        (env.environment, &exec_tag, result.end)
    {
        // Killing the exec client does not stop the work inside the container.
        if let Err(error) = environment.worker.kill_job(tag).await {
            record.error = Some(format!("could not stop the job inside its container: {error}"));
        }
    }
    let tests = match result.end {
        ProcessEnd::Cancelled => {
            record.exit = JobExit::Interrupted;
            Vec::new()
        }
        ProcessEnd::TimedOut => {
            record.exit = JobExit::TimedOut;
            let limit = env.suite.timeout.unwrap_or_default();
            let message = format!(
                "timed out after {}; its process group was killed",
                humantime::format_duration(limit)
            );
            per_target(job, env, Outcome::TimedOut, result.duration, Some(&message))
        }
        ProcessEnd::Exited(code) => {
            record.exit = JobExit::Exited { code };
            finished(job, env, &mut record, code, None)
        }
        ProcessEnd::Signaled(signal) => {
            record.exit = JobExit::Signaled { signal };
            finished(job, env, &mut record, -1, Some(signal))
        }
    };
    if let Some(environment) = env.environment
        && tests.iter().any(|t| t.attempt.outcome.is_failure())
        && environment.diagnosed.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < DIAGNOSTICS_PER_WORKER
    {
        let reason = format!("job {} ({}) failed", env.id, record.files.join(" "));
        if let Ok(diagnostics) = environment.worker.collect_diagnostics(&reason).await {
            record.diagnostics = Some(diagnostics.dir);
        }
    }
    JobOutput { record, tests }
}

/// Results of a job whose process ended by itself.
fn finished(job: &Job, env: &JobEnv<'_>, record: &mut JobRecord, code: i32, signal: Option<i32>) -> Vec<TestAttempt> {
    let exit_message = match signal {
        Some(signal) => format!("killed by signal {}", signal_name(signal)),
        None => format!("exited with code {code}"),
    };
    let ReportSource::File(format) = env.suite.command.adapter().report();
    let report_path = env.run_dir.result(env.id);
    let Ok(text) = std::fs::read_to_string(&report_path) else {
        let success = signal.is_none() && env.suite.command.adapter().success_code(code);
        let outcome = if success { Outcome::Passed } else { Outcome::Failed };
        let message = (outcome != Outcome::Passed).then_some(exit_message);
        return per_target(job, env, outcome, record.duration, message.as_deref());
    };
    let parsed = match format {
        ReportFormat::Junit => parse_junit(&text),
    };
    let cases = match parsed {
        Ok(cases) => cases,
        Err(problem) => {
            let message = format!("malformed {} report `{report_path}`: {problem}", format.name());
            record.error = Some(message.clone());
            return per_target(job, env, Outcome::Error, record.duration, Some(&message));
        }
    };
    record.report = Some(report_path);
    record.reported = Some(cases.iter().map(|c| Duration::from_secs_f64(c.time)).sum());
    let files = job.files();
    let adapter = env.suite.command.adapter();
    let mut tests: Vec<TestAttempt> = cases
        .iter()
        .map(|case| reported(job, env, case, &files, adapter.is_outside_tests(case)))
        .collect();
    let failing = tests.iter().any(|t| t.attempt.outcome.is_failure());
    if (signal.is_some() || !adapter.success_code(code)) && !failing {
        // The runner failed outside any test (collection, import, a crash after the report):
        // report it; never let the passing cases hide it.
        let message = format!("{exit_message} although its report has no failing test: an error outside tests");
        record.error = Some(message.clone());
        for file in &files {
            let mut attempt = attempt_for(
                env,
                job,
                format!("{file}::<outside tests>"),
                "errors outside tests".into(),
                None,
                file.clone(),
                Outcome::Error,
                Duration::ZERO,
                Some(&message),
            );
            attempt.outside_tests = true;
            tests.push(attempt);
        }
    }
    tests
}

/// One result per target, sharing `wall` between them by their estimates.
fn per_target(
    job: &Job,
    env: &JobEnv<'_>,
    outcome: Outcome,
    wall: Duration,
    message: Option<&str>,
) -> Vec<TestAttempt> {
    let total: f64 = job.estimates.iter().map(Duration::as_secs_f64).sum();
    job.targets
        .iter()
        .zip(&job.estimates)
        .map(|(target, estimate)| {
            let share = if total > 0.0 {
                estimate.as_secs_f64() / total
            } else {
                1.0 / job.targets.len() as f64
            };
            attempt_for(
                env,
                job,
                target.id().to_string(),
                target.id().to_string(),
                None,
                target.file.clone(),
                outcome,
                wall.mul_f64(share),
                message,
            )
        })
        .collect()
}

fn reported(job: &Job, env: &JobEnv<'_>, case: &ReportedCase, files: &[String], outside_tests: bool) -> TestAttempt {
    let file = file_of(case, files, env.root);
    let module = module_of(&file);
    let scope = case
        .classname
        .as_deref()
        .map(|c| c.strip_prefix(&module).map_or(c, |rest| rest.trim_start_matches('.')));
    let id = if outside_tests {
        format!("{file}::<outside tests>")
    } else {
        match scope {
            Some(scope) if !scope.is_empty() => format!("{file}::{scope}::{}", case.name),
            _ => format!("{file}::{}", case.name),
        }
    };
    let outcome = match case.status {
        ReportedStatus::Passed => Outcome::Passed,
        ReportedStatus::Failed => Outcome::Failed,
        ReportedStatus::Error => Outcome::Error,
        ReportedStatus::Skipped => Outcome::Skipped,
    };
    let name = if outside_tests {
        "errors outside tests".to_string()
    } else {
        case.name.clone()
    };
    let mut attempt = attempt_for(
        env,
        job,
        id,
        name,
        case.classname.clone(),
        file,
        outcome,
        Duration::from_secs_f64(case.time),
        case.message.as_deref(),
    );
    attempt.outside_tests = outside_tests;
    attempt.attempt.output.clone_from(&case.output);
    attempt
}

#[expect(
    clippy::too_many_arguments,
    reason = "a flat constructor reads better than a builder here"
)]
fn attempt_for(
    env: &JobEnv<'_>,
    job: &Job,
    id: String,
    name: String,
    classname: Option<String>,
    file: String,
    outcome: Outcome,
    duration: Duration,
    message: Option<&str>,
) -> TestAttempt {
    TestAttempt {
        id,
        name,
        classname,
        file,
        outside_tests: false,
        attempt: Attempt {
            attempt: job.attempt,
            outcome,
            duration,
            worker: env.worker,
            job: env.id,
            message: message.map(str::to_string),
            output: None,
        },
    }
}

/// The job file a reported case belongs to: its `file` attribute (normalised), the only file
/// of the job, or the file whose module path its classname names; else the job's first file.
fn file_of(case: &ReportedCase, files: &[String], root: &Utf8Path) -> String {
    if let Some(reported) = &case.file {
        let reported = Utf8Path::new(reported);
        let relative = reported.strip_prefix(root).unwrap_or(reported);
        let relative = relative.as_str().trim_start_matches("./");
        if let Some(file) = files.iter().find(|f| f.as_str() == relative) {
            return file.clone();
        }
    }
    if files.len() == 1 {
        return files[0].clone();
    }
    if let Some(classname) = &case.classname
        && let Some(file) = files.iter().find(|f| {
            let module = module_of(f);
            classname == &module || classname.starts_with(&format!("{module}."))
        })
    {
        return file.clone();
    }
    files.first().cloned().unwrap_or_default()
}

/// `tests/test_a.py` → `tests.test_a` (how pytest and friends spell classnames).
fn module_of(file: &str) -> String {
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    stem.replace('/', ".")
}

fn signal_name(signal: i32) -> String {
    nix::sys::signal::Signal::try_from(signal).map_or_else(|_| format!("{signal}"), |s| s.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(file: Option<&str>, classname: Option<&str>) -> ReportedCase {
        ReportedCase {
            name: "t".into(),
            classname: classname.map(str::to_string),
            file: file.map(str::to_string),
            time: 0.0,
            status: ReportedStatus::Passed,
            message: None,
            output: None,
            flaky_runs: 0,
            ..ReportedCase::default()
        }
    }

    #[test]
    fn cases_map_to_job_files() {
        let files = vec!["tests/test_a.py".to_string(), "tests/test_b.py".to_string()];
        let root = Utf8Path::new("/repo");
        assert_eq!(
            file_of(&case(Some("./tests/test_b.py"), None), &files, root),
            "tests/test_b.py"
        );
        assert_eq!(
            file_of(&case(Some("/repo/tests/test_b.py"), None), &files, root),
            "tests/test_b.py"
        );
        assert_eq!(
            file_of(&case(None, Some("tests.test_b.TestX")), &files, root),
            "tests/test_b.py"
        );
        assert_eq!(
            file_of(&case(None, Some("tests.test_a")), &files, root),
            "tests/test_a.py"
        );
        assert_eq!(
            file_of(&case(None, Some("other")), &files[1..], root),
            "tests/test_b.py"
        );
    }
}

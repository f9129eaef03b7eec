//! [`Job`] and [`run_job`]: one runner invocation and the per-test attempts it produced.
//!
//! With machine-readable results (the runner's report at `{result}`, on its stdout, or in a
//! folder of files: see `ReportSource`), its cases are the results, each with the stable id
//! the adapter gives it (the same id listing gives, so split and retried tests keep their
//! history): a malformed report makes every target of the job an error; a non-zero exit with
//! no failing case is an error "outside tests", never a pass; the report's own errors outside
//! tests (collection, import, compile, load errors) are blamed on the files they name and
//! reported as errors that are never retried. When a runner stopped at such an error before
//! running anything (RSpec, Cucumber, a cargo build), the files it never reached are queued
//! again (`JobRecord::requeued`) instead of being reported. Without results, each target is
//! one test whose outcome is the exit code. The report location is cleared before every job,
//! so a stale report can never become a pass.

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use camino::{Utf8Path, Utf8PathBuf};
use tokio::sync::watch;

use super::RunDir;
use crate::config::Suite;
use crate::exec::{ProcessEnd, ProcessSpec, run_process};
use crate::results::formats::{
    ParsedReport, parse_cucumber_json, parse_go_test_json, parse_jest_json, parse_junit_report, parse_mocha_junit,
    parse_node_events, parse_playwright_json, parse_rspec_json, parse_vitest_json,
};
use crate::results::{Attempt, JobExit, JobRecord, Outcome, ReportedCase, ReportedStatus};
use crate::runners::{Adapter, Invocation, Project, ReportFormat, ReportSource, Target, project_file};
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
    let result_path = report_path(env);
    let invocation = Invocation {
        targets: &job.targets,
        result: result_path.as_str(),
        root: env.root,
        worker: env.worker,
        run_id: &env.run_dir.run_id,
        select: env.suite.select.as_deref(),
        deselect: env.deselect,
    };
    let argv = env.suite.command.argv(&invocation);
    let mut variables = env.suite.environment.clone();
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
        stdout: None,
        stderr: None,
        report: None,
        diagnostics: None,
        error: None,
        reported: None,
        requeued: Vec::new(),
    };
    if let Err(message) = prepare_report(env, &result_path) {
        record.exit = JobExit::SpawnFailed {
            message: message.clone(),
        };
        record.error = Some(message.clone());
        let tests = per_target(job, env, Outcome::Error, Duration::ZERO, Some(&message));
        return JobOutput { record, tests };
    }
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
    record.stdout = result.stdout;
    record.stderr = result.stderr;
    record.error = result.capture_error;
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
    let tests = with_deselected(job, env, tests);
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

/// `tests` plus a skipped attempt for each quarantined test the runner left out of a whole file
/// this job ran: it never appears in the runner's report, yet it must not vanish from results.
fn with_deselected(job: &Job, env: &JobEnv<'_>, mut tests: Vec<TestAttempt>) -> Vec<TestAttempt> {
    if tests.is_empty() {
        // Interrupted: nothing of the job is reported.
        return tests;
    }
    for id in env.deselect {
        let Some((file, name)) = id.split_once("::") else {
            continue;
        };
        let whole_file = job.targets.iter().any(|t| t.test.is_none() && t.file == file);
        if whole_file && !tests.iter().any(|t| t.id == *id) {
            tests.push(attempt_for(
                env,
                job,
                id.clone(),
                name.to_string(),
                None,
                file.to_string(),
                Outcome::Skipped,
                Duration::ZERO,
                Some("quarantined (skip): not run"),
            ));
        }
    }
    tests
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

/// Clears the report location (and writes the adapter's support files) before the job starts.
fn prepare_report(env: &JobEnv<'_>, path: &Utf8Path) -> Result<(), String> {
    env.suite
        .command
        .adapter()
        .prepare_job(path)
        .map_err(|error| format!("could not prepare the report location `{path}`: {error}"))
}

/// Results of a job whose process ended by itself.
fn finished(job: &Job, env: &JobEnv<'_>, record: &mut JobRecord, code: i32, signal: Option<i32>) -> Vec<TestAttempt> {
    let exit_message = match signal {
        Some(signal) => format!("killed by signal {}", signal_name(signal)),
        None => format!("exited with code {code}"),
    };
    let adapter = env.suite.command.adapter();
    let source = adapter.report();
    let format = source.format();
    let report_path = report_path(env);
    let failed_exit = signal.is_some() || !adapter.success_code(code);
    let aborted_code = signal.is_none() && adapter.aborts_without_report(code);
    let files = job.files();
    let project = Project {
        root: env.root,
        files: &files,
    };
    let parsed = match load_report(source, &report_path, env) {
        Some(Ok(parsed)) => Some(parsed),
        // A runner that stopped before running anything leaves no report, or an empty one.
        Some(Err(_)) if aborted_code => None,
        // go's "report" is its output: a failed `go` with no events said why on stderr.
        Some(Err(_)) if matches!(source, ReportSource::Stdout(_)) && failed_exit => None,
        Some(Err(problem)) => {
            let message = format!("malformed {} report `{report_path}`: {problem}", format.name());
            record.error = Some(message.clone());
            return per_target(job, env, Outcome::Error, record.duration, Some(&message));
        }
        None => None,
    };
    let parsed = match parsed {
        Some(parsed) => {
            record.report = Some(match source {
                ReportSource::Stdout(_) => env.run_dir.stdout(env.id),
                _ => report_path,
            });
            parsed
        }
        None if aborted_code => ParsedReport {
            cases: Vec::new(),
            errors_outside_tests: vec![format!(
                "{exit_message} without results: the runner stopped before running any test (an error outside tests):\n{}",
                log_tail(env)
            )],
        },
        None if !failed_exit && adapter.report_required() => {
            // A built-in runner always writes its report: without one, nothing is known.
            let message = format!("{exit_message} but wrote no report at `{report_path}`: its results are unknown");
            record.error = Some(message.clone());
            return per_target(job, env, Outcome::Error, record.duration, Some(&message));
        }
        None => {
            let success = !failed_exit;
            let outcome = if success { Outcome::Passed } else { Outcome::Failed };
            let message = (outcome != Outcome::Passed).then_some(exit_message);
            return per_target(job, env, outcome, record.duration, message.as_deref());
        }
    };
    record.reported = Some(parsed.cases.iter().map(|c| Duration::from_secs_f64(c.time)).sum());
    let names = adapter.report_names(&project);
    let context = CaseContext {
        job,
        env,
        adapter,
        junit: format == ReportFormat::Junit,
        files: &files,
        names: &names,
        canonical_root: env.root.canonicalize_utf8().ok(),
    };
    let mut tests: Vec<TestAttempt> = parsed
        .cases
        .iter()
        .filter_map(|case| reported(&context, case))
        .collect();
    let ran_tests = tests.iter().any(|t| !t.outside_tests);
    tests = merge_duplicates(unselected_dropped(job, tests));
    let blamed = blame(adapter, &parsed.errors_outside_tests, &project, &names);
    if !ran_tests && !blamed.is_empty() && blamed.len() < files.len() {
        // The runner stopped at an error outside tests before running anything: the other
        // files never ran. They are queued again, not reported.
        record.requeued = job
            .targets
            .iter()
            .filter(|t| !blamed.contains_key(&t.file))
            .map(|t| t.id().to_string())
            .collect();
        record.error = Some(format!(
            "{exit_message}: the runner stopped at an error outside tests in {} before running any test; {} target(s) it never reached are queued again",
            blamed.keys().map(String::as_str).collect::<Vec<_>>().join(", "),
            record.requeued.len()
        ));
    }
    for (file, messages) in blamed {
        tests.push(outside_attempt(env, job, file, &messages.join("\n\n")));
    }
    let tests = merge_duplicates(tests);
    let failing = tests.iter().any(|t| t.attempt.outcome.is_failure());
    if failed_exit && !failing && !adapter.trusts_report_over_exit() {
        // The runner failed outside any test (collection, import, a crash after the report):
        // report it; never let the passing cases hide it.
        let message = format!("{exit_message} although its report has no failing test: an error outside tests");
        record.error = Some(message.clone());
        let mut tests = tests;
        tests.extend(
            files
                .iter()
                .map(|file| outside_attempt(env, job, file.clone(), &message)),
        );
        return tests;
    }
    tests
}

/// The job files each error outside tests is about (the adapter's [`Adapter::blame`]); an
/// error that names none of them is about every file of the job.
fn blame(
    adapter: &dyn Adapter,
    errors: &[String],
    project: &Project<'_>,
    names: &[(String, String)],
) -> BTreeMap<String, Vec<String>> {
    let mut blamed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for message in errors {
        let mut files = adapter.blame(message, project, names);
        if files.is_empty() {
            files = project.files.to_vec();
        }
        for file in files {
            blamed.entry(file).or_default().push(message.clone());
        }
    }
    blamed
}

/// The error outside tests of `file` (`file::<outside tests>`): never retried.
fn outside_attempt(env: &JobEnv<'_>, job: &Job, file: String, message: &str) -> TestAttempt {
    let mut attempt = attempt_for(
        env,
        job,
        format!("{file}::<outside tests>"),
        "errors outside tests".into(),
        None,
        file,
        Outcome::Error,
        Duration::ZERO,
        Some(message),
    );
    attempt.outside_tests = true;
    attempt
}

/// The job's report, parsed, or `None` when it wrote none.
fn load_report(source: ReportSource, path: &Utf8Path, env: &JobEnv<'_>) -> Option<Result<ParsedReport, String>> {
    let root = env.root;
    match source {
        ReportSource::File(format) => {
            let text = std::fs::read_to_string(path).ok()?;
            Some(parse_report(format, &text, root))
        }
        ReportSource::Stdout(format) => {
            let stdout = std::fs::read_to_string(env.run_dir.stdout(env.id)).unwrap_or_default();
            let stderr = std::fs::read_to_string(env.run_dir.stderr(env.id)).unwrap_or_default();
            Some(parse_report(format, &format!("{stdout}\n{stderr}"), root))
        }
        ReportSource::Dir(format) => {
            let mut files: Vec<_> = std::fs::read_dir(path)
                .ok()?
                .flatten()
                .map(|entry| entry.path())
                .filter(|p| p.is_file())
                .collect();
            if files.is_empty() {
                return None;
            }
            files.sort();
            let mut merged = ParsedReport::default();
            for file in files {
                let parsed = std::fs::read_to_string(&file)
                    .map_err(|error| format!("{}: {error}", file.display()))
                    .and_then(|text| parse_report(format, &text, root))
                    .map_err(|problem| format!("{}: {problem}", file.display()));
                match parsed {
                    Ok(parsed) => {
                        merged.cases.extend(parsed.cases);
                        merged.errors_outside_tests.extend(parsed.errors_outside_tests);
                    }
                    Err(problem) => return Some(Err(problem)),
                }
            }
            Some(Ok(merged))
        }
    }
}

/// Dispatches to the parser of `format` (`src/results/formats/`).
fn parse_report(format: ReportFormat, text: &str, root: &Utf8Path) -> Result<ParsedReport, String> {
    match format {
        ReportFormat::Junit => parse_junit_report(text, root),
        ReportFormat::RspecJson => parse_rspec_json(text, root),
        ReportFormat::CucumberJson => parse_cucumber_json(text, root),
        ReportFormat::JestJson => parse_jest_json(text, root),
        ReportFormat::VitestJson => parse_vitest_json(text, root),
        ReportFormat::GoTestJson => parse_go_test_json(text, root),
        ReportFormat::NodeEvents => parse_node_events(text, root),
        ReportFormat::PlaywrightJson => parse_playwright_json(text, root),
        ReportFormat::MochaJunit => parse_mocha_junit(text, root),
    }
}

/// The end of the job's stderr and stdout, for errors the runner only printed.
fn log_tail(env: &JobEnv<'_>) -> String {
    let stderr = crate::fsutil::tail(&env.run_dir.stderr(env.id), 4000);
    let stdout = crate::fsutil::tail(&env.run_dir.stdout(env.id), 2000);
    [stderr.trim(), stdout.trim()]
        .into_iter()
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Drops the skipped cases of tests the job did not target: runners whose filter is a name
/// pattern (Jest `-t`) report every other test of the file as skipped.
fn unselected_dropped(job: &Job, tests: Vec<TestAttempt>) -> Vec<TestAttempt> {
    let whole: HashSet<&str> = job
        .targets
        .iter()
        .filter(|t| t.test.is_none())
        .map(|t| t.file.as_str())
        .collect();
    let narrowed: HashSet<&str> = job
        .targets
        .iter()
        .filter(|t| t.test.is_some() && !whole.contains(t.file.as_str()))
        .map(|t| t.file.as_str())
        .collect();
    let targeted: HashSet<&str> = job.targets.iter().filter_map(|t| t.test.as_deref()).collect();
    tests
        .into_iter()
        .filter(|t| {
            t.attempt.outcome != Outcome::Skipped
                || !narrowed.contains(t.file.as_str())
                || targeted.contains(t.id.as_str())
        })
        .collect()
}

/// One attempt per id: a report that names the same test twice (same-named tests in one
/// file) gives one result, failed if any of them failed, with their durations summed.
fn merge_duplicates(tests: Vec<TestAttempt>) -> Vec<TestAttempt> {
    let mut merged: Vec<TestAttempt> = Vec::with_capacity(tests.len());
    let mut index: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for test in tests {
        let Some(&at) = index.get(&test.id) else {
            index.insert(test.id.clone(), merged.len());
            merged.push(test);
            continue;
        };
        let kept = &mut merged[at];
        kept.attempt.duration += test.attempt.duration;
        if severity(test.attempt.outcome) > severity(kept.attempt.outcome) {
            kept.attempt.outcome = test.attempt.outcome;
            kept.attempt.message = test.attempt.message;
            kept.attempt.output = test.attempt.output;
        } else if kept.outside_tests
            && let Some(more) = test.attempt.message
        {
            let joined = match kept.attempt.message.take() {
                Some(first) if first != more => format!("{first}\n\n{more}"),
                Some(first) => first,
                None => more,
            };
            kept.attempt.message = Some(joined);
        }
    }
    merged
}

fn severity(outcome: Outcome) -> u8 {
    match outcome {
        Outcome::Skipped => 0,
        Outcome::Passed | Outcome::Flaky => 1,
        Outcome::Failed => 2,
        Outcome::TimedOut => 3,
        Outcome::Error => 4,
    }
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

/// What turning a job's reported cases into attempts needs.
struct CaseContext<'a> {
    job: &'a Job,
    env: &'a JobEnv<'a>,
    adapter: &'a dyn Adapter,
    /// Plain JUnit: files are matched tolerantly (classname module paths, the job's only file).
    junit: bool,
    files: &'a [String],
    /// How the report names units (go import paths, nextest binary ids).
    names: &'a [(String, String)],
    canonical_root: Option<Utf8PathBuf>,
}

/// The attempt for one reported case, or `None` for a case from a file the job did not run
/// that the adapter drops.
fn reported(ctx: &CaseContext<'_>, case: &ReportedCase) -> Option<TestAttempt> {
    let outside_tests = ctx.adapter.is_outside_tests(case);
    let file = case_file(ctx, case)?;
    let id = if outside_tests {
        format!("{file}::<outside tests>")
    } else {
        ctx.adapter.test_id(case, &file).unwrap_or_else(|| {
            let module = module_of(&file);
            let scope = case
                .classname
                .as_deref()
                .map(|c| c.strip_prefix(&module).map_or(c, |rest| rest.trim_start_matches('.')));
            match scope {
                Some(scope) if !scope.is_empty() => format!("{file}::{scope}::{}", case.name),
                _ => format!("{file}::{}", case.name),
            }
        })
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
        ctx.env,
        ctx.job,
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
    Some(attempt)
}

/// The job file (unit) a case belongs to: the unit its classname names (go packages, nextest
/// binaries); for JUnit, [`file_of`]; else its file, matched to the job's files (also through
/// the canonical root: runners report real paths), or kept as reported when it is not one of
/// them (unless the adapter drops those).
fn case_file(ctx: &CaseContext<'_>, case: &ReportedCase) -> Option<String> {
    if let Some(classname) = &case.classname
        && let Some((_, file)) = ctx.names.iter().find(|(name, _)| name == classname)
    {
        return Some(file.clone());
    }
    if ctx.junit || case.file.is_none() {
        return Some(file_of(case, ctx.files, ctx.env.root));
    }
    let reported = case.file.as_deref().unwrap_or_default();
    if let Some(file) = project_file(reported, ctx.files, ctx.env.root, ctx.canonical_root.as_deref()) {
        return Some(file);
    }
    (!ctx.adapter.drops_foreign_cases()).then(|| reported.to_string())
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

    fn attempt(id: &str, file: &str, outcome: Outcome) -> TestAttempt {
        TestAttempt {
            id: id.into(),
            name: id.into(),
            classname: None,
            file: file.into(),
            outside_tests: false,
            attempt: Attempt {
                attempt: 2,
                outcome,
                duration: Duration::from_secs(1),
                worker: 1,
                job: 0,
                message: Some(format!("{id} {}", outcome.as_str())),
                output: None,
            },
        }
    }

    fn job(targets: Vec<Target>) -> Job {
        Job {
            suite: 0,
            estimates: vec![Duration::from_secs(1); targets.len()],
            targets,
            attempt: 2,
            estimate: Duration::from_secs(1),
            not_before: None,
        }
    }

    #[test]
    fn skips_of_tests_a_name_filter_left_out_are_dropped() {
        let job = job(vec![
            Target {
                file: "a.test.js".into(),
                test: Some("a.test.js::x".into()),
            },
            Target::file("b.test.js"),
        ]);
        let tests = vec![
            attempt("a.test.js::x", "a.test.js", Outcome::Failed),
            attempt("a.test.js::y", "a.test.js", Outcome::Skipped),
            attempt("a.test.js::z", "a.test.js", Outcome::Passed),
            attempt("b.test.js::w", "b.test.js", Outcome::Skipped),
        ];
        let kept: Vec<String> = unselected_dropped(&job, tests).into_iter().map(|t| t.id).collect();
        assert_eq!(
            kept,
            ["a.test.js::x", "a.test.js::z", "b.test.js::w"],
            "a test that ran is kept; real skips of whole files are kept"
        );
    }

    #[test]
    fn duplicate_ids_merge_and_failure_wins() {
        let merged = merge_duplicates(vec![
            attempt("t::same", "t", Outcome::Passed),
            attempt("t::other", "t", Outcome::Passed),
            attempt("t::same", "t", Outcome::Failed),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].attempt.outcome, Outcome::Failed);
        assert_eq!(merged[0].attempt.duration, Duration::from_secs(2));
        assert_eq!(merged[0].attempt.message.as_deref(), Some("t::same failed"));
    }

    #[test]
    fn errors_outside_tests_are_blamed_on_the_files_they_name() {
        let files = vec!["spec/a_spec.rb".to_string(), "broken/b_spec.rb".to_string()];
        let project = Project {
            root: Utf8Path::new("/repo"),
            files: &files,
        };
        let adapter = crate::runners::RunnerKind::Rspec.adapter();
        let errors = vec![
            "An error occurred while loading ./broken/b_spec.rb.".to_string(),
            "An error occurred in an `after(:context)` hook.".to_string(),
        ];
        let blamed = blame(adapter, &errors, &project, &[]);
        assert_eq!(blamed["broken/b_spec.rb"].len(), 2);
        assert_eq!(
            blamed["spec/a_spec.rb"],
            ["An error occurred in an `after(:context)` hook."],
            "an error that names no file is about every file"
        );
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

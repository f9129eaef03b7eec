//! [`ReportData`]: what the page's script renders, built from the run folders' summary.json and
//! events.jsonl. Compact on purpose: 100,000 tests are rows of plain arrays with suite and file
//! names interned, and only the tests worth reading (failures, flaky, quarantined) carry their
//! attempts, messages and log tails.

use std::collections::HashMap;

use serde::Serialize;

use super::input::{Event, Row, RunInput, Summary};
use super::trends::Trends;
use crate::report::rerun::RerunCommands;

/// Outcome codes of [`TestRow`], in the order the script's table names them.
pub(super) const OUTCOMES: [&str; 8] = [
    "passed",
    "failed",
    "error",
    "skipped",
    "flaky",
    "timed_out",
    "muted",
    "cached",
];
/// Jobs whose output is embedded.
const MAX_LOGGED_JOBS: usize = 200;
/// The tail of each log embedded.
const LOG_TAIL: u64 = 64 * 1024;
/// A message is cut past this many bytes.
const MAX_MESSAGE: usize = 16 * 1024;
/// Entries in the slowest tests and files lists.
const SLOWEST: usize = 20;

/// Everything the page shows.
#[derive(Debug, Serialize)]
pub(super) struct ReportData {
    /// Version of this layout (the script checks it).
    pub v: u32,
    pub generated_at: String,
    pub outcomes: [&'static str; 8],
    pub runs: Vec<RunData>,
    pub suites: Vec<String>,
    pub files: Vec<String>,
    /// `[run, suite, file, name ("" = the file), outcome, duration ms, worker, job, attempts,
    /// detail (-1 = none)]`.
    pub tests: TestRows,
    /// `[run, suite, worker, attempt, start s, duration s, estimate s, [files], exit, error,
    /// printed anything (0/1), environment diagnostics]`.
    pub jobs: Vec<JobRow>,
    pub details: Vec<Detail>,
    /// Tests with details left out (past `input::MAX_DETAILS`).
    pub details_left_out: usize,
    /// Passed and skipped tests not listed (past `input::MAX_ROWS`).
    pub unlisted: usize,
    /// Captured output of jobs, by job index.
    pub logs: HashMap<usize, Vec<LogTail>>,
    /// Indexes into `tests`, slowest first.
    pub slowest_tests: Vec<usize>,
    /// `[file, suite, seconds, tests]`, slowest first.
    pub slowest_files: Vec<(usize, usize, f64, usize)>,
}

/// The runs' test rows, written as the page's arrays with names and indexes made global.
#[derive(Debug, Default)]
pub(super) struct TestRows(Vec<RunRows>);

#[derive(Debug)]
struct RunRows {
    run: usize,
    rows: Vec<Row>,
    suites: Vec<usize>,
    files: Vec<usize>,
    job_base: usize,
    detail_base: usize,
}

impl TestRows {
    /// Every row with its global index, its run's rows and the run's index maps.
    fn iter(&self) -> impl Iterator<Item = (&RunRows, &Row)> {
        self.0.iter().flat_map(|run| run.rows.iter().map(move |row| (run, row)))
    }
}

impl Serialize for TestRows {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeSeq;
        let mut seq = serializer.serialize_seq(Some(self.0.iter().map(|r| r.rows.len()).sum()))?;
        for (run, row) in self.iter() {
            let detail = if row.detail < 0 {
                -1
            } else {
                i64::from(row.detail) + i64::try_from(run.detail_base).unwrap_or(0)
            };
            seq.serialize_element(&(
                run.run,
                run.suites[row.suite as usize],
                run.files[row.file as usize],
                row.name.as_deref().unwrap_or(""),
                row.code,
                row.duration_ms,
                row.worker,
                run.job_base + row.job as usize,
                row.attempts,
                detail,
            ))?;
        }
        seq.end()
    }
}
pub(super) type JobRow = (
    usize,
    usize,
    usize,
    u32,
    f64,
    f64,
    f64,
    Vec<usize>,
    String,
    Option<String>,
    u8,
    Option<Link>,
);

/// One run folder (one node of a merged report).
#[derive(Debug, Serialize)]
pub(super) struct RunData {
    pub run_id: String,
    pub dir: String,
    pub started_at: String,
    pub duration: f64,
    pub predicted: f64,
    pub workers: usize,
    pub interrupted: bool,
    pub passed: bool,
    pub verdict: String,
    pub exit_code: Option<u8>,
    pub counts: super::input::Counts,
    pub timing_match: f64,
    pub flaky_result: String,
    pub not_run: Vec<(String, String)>,
    pub steps: Vec<StepData>,
    pub envs: Vec<EnvData>,
    pub warnings: Vec<String>,
    pub interrupting_at: Option<f64>,
    pub first_failure_at: Option<f64>,
    /// Median of (wall − reported) over this run's jobs that reported test durations.
    pub startup: Option<f64>,
    pub trends: Vec<super::trends::TrendPoint>,
    /// The schema version of its events.jsonl (none when the folder has no event log).
    pub events_version: Option<u32>,
}

#[derive(Debug, Serialize)]
pub(super) struct StepData {
    pub name: String,
    pub kind: String,
    pub cleanup: bool,
    pub outcome: String,
    pub start: Option<f64>,
    pub duration: f64,
}

#[derive(Debug, Default, Serialize)]
pub(super) struct EnvData {
    pub name: String,
    pub start: f64,
    pub ready: Option<f64>,
    pub down_start: Option<f64>,
    pub down_end: Option<f64>,
    pub error: Option<String>,
    pub diagnostics: Option<Link>,
    pub problems: Vec<String>,
}

/// A path as shown, and the link the page uses for it (relative to the report when it lies in
/// the run folder).
#[derive(Clone, Debug, Serialize)]
pub(super) struct Link {
    pub path: String,
    pub href: Option<String>,
}

/// A test worth reading in full.
#[derive(Debug, Serialize)]
pub(super) struct Detail {
    pub test: usize,
    pub id: String,
    pub quarantine: Option<String>,
    pub outside_tests: bool,
    pub attempts: Vec<AttemptData>,
    pub rerun: Option<String>,
    /// Its outcomes in the previous runs, oldest first (`""` = not in that run).
    pub recent: Vec<String>,
}

#[derive(Debug, Serialize)]
pub(super) struct AttemptData {
    pub attempt: u32,
    pub outcome: String,
    pub duration: f64,
    pub worker: usize,
    pub job: usize,
    pub message: Option<String>,
}

/// The tail of one captured stream.
#[derive(Debug, Serialize)]
pub(super) struct LogTail {
    pub stream: &'static str,
    pub link: Link,
    pub text: String,
    /// Bytes before the tail that are not embedded.
    pub skipped: u64,
}

/// Interns names: each suite and file is written once.
#[derive(Default)]
struct Interner(super::names::Names);

impl Interner {
    fn get(&mut self, name: &str) -> usize {
        self.0.get(name) as usize
    }
}

fn cut(text: &str, max: usize) -> String {
    if text.len() <= max {
        return text.to_string();
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}\n… ({} more bytes in summary.json)", &text[..end], text.len() - end)
}

/// `path` as shown and as a link: relative to the run folder when it lies inside it (the
/// folder may have moved, as a CI artifact does), else a file URL for an absolute path.
fn link(path: &str, run: &RunInput) -> Link {
    let marker = format!("/{}/", run.summary.run_id);
    let href = if let Some(at) = path.find(&marker) {
        Some(percent_encode_path(&path[at + marker.len()..]))
    } else if let Some(rest) = path.strip_prefix(&format!("{}/", run.summary.run_id)) {
        Some(percent_encode_path(rest))
    } else if path.starts_with('/') {
        Some(format!("file://{}", percent_encode_path(path)))
    } else {
        None
    };
    Link {
        path: path.to_string(),
        href,
    }
}

/// A path for a URL: bytes outside `[A-Za-z0-9-_./~]` percent-encoded (a `:` too, so that a
/// relative path never reads as a scheme).
pub(super) fn percent_encode_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for byte in path.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_./~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// How a job ended, as the page shows it (with "leaky" when processes outlived it).
fn exit_text(exit: &serde_json::Value, leaky: bool) -> String {
    let end = end_text(exit);
    if leaky {
        format!("{end}, leaky: processes outlived it")
    } else {
        end
    }
}

fn end_text(exit: &serde_json::Value) -> String {
    match exit.get("kind").and_then(|k| k.as_str()) {
        Some("exited") => format!(
            "exit {}",
            exit.get("code").and_then(serde_json::Value::as_i64).unwrap_or(-1)
        ),
        Some("signaled") => format!(
            "signal {}",
            exit.get("signal").and_then(serde_json::Value::as_i64).unwrap_or(0)
        ),
        Some("timed_out") => "timed out".to_string(),
        Some("interrupted") => "interrupted".to_string(),
        Some("spawn_failed") => format!(
            "could not start: {}",
            exit.get("message").and_then(|m| m.as_str()).unwrap_or("")
        ),
        _ => exit.to_string(),
    }
}

/// Builds the page's data from the runs read (one for a run, several for a merged report); the
/// runs' test rows move into it.
pub(super) fn build(runs: &mut [RunInput], reruns: &RerunCommands, trends: &[Trends]) -> ReportData {
    let mut suites = Interner::default();
    let mut files = Interner::default();
    let mut data = ReportData {
        v: 1,
        generated_at: chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
        outcomes: OUTCOMES,
        runs: Vec::new(),
        suites: Vec::new(),
        files: Vec::new(),
        tests: TestRows::default(),
        jobs: Vec::new(),
        details: Vec::new(),
        details_left_out: 0,
        unlisted: 0,
        logs: HashMap::new(),
        slowest_tests: Vec::new(),
        slowest_files: Vec::new(),
    };
    let mut logged_jobs = Vec::new();
    let mut job_bases = Vec::new();
    let mut row_base = 0;
    for (run_index, run) in runs.iter_mut().enumerate() {
        let job_base = data.jobs.len();
        job_bases.push(job_base);
        for job in &run.summary.jobs {
            let job_files = job.files.iter().map(|f| files.get(f)).collect();
            data.jobs.push((
                run_index,
                suites.get(&job.suite),
                job.worker,
                job.attempt,
                job.started_secs,
                job.duration_secs,
                job.estimate_secs,
                job_files,
                exit_text(&job.exit, job.leaky),
                job.error.as_deref().map(|e| cut(e, MAX_MESSAGE)),
                u8::from(job.stdout.is_some() || job.stderr.is_some()),
                job.diagnostics.as_deref().map(|d| link(d.as_str(), run)),
            ));
        }
        let empty_trends = Trends::default();
        let trend = trends.get(run_index).unwrap_or(&empty_trends);
        let tests = std::mem::take(&mut run.summary.tests);
        let detail_base = data.details.len();
        for (row, test) in &tests.details {
            let attempts: Vec<AttemptData> = test
                .attempts
                .iter()
                .map(|a| AttemptData {
                    attempt: a.attempt,
                    outcome: a.outcome.clone(),
                    duration: a.duration_secs,
                    worker: a.worker,
                    // A cached test's attempt names no job (`usize::MAX`).
                    job: job_base.saturating_add(a.job),
                    message: a.message.as_deref().map(|m| cut(m, MAX_MESSAGE)),
                })
                .collect();
            for a in &attempts {
                if !logged_jobs.contains(&a.job) && logged_jobs.len() < MAX_LOGGED_JOBS {
                    logged_jobs.push(a.job);
                }
            }
            data.details.push(Detail {
                test: row_base + row,
                id: test.id.clone(),
                quarantine: test.quarantine.clone(),
                outside_tests: test.outside_tests,
                attempts,
                rerun: reruns.command(&test.suite, &test.file, &test.id),
                recent: trend.recent(&test.suite, &test.id),
            });
        }
        data.details_left_out += tests.left_out;
        data.unlisted += tests.unlisted;
        let run_suites = tests.suites.as_slice().iter().map(|s| suites.get(s)).collect();
        let run_files = tests.files.as_slice().iter().map(|f| files.get(f)).collect();
        data.runs.push(run_data(run, &tests.reported, trend));
        row_base += tests.rows.len();
        data.tests.0.push(RunRows {
            run: run_index,
            rows: tests.rows,
            suites: run_suites,
            files: run_files,
            job_base,
            detail_base,
        });
    }
    for job in logged_jobs {
        let Some((run_index, ..)) = data.jobs.get(job) else {
            continue;
        };
        let run = &runs[*run_index];
        let Some(record) = run.summary.jobs.get(job - job_bases[*run_index]) else {
            continue;
        };
        let mut tails = Vec::new();
        for (stream, path) in [("stderr", &record.stderr), ("stdout", &record.stdout)] {
            if let Some(path) = path {
                let resolved = resolve_log(path, run);
                let size = std::fs::metadata(&resolved).map_or(0, |m| m.len());
                tails.push(LogTail {
                    stream,
                    link: link(path.as_str(), run),
                    text: crate::fsutil::tail(&resolved, LOG_TAIL),
                    skipped: size.saturating_sub(LOG_TAIL),
                });
            }
        }
        if !tails.is_empty() {
            data.logs.insert(job, tails);
        }
    }
    let mut by_duration: Vec<(u64, usize)> = data
        .tests
        .iter()
        .enumerate()
        .map(|(i, (_, row))| (row.duration_ms, i))
        .collect();
    by_duration.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    data.slowest_tests = by_duration.into_iter().take(SLOWEST).map(|(_, i)| i).collect();
    let mut per_file: HashMap<(usize, usize), (u64, usize)> = HashMap::new();
    for (run, row) in data.tests.iter() {
        let key = (run.files[row.file as usize], run.suites[row.suite as usize]);
        let entry = per_file.entry(key).or_default();
        entry.0 += row.duration_ms;
        entry.1 += 1;
    }
    #[expect(clippy::cast_precision_loss, reason = "milliseconds of a test run")]
    let mut slowest: Vec<_> = per_file
        .into_iter()
        .map(|((f, s), (ms, n))| (f, s, ms as f64 / 1000.0, n))
        .collect();
    slowest.sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)));
    slowest.truncate(SLOWEST);
    data.slowest_files = slowest;
    data.suites = suites.0.into_vec();
    data.files = files.0.into_vec();
    data
}

/// A log path of summary.json as a path to open now: inside the run folder as it is now, when
/// it was recorded inside it.
fn resolve_log(path: &camino::Utf8Path, run: &RunInput) -> camino::Utf8PathBuf {
    let marker = format!("/{}/", run.summary.run_id);
    match path.as_str().find(&marker) {
        Some(at) => run.dir.join(&path.as_str()[at + marker.len()..]),
        None => path.to_path_buf(),
    }
}

fn run_data(run: &RunInput, reported: &HashMap<usize, f64>, trend: &Trends) -> RunData {
    let summary: &Summary = &run.summary;
    let mut verdict = if summary.passed {
        "passed"
    } else if summary.interrupted {
        "interrupted"
    } else {
        "failed"
    }
    .to_string();
    let mut exit_code = None;
    let mut step_starts: HashMap<usize, (String, f64)> = HashMap::new();
    let mut step_times: Vec<(String, f64)> = Vec::new();
    let mut envs: Vec<EnvData> = Vec::new();
    let mut warnings = Vec::new();
    let mut interrupting_at = None;
    let mut first_failure_at = None;
    let mut events_version = None;
    for timed in &run.events {
        let at = timed.elapsed;
        match &timed.event {
            Event::StepStarted { step, name } => {
                step_starts.insert(*step, (name.clone(), at));
            }
            Event::StepFinished { step } => {
                if let Some(started) = step_starts.remove(step) {
                    step_times.push(started);
                }
            }
            Event::EnvironmentStarting { name } => envs.push(EnvData {
                name: name.clone(),
                start: at,
                ..EnvData::default()
            }),
            Event::EnvironmentReady { name } => {
                if let Some(env) = envs.iter_mut().rev().find(|e| e.name == *name) {
                    env.ready = Some(at);
                }
            }
            Event::EnvironmentFailed {
                name,
                error,
                diagnostics,
            } => {
                if let Some(env) = envs.iter_mut().rev().find(|e| e.name == *name) {
                    env.error = Some(error.clone());
                    env.diagnostics = diagnostics.as_deref().map(|d| link(d, run));
                }
            }
            Event::EnvironmentDown {
                name,
                duration_secs,
                problems,
            } => {
                if let Some(env) = envs.iter_mut().rev().find(|e| e.name == *name) {
                    env.down_start = Some((at - duration_secs).max(env.ready.unwrap_or(env.start)));
                    env.down_end = Some(at);
                    env.problems.clone_from(problems);
                }
            }
            Event::Warning { message } => warnings.push(message.clone()),
            Event::Interrupting => interrupting_at = interrupting_at.or(Some(at)),
            Event::TestFinished { .. } => first_failure_at = first_failure_at.or(Some(at)),
            Event::RunFinished {
                verdict: v,
                exit_code: code,
            } => {
                verdict.clone_from(v);
                exit_code = Some(*code);
            }
            Event::RunStarted { version } => events_version = Some(*version),
            Event::Other => {}
        }
    }
    let steps = summary
        .steps
        .iter()
        .map(|step| StepData {
            name: step.name.clone(),
            kind: step.kind.clone(),
            cleanup: step.cleanup,
            outcome: step.outcome.clone(),
            start: step_times
                .iter()
                .position(|(name, _)| *name == step.name)
                .map(|i| step_times.remove(i).1),
            duration: step.duration_secs,
        })
        .collect();
    let mut overheads: Vec<f64> = summary
        .jobs
        .iter()
        .enumerate()
        .filter_map(|(i, job)| reported.get(&i).map(|r| (job.duration_secs - r).max(0.0)))
        .collect();
    overheads.sort_by(f64::total_cmp);
    let startup = (!overheads.is_empty()).then(|| overheads[overheads.len() / 2]);
    RunData {
        run_id: summary.run_id.clone(),
        dir: run.dir.to_string(),
        started_at: summary.started_at.clone(),
        duration: summary.duration_secs,
        predicted: summary.predicted_secs,
        workers: summary.workers,
        interrupted: summary.interrupted,
        passed: summary.passed,
        verdict,
        exit_code,
        counts: summary.counts,
        timing_match: summary.timing_match,
        flaky_result: summary.flaky_result.clone(),
        not_run: summary
            .not_run
            .iter()
            .map(|n| (n.suite.clone(), n.file.clone()))
            .collect(),
        steps,
        envs,
        warnings,
        interrupting_at,
        first_failure_at,
        startup,
        trends: trend.points.clone(),
        events_version,
    }
}

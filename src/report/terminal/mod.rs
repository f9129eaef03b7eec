//! [`Terminal`]: the human view of a run.
//!
//! On a TTY (and not in CI) a progress bar shows files done, failures and an ETA computed from
//! the estimates of the work not yet done. Otherwise one plain line per finished test attempt
//! (only failures with `-q`); a job running past its suite's `slow-after` and a job whose
//! processes outlived it get a line each (with `-q` too). After the run: the failures with their messages and the tail of
//! their logs, then the closing line `N passed, N failed, N skipped` ([`last_screen`]).

mod last_screen;

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use owo_colors::OwoColorize;

use crate::report::fmt_secs;
use crate::results::{Counts, Outcome};
use crate::runner::Event;
use crate::styles::Styles;

/// How the terminal view behaves.
#[derive(Clone, Copy, Debug)]
pub struct TerminalOptions {
    /// Draw a progress bar (TTY and not CI).
    pub progress: bool,
    /// Only failures and the summary.
    pub quiet: bool,
    /// Colours.
    pub styles: Styles,
    /// Write to stderr instead of stdout (when stdout carries JSON).
    pub to_stderr: bool,
}

/// The terminal reporter.
pub struct Terminal {
    options: TerminalOptions,
    /// Where lines go when no progress bar is drawn (stdout, stderr, or a buffer in tests).
    out: Box<dyn Write>,
    bar: Option<ProgressBar>,
    workers: usize,
    remaining_estimate: Duration,
    running: HashMap<usize, (Duration, std::time::Instant, usize, u32)>,
    files_done: usize,
    counts: Counts,
    /// Name and output mode (grouped?) of each pipeline step seen.
    steps: HashMap<usize, (String, bool)>,
    /// Buffered output of grouped step commands, per (step, worker).
    grouped: HashMap<(usize, usize), Vec<String>>,
    /// The run's id, from `RunStarted`.
    run_id: String,
    /// Re-run commands for the failures of the last screen.
    reruns: crate::report::RerunCommands,
}

impl Terminal {
    /// A terminal reporter writing to stdout (stderr with `to_stderr`).
    #[must_use]
    pub fn new(options: TerminalOptions) -> Self {
        let out: Box<dyn Write> = if options.to_stderr {
            Box::new(std::io::stderr())
        } else {
            Box::new(std::io::stdout())
        };
        Self::with_output(options, out)
    }

    /// A terminal reporter writing its lines to `out` (the progress bar, if any, to stderr).
    #[must_use]
    pub fn with_output(options: TerminalOptions, out: Box<dyn Write>) -> Self {
        Self {
            options,
            out,
            bar: None,
            workers: 1,
            remaining_estimate: Duration::ZERO,
            running: HashMap::new(),
            files_done: 0,
            steps: HashMap::new(),
            grouped: HashMap::new(),
            counts: Counts::default(),
            run_id: String::new(),
            reruns: crate::report::RerunCommands::default(),
        }
    }

    /// Names the command that re-runs each failure on the last screen.
    #[must_use]
    pub fn with_reruns(mut self, reruns: crate::report::RerunCommands) -> Self {
        self.reruns = reruns;
        self
    }

    fn line(&mut self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None => {
                // A closed stdout (`| head`) must not stop the run.
                let _ = writeln!(self.out, "{text}");
                let _ = self.out.flush();
            }
        }
    }

    /// Handles one event.
    pub fn handle(&mut self, event: &Event<'_>) {
        let s = self.options.styles;
        match *event {
            Event::RunStarted { run_id, workers, .. } => {
                self.run_id = run_id.to_string();
                self.workers = workers.max(1);
            }
            Event::ListingStarted { suite, files } => {
                self.line(&format!(
                    "{} listing the tests of {files} big file(s) of suite {suite} to split them",
                    "flotilla:".style(s.dim)
                ));
            }
            // The FAIL line is already printed; the last screen says when it came.
            Event::ListingFinished { .. } | Event::FirstFailure { .. } => {}
            Event::NodeShare {
                index,
                total,
                retry,
                identified_by,
                plan_hash,
                source,
                units,
                planned,
                load,
            } => {
                let retry = if retry > 0 {
                    format!(", retry {retry}")
                } else {
                    String::new()
                };
                let source = if source == "plan-file" {
                    "from the plan file"
                } else {
                    "split here from the history"
                };
                let empty = if units == 0 {
                    "; nothing to run here: the plan gives this node no units (fewer units than nodes)"
                } else {
                    ""
                };
                self.line(&format!(
                    "{} node {} of {total} (index {index}, from {identified_by}{retry}): {units} of {planned} units of plan {plan_hash} ({source}), load {}{empty}",
                    "flotilla:".style(s.dim),
                    index + 1,
                    fmt_secs(load.as_secs_f64())
                ));
            }
            Event::Planned {
                jobs,
                files,
                predicted,
                timing_match,
                steps,
                ..
            } => {
                let workers = self.workers;
                self.remaining_estimate = predicted * u32::try_from(workers).unwrap_or(1);
                let per_step = if steps.len() > 1 {
                    let parts: Vec<String> = steps
                        .iter()
                        .map(|step| format!("{} {}", step.name, fmt_secs(step.predicted.as_secs_f64())))
                        .collect();
                    format!(" over {} test steps: {}", steps.len(), parts.join(", "))
                } else {
                    String::new()
                };
                self.line(&format!(
                    "{} {}: {files} files in {jobs} jobs on {workers} workers, predicted {}{per_step} (timing history for {:.0}% of tests)",
                    "flotilla".style(s.bold),
                    self.run_id,
                    fmt_secs(predicted.as_secs_f64()),
                    timing_match * 100.0
                ));
                if self.options.progress {
                    let bar = ProgressBar::with_draw_target(Some(files as u64), ProgressDrawTarget::stderr());
                    bar.set_style(
                        ProgressStyle::with_template("{spinner} [{elapsed_precise}] [{wide_bar}] {pos}/{len} {msg}")
                            .expect("valid template")
                            .progress_chars("=> "),
                    );
                    bar.enable_steady_tick(Duration::from_millis(100));
                    self.bar = Some(bar);
                }
            }
            Event::JobStarted {
                job,
                estimate,
                files,
                attempt,
                ..
            } => {
                self.running
                    .insert(job, (estimate, std::time::Instant::now(), files.len(), attempt));
            }
            Event::JobSlow {
                job,
                suite,
                worker,
                files,
                elapsed,
                ..
            } => {
                // Shown with -q too, like a warning: it names what to look at while it still runs.
                self.line(&format!(
                    "{} [{:>8}] w{worker} {suite} {} (job {job} still running)",
                    format!("{:>7}", "SLOW").style(s.skip),
                    fmt_secs(elapsed.as_secs_f64()),
                    files.join(" ")
                ));
            }
            Event::JobFinished {
                job,
                suite,
                worker,
                files,
                duration,
                leaky,
                ..
            } => {
                if leaky {
                    self.line(&format!(
                        "{} [{:>8}] w{worker} {suite} {} (job {job}: processes it started outlived it; flotilla killed what was left in its process group)",
                        format!("{:>7}", "LEAKY").style(s.skip),
                        fmt_secs(duration.as_secs_f64()),
                        files.join(" ")
                    ));
                }
                if let Some((estimate, _, files, attempt)) = self.running.remove(&job) {
                    self.remaining_estimate = self.remaining_estimate.saturating_sub(estimate);
                    if attempt == 1 {
                        self.files_done += files;
                    }
                }
                self.update_bar();
            }
            Event::TestFinished {
                suite,
                name,
                outcome,
                duration,
                worker,
                attempt,
                message,
                ..
            } => {
                self.counts.add(outcome);
                let label = match outcome {
                    Outcome::Passed => format!("{:>7}", "PASS").style(s.pass).to_string(),
                    Outcome::Failed => format!("{:>7}", "FAIL").style(s.fail).to_string(),
                    Outcome::Error => format!("{:>7}", "ERROR").style(s.fail).to_string(),
                    Outcome::TimedOut => format!("{:>7}", "TIMEOUT").style(s.fail).to_string(),
                    Outcome::Skipped => format!("{:>7}", "SKIP").style(s.skip).to_string(),
                    Outcome::Flaky => format!("{:>7}", "FLAKY").style(s.flaky).to_string(),
                    Outcome::Cached => format!("{:>7}", "CACHED").style(s.pass).to_string(),
                };
                if !self.options.quiet || outcome.is_failure() {
                    let retry = if attempt > 1 {
                        format!(" (attempt {attempt})")
                    } else {
                        String::new()
                    };
                    let mut text = format!(
                        "{label} [{:>8}] w{worker} {suite} {name}{retry}",
                        fmt_secs(duration.as_secs_f64())
                    );
                    if let Some(message) = message.filter(|_| outcome.is_failure()) {
                        text.push_str(&format!(" {}", first_line(message).style(s.dim)));
                    }
                    self.line(&text);
                }
            }
            Event::RetryScheduled {
                suite,
                files,
                tests,
                attempt,
            } => {
                let what = if tests.is_empty() {
                    format!("{} file(s)", files.len())
                } else {
                    format!("{} test(s) in {} file(s)", tests.len(), files.len())
                };
                self.line(&format!(
                    "  {} {suite}: {what}, attempt {attempt}",
                    "RETRY".style(s.skip)
                ));
            }
            Event::StepStarted {
                step,
                name,
                commands,
                cleanup,
                grouped,
            } => {
                self.steps.insert(step, (name.to_string(), grouped));
                let kind = if cleanup { "CLEANUP" } else { "STEP" };
                let parallel = if commands > 1 {
                    format!(" ({commands} commands in parallel)")
                } else {
                    String::new()
                };
                self.line(&format!("{} {name}{parallel}", kind.style(s.bold)));
            }
            Event::StepOutput { step, worker, line, .. } => {
                let (name, grouped) = self.steps.get(&step).cloned().unwrap_or_default();
                if grouped {
                    self.grouped.entry((step, worker)).or_default().push(line.to_string());
                } else {
                    self.line(&format!("{} {line}", format!("[{name} w{worker}]").style(s.dim)));
                }
            }
            Event::StepCommandFinished {
                step,
                worker,
                attempt,
                exit,
                duration,
            } => {
                let (name, grouped) = self.steps.get(&step).cloned().unwrap_or_default();
                let ok = *exit == crate::results::JobExit::Exited { code: 0 };
                let status = match exit {
                    crate::results::JobExit::Exited { code: 0 } => "done".to_string(),
                    other => other.to_string(),
                };
                if grouped {
                    let lines = self.grouped.remove(&(step, worker)).unwrap_or_default();
                    self.line(&format!(
                        "{} output of worker {worker} (attempt {attempt}):",
                        format!("[{name}]").style(s.dim)
                    ));
                    for line in lines {
                        self.line(&format!("  {line}"));
                    }
                }
                if !ok || grouped {
                    let label = if ok {
                        "ok".style(s.pass).to_string()
                    } else {
                        "FAILED".style(s.fail).to_string()
                    };
                    self.line(&format!(
                        "{} worker {worker}: {label} {status} [{}]",
                        format!("[{name}]").style(s.dim),
                        fmt_secs(duration.as_secs_f64())
                    ));
                }
            }
            Event::StepFinished {
                name,
                outcome,
                duration,
                ..
            } => {
                let label = match outcome {
                    crate::results::StepOutcome::Passed => outcome.style(s.pass).to_string(),
                    crate::results::StepOutcome::Skipped => outcome.style(s.skip).to_string(),
                    other => other.style(s.fail).to_string(),
                };
                self.line(&format!(
                    "{} {name}: {label} in {}",
                    "STEP".style(s.bold),
                    fmt_secs(duration.as_secs_f64())
                ));
            }
            Event::EnvironmentStarting { name, copies, compose } => {
                let message = format!(
                    "bringing up {copies} cop{} with compose {compose}",
                    if copies == 1 { "y" } else { "ies" }
                );
                self.line(&format!("{} env {name}: {message}", "flotilla:".style(s.dim)));
            }
            Event::EnvironmentReady { name, duration } => {
                self.line(&format!(
                    "{} env {name}: ready in {:.1}s",
                    "flotilla:".style(s.dim),
                    duration.as_secs_f64()
                ));
            }
            Event::EnvironmentFailed { name, error, .. } => {
                self.line(&format!("{} env {name}: failed: {error}", "flotilla:".style(s.dim)));
            }
            Event::EnvironmentDown {
                name,
                duration,
                problems,
            } => {
                let message = if problems.is_empty() {
                    format!("torn down in {:.1}s", duration.as_secs_f64())
                } else {
                    format!(
                        "teardown left something behind: {}; `flotilla gc` will retry",
                        problems.join("; ")
                    )
                };
                self.line(&format!("{} env {name}: {message}", "flotilla:".style(s.dim)));
            }
            Event::Warning { message } => self.line(&format!("{} {message}", "warning:".style(s.skip))),
            Event::Interrupting => self.line(&format!(
                "{} interrupted: stopping jobs and writing reports (press Ctrl-C again to stop at once)",
                "flotilla:".style(s.fail)
            )),
            Event::RunFinished { .. } => {
                if let Some(bar) = self.bar.take() {
                    bar.finish_and_clear();
                }
            }
        }
    }

    fn update_bar(&self) {
        let Some(bar) = &self.bar else { return };
        bar.set_position(self.files_done as u64);
        let running_left: Duration = self
            .running
            .values()
            .map(|(estimate, start, ..)| estimate.saturating_sub(start.elapsed()))
            .sum();
        let queued = self
            .remaining_estimate
            .saturating_sub(self.running.values().map(|(e, ..)| *e).sum());
        let eta = (queued + running_left) / u32::try_from(self.workers).unwrap_or(1);
        let failures = self.counts.failed + self.counts.error + self.counts.timed_out;
        bar.set_message(format!("{failures} failed, ETA {}", fmt_secs(eta.as_secs_f64())));
    }
}

pub(super) fn first_line(text: &str) -> &str {
    text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim()
}

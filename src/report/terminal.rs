//! [`Terminal`]: the human view of a run.
//!
//! On a TTY (and not in CI) a progress bar shows files done, failures and an ETA computed from
//! the estimates of the work not yet done. Otherwise one plain line per finished test attempt
//! (only failures with `-q`). After the run: the failures with their messages and the tail of
//! their logs, then the closing line `N passed, N failed, N skipped`.

use std::collections::HashMap;
use std::io::Write;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use owo_colors::OwoColorize;

use super::styles::Styles;
use crate::results::{Counts, Outcome, RunSummary};
use crate::runner::Event;

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
}

impl Terminal {
    /// A terminal reporter.
    #[must_use]
    pub fn new(options: TerminalOptions) -> Self {
        Self {
            options,
            bar: None,
            workers: 1,
            remaining_estimate: Duration::ZERO,
            running: HashMap::new(),
            files_done: 0,
            steps: HashMap::new(),
            grouped: HashMap::new(),
            counts: Counts::default(),
        }
    }

    fn line(&self, text: &str) {
        match &self.bar {
            Some(bar) => bar.println(text),
            None if self.options.to_stderr => eprintln!("{text}"),
            None => {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "{text}");
            }
        }
    }

    /// Handles one event.
    pub fn handle(&mut self, event: &Event) {
        let s = self.options.styles;
        match event {
            Event::RunStarted {
                run_id,
                workers,
                jobs,
                files,
                predicted_secs,
                timing_match,
                ..
            } => {
                self.workers = (*workers).max(1);
                self.remaining_estimate = Duration::from_secs_f64(predicted_secs * *workers as f64);
                self.line(&format!(
                    "{} {run_id}: {files} files in {jobs} jobs on {workers} workers, predicted {} (timing history for {:.0}% of tests)",
                    "flotilla".style(s.bold),
                    fmt_secs(*predicted_secs),
                    timing_match * 100.0
                ));
                if self.options.progress {
                    let bar = ProgressBar::with_draw_target(Some(*files as u64), ProgressDrawTarget::stderr());
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
                estimate_secs,
                files,
                attempt,
                ..
            } => {
                self.running.insert(
                    *job,
                    (
                        Duration::from_secs_f64(*estimate_secs),
                        std::time::Instant::now(),
                        files.len(),
                        *attempt,
                    ),
                );
            }
            Event::JobFinished { job, .. } => {
                if let Some((estimate, _, files, attempt)) = self.running.remove(job) {
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
                duration_secs,
                worker,
                attempt,
                message,
                ..
            } => {
                self.counts.add(*outcome);
                let label = match outcome {
                    Outcome::Passed => format!("{:>7}", "PASS").style(s.pass).to_string(),
                    Outcome::Failed => format!("{:>7}", "FAIL").style(s.fail).to_string(),
                    Outcome::Error => format!("{:>7}", "ERROR").style(s.fail).to_string(),
                    Outcome::TimedOut => format!("{:>7}", "TIMEOUT").style(s.fail).to_string(),
                    Outcome::Skipped => format!("{:>7}", "SKIP").style(s.skip).to_string(),
                    Outcome::Flaky => format!("{:>7}", "FLAKY").style(s.flaky).to_string(),
                };
                if !self.options.quiet || outcome.is_failure() {
                    let retry = if *attempt > 1 {
                        format!(" (attempt {attempt})")
                    } else {
                        String::new()
                    };
                    let mut text = format!(
                        "{label} [{:>8}] w{worker} {suite} {name}{retry}",
                        fmt_secs(*duration_secs)
                    );
                    if let Some(message) = message.as_ref().filter(|_| outcome.is_failure()) {
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
                self.steps.insert(*step, (name.clone(), *grouped));
                let kind = if *cleanup { "CLEANUP" } else { "STEP" };
                let parallel = if *commands > 1 {
                    format!(" ({commands} commands in parallel)")
                } else {
                    String::new()
                };
                self.line(&format!("{} {name}{parallel}", kind.style(s.bold)));
            }
            Event::StepOutput { step, worker, line, .. } => {
                let (name, grouped) = self.steps.get(step).cloned().unwrap_or_default();
                if grouped {
                    self.grouped.entry((*step, *worker)).or_default().push(line.clone());
                } else {
                    self.line(&format!("{} {line}", format!("[{name} w{worker}]").style(s.dim)));
                }
            }
            Event::StepCommandFinished {
                step,
                worker,
                attempt,
                exit,
                duration_secs,
            } => {
                let (name, grouped) = self.steps.get(step).cloned().unwrap_or_default();
                let ok = *exit == crate::results::JobExit::Exited { code: 0 };
                let status = match exit {
                    crate::results::JobExit::Exited { code: 0 } => "done".to_string(),
                    crate::results::JobExit::Exited { code } => format!("exited with code {code}"),
                    crate::results::JobExit::Signaled { signal } => format!("killed by signal {signal}"),
                    crate::results::JobExit::TimedOut => "timed out; its process group was killed".to_string(),
                    crate::results::JobExit::Interrupted => "interrupted".to_string(),
                    crate::results::JobExit::SpawnFailed { message } => message.clone(),
                };
                if grouped {
                    let lines = self.grouped.remove(&(*step, *worker)).unwrap_or_default();
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
                        fmt_secs(*duration_secs)
                    ));
                }
            }
            Event::StepFinished {
                name,
                outcome,
                duration_secs,
                ..
            } => {
                let label = match outcome {
                    crate::results::StepOutcome::Passed => "passed".style(s.pass).to_string(),
                    crate::results::StepOutcome::Skipped => "skipped".style(s.skip).to_string(),
                    other => format!("{other:?}").to_lowercase().style(s.fail).to_string(),
                };
                self.line(&format!(
                    "{} {name}: {label} in {}",
                    "STEP".style(s.bold),
                    fmt_secs(*duration_secs)
                ));
            }
            Event::Environment { env, message } => {
                self.line(&format!("{} env {env}: {message}", "flotilla:".style(s.dim)));
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

    /// Prints failures, where the reports are, and the closing line (always last).
    pub fn finish(&mut self, summary: &RunSummary, written: &[String]) {
        let s = self.options.styles;
        let muted = |t: &&crate::results::TestResult| t.quarantine == Some(crate::quarantine::QuarantineMode::Mute);
        let failing: Vec<_> = summary
            .tests
            .iter()
            .filter(|t| t.outcome.is_failure() && !muted(t))
            .collect();
        if !failing.is_empty() {
            self.line(&format!("\n{}", "Failures:".style(s.fail)));
            for test in failing.iter().take(50) {
                let last = test.last();
                self.line(&format!(
                    "  {} {} ({}, worker {}, attempt {})",
                    test.suite,
                    test.id,
                    last.outcome.as_str().replace('_', " "),
                    last.worker,
                    last.attempt
                ));
                if let Some(message) = &last.message {
                    self.line(&format!("    {}", first_line(message)));
                }
                if let Some(job) = summary.jobs.get(last.job) {
                    let tail_of = |log: &Option<camino::Utf8PathBuf>| {
                        log.as_deref()
                            .map(|log| crate::fsutil::tail(log, 2048))
                            .unwrap_or_default()
                    };
                    let tail = tail_of(&job.stderr);
                    let tail = if tail.trim().is_empty() {
                        tail_of(&job.stdout)
                    } else {
                        tail
                    };
                    for line in tail.lines().rev().take(8).collect::<Vec<_>>().into_iter().rev() {
                        self.line(&format!("    {}", line.style(s.dim)));
                    }
                    self.line(&format!("    logs: {}", job.logs()));
                    if let Some(diagnostics) = &job.diagnostics {
                        self.line(&format!(
                            "    environment diagnostics (ps, logs, inspect): {diagnostics}"
                        ));
                    }
                }
            }
            if failing.len() > 50 {
                self.line(&format!("  … and {} more (see summary.json)", failing.len() - 50));
            }
        }
        for test in summary.tests.iter().filter(|t| t.outcome.is_failure() && muted(t)) {
            self.line(&format!(
                "{} {} {} ({}; quarantined, does not fail the run)",
                "MUTED".style(s.skip),
                test.suite,
                test.id,
                test.outcome.as_str().replace('_', " ")
            ));
        }
        let flaky: Vec<_> = summary.tests.iter().filter(|t| t.outcome == Outcome::Flaky).collect();
        for test in &flaky {
            self.line(&format!(
                "{} {} {} (passed on attempt {})",
                "FLAKY".style(s.flaky),
                test.suite,
                test.id,
                test.attempts.len()
            ));
        }
        if !summary.not_run.is_empty() {
            self.line(&format!("{} file(s) did not run", summary.not_run.len()));
        }
        for path in written {
            self.line(&format!("{} {path}", "wrote".style(s.dim)));
        }
        let counts = summary.counts();
        self.line(&format!(
            "ran {} tests in {} (predicted {})",
            counts.total,
            fmt_secs(summary.duration.as_secs_f64()),
            fmt_secs(summary.predicted.as_secs_f64())
        ));
        if !summary.steps.is_empty() {
            self.line("steps:");
            for step in &summary.steps {
                let kind = if step.cleanup { "cleanup" } else { step.kind };
                self.line(&format!(
                    "  {:<9} {:<40} {:<11} {}",
                    kind,
                    step.name.chars().take(40).collect::<String>(),
                    format!("{:?}", step.outcome).to_lowercase(),
                    fmt_secs(step.duration.as_secs_f64())
                ));
            }
        }
        // The closing line is plain and last, for log scrapers.
        let mut closing = counts.closing_line();
        if summary.steps_failed() > 0 {
            closing.push_str(&format!(", {} failed steps", summary.steps_failed()));
        }
        self.line(&closing);
    }
}

fn first_line(text: &str) -> &str {
    text.lines().find(|l| !l.trim().is_empty()).unwrap_or("").trim()
}

fn fmt_secs(secs: f64) -> String {
    if secs < 60.0 {
        format!("{secs:.2}s")
    } else {
        let total = secs.round() as u64;
        format!("{}m{:02}s", total / 60, total % 60)
    }
}

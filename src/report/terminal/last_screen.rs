//! The terminal's last screen, after the run: failures with their message, the tail of their
//! logs, where the logs are and the command that re-runs just that test, muted and flaky tests,
//! leaky jobs, what did not run, the five slowest files, the time to the first failure, the report files
//! and the HTML report, the steps, and the closing line, always last and plain for log
//! scrapers.

use owo_colors::OwoColorize;

use super::{Terminal, first_line};
use crate::report::fmt_secs;
use crate::results::{FirstFailure, Outcome, RunSummary};

impl Terminal {
    /// Prints failures, where the reports are, and the closing line (always last).
    pub fn finish(&mut self, summary: &RunSummary, written: &[camino::Utf8PathBuf]) {
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
                    test.suite, test.id, last.outcome, last.worker, last.attempt
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
                if let Some(rerun) = self.reruns.command(&test.suite, &test.file, &test.id) {
                    self.line(&format!("    re-run: {rerun}"));
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
                test.outcome
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
        for job in summary.jobs.iter().filter(|job| job.leaky) {
            self.line(&format!(
                "{} job {} ({} w{}): {} (processes it started outlived it; end them in the test, or wait for them)",
                "LEAKY".style(s.skip),
                job.id,
                job.suite,
                job.worker,
                job.files.join(" ")
            ));
        }
        if !summary.not_run.is_empty() {
            self.line(&format!("{} file(s) did not run", summary.not_run.len()));
        }
        let slowest = crate::report::slowest_files(summary, 5);
        if !slowest.is_empty() {
            self.line("slowest files:");
            for (suite, file, time) in slowest {
                self.line(&format!("  {:>8}  {suite} {file}", fmt_secs(time.as_secs_f64())));
            }
        }
        if let Some(first) = FirstFailure::of(&summary.tests).resolve(&summary.jobs) {
            self.line(&format!(
                "first failure after {}: {} {}",
                fmt_secs(first.after.as_secs_f64()),
                first.suite,
                first.id
            ));
        }
        let is_report = |p: &&camino::Utf8PathBuf| p.file_name() == Some(crate::report::html::REPORT_FILE);
        for path in written.iter().filter(|p| !is_report(p)) {
            self.line(&format!("{} {path}", "wrote".style(s.dim)));
        }
        for path in written.iter().filter(is_report) {
            self.line(&format!("{} {path}", "report:".style(s.bold)));
        }
        let counts = summary.counts();
        self.line(&format!(
            "ran {} tests in {} (predicted {})",
            counts.total - counts.cached,
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
                    step.outcome.to_string(),
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

//! The job summary's markdown: verdict and counts, the failures with their message, the tail of
//! their output, their log paths and re-run command, the flaky tests, the slowest files, and
//! where the HTML report is. Capped at a byte limit (the CI's), dropping the failures that do
//! not fit with a note that says so.

use std::fmt::Write;

use camino::Utf8Path;

use crate::report::rerun::RerunCommands;
use crate::results::{Outcome, RunSummary, TestResult};

/// Lines of output shown per failure.
const OUTPUT_LINES: usize = 15;
/// Flaky tests listed.
const MAX_FLAKY: usize = 50;
/// Slowest files listed.
const SLOWEST: usize = 5;

/// What the summary links to beyond the run folder.
#[derive(Clone, Debug, Default)]
pub struct Links {
    /// The CI's page for this build, where its artifacts are (GitHub's run page).
    pub build: Option<String>,
}

/// `text` as an inline code span that nothing in it can end: a fence longer than any run of
/// backticks inside; line breaks become spaces, and `|` is escaped for tables.
fn code(text: &str) -> String {
    let flat = text.replace(['\n', '\r'], " ").replace('|', "\\|");
    let longest = longest_run(&flat, '`');
    let fence = "`".repeat(longest + 1);
    let pad = if flat.starts_with('`') || flat.ends_with('`') || longest > 0 {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{flat}{pad}{fence}")
}

/// `text` as a fenced block that nothing in it can close.
fn block(text: &str) -> String {
    let fence = "`".repeat(longest_run(text, '`').max(2) + 1);
    format!("{fence}text\n{}\n{fence}\n", text.trim_end_matches('\n'))
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Text outside code: `<`, `>` and `&` as entities (the summary is rendered as HTML too), and
/// markdown's own characters escaped.
fn plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' => {
                out.push('\\');
                out.push(c);
            }
            '\n' | '\r' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Drops ANSI escape sequences (colours) from captured output.
fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for c in chars.by_ref() {
                    if ('@'..='~').contains(&c) {
                        break;
                    }
                }
            }
            continue;
        }
        out.push(c);
    }
    out
}

fn secs(duration: std::time::Duration) -> String {
    crate::report::fmt_secs(duration.as_secs_f64())
}

fn failure_block(test: &TestResult, summary: &RunSummary, reruns: &RerunCommands) -> String {
    let last = test.last();
    let mut text = format!(
        "- **{}** {} {} (worker {}, attempt {})\n",
        plain(&test.suite),
        code(&test.id),
        last.outcome,
        last.worker,
        last.attempt
    );
    if let Some(message) = &last.message {
        let first = message.lines().next().unwrap_or_default();
        let _ = writeln!(text, "  {}", code(&first.chars().take(500).collect::<String>()));
    }
    if let Some(job) = summary.jobs.get(last.job) {
        let logs: Vec<String> = [&job.stderr, &job.stdout]
            .into_iter()
            .flatten()
            .map(|p| code(p.as_str()))
            .collect();
        if !logs.is_empty() {
            let _ = writeln!(text, "  logs: {}", logs.join(" "));
        }
        if let Some(diagnostics) = &job.diagnostics {
            let _ = writeln!(text, "  environment diagnostics: {}", code(diagnostics.as_str()));
        }
        let tail = [&job.stderr, &job.stdout]
            .into_iter()
            .flatten()
            .map(|log| crate::fsutil::tail(log, 4096))
            .find(|tail| !tail.trim().is_empty());
        if let Some(tail) = tail {
            let tail = strip_ansi(&tail);
            let lines: Vec<&str> = tail.lines().collect();
            let shown = lines[lines.len().saturating_sub(OUTPUT_LINES)..].join("\n");
            let _ = write!(
                text,
                "\n  <details><summary>last lines of output</summary>\n\n{}\n  </details>\n",
                block(&shown)
            );
        }
    }
    if let Some(rerun) = reruns.command(&test.suite, &test.file, &test.id) {
        let _ = writeln!(text, "  re-run: {}", code(&rerun));
    }
    text
}

/// The markdown summary of `summary`, at most `limit` bytes.
#[must_use]
pub fn markdown(
    summary: &RunSummary,
    reruns: &RerunCommands,
    report: Option<&Utf8Path>,
    links: &Links,
    limit: usize,
) -> String {
    let counts = summary.counts();
    let passed = summary.passed();
    let verdict = if summary.interrupted {
        "interrupted"
    } else if passed {
        "passed"
    } else {
        "failed"
    };
    let icon = if passed { "✅" } else { "❌" };
    let mut head = format!(
        "## {icon} flotilla {verdict}: {}\n\nrun {} · {} (predicted {}) · {} workers\n\n",
        counts.closing_line(),
        code(&summary.run_id),
        secs(summary.duration),
        secs(summary.predicted),
        summary.workers
    );
    head.push_str("| passed | failed | errors | timed out | flaky | skipped | muted | total |\n");
    head.push_str("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    let _ = writeln!(
        head,
        "| {} | {} | {} | {} | {} | {} | {} | {} |\n",
        counts.passed,
        counts.failed,
        counts.error,
        counts.timed_out,
        counts.flaky,
        counts.skipped,
        counts.muted,
        counts.total
    );

    let mut tail = String::new();
    let flaky: Vec<&TestResult> = summary.tests.iter().filter(|t| t.outcome == Outcome::Flaky).collect();
    if !flaky.is_empty() {
        let _ = writeln!(tail, "### Flaky ({})\n", flaky.len());
        for test in flaky.iter().take(MAX_FLAKY) {
            let _ = writeln!(
                tail,
                "- **{}** {} passed on attempt {}",
                plain(&test.suite),
                code(&test.id),
                test.attempts.len()
            );
        }
        if flaky.len() > MAX_FLAKY {
            let _ = writeln!(tail, "- … and {} more", flaky.len() - MAX_FLAKY);
        }
        tail.push('\n');
    }
    let slowest = crate::report::slowest_files(summary, SLOWEST);
    if !slowest.is_empty() {
        tail.push_str("### Slowest files\n\n| file | suite | time |\n|---|---|---:|\n");
        for (suite, file, duration) in slowest {
            let _ = writeln!(tail, "| {} | {} | {} |", code(file), plain(suite), secs(duration));
        }
        tail.push('\n');
    }
    match report {
        Some(report) => {
            let _ = write!(
                tail,
                "The HTML report, logs and summary.json are in the run folder: {}",
                code(report.as_str())
            );
        }
        None => {
            let _ = write!(tail, "Logs and summary.json are in {}", code(summary.run_dir.as_str()));
        }
    }
    match &links.build {
        Some(url) => {
            let _ = writeln!(tail, " (upload it as an artifact; [this build]({url})).");
        }
        None => tail.push_str(" (upload it as an artifact).\n"),
    }

    let muted = |t: &&TestResult| t.quarantine == Some(crate::quarantine::QuarantineMode::Mute);
    let failing: Vec<&TestResult> = summary
        .tests
        .iter()
        .filter(|t| t.outcome.is_failure() && !muted(t))
        .collect();
    let mut body = head;
    if !failing.is_empty() {
        let _ = writeln!(body, "### Failures ({})\n", failing.len());
        // Room for the rest and for the note on what was left out.
        let reserve = tail.len() + 200;
        for (shown, test) in failing.iter().enumerate() {
            let block = failure_block(test, summary, reruns);
            if body.len() + block.len() + reserve > limit {
                let _ = writeln!(
                    body,
                    "\n_… {} more failures not shown: the summary is capped at {} KiB; report.html and summary.json have them all._",
                    failing.len() - shown,
                    limit / 1024
                );
                break;
            }
            body.push_str(&block);
        }
        body.push('\n');
    }
    if body.len() + tail.len() <= limit {
        body.push_str(&tail);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_cannot_be_closed_by_their_content() {
        assert_eq!(code("a::b"), "`a::b`");
        assert_eq!(code("x `y` z"), "`` x `y` z ``");
        assert_eq!(code("a|b\nc"), "`a\\|b c`");
    }

    #[test]
    fn plain_text_is_escaped() {
        assert_eq!(plain("<script>*x*</script>"), "&lt;script&gt;\\*x\\*&lt;/script&gt;");
    }

    #[test]
    fn blocks_outfence_their_content() {
        assert_eq!(block("a ``` b"), "````text\na ``` b\n````\n");
    }

    #[test]
    fn ansi_colours_are_dropped() {
        assert_eq!(strip_ansi("\x1b[31mred\x1b[0m ok"), "red ok");
    }
}

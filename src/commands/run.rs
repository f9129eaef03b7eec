//! `flotilla run`: prepare, execute with live reporters, write reports and history, exit.

use std::io::IsTerminal;

use crate::cli::{GlobalArgs, MessageFormat, RunArgs};
use crate::config::Overrides;
use crate::error::Error;
use crate::exit_code;
use crate::prepare::{check_programs, prepare};
use crate::report::{JsonStream, Styles, Terminal, TerminalOptions};
use crate::results::{RunSummary, write_junit, write_summary};
use crate::runner::run_pipeline;
use crate::runner::{Event, RunDir};

pub(super) fn run(global: &GlobalArgs, args: &RunArgs) -> Result<u8, Error> {
    let overrides = Overrides {
        workers: args.workers.map(|w| w.0),
        retries: args.retries,
        suites: args.select.suites.clone(),
        select: args.select.select.clone(),
        flaky_result: args.flaky_result,
        profile: args.select.profile.clone(),
        ci: None,
    };
    let mut prepared = prepare(global, &overrides)?;
    if args.explain {
        print!("{}", explain(&prepared));
        return Ok(exit_code::SUCCESS);
    }
    check_programs(&prepared.config)?;
    let run_dir = RunDir::create(&prepared.config.run.out_dir)?;
    run_dir.prune(prepared.config.run.keep_runs);
    let json = args.select.message_format == MessageFormat::Json;
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
    let terminal_options = TerminalOptions {
        progress: !json && !in_ci && std::io::stderr().is_terminal(),
        quiet: args.quiet,
        styles: if global.color.enabled(!json) {
            Styles::colored()
        } else {
            Styles::default()
        },
        to_stderr: json,
    };
    let mut terminal = Terminal::new(terminal_options);
    let mut stream = json.then_some(JsonStream);
    let mut emit = |event: &Event| {
        terminal.handle(event);
        if let Some(stream) = stream.as_mut() {
            stream.handle(event);
        }
    };
    let jobs = prepared.jobs();
    let files = prepared.file_count();
    emit(&Event::RunStarted {
        run_id: run_dir.run_id.clone(),
        run_dir: run_dir.path.clone(),
        workers: prepared.config.run.workers,
        jobs: jobs.len(),
        files,
        predicted_secs: prepared.plan.makespan.as_secs_f64(),
        plan_hash: format!("{:016x}", prepared.plan.hash),
        timing_match: prepared.timing_match,
    });
    for message in prepared
        .history
        .take_warnings()
        .into_iter()
        .chain(std::mem::take(&mut prepared.warnings))
    {
        emit(&Event::Warning { message });
    }
    // One thread starts every job and reaps it, as xargs does: the jobs are separate processes,
    // so more threads only add wake-ups between them (2,000 no-op jobs took 12% longer on the
    // 2-thread runtime, docs/benchmarks.md). Signals are read on a thread of their own.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    let clock = std::time::Instant::now();
    let started_at = chrono::Local::now();
    let outcome = runtime.block_on(async {
        let shutdown = crate::signal::install().map_err(Error::Runtime)?;
        Ok::<_, Error>(run_pipeline(&mut prepared, &run_dir, shutdown, &mut emit).await)
    })?;
    let mut summary = outcome.summary;
    summary.duration = clock.elapsed();
    summary.started_at = started_at;
    let written = write_reports(&summary, &run_dir);
    if let Some(error) = outcome.setup_error {
        // The environment could not be set up: the cleanup steps ran and the reports are written.
        let _ = written;
        return Err(error);
    }
    let written = written?;
    prepared.history.record(&summary);
    for message in prepared.history.take_warnings() {
        terminal.handle(&Event::Warning { message });
    }
    terminal.finish(&summary, &written);
    // Leave the runtime without waiting for tasks that may still be reading a pipe held open by
    // a process that escaped its group.
    runtime.shutdown_background();
    Ok(if summary.interrupted {
        exit_code::INTERRUPTED
    } else if !summary.passed() {
        exit_code::TESTS_FAILED
    } else {
        exit_code::SUCCESS
    })
}

/// `run --explain`: the CI context, the profile chosen and why, and the settings in effect.
fn explain(prepared: &crate::prepare::Prepared) -> String {
    use std::fmt::Write;
    let config = &prepared.config;
    let mut text = String::new();
    let _ = writeln!(text, "CI context:");
    for line in prepared.ci.to_string().lines() {
        let _ = writeln!(text, "  {line}");
    }
    let _ = writeln!(text, "profile: {}", config.profile.as_deref().unwrap_or("none"));
    let _ = writeln!(text, "  {}", config.profile_reason);
    let _ = writeln!(text, "workers: {}", config.run.workers);
    for suite in &config.suites {
        let variables: Vec<String> = suite.environment.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let _ = writeln!(
            text,
            "suite {}: runner {}, select {}, retries {}, environment [{}]",
            suite.name,
            suite.command.kind().name(),
            suite.select.as_deref().unwrap_or("(all)"),
            suite.retries,
            variables.join(", ")
        );
    }
    for warning in &prepared.warnings {
        let _ = writeln!(text, "warning: {warning}");
    }
    text
}

/// Writes junit.xml and summary.json and points `latest` at the run; returns what was written.
fn write_reports(summary: &RunSummary, run_dir: &RunDir) -> Result<Vec<String>, Error> {
    let junit = run_dir.path.join("junit.xml");
    write_junit(summary, &junit).map_err(|source| Error::Report {
        what: "JUnit report",
        path: junit.clone(),
        source,
    })?;
    let json = run_dir.path.join("summary.json");
    write_summary(summary, &json).map_err(|source| Error::Report {
        what: "summary",
        path: json.clone(),
        source,
    })?;
    run_dir.mark_latest().map_err(|source| Error::Report {
        what: "latest link",
        path: run_dir.path.clone(),
        source,
    })?;
    Ok(vec![junit.to_string(), json.to_string()])
}

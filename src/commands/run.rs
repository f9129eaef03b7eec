//! `flotilla run`: resolve the settings, build the runner and the reporters, execute, exit.

use std::io::IsTerminal;

use crate::cli::{GlobalArgs, MessageFormat, RunArgs};
use crate::config::Overrides;
use crate::error::Error;
use crate::exit_code;
use crate::prepare::{Loaded, check_programs, load};
use crate::report::ci_summary::CiSummary;
use crate::report::{HtmlOptions, JsonStream, ReportFiles, Reporter, RerunCommands, Terminal, TerminalOptions};
use crate::runner::{RunDir, Runner};
use crate::styles::Styles;

pub(super) fn run(global: &GlobalArgs, args: &RunArgs) -> Result<u8, Error> {
    // Before anything can spawn (test listing included): an interrupt at any moment must stop
    // what runs and still write the reports.
    let shutdown = crate::signal::install().map_err(Error::Runtime)?;
    let overrides = Overrides {
        workers: args.workers.map(|w| w.0),
        retries: args.retries,
        suites: args.select.suites.clone(),
        select: args.select.select.clone(),
        flaky_result: args.flaky_result,
        profile: args.select.profile.clone(),
        ci: None,
    };
    let loaded = load(&super::config_path(global), &overrides)?;
    if args.explain {
        print!("{}", explain(&loaded));
        return Ok(exit_code::SUCCESS);
    }
    check_programs(&loaded.config)?;
    let run_dir = RunDir::create(&loaded.config.run.out_dir)?;
    run_dir.prune(loaded.config.run.keep_runs);
    let json = args.select.message_format == MessageFormat::Json;
    let in_ci = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false" && v != "0");
    let reruns = RerunCommands::from_config(&loaded.config);
    let terminal = Terminal::new(TerminalOptions {
        progress: !json && !in_ci && std::io::stderr().is_terminal(),
        quiet: args.quiet,
        styles: if global.color.enabled(!json) {
            Styles::colored()
        } else {
            Styles::default()
        },
        to_stderr: json,
    })
    .with_reruns(reruns.clone());
    let ci_summary = CiSummary::detect(loaded.ci.vendor.value, &crate::ci::process_env);
    let report_path = run_dir.path.join(crate::report::html::REPORT_FILE);
    let mut reporter = Reporter::new(
        terminal,
        json.then(JsonStream::stdout),
        Some(ReportFiles::new(
            run_dir.clone(),
            HtmlOptions { reruns: reruns.clone() },
        )),
    );
    // One thread starts every job and reaps it, as xargs does: the jobs are separate processes,
    // so more threads only add wake-ups between them (2,000 no-op jobs took 12% longer on the
    // 2-thread runtime, docs/benchmarks.md). Signals are read on a thread of their own.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    let runner = Runner::new(loaded, run_dir, shutdown);
    let outcome = runtime.block_on(runner.execute(&mut |event| reporter.report(event)));
    if let Some(target) = &ci_summary {
        let report = report_path.is_file().then_some(report_path.as_path());
        // The run's result stands whatever happens here; the closing line stays the last on
        // stdout, so a problem goes to stderr.
        if let Err(error) = runtime.block_on(target.publish(&outcome.summary, &reruns, report)) {
            let cause = std::error::Error::source(&error)
                .map(|s| format!(": {s}"))
                .unwrap_or_default();
            eprintln!("warning: the CI job summary was not written: {error}{cause}");
        }
    }
    // Leave the runtime without waiting for tasks that may still be reading a pipe held open by
    // a process that escaped its group.
    runtime.shutdown_background();
    reporter.finish()?;
    match outcome.error {
        // The environment could not be set up: the cleanup steps ran and the reports are written.
        Some(error) => Err(error),
        None => Ok(outcome.exit_code),
    }
}

/// `run --explain`: the CI context, the profile chosen and why, and the settings in effect.
fn explain(loaded: &Loaded) -> String {
    use std::fmt::Write;
    let config = &loaded.config;
    let mut text = String::new();
    let _ = writeln!(text, "CI context:");
    for line in loaded.ci.to_string().lines() {
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
            suite.retry.retries,
            variables.join(", ")
        );
    }
    for warning in &loaded.warnings {
        let _ = writeln!(text, "warning: {warning}");
    }
    text
}

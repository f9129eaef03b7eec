//! `flotilla run`: resolve the settings, build the runner and the reporters, execute, exit.

use std::io::IsTerminal;

use crate::error::Error;
use crate::exit_code;
use crate::prepare::{Loaded, check_programs, load};
use crate::report::{JsonStream, ReportFiles, Reporter, Terminal, TerminalOptions};
use crate::runner::{RunDir, Runner};
use crate::settings::RunCommand;
use crate::styles::Styles;

pub(super) fn run(command: &RunCommand) -> Result<u8, Error> {
    // Before anything can spawn (test listing included): an interrupt at any moment must stop
    // what runs and still write the reports.
    let shutdown = crate::signal::install().map_err(Error::Runtime)?;
    let loaded = load(&command.global.config_path, &command.overrides)?;
    if command.explain {
        print!("{}", explain(&loaded));
        return Ok(exit_code::SUCCESS);
    }
    check_programs(&loaded.config)?;
    let run_dir = RunDir::create(&loaded.config.run.out_dir)?;
    run_dir.prune(loaded.config.run.keep_runs);
    let json = command.json;
    let terminal = Terminal::new(TerminalOptions {
        progress: !json && !command.in_ci && std::io::stderr().is_terminal(),
        quiet: command.quiet,
        styles: if command.global.colored(!json) {
            Styles::colored()
        } else {
            Styles::default()
        },
        to_stderr: json,
    });
    let mut reporter = Reporter::new(
        terminal,
        json.then(JsonStream::stdout),
        Some(ReportFiles::new(run_dir.clone())),
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

/// `run --explain`: the CI context, the profile chosen and why, and every setting in effect with
/// where it came from.
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
    let _ = writeln!(text, "settings ({}):", config.path);
    let key_width = config.settings.iter().map(|s| s.key.len()).max().unwrap_or(0);
    let value_width = config.settings.iter().map(|s| s.value.len()).max().unwrap_or(0);
    for setting in &config.settings {
        let _ = writeln!(
            text,
            "  {:key_width$}  {:value_width$}  {}",
            setting.key, setting.value, setting.source
        );
    }
    for suite in &config.suites {
        let _ = writeln!(text, "suite {}: runner {}", suite.name, suite.command.kind().name(),);
    }
    for warning in &loaded.warnings {
        let _ = writeln!(text, "warning: {warning}");
    }
    text
}

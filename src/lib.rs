//! flotilla: fast, trustworthy CI test runs.
//!
//! Data flows one way (see `docs/architecture.md`):
//! `cli` → `config` → `discover` → `history` (estimates) → `plan` → `runner` (with `exec`)
//! → events → `report`, with `results` holding the outcome model and file formats.

pub mod cache;
pub mod ci;
pub mod cli;
mod commands;
pub mod config;
pub mod discover;
pub mod envs;
pub mod error;
pub mod exec;
pub mod exit_code;
mod fsutil;
pub mod gate;
pub mod history;
pub mod nodes;
pub mod plan;
pub mod prepare;
pub mod quarantine;
pub mod queue;
pub mod report;
pub mod results;
pub mod runner;
pub mod runners;
pub mod settings;
pub mod signal;
pub mod styles;
mod suggest;
pub mod suite_index;
#[cfg(test)]
mod testing;
pub mod worker_slot;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::Cli;
use crate::error::Error;
use crate::styles::ColorChoice;

/// Parses the command line, runs it, and maps the outcome to an exit code.
#[must_use]
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let _ = error.print();
            return ExitCode::from(if error.use_stderr() {
                exit_code::USAGE
            } else {
                exit_code::SUCCESS
            });
        }
    };
    let color = cli.global.color;
    match commands::dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            render_error(&error, color);
            ExitCode::from(error.exit_code())
        }
    }
}

fn render_error(error: &Error, color: ColorChoice) {
    // Errors are rendered once, as the process ends: reading NO_COLOR here is the same snapshot.
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let colored = color.enabled(false, no_color);
    if let Error::Config(config) = error {
        let theme = if colored {
            miette::GraphicalTheme::unicode()
        } else {
            miette::GraphicalTheme::unicode_nocolor()
        };
        let mut text = String::new();
        if miette::GraphicalReportHandler::new_themed(theme)
            .render_report(&mut text, config.as_ref())
            .is_ok()
        {
            eprint!("{text}");
            return;
        }
    }
    let mut message = format!("error: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(&format!("\n  caused by: {cause}"));
        source = cause.source();
    }
    eprintln!("{message}");
}

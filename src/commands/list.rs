//! `flotilla list`: every scheduled unit (a file, or a test split out of a big file) with its
//! estimate, where the estimate came from, and how often it was flaky.

use std::collections::HashMap;
use std::io::Write;

use serde_json::json;

use crate::error::Error;
use crate::exit_code;
use crate::prepare::load_and_prepare;
use crate::settings::PlanCommand;

pub(super) fn list(command: &PlanCommand) -> Result<u8, Error> {
    let mut prepared = load_and_prepare(&command.global.config_path, &command.overrides)?;
    let flakes: Vec<HashMap<String, usize>> = prepared
        .config
        .suites
        .iter()
        .map(|suite| prepared.history.flake_counts(&suite.name))
        .collect();
    let mut out = std::io::stdout().lock();
    for unit in &prepared.units {
        let suite = &prepared.config.suites[unit.suite].name;
        let id = unit.target.id();
        let flaky = flakes[unit.suite.get()].get(id).copied().unwrap_or(0);
        let line = if command.json {
            json!({
                "suite": suite,
                "file": unit.target.file,
                "test": unit.target.test,
                "estimate": unit.estimate,
                "flaky_runs": flaky,
            })
            .to_string()
        } else {
            let flaky = if flaky > 0 {
                format!("\tflaky in {flaky} run(s)")
            } else {
                String::new()
            };
            format!(
                "{suite}\t{id}\t{:.3}s\t{}{flaky}",
                unit.estimate.duration.as_secs_f64(),
                unit.estimate.source
            )
        };
        if writeln!(out, "{line}").is_err() {
            return Ok(exit_code::SUCCESS);
        }
    }
    for (suite, target) in &prepared.skipped {
        let _ = writeln!(
            out,
            "{}\t{}\tquarantined: skip",
            prepared.config.suites[*suite].name,
            target.id()
        );
    }
    Ok(exit_code::SUCCESS)
}

//! `flotilla list`: every discovered file with its estimate and where it came from.

use std::io::Write;

use serde_json::json;

use super::prepare::prepare;
use crate::cli::{GlobalArgs, MessageFormat, SelectArgs};
use crate::config::Overrides;
use crate::error::Error;
use crate::exit_code;

pub(super) fn list(global: &GlobalArgs, args: &SelectArgs) -> Result<u8, Error> {
    let overrides = Overrides {
        suites: args.suites.clone(),
        ..Overrides::default()
    };
    let prepared = prepare(global, &overrides)?;
    let mut out = std::io::stdout().lock();
    for ((suite, files), estimates) in prepared
        .config
        .suites
        .iter()
        .zip(&prepared.files)
        .zip(&prepared.estimates)
    {
        for (file, estimate) in files.iter().zip(&estimates.files) {
            let line = match args.message_format {
                MessageFormat::Json => json!({"suite": suite.name, "file": file, "estimate": estimate}).to_string(),
                MessageFormat::Human => format!(
                    "{}\t{}\t{:.3}s\t{}",
                    suite.name,
                    file,
                    estimate.duration.as_secs_f64(),
                    estimate.source
                ),
            };
            if writeln!(out, "{line}").is_err() {
                return Ok(exit_code::SUCCESS);
            }
        }
    }
    Ok(exit_code::SUCCESS)
}

//! `flotilla gate DIR...`: find every summary.json, apply the gate's rules, print the table,
//! exit 0 (green), 1 (something failed or is missing) or 2 (a DIR does not exist).

use crate::config::ConfigFile;
use crate::error::Error;
use crate::exit_code;
use crate::gate::{evaluate, find_summaries, render, requirements};
use crate::settings::GateCommand;
use crate::styles::Styles;

pub(super) fn gate(command: &GateCommand) -> Result<u8, Error> {
    let roots = &command.roots;
    let found = find_summaries(roots).map_err(|error| Error::Usage {
        message: error.to_string(),
    })?;
    let configured = ConfigFile::load_if_present(&command.global.config_path)?.map(|file| file.gate());
    let required = requirements(command.require.clone(), configured.as_ref());
    let verdict = evaluate(&found, &required);
    let styles = if command.global.colored(true) {
        Styles::colored()
    } else {
        Styles::default()
    };
    print!("{}", render(&verdict, roots, styles));
    Ok(if verdict.passed() {
        exit_code::SUCCESS
    } else {
        exit_code::TESTS_FAILED
    })
}

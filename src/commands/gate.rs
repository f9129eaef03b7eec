//! `flotilla gate DIR...`: find every summary.json, apply the gate's rules, print the table,
//! exit 0 (green), 1 (something failed or is missing) or 2 (a DIR does not exist).

use camino::Utf8PathBuf;

use crate::cli::{GateArgs, GlobalArgs};
use crate::error::Error;
use crate::exit_code;
use crate::gate::{evaluate, find_summaries, render, requirements};
use crate::styles::Styles;

pub(super) fn gate(global: &GlobalArgs, args: &GateArgs) -> Result<u8, Error> {
    let roots: Vec<Utf8PathBuf> = args
        .dirs
        .iter()
        .map(|dir| match &global.directory {
            Some(base) if dir.is_relative() => base.join(dir),
            _ => dir.clone(),
        })
        .collect();
    let found = find_summaries(&roots).map_err(|error| Error::Usage {
        message: error.to_string(),
    })?;
    let configured = crate::config::Config::load_gate(&super::config_path(global))?;
    let required = requirements(args.require.clone(), configured.as_ref());
    let verdict = evaluate(&found, &required);
    let styles = if global.color.enabled(true) {
        Styles::colored()
    } else {
        Styles::default()
    };
    print!("{}", render(&verdict, &roots, styles));
    Ok(if verdict.passed() {
        exit_code::SUCCESS
    } else {
        exit_code::TESTS_FAILED
    })
}

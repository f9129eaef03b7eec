//! `flotilla report RUN_DIR...`: re-renders the HTML report from run folders without running
//! anything; several folders give one merged report.

use camino::Utf8PathBuf;

use crate::config::Overrides;
use crate::error::Error;
use crate::exit_code;
use crate::report::{HtmlOptions, RerunCommands, html};
use crate::settings::ReportCommand;

pub(super) fn report(command: &ReportCommand) -> Result<u8, Error> {
    let args = command;
    for dir in &args.dirs {
        if !dir.join("summary.json").is_file() {
            return Err(Error::Usage {
                message: format!("`{dir}` has no summary.json; give a run folder such as .flotilla/runs/latest"),
            });
        }
    }
    let out = match (&args.output, args.dirs.as_slice()) {
        (Some(out), _) => out.clone(),
        (None, [dir]) => dir.join(html::REPORT_FILE),
        (None, _) => Utf8PathBuf::from(html::REPORT_FILE),
    };
    // The re-run commands come from the configuration, when there is one here; the report
    // renders without them.
    let reruns = crate::prepare::load(&command.global.config_path, &Overrides::default())
        .map(|loaded| RerunCommands::from_config(&loaded.config))
        .unwrap_or_default();
    html::render(&args.dirs, &out, &HtmlOptions { reruns }).map_err(|error| error.into_error(&out))?;
    println!("wrote {out}");
    if args.open {
        let absolute =
            camino::absolute_utf8(&out).map_err(|source| Error::io("failed to resolve", out.clone(), source))?;
        println!("{}", html::file_url(&absolute));
    }
    Ok(exit_code::SUCCESS)
}

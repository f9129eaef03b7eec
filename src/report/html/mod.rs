//! The HTML report: `report.html`, one self-contained file per run folder (and one for several
//! folders, merged), rendered from the folders' summary.json and events.jsonl.
//!
//! [`render_run_dir`] writes a run's report, [`render`] renders any set of run folders to a
//! chosen file (`flotilla report`). The page is `assets/report.html` with `report.css` and
//! `report.js` inlined (all embedded in the binary), its data a JSON block built by
//! `data.rs` from `input.rs` (the two files' schemas) and `trends.rs` (the previous runs).
//! What the page shows: docs/report.md.

mod data;
mod input;
mod names;
mod page;
mod trends;

use camino::{Utf8Path, Utf8PathBuf};

use crate::error::Error;
use crate::report::rerun::RerunCommands;

/// The report's file name inside a run folder.
pub const REPORT_FILE: &str = "report.html";

/// What the report needs beyond the run folders.
#[derive(Clone, Debug, Default)]
pub struct HtmlOptions {
    /// Re-run commands for the failing tests (none when the configuration is not at hand).
    pub reruns: RerunCommands,
}

/// Why a report could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum HtmlError {
    /// A run folder's file could not be read.
    #[error("cannot read `{path}`; is it a flotilla run folder?")]
    Read {
        path: Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// summary.json is not a flotilla summary.
    #[error("`{path}` is not a flotilla summary.json")]
    Summary {
        path: Utf8PathBuf,
        #[source]
        source: serde_json::Error,
    },
    /// The report could not be written.
    #[error("cannot write the HTML report `{path}`")]
    Write {
        path: Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl HtmlError {
    /// As the top-level error of a command that was to write the report at `out`.
    #[must_use]
    pub fn into_error(self, out: &Utf8Path) -> Error {
        Error::Report {
            what: "HTML report",
            path: out.to_path_buf(),
            source: std::io::Error::other(self),
        }
    }
}

/// Renders `run_dir/report.html`; returns its path.
pub fn render_run_dir(run_dir: &Utf8Path, options: &HtmlOptions) -> Result<Utf8PathBuf, HtmlError> {
    let out = run_dir.join(REPORT_FILE);
    render(&[run_dir.to_path_buf()], &out, options)?;
    Ok(out)
}

/// Renders one report of the run folders `dirs` (one lane group per folder) into `out`.
pub fn render(dirs: &[Utf8PathBuf], out: &Utf8Path, options: &HtmlOptions) -> Result<(), HtmlError> {
    let mut runs = dirs
        .iter()
        .map(|dir| input::RunInput::read(dir))
        .collect::<Result<Vec<_>, _>>()?;
    let trends: Vec<trends::Trends> = runs.iter().map(trends::Trends::read).collect();
    let data = data::build(&mut runs, &options.reruns, &trends);
    let title = match data.runs.as_slice() {
        [run] => format!("flotilla {}: {}", run.run_id, run.verdict),
        runs => format!("flotilla: {} runs", runs.len()),
    };
    crate::fsutil::write_atomic_with(out, |writer| page::write_page(&data, &title, writer)).map_err(|source| {
        HtmlError::Write {
            path: out.to_path_buf(),
            source,
        }
    })
}

/// The `file://` URL of an absolute path, its bytes outside `[A-Za-z0-9-_./~]` percent-encoded.
#[must_use]
pub fn file_url(path: &Utf8Path) -> String {
    format!("file://{}", data::percent_encode_path(path.as_str()))
}

//! Reporters: consumers of the runner's [`Event`](crate::runner::Event)s.
//!
//! [`Reporter`] is the one composite the run command builds: [`Terminal`] draws a live progress
//! bar with an ETA on a TTY and plain lines in CI, [`JsonStream`] writes one JSON object per
//! event for `--message-format json` (schema: docs/events-json.md), and [`ReportFiles`] writes
//! the run folder's files: events.jsonl as the run goes (the same stream), then junit.xml,
//! summary.json and report.html ([`html`], rendered from those two files) from the summary
//! that `RunFinished` carries. [`ci_summary`] writes the CI's job summary at the end.

pub mod ci_summary;
mod figures;
mod files;
pub mod html;
mod json_stream;
mod reporter;
pub mod rerun;
mod terminal;
#[cfg(test)]
mod terminal_snapshots;

pub use figures::{fmt_secs, slowest_files};
pub use files::ReportFiles;
pub use html::{HtmlError, HtmlOptions};
pub use json_stream::{EVENTS_FILE, JsonStream, VERSION as EVENTS_VERSION};
pub use reporter::Reporter;
pub use rerun::RerunCommands;
pub use terminal::{Terminal, TerminalOptions};

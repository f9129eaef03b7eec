//! Reporters: consumers of the runner's [`Event`](crate::runner::Event)s.
//!
//! [`Reporter`] is the one composite the run command builds: [`Terminal`] draws a live progress
//! bar with an ETA on a TTY and plain lines in CI, [`JsonStream`] writes one JSON object per
//! event for `--message-format json` (schema: docs/events-json.md), and [`ReportFiles`] writes
//! junit.xml and summary.json from the summary that `RunFinished` carries.

mod files;
mod json_stream;
mod reporter;
mod terminal;
#[cfg(test)]
mod terminal_snapshots;

pub use files::ReportFiles;
pub use json_stream::{JsonStream, VERSION as EVENTS_VERSION};
pub use reporter::Reporter;
pub use terminal::{Terminal, TerminalOptions};

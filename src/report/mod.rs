//! Reporters: consumers of run [`Event`](crate::runner::Event)s.
//!
//! [`Terminal`] draws a live progress bar with an ETA on a TTY and plain lines in CI;
//! [`JsonStream`] writes one JSON object per event for `--message-format json`. File reports
//! (junit.xml, summary.json) are written from the final summary by `crate::results`.

mod json_stream;
mod styles;
mod terminal;

pub use json_stream::JsonStream;
pub use styles::{ColorChoice, Styles};
pub use terminal::{Terminal, TerminalOptions};

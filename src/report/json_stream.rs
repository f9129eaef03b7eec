//! [`JsonStream`]: `--message-format json`, one event per line on stdout.

use std::io::Write;

use crate::runner::Event;

/// Writes each event as a JSON line to stdout.
#[derive(Debug, Default)]
pub struct JsonStream;

impl JsonStream {
    /// Writes one event; a closed stdout (`| head`) is ignored.
    pub fn handle(&mut self, event: &Event) {
        let mut out = std::io::stdout().lock();
        if serde_json::to_writer(&mut out, event).is_ok() {
            let _ = out.write_all(b"\n");
            let _ = out.flush();
        }
    }
}

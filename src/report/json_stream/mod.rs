//! [`JsonStream`]: `--message-format json`, one JSON object per event and line.
//!
//! This is the contract other tools (and the HTML report) read, so it has its own types, apart
//! from the runner's [`Event`]: renaming something inside flotilla must not change the stream.
//! Every line has `event`, `time` (RFC 3339, milliseconds) and `elapsed_secs` (since the run
//! started); `run_started` is always the first line and carries `version`, the schema version
//! ([`VERSION`]); `run_finished` is always the last. Schema: docs/events-json.md.

use std::io::Write;

mod events;

use serde::Serialize;

use crate::runner::TimedEvent;
use events::JsonEvent;

/// The schema version of the event stream; bumped when a field changes meaning or goes away
/// (new events and new fields do not bump it).
pub const VERSION: u32 = 1;

/// Writes each event as a JSON line.
pub struct JsonStream {
    out: Box<dyn Write>,
}

impl JsonStream {
    /// A stream to stdout.
    #[must_use]
    pub fn stdout() -> Self {
        Self::new(Box::new(std::io::stdout()))
    }

    /// A stream to `out`.
    #[must_use]
    pub fn new(out: Box<dyn Write>) -> Self {
        Self { out }
    }

    /// Writes one event; a closed output (`| head`) is ignored.
    pub fn handle(&mut self, event: &TimedEvent<'_, '_>) {
        let line = Line {
            event: JsonEvent::from(event.event),
            time: event.timestamp.to_rfc3339_opts(chrono::SecondsFormat::Millis, false),
            elapsed_secs: event.elapsed.as_secs_f64(),
        };
        if serde_json::to_writer(&mut self.out, &line).is_ok() {
            let _ = self.out.write_all(b"\n");
            let _ = self.out.flush();
        }
    }
}

#[derive(Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    event: JsonEvent<'a>,
    time: String,
    elapsed_secs: f64,
}

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

/// The event log's file name inside a run folder: this stream, written as the run goes.
pub const EVENTS_FILE: &str = "events.jsonl";

/// The schema version of the event stream; bumped when a field changes meaning or goes away
/// (new events and new fields do not bump it).
pub const VERSION: u32 = 1;

/// Writes each event as a JSON line.
pub struct JsonStream {
    out: Box<dyn Write>,
    flush: Flush,
}

/// When a stream hands its lines on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flush {
    /// After every line: a pipe's reader sees each event as it happens.
    EveryLine,
    /// When a job, a step or the run ends, a job turns slow, and when an interrupt begins: a file written through
    /// a buffer costs one write per 8 KiB instead of one per event, and loses nothing a reader
    /// needs (an interrupted run still ends with `run_finished`, flushed).
    Milestones,
}

impl JsonStream {
    /// A stream to stdout.
    #[must_use]
    pub fn stdout() -> Self {
        Self::new(Box::new(std::io::stdout()))
    }

    /// A stream to `out`, flushed after every line.
    #[must_use]
    pub fn new(out: Box<dyn Write>) -> Self {
        Self {
            out,
            flush: Flush::EveryLine,
        }
    }

    /// A stream into a new file at `path` (the run folder's `events.jsonl`), buffered.
    pub fn create(path: &camino::Utf8Path) -> std::io::Result<Self> {
        let file = fs_err::File::create(path)?;
        Ok(Self {
            out: Box::new(std::io::BufWriter::with_capacity(64 * 1024, file)),
            flush: Flush::Milestones,
        })
    }

    /// Writes one event; a closed output (`| head`) is ignored.
    pub fn handle(&mut self, event: &TimedEvent<'_, '_>) {
        let _ = self.write(event);
    }

    /// Writes one event, returning what went wrong (a full disk, for the run folder's log).
    pub fn write(&mut self, event: &TimedEvent<'_, '_>) -> std::io::Result<()> {
        let line = Line {
            event: JsonEvent::from(event.event),
            time: event.timestamp.to_rfc3339_opts(chrono::SecondsFormat::Millis, false),
            elapsed_secs: event.elapsed.as_secs_f64(),
        };
        serde_json::to_writer(&mut self.out, &line)?;
        self.out.write_all(b"\n")?;
        if self.flush == Flush::EveryLine || is_milestone(event.event) {
            self.out.flush()?;
        }
        Ok(())
    }
}

fn is_milestone(event: &crate::runner::Event<'_>) -> bool {
    use crate::runner::Event;
    matches!(
        event,
        Event::JobFinished { .. }
            | Event::JobSlow { .. }
            | Event::StepFinished { .. }
            | Event::Planned { .. }
            | Event::EnvironmentReady { .. }
            | Event::EnvironmentFailed { .. }
            | Event::EnvironmentDown { .. }
            | Event::Interrupting
            | Event::RunFinished { .. }
    )
}

#[derive(Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    event: JsonEvent<'a>,
    time: String,
    elapsed_secs: f64,
}

//! [`ReportFiles`]: what a run leaves in its folder: `events.jsonl` as the run goes, then
//! junit.xml, summary.json and report.html when it finishes, and the `latest` link pointed at
//! it.
//!
//! `events.jsonl` is the `--message-format json` stream (docs/events-json.md), buffered and
//! flushed at each job's end, each step's end, an interrupt and the run's end. The HTML report
//! is rendered from that log and summary.json, read back from disk, exactly as
//! `flotilla report` re-renders it: one source of truth, one code path.

use camino::Utf8PathBuf;

use super::JsonStream;
use super::json_stream::EVENTS_FILE;
use crate::error::Error;
use crate::results::{RunSummary, write_junit, write_summary};
use crate::runner::{RunDir, TimedEvent};

/// Writes the run's report files.
pub struct ReportFiles {
    run_dir: RunDir,
    /// The event log; `None` before the first event and after a write to it failed.
    events: Option<JsonStream>,
    /// The first error writing the event log (reported when the run finishes).
    events_error: Option<Error>,
    started: bool,
    html: super::html::HtmlOptions,
}

impl ReportFiles {
    /// Reports of the run in `run_dir`.
    #[must_use]
    pub fn new(run_dir: RunDir, html: super::html::HtmlOptions) -> Self {
        Self {
            run_dir,
            events: None,
            events_error: None,
            started: false,
            html,
        }
    }

    fn events_path(&self) -> Utf8PathBuf {
        self.run_dir.path.join(EVENTS_FILE)
    }

    /// Appends one event to `events.jsonl` (created on the first event).
    pub fn record(&mut self, event: &TimedEvent<'_, '_>) {
        if !self.started {
            self.started = true;
            match JsonStream::create(&self.events_path()) {
                Ok(stream) => self.events = Some(stream),
                Err(source) => self.fail_events(source),
            }
        }
        if let Some(stream) = self.events.as_mut()
            && let Err(source) = stream.write(event)
        {
            self.events = None;
            self.fail_events(source);
        }
    }

    fn fail_events(&mut self, source: std::io::Error) {
        self.events_error.get_or_insert(Error::Report {
            what: "event log",
            path: self.events_path(),
            source,
        });
    }

    /// Writes junit.xml, summary.json and report.html and points `latest` at the run; returns
    /// their paths. Call after `RunFinished` was recorded.
    pub fn write(&mut self, summary: &RunSummary) -> Result<Vec<Utf8PathBuf>, Error> {
        // Closing the log flushes it: the report below reads it back.
        self.events = None;
        if let Some(error) = self.events_error.take() {
            return Err(error);
        }
        let junit = self.run_dir.path.join("junit.xml");
        write_junit(summary, &junit).map_err(|source| Error::Report {
            what: "JUnit report",
            path: junit.clone(),
            source,
        })?;
        let json = self.run_dir.path.join("summary.json");
        write_summary(summary, &json).map_err(|source| Error::Report {
            what: "summary",
            path: json.clone(),
            source,
        })?;
        self.run_dir.mark_latest().map_err(|source| Error::Report {
            what: "latest link",
            path: self.run_dir.path.clone(),
            source,
        })?;
        let html = super::html::render_run_dir(&self.run_dir.path, &self.html)
            .map_err(|error| error.into_error(&self.run_dir.path.join(super::html::REPORT_FILE)))?;
        Ok(vec![junit, json, self.events_path(), html])
    }
}

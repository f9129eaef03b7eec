//! [`Reporter`]: every consumer of a run's events behind one `report` call, built from options.
//!
//! Every event goes to the run folder's event log as it happens. The report files come first on
//! `RunFinished`, so that the terminal's last screen can say
//! where they are; a failure to write them is kept and returned by [`Reporter::finish`] (the
//! run's exit code then becomes 3: a run whose results are not on disk did not do its job).

use super::{JsonStream, ReportFiles, Terminal};
use crate::error::Error;
use crate::runner::{Event, TimedEvent};

/// The reporters of one run.
pub struct Reporter {
    terminal: Terminal,
    json: Option<JsonStream>,
    files: Option<ReportFiles>,
    error: Option<Error>,
}

impl Reporter {
    /// A reporter made of the terminal view, optionally the JSON stream, and the report files.
    #[must_use]
    pub fn new(terminal: Terminal, json: Option<JsonStream>, files: Option<ReportFiles>) -> Self {
        Self {
            terminal,
            json,
            files,
            error: None,
        }
    }

    /// Hands one event to every reporter.
    pub fn report(&mut self, event: &TimedEvent<'_, '_>) {
        if let Some(json) = self.json.as_mut() {
            json.handle(event);
        }
        if let Some(files) = self.files.as_mut() {
            files.record(event);
        }
        self.terminal.handle(event.event);
        if let Event::RunFinished { summary, .. } = event.event {
            let written = match self.files.as_mut().map(|files| files.write(summary)) {
                Some(Ok(written)) => written,
                Some(Err(error)) => {
                    self.error = Some(error);
                    Vec::new()
                }
                None => Vec::new(),
            };
            self.terminal.finish(summary, &written);
        }
    }

    /// Ends reporting: the first error a reporter met, if any.
    pub fn finish(self) -> Result<(), Error> {
        self.error.map_or(Ok(()), Err)
    }
}

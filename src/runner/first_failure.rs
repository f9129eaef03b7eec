//! [`FirstFailureWatch`]: notices the run's first failing attempt among the events and names
//! it in a [`Event::FirstFailure`] of its own, so that a CI log, a dashboard or a script
//! reading the events knows the time to first failure as soon as there is one.

use crate::quarantine::{Quarantine, QuarantineMode};

use super::event::Event;

/// Watches `TestFinished` events for the first failure (muted tests aside), across every
/// test step of the run.
#[derive(Debug, Default)]
pub(super) struct FirstFailureWatch {
    /// The run's quarantine list, once the configuration is prepared.
    quarantine: Quarantine,
    seen: bool,
}

impl FirstFailureWatch {
    /// Muted tests' failures fail nothing, so they are not the first failure.
    pub(super) fn mute_by(&mut self, quarantine: Quarantine) {
        self.quarantine = quarantine;
    }

    /// The `FirstFailure` event to emit after `event`, once per run.
    pub(super) fn after<'a>(&mut self, event: &Event<'a>) -> Option<Event<'a>> {
        let Event::TestFinished {
            suite,
            id,
            file,
            outcome,
            worker,
            attempt,
            ..
        } = *event
        else {
            return None;
        };
        if self.seen || !outcome.is_failure() || self.quarantine.mode(id, file) == Some(QuarantineMode::Mute) {
            return None;
        }
        self.seen = true;
        Some(Event::FirstFailure {
            suite,
            id,
            file,
            outcome,
            worker,
            attempt,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::results::Outcome;

    fn finished(id: &str, outcome: Outcome) -> Event<'_> {
        Event::TestFinished {
            suite: "s",
            id,
            name: id,
            file: "f.sh",
            outcome,
            duration: Duration::from_millis(5),
            worker: 2,
            attempt: 1,
            job: 0,
            message: None,
        }
    }

    #[test]
    fn names_the_first_failing_attempt_once() {
        let mut watch = FirstFailureWatch::default();
        assert!(watch.after(&finished("a", Outcome::Passed)).is_none());
        assert!(watch.after(&Event::Interrupting).is_none());
        let Some(Event::FirstFailure {
            id, outcome, worker, ..
        }) = watch.after(&finished("b", Outcome::TimedOut))
        else {
            panic!("a timed-out test is a failure");
        };
        assert_eq!((id, outcome, worker), ("b", Outcome::TimedOut, 2));
        assert!(watch.after(&finished("c", Outcome::Failed)).is_none(), "once per run");
    }

    #[test]
    fn a_muted_tests_failure_is_not_the_first_failure() {
        let mut watch = FirstFailureWatch::default();
        watch.mute_by(Quarantine::new(&["a".to_string()], &[]).unwrap());
        assert!(watch.after(&finished("a", Outcome::Failed)).is_none());
        assert!(watch.after(&finished("b", Outcome::Failed)).is_some());
    }
}

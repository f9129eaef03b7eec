//! How outcomes, exits and step results read in prose: one `Display` each, used by every
//! reporter and message (so the terminal, warnings and reports never word them differently).

use std::fmt;

use super::{JobExit, Outcome, StepOutcome};

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::TimedOut => "timed out",
            other => other.as_str(),
        })
    }
}

impl fmt::Display for JobExit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exited { code } => write!(f, "exited with code {code}"),
            Self::Signaled { signal } => write!(f, "killed by signal {}", signal_name(*signal)),
            Self::TimedOut => f.write_str("timed out; its process group was killed"),
            Self::Interrupted => f.write_str("interrupted"),
            Self::SpawnFailed { message } => f.write_str(message),
        }
    }
}

impl fmt::Display for StepOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Passed => "passed",
            Self::Failed => "failed",
            Self::TimedOut => "timed out",
            Self::Interrupted => "interrupted",
            Self::Skipped => "skipped",
        })
    }
}

/// `SIGKILL` for 9; the number itself for a signal this platform does not name.
#[must_use]
pub fn signal_name(signal: i32) -> String {
    nix::sys::signal::Signal::try_from(signal).map_or_else(|_| format!("{signal}"), |s| s.as_str().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_reads_as_prose() {
        assert_eq!(Outcome::TimedOut.to_string(), "timed out");
        assert_eq!(JobExit::Signaled { signal: 9 }.to_string(), "killed by signal SIGKILL");
        assert_eq!(JobExit::Exited { code: 3 }.to_string(), "exited with code 3");
        assert_eq!(StepOutcome::TimedOut.to_string(), "timed out");
    }
}

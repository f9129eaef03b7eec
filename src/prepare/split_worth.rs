//! [`worth_splitting`]: whether listing a big file's tests and spreading them over the workers
//! can pay for itself. A split costs a listing (one run of the runner, about one start-up, paid
//! before any job starts) and one more job start-up on each worker that takes a share of the
//! file (paid in parallel: about one start-up of wall time). It gains at most the part of the
//! file other workers could take: its estimate less its own worker's share of it. Where the
//! runner's start-up dominates (a sub-second Rust suite, an import-heavy Python package) the
//! file runs whole.

use std::time::Duration;

/// A split costs about this many of the suite's learned start-ups of wall time.
const SPLIT_COST_STARTUPS: u32 = 2;

/// True when spreading a file of `estimate` over `slots` workers can gain more than the
/// start-ups the split costs. An unlearned start-up (zero) never stops a split.
pub(super) fn worth_splitting(estimate: Duration, slots: usize, startup: Duration) -> bool {
    let slots = u32::try_from(slots.max(1)).unwrap_or(u32::MAX);
    let movable = estimate.saturating_sub(estimate / slots);
    movable > startup * SPLIT_COST_STARTUPS
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn a_sub_second_file_is_not_split_when_start_up_dominates() {
        // cargo-nextest: 0.4 s of tests, 0.23 s to start a job.
        assert!(!worth_splitting(secs(0.4), 2, secs(0.23)));
    }

    #[test]
    fn a_long_file_is_split_whatever_the_start_up() {
        assert!(worth_splitting(secs(60.0), 2, secs(9.0)));
    }

    #[test]
    fn a_file_that_gains_less_than_two_start_ups_runs_whole() {
        // Half of 20 s could move; two start-ups of 6 s cost more.
        assert!(!worth_splitting(secs(20.0), 2, secs(6.0)));
        assert!(worth_splitting(secs(20.0), 4, secs(6.0)));
    }

    #[test]
    fn an_unlearned_start_up_never_stops_a_split() {
        assert!(worth_splitting(secs(0.05), 2, Duration::ZERO));
    }

    #[test]
    fn one_slot_has_nothing_to_move() {
        assert!(!worth_splitting(secs(100.0), 1, Duration::ZERO));
    }
}

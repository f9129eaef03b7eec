//! [`RetryPolicy`]: how often, and after how long, a failed test or step command runs again.
//! One type for suites and steps, so the back-off is computed in one place.

use std::time::Duration;

/// Retries of a failed test (or step command) with exponential back-off.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RetryPolicy {
    /// How many times it may run again after the first attempt.
    pub retries: u32,
    /// Wait before the first retry; each further retry waits twice as long as the one before.
    pub delay: Duration,
}

impl RetryPolicy {
    /// No retries.
    pub const NONE: Self = Self {
        retries: 0,
        delay: Duration::ZERO,
    };

    /// Whether attempt `attempt` (1 for the first run) that failed may run again.
    #[must_use]
    pub fn allows_retry_after(self, attempt: u32) -> bool {
        attempt <= self.retries
    }

    /// How long to wait before running again after failed attempt `attempt`: `delay`, doubled
    /// for each earlier retry (capped at 2^16 times, far past any sensible wait).
    #[must_use]
    pub fn delay_after(self, attempt: u32) -> Duration {
        self.delay.saturating_mul(1 << attempt.saturating_sub(1).min(16))
    }

    /// How many attempts it allows in all.
    #[must_use]
    pub fn attempts(self) -> u32 {
        self.retries.saturating_add(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn back_off_doubles_and_retries_run_out() {
        let policy = RetryPolicy {
            retries: 2,
            delay: Duration::from_secs(1),
        };
        assert_eq!(policy.delay_after(1), Duration::from_secs(1));
        assert_eq!(policy.delay_after(2), Duration::from_secs(2));
        assert_eq!(policy.delay_after(3), Duration::from_secs(4));
        assert!(policy.allows_retry_after(1) && policy.allows_retry_after(2));
        assert!(!policy.allows_retry_after(3), "two retries: a third failure is final");
        assert_eq!(policy.attempts(), 3);
        assert!(!RetryPolicy::NONE.allows_retry_after(1));
        assert_eq!(RetryPolicy::NONE.delay_after(40), Duration::ZERO);
    }
}

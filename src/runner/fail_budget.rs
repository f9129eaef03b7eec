//! [`FailBudget`]: how many failed tests a run may see before `--max-fail` stops its scheduling.
//! Only final failures count: a test that will be retried is not counted yet, so a flaky test
//! (failed, then passed on a retry) never spends the budget.

use crate::config::{MaxFail, OnMaxFail};

/// The failures seen so far against the `max-fail` limit (none: the budget is never spent).
#[derive(Clone, Debug)]
pub(super) struct FailBudget {
    max_fail: Option<MaxFail>,
    failures: u32,
}

impl FailBudget {
    /// A budget for `max_fail`, of which earlier test steps of the run already spent `failures`.
    pub(super) fn new(max_fail: Option<MaxFail>, failures: u32) -> Self {
        Self { max_fail, failures }
    }

    /// Counts `failures` more final failures; true when these spent the budget (the moment to
    /// say so, once).
    pub(super) fn count(&mut self, failures: u32) -> bool {
        let was_spent = self.spent().is_some();
        self.failures = self.failures.saturating_add(failures);
        !was_spent && self.spent().is_some()
    }

    /// What becomes of the running jobs, once the limit is reached (`None` until then).
    pub(super) fn spent(&self) -> Option<OnMaxFail> {
        self.max_fail
            .filter(|max_fail| self.failures >= max_fail.limit.get())
            .map(|max_fail| max_fail.on_reach)
    }

    /// Why a test did not run, once the budget is spent.
    pub(super) fn not_run_message(&self) -> String {
        let limit = self.max_fail.map_or(0, |max_fail| max_fail.limit.get());
        format!(
            "not run: flotilla stopped after {} failure(s) (max-fail {limit})",
            self.failures
        )
    }

    /// What the terminal and the event stream say when the budget is spent.
    pub(super) fn reached_message(&self) -> String {
        let limit = self.max_fail.map_or(0, |max_fail| max_fail.limit.get());
        let running = match self.spent() {
            Some(OnMaxFail::Immediate) => "running jobs are stopped",
            _ => "running jobs finish",
        };
        format!(
            "max-fail {limit} reached after {} failure(s): no new jobs start, {running}, the tests left are reported not run (run without --max-fail, or raise it, to run them all)",
            self.failures
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn max_fail(text: &str) -> Option<MaxFail> {
        Some(text.parse().unwrap())
    }

    #[test]
    fn without_a_limit_the_budget_is_never_spent() {
        let mut budget = FailBudget::new(None, 0);
        assert!(!budget.count(1_000));
        assert_eq!(budget.spent(), None);
    }

    #[test]
    fn the_budget_is_spent_once_at_the_limit_and_says_so_once() {
        let mut budget = FailBudget::new(max_fail("3:immediate"), 1);
        assert!(!budget.count(1), "2 of 3");
        assert_eq!(budget.spent(), None);
        assert!(budget.count(2), "4 of 3: spent now");
        assert_eq!(budget.spent(), Some(OnMaxFail::Immediate));
        assert!(!budget.count(1), "already spent: not announced again");
        assert!(budget.not_run_message().contains("after 5 failure(s) (max-fail 3)"));
    }

    #[test]
    fn failures_of_earlier_steps_count() {
        let budget = FailBudget::new(max_fail("2"), 2);
        assert_eq!(budget.spent(), Some(OnMaxFail::Wait));
    }
}

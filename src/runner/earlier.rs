//! [`carry_earlier_attempts`]: for `run --rerun-failed`, the attempts of the run being re-run
//! go before each test's new ones, marked with that run's id, so the report shows what failed
//! then beside what happens now. The test's outcome stays the new run's: a rerun answers "does
//! it pass now?".

use std::collections::HashMap;

use crate::results::RunSummary;

/// How a carried attempt's message starts (then the run's id).
const MARKER: &str = "earlier run ";

/// Puts `earlier`'s failed attempts of each test of `summary` before its own.
pub(super) fn carry_earlier_attempts(summary: &mut RunSummary, earlier: &RunSummary) {
    let failed: HashMap<(&str, &str), &crate::results::TestResult> = earlier
        .tests
        .iter()
        .filter(|test| test.outcome.is_failure())
        .map(|test| ((&*test.suite, &*test.id), test))
        .collect();
    for test in &mut summary.tests {
        let Some(before) = failed.get(&(&*test.suite, &*test.id)) else {
            continue;
        };
        let carried = before.attempts.iter().cloned().map(|mut attempt| {
            if attempt.message.as_deref().is_some_and(|m| m.starts_with(MARKER)) {
                // Carried into that run from one before it: marked already.
                return attempt;
            }
            let what = attempt
                .message
                .take()
                .unwrap_or_else(|| attempt.outcome.as_str().to_string());
            attempt.message = Some(format!("{MARKER}{}: {what}", earlier.run_id));
            // Its job belongs to the earlier run's folder, not to this one's jobs.
            attempt.job = usize::MAX;
            attempt
        });
        let now = std::mem::take(&mut test.attempts);
        test.attempts = carried.chain(now).collect();
    }
}

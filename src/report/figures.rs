//! Figures the terminal, the CI summaries and the HTML report all show: [`fmt_secs`] and
//! [`slowest_files`].

use std::collections::HashMap;
use std::time::Duration;

use crate::results::RunSummary;

/// `1.23s`, or `2m05s` from a minute on.
#[must_use]
pub fn fmt_secs(secs: f64) -> String {
    if secs < 60.0 {
        format!("{secs:.2}s")
    } else {
        let total = secs.round() as u64;
        format!("{}m{:02}s", total / 60, total % 60)
    }
}

/// The `n` files whose tests took longest (the sum of every attempt), slowest first:
/// `(suite, file, time)`.
#[must_use]
pub fn slowest_files(summary: &RunSummary, n: usize) -> Vec<(&str, &str, Duration)> {
    let mut per_file: HashMap<(&str, &str), Duration> = HashMap::new();
    // A cached test did not run: its time is an earlier run's.
    for test in summary
        .tests
        .iter()
        .filter(|t| t.outcome != crate::results::Outcome::Cached)
    {
        let time: Duration = test.attempts.iter().map(|a| a.duration).sum();
        *per_file.entry((&test.suite, &test.file)).or_default() += time;
    }
    let mut files: Vec<_> = per_file.into_iter().map(|((s, f), d)| (s, f, d)).collect();
    files.sort_by(|a, b| b.2.cmp(&a.2).then(a.1.cmp(b.1)).then(a.0.cmp(b.0)));
    files.truncate(n);
    files
}

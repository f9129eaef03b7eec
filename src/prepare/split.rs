//! [`split_file`]: a big file's tests as units of their own, each with its own estimate (its
//! history, else an even share of the file's), so that one file can spread over workers.

use std::time::Duration;

use super::Unit;
use crate::config::Suite;
use crate::history::{Estimate, EstimateSource, History};
use crate::runners::{ListedTest, Target};
use crate::suite_index::SuiteIndex;

/// Test units for a big file: each test's own history, else the file's estimate shared out.
pub(super) fn split_file(
    history: &mut History,
    suite_index: SuiteIndex,
    suite: &Suite,
    file: &str,
    estimate: Estimate,
    tests: &[ListedTest],
) -> Vec<Unit> {
    let samples = history.test_samples(&suite.name, file);
    let share = estimate.duration / u32::try_from(tests.len()).unwrap_or(u32::MAX);
    tests
        .iter()
        .map(|test| {
            let estimate = match samples.get(&test.id).filter(|s| !s.is_empty()) {
                Some(samples) => Estimate {
                    duration: crate::history::clamp_secs(crate::history::percentile(samples)),
                    source: EstimateSource::History { samples: samples.len() },
                },
                None => Estimate {
                    duration: share.max(Duration::from_millis(1)),
                    source: EstimateSource::FileShare,
                },
            };
            Unit {
                suite: suite_index,
                target: Target {
                    file: file.to_string(),
                    test: Some(test.id.clone()),
                },
                estimate,
            }
        })
        .collect()
}

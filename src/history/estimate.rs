//! The cost model: per-file estimates from history, fallbacks, and the learned start-up cost.
//!
//! * A file with history is estimated by the 80th percentile (nearest rank) of its last runs:
//!   robust to one slow outlier, yet conservative for files whose time varies.
//! * A file without history gets the median of the known files of its own folder (tests of one
//!   folder tend to be alike: `unit/` against `e2e/`), else of the suite's known files, else
//!   [`DEFAULT_ESTIMATE`]; no estimate is ever zero.
//! * What a job costs beyond its tests, per job and per file, is learned from recent jobs'
//!   `wall time − reported test time` ([`Startup::learn`]).

use std::collections::HashMap;
use std::time::Duration;

use serde::Serialize;

use super::seconds::{median, secs};
use super::startup_cost::{Startup, StartupSample};

/// Estimate of a file nothing is known about, in a suite nothing is known about.
pub const DEFAULT_ESTIMATE: Duration = Duration::from_secs(1);
/// No estimate is smaller than this (zero would let the planner pile files onto one worker).
const MIN_ESTIMATE: Duration = Duration::from_millis(1);
/// The percentile of recent durations used as a file's estimate.
const PERCENTILE: f64 = 0.8;

/// Where an estimate came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum EstimateSource {
    /// The file's own recent runs.
    History { samples: usize },
    /// No history for the file: the median of the known files of its folder.
    DirectoryMedian,
    /// No history for the file or its folder: the median of the suite's known files.
    SuiteMedian,
    /// A test split out of a file with no history of its own: the file's estimate shared out.
    FileShare,
    /// Nothing known in the suite: the default scaled by the file's size against the
    /// suite's median size.
    FileSize,
    /// Nothing known in the suite: the built-in default.
    Default,
    /// The estimate a plan file recorded (`flotilla run --plan`): measured when it was planned.
    Plan,
}

impl EstimateSource {
    /// Whether the estimate was measured (its own history, or a plan made from it).
    #[must_use]
    pub fn is_measured(&self) -> bool {
        matches!(self, Self::History { .. } | Self::Plan)
    }
}

impl std::fmt::Display for EstimateSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::History { samples } => write!(f, "history ({samples} run{})", if *samples == 1 { "" } else { "s" }),
            Self::DirectoryMedian => f.write_str("fallback: folder median"),
            Self::SuiteMedian => f.write_str("fallback: suite median"),
            Self::FileShare => f.write_str("fallback: share of its file"),
            Self::FileSize => f.write_str("fallback: file size"),
            Self::Default => f.write_str("fallback: default"),
            Self::Plan => f.write_str("plan file"),
        }
    }
}

/// One file's estimate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Estimate {
    /// Expected duration.
    #[serde(rename = "secs", serialize_with = "secs")]
    pub duration: Duration,
    /// Where it came from.
    pub source: EstimateSource,
}

/// Estimates for every file of a suite, in the order given.
#[derive(Clone, Debug, PartialEq)]
pub struct SuiteEstimates {
    /// One per file.
    pub files: Vec<Estimate>,
    /// What a job costs beyond its tests.
    pub startup: Startup,
}

impl SuiteEstimates {
    /// Share of files whose estimate comes from their own history.
    #[must_use]
    pub fn known_ratio(&self) -> f64 {
        if self.files.is_empty() {
            return 1.0;
        }
        let known = self
            .files
            .iter()
            .filter(|e| matches!(e.source, EstimateSource::History { .. }))
            .count();
        known as f64 / self.files.len() as f64
    }
}

/// Estimates `files` from `samples` (seconds, newest first, per file) and `startup_samples`.
/// A file's estimate is its tests' time; what a job spends on each file beyond that is
/// [`Startup::per_file`], added by the caller once the estimates are final.
#[must_use]
pub fn estimate_suite(
    files: &[String],
    samples: &HashMap<String, Vec<f64>>,
    startup_samples: &[StartupSample],
) -> SuiteEstimates {
    let known: Vec<Option<(Duration, usize)>> = files
        .iter()
        .map(|file| {
            samples
                .get(file)
                .filter(|s| !s.is_empty())
                .map(|s| (clamp(percentile_of(s, PERCENTILE)), s.len()))
        })
        .collect();
    let mut known_values: Vec<f64> = Vec::new();
    let mut known_by_folder: HashMap<&str, Vec<f64>> = HashMap::new();
    for (file, samples) in samples.iter().filter(|(_, s)| !s.is_empty()) {
        let value = percentile_of(samples, PERCENTILE);
        known_values.push(value);
        known_by_folder.entry(folder_of(file)).or_default().push(value);
    }
    let fallback = if known_values.is_empty() {
        Estimate {
            duration: DEFAULT_ESTIMATE,
            source: EstimateSource::Default,
        }
    } else {
        Estimate {
            duration: clamp(median(&mut known_values)),
            source: EstimateSource::SuiteMedian,
        }
    };
    // With every known file in one folder, its median is the suite's.
    let spread = known_by_folder.len() > 1;
    let folder_medians: HashMap<&str, Estimate> = known_by_folder
        .into_iter()
        .filter(|_| spread)
        .map(|(folder, mut values)| {
            let estimate = Estimate {
                duration: clamp(median(&mut values)),
                source: EstimateSource::DirectoryMedian,
            };
            (folder, estimate)
        })
        .collect();
    let files = known
        .into_iter()
        .zip(files)
        .map(|(known, file)| match known {
            Some((duration, samples)) => Estimate {
                duration,
                source: EstimateSource::History { samples },
            },
            None => folder_medians.get(folder_of(file)).copied().unwrap_or(fallback),
        })
        .collect();
    SuiteEstimates {
        files,
        startup: Startup::learn(startup_samples),
    }
}

/// The folder of a file's relative path (`""` at the top).
fn folder_of(file: &str) -> &str {
    file.rsplit_once('/').map_or("", |(folder, _)| folder)
}

/// The estimate for recent `samples` (seconds): their 80th percentile.
#[must_use]
pub fn percentile(samples: &[f64]) -> f64 {
    percentile_of(samples, PERCENTILE)
}

/// A duration in seconds as an estimate (never below the minimum).
#[must_use]
pub fn clamp_secs(secs: f64) -> Duration {
    clamp(secs)
}

fn clamp(secs: f64) -> Duration {
    if secs.is_finite() && secs > 0.0 {
        Duration::from_secs_f64(secs).max(MIN_ESTIMATE)
    } else {
        MIN_ESTIMATE
    }
}

/// Nearest-rank percentile `p` of `values`.
fn percentile_of(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(names: &[&str]) -> Vec<String> {
        names.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn history_uses_a_high_percentile_not_the_last_value() {
        let samples = HashMap::from([("a".to_string(), vec![1.0, 1.0, 1.0, 1.0, 9.0, 1.0, 1.0, 1.0, 1.0, 1.0])]);
        let estimates = estimate_suite(&files(&["a"]), &samples, &[]);
        assert_eq!(estimates.files[0].duration, Duration::from_secs(1));
        let samples = HashMap::from([("a".to_string(), vec![5.0, 1.0, 2.0, 3.0, 4.0])]);
        let estimates = estimate_suite(&files(&["a"]), &samples, &[]);
        assert_eq!(estimates.files[0].duration, Duration::from_secs(4));
        assert_eq!(estimates.files[0].source, EstimateSource::History { samples: 5 });
    }

    #[test]
    fn unknown_files_fall_back_and_are_never_zero() {
        let samples = HashMap::from([
            ("a".to_string(), vec![2.0]),
            ("b".to_string(), vec![4.0]),
            ("c".to_string(), vec![0.0]),
        ]);
        let estimates = estimate_suite(&files(&["a", "c", "new"]), &samples, &[]);
        assert_eq!(estimates.files[1].duration, MIN_ESTIMATE);
        assert_eq!(estimates.files[2].source, EstimateSource::SuiteMedian);
        assert_eq!(estimates.files[2].duration, Duration::from_secs(2));
        let cold = estimate_suite(&files(&["x"]), &HashMap::new(), &[]);
        assert_eq!(
            cold.files[0],
            Estimate {
                duration: DEFAULT_ESTIMATE,
                source: EstimateSource::Default
            }
        );
        assert!((cold.known_ratio() - 0.0).abs() < f64::EPSILON);
    }

    #[test]
    fn a_new_file_takes_its_folders_median_before_the_suites() {
        let samples = HashMap::from([
            ("unit/a.py".to_string(), vec![0.1]),
            ("unit/b.py".to_string(), vec![0.3]),
            ("e2e/c.py".to_string(), vec![20.0]),
            ("e2e/d.py".to_string(), vec![40.0]),
            ("e2e/e.py".to_string(), vec![30.0]),
        ]);
        let estimates = estimate_suite(&files(&["unit/new.py", "e2e/new.py", "other/new.py"]), &samples, &[]);
        assert_eq!(estimates.files[0].duration, Duration::from_secs_f64(0.2));
        assert_eq!(estimates.files[0].source, EstimateSource::DirectoryMedian);
        assert_eq!(estimates.files[1].duration, Duration::from_secs(30));
        assert_eq!(estimates.files[2].duration, Duration::from_secs(20));
        assert_eq!(estimates.files[2].source, EstimateSource::SuiteMedian);
    }
}

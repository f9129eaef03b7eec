//! What a job costs beyond its tests' own time: a fixed cost per job (the runner starting,
//! its plugins loading) plus a cost per file it is given (a Python module imported and
//! collected, a go package's test binary built and linked), learned from recent jobs'
//! `wall − reported test time` gaps.
//!
//! The per-file part matters for batches: pytest spends 60–100 ms importing and collecting
//! each networkx test file outside any test's time, so a batch of 236 files estimated from
//! its tests alone at 15 s took 30 s. The fit is Theil–Sen (the median of the slopes between
//! every two jobs with different file counts, then the median intercept): robust to a few
//! jobs slowed by a busy machine, and nothing to tune.
//!
//! A negative gap says the job ran tests in parallel (nextest, go), whose overlapping times
//! hide its start-up: such samples are left out while others remain. Counted as zero, they
//! once pulled rayon's start-up down to 0.11 s where a job of one test took 0.17 s, and the
//! planner cut its tail into 28 jobs of 0.2 s. Neither cost is ever negative.

use std::time::Duration;

use serde::Serialize;

use super::seconds::{median, secs};

/// One recent job's gap between wall time and the time its tests reported.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StartupSample {
    /// `wall − reported`, in seconds (may be negative).
    pub gap_secs: f64,
    /// How many files the job ran (`None`: recorded before schema 5).
    pub files: Option<usize>,
}

/// The cost of a suite's job beyond its tests: per job, and per file it runs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Startup {
    /// Fixed cost of starting one job.
    #[serde(rename = "secs", serialize_with = "secs")]
    pub duration: Duration,
    /// Cost of each file a job runs, beyond its tests (zero when not learned: every recent
    /// job ran as many files, or their gaps do not grow with it).
    #[serde(rename = "per_file_secs", serialize_with = "secs")]
    pub per_file: Duration,
    /// How many jobs it was learned from (0: not learned, assumed zero).
    pub jobs: usize,
}

impl Startup {
    /// Learns both costs from `samples` (any order).
    #[must_use]
    pub fn learn(samples: &[StartupSample]) -> Self {
        if samples.is_empty() {
            return Self::default();
        }
        let jobs = samples.len();
        let unmasked: Vec<StartupSample> = samples.iter().copied().filter(|s| s.gap_secs >= 0.0).collect();
        let samples = if unmasked.is_empty() { samples } else { &unmasked };
        let gap = |s: &StartupSample| s.gap_secs.max(0.0);
        let counted: Vec<(f64, f64)> = samples.iter().filter_map(|s| Some((s.files? as f64, gap(s)))).collect();
        let mut slopes: Vec<f64> = Vec::new();
        for (i, &(files_a, gap_a)) in counted.iter().enumerate() {
            for &(files_b, gap_b) in &counted[i + 1..] {
                if files_a != files_b {
                    slopes.push((gap_b - gap_a) / (files_b - files_a));
                }
            }
        }
        let per_file = if slopes.is_empty() {
            0.0
        } else {
            median(&mut slopes).max(0.0)
        };
        // Samples without a file count are taken as jobs of one file: most were, and it keeps
        // their gap in the per-job cost rather than dropping it.
        let mut intercepts: Vec<f64> = samples
            .iter()
            .map(|s| gap(s) - per_file * s.files.unwrap_or(1) as f64)
            .collect();
        Self {
            duration: Duration::from_secs_f64(median(&mut intercepts).max(0.0)),
            per_file: Duration::from_secs_f64(per_file),
            jobs,
        }
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn sample(gap_secs: f64, files: usize) -> StartupSample {
        StartupSample {
            gap_secs,
            files: Some(files),
        }
    }

    fn close(a: Duration, b: f64) -> bool {
        (a.as_secs_f64() - b).abs() < 1e-9
    }

    #[test]
    fn nothing_learned_without_samples() {
        assert_eq!(Startup::learn(&[]), Startup::default());
    }

    #[test]
    fn jobs_of_one_size_teach_only_the_per_job_cost_the_median_gap() {
        let samples: Vec<StartupSample> = [0.5, 0.2, 0.3].iter().map(|&g| sample(g, 1)).collect();
        let startup = Startup::learn(&samples);
        assert!(close(startup.duration, 0.3), "{startup:?}");
        assert_eq!((startup.per_file, startup.jobs), (Duration::ZERO, 3));
    }

    #[test]
    fn gaps_hidden_by_parallel_tests_are_left_out_and_never_make_a_cost_negative() {
        // rayon under nextest: big jobs run tests two at a time (negative gaps), a job of one
        // small test shows the start-up.
        let samples: Vec<StartupSample> = [-20.0, -3.5, -0.4, 0.16, 0.17, 0.15]
            .iter()
            .map(|&g| sample(g, 1))
            .collect();
        let startup = Startup::learn(&samples);
        assert!(close(startup.duration, 0.16), "{startup:?}");
        assert_eq!(startup.jobs, 6, "learned from every job it was shown");
        let all_hidden: Vec<StartupSample> = [-2.0, -1.0].iter().map(|&g| sample(g, 2)).collect();
        assert_eq!(Startup::learn(&all_hidden).duration, Duration::ZERO);
    }

    #[test]
    fn samples_without_a_file_count_count_as_jobs_of_one_file() {
        let old = [0.5, 0.3, 0.4].map(|gap_secs| StartupSample { gap_secs, files: None });
        let startup = Startup::learn(&old);
        assert!(close(startup.duration, 0.4), "{startup:?}");
        assert_eq!(startup.per_file, Duration::ZERO);
    }

    #[test]
    fn a_gap_that_grows_with_the_files_is_a_per_file_cost() {
        // networkx under pytest, as measured: about 1.6 s per job and 0.1 s per file.
        let samples: Vec<StartupSample> = [1, 1, 2, 4, 9, 15, 22, 236]
            .iter()
            .map(|&n| sample(1.6 + 0.1 * n as f64, n))
            .collect();
        let startup = Startup::learn(&samples);
        assert!(close(startup.duration, 1.6), "{startup:?}");
        assert!(close(startup.per_file, 0.1), "{startup:?}");
    }

    #[test]
    fn one_slow_job_does_not_move_the_fit() {
        let mut samples: Vec<StartupSample> = (1..=10).map(|n| sample(2.0 + 0.05 * n as f64, n)).collect();
        samples.push(sample(40.0, 3));
        let startup = Startup::learn(&samples);
        assert!((startup.duration.as_secs_f64() - 2.0).abs() < 0.1, "{startup:?}");
        assert!((startup.per_file.as_secs_f64() - 0.05).abs() < 0.02, "{startup:?}");
    }

    #[test]
    fn a_gap_that_shrinks_with_the_files_costs_nothing_per_file() {
        // A runner that runs tests in parallel: the more files, the more test time overlaps.
        let samples: Vec<StartupSample> = (1..=5).map(|n| sample(1.0 - 0.3 * n as f64, n)).collect();
        let startup = Startup::learn(&samples);
        assert_eq!(startup.per_file, Duration::ZERO);
    }

    proptest! {
        #[test]
        fn costs_are_never_negative_and_a_job_is_never_predicted_below_zero(
            gaps in proptest::collection::vec((-5.0f64..30.0, proptest::option::of(1usize..300)), 1..50),
        ) {
            let samples: Vec<StartupSample> =
                gaps.iter().map(|&(gap_secs, files)| StartupSample { gap_secs, files }).collect();
            let startup = Startup::learn(&samples);
            prop_assert_eq!(startup.jobs, samples.len());
            let most = gaps.iter().map(|g| g.0).fold(0.0, f64::max);
            // Medians of what was seen: neither is above the largest gap (files differ by 1 at
            // least, so no slope is steeper than that).
            prop_assert!(startup.duration.as_secs_f64() <= most + 1e-9);
            prop_assert!(startup.per_file.as_secs_f64() <= most + 1e-9);
        }
    }
}

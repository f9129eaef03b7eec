//! [`estimate_by_size`]: cold estimates for a suite nothing is known about, from its files'
//! sizes: a bigger test file usually holds more tests, so it is guessed longer.
//!
//! Sizes are only a hint, so they are coarse: a file's estimate is [`DEFAULT_ESTIMATE`] times
//! its size against the suite's median size, rounded to a power of √2 and kept within
//! 1/8x–8x. Files of about the same size get the same estimate and their order is left to
//! the planner's tie rule (names from both ends inwards), not to a few bytes' difference.

use std::time::Duration;

use super::estimate::{DEFAULT_ESTIMATE, Estimate, EstimateSource};

/// The most a size moves an estimate from the default, in powers of √2 (8x either way).
const MOST_STEPS: f64 = 6.0;

/// Estimates for files of `sizes` (bytes; `None` where the size is unknown, as for a folder
/// unit): the default scaled by size, or the plain default where sizes say nothing.
#[must_use]
pub fn estimate_by_size(sizes: &[Option<u64>]) -> Vec<Estimate> {
    let default = Estimate {
        duration: DEFAULT_ESTIMATE,
        source: EstimateSource::Default,
    };
    let mut known: Vec<u64> = sizes.iter().flatten().copied().filter(|&s| s > 0).collect();
    if known.len() < 2 {
        return vec![default; sizes.len()];
    }
    known.sort_unstable();
    let median = known[known.len() / 2] as f64;
    sizes
        .iter()
        .map(|size| match size {
            Some(size) if *size > 0 => {
                let steps = (2.0 * (*size as f64 / median).log2())
                    .round()
                    .clamp(-MOST_STEPS, MOST_STEPS);
                if steps == 0.0 {
                    default
                } else {
                    Estimate {
                        duration: Duration::from_secs_f64(DEFAULT_ESTIMATE.as_secs_f64() * 2f64.powf(steps / 2.0)),
                        source: EstimateSource::FileSize,
                    }
                }
            }
            _ => default,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bigger_files_are_guessed_longer_in_coarse_steps() {
        let estimates = estimate_by_size(&[Some(1_000), Some(1_050), Some(4_000), Some(10), None, Some(1_000_000)]);
        assert_eq!(estimates[0], estimates[1], "a few bytes apart: the same guess");
        assert_eq!(estimates[0].source, EstimateSource::Default);
        assert_eq!(estimates[2].duration, Duration::from_secs(4));
        assert_eq!(estimates[2].source, EstimateSource::FileSize);
        assert_eq!(estimates[3].duration, Duration::from_millis(125), "never below 1/8x");
        assert_eq!(estimates[4].source, EstimateSource::Default);
        assert_eq!(estimates[5].duration, Duration::from_secs(8), "never above 8x");
    }

    #[test]
    fn equal_sizes_say_nothing() {
        let estimates = estimate_by_size(&[Some(12); 5]);
        assert!(estimates.iter().all(|e| e.source == EstimateSource::Default));
    }
}

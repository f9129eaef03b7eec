//! [`Sample`]: one run of one test as the history keeps it (when, which run, how long, how it
//! ended), the bounded merge of two lists of samples, and their packed form in the store.
//!
//! A test keeps only its newest [`RECENT_SAMPLES`]: what estimates read. Samples are
//! identified by their run's key, so merging is a set union: merging the same samples twice,
//! or several lists in any order, gives the same list (newest first, capped).

use serde::{Deserialize, Serialize};

/// How many samples of each test are kept (estimates read the newest 10 runs).
pub const RECENT_SAMPLES: usize = 10;

/// How a test's run ended, packed in one byte: the first attempt's outcome (estimates read the
/// first attempt's duration) and two flags for the final outcome.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SampleOutcome(pub u8);

impl SampleOutcome {
    const FIRST_MASK: u8 = 0b0000_0111;
    /// The test failed in the end (failed, error, timed out).
    const FAILED: u8 = 0b0000_1000;
    /// It failed, then passed on a retry.
    const FLAKY: u8 = 0b0001_0000;

    /// From the first attempt's outcome and the test's final outcome.
    #[must_use]
    pub fn new(first: crate::results::Outcome, last: crate::results::Outcome) -> Self {
        use crate::results::Outcome;
        let code = match first {
            // A cached result is never recorded (it did not run); were it, it passed.
            Outcome::Passed | Outcome::Cached => 0,
            Outcome::Failed => 1,
            Outcome::Error => 2,
            Outcome::Skipped => 3,
            Outcome::Flaky => 4,
            Outcome::TimedOut => 5,
        };
        let mut bits = code;
        if last.is_failure() {
            bits |= Self::FAILED;
        }
        if last == Outcome::Flaky {
            bits |= Self::FLAKY;
        }
        Self(bits)
    }

    /// Whether the first attempt was an error (its duration says nothing about the test).
    #[must_use]
    pub fn first_was_error(self) -> bool {
        self.0 & Self::FIRST_MASK == 2
    }

    /// Whether the test failed in the end.
    #[must_use]
    pub fn failed(self) -> bool {
        self.0 & Self::FAILED != 0
    }

    /// Whether the test was flaky.
    #[must_use]
    pub fn flaky(self) -> bool {
        self.0 & Self::FLAKY != 0
    }
}

/// One run of one test (in an export: `[time, key, secs, outcome]`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(into = "(u32, u32, f32, u8)", from = "(u32, u32, f32, u8)")]
pub struct Sample {
    /// When its run started, in seconds since the Unix epoch.
    pub time: u32,
    /// Which run (a hash of its id, or of the CI build's id: the nodes of one build share it,
    /// so a file split across nodes sums to the whole file).
    pub key: u32,
    /// The first attempt's duration in seconds.
    pub secs: f32,
    /// How it ended.
    pub outcome: SampleOutcome,
}

impl From<Sample> for (u32, u32, f32, u8) {
    fn from(sample: Sample) -> Self {
        (sample.time, sample.key, sample.secs, sample.outcome.0)
    }
}

impl From<(u32, u32, f32, u8)> for Sample {
    fn from((time, key, secs, outcome): (u32, u32, f32, u8)) -> Self {
        Self {
            time,
            key,
            secs,
            outcome: SampleOutcome(outcome),
        }
    }
}

impl Sample {
    /// Bytes of one packed sample.
    pub const PACKED: usize = 13;

    /// `secs` as a sample keeps it: rounded to the microsecond (what reports measure), so an
    /// export writes few digits.
    #[must_use]
    pub fn secs_of(secs: f64) -> f32 {
        ((secs * 1e6).round() / 1e6) as f32
    }

    /// The total order merging relies on: newest first, then by key, then by value (so two
    /// different samples of one run always resolve the same way).
    fn order(&self) -> (u32, u32, u32, SampleOutcome) {
        (self.time, self.key, self.secs.to_bits(), self.outcome)
    }
}

/// `a` and `b` combined: one sample per run key (the greater, by time then value), newest
/// first, at most `cap`. Commutative, associative and idempotent.
#[must_use]
pub fn merge(a: &[Sample], b: &[Sample], cap: usize) -> Vec<Sample> {
    let mut all: Vec<Sample> = a.iter().chain(b).copied().collect();
    normalize(&mut all, cap);
    all
}

/// Sorts newest first, keeps one sample per key and at most `cap`.
pub fn normalize(samples: &mut Vec<Sample>, cap: usize) {
    // By key, greatest first, so that dedup keeps the greatest sample of each run.
    samples.sort_by(|x, y| (x.key, y.order()).cmp(&(y.key, x.order())));
    samples.dedup_by_key(|s| s.key);
    samples.sort_by_key(|s| std::cmp::Reverse(s.order()));
    samples.truncate(cap);
}

/// The samples packed as the store keeps them: 13 little-endian bytes each.
#[must_use]
pub fn pack(samples: &[Sample]) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(samples.len() * Sample::PACKED);
    for sample in samples {
        bytes.extend_from_slice(&sample.time.to_le_bytes());
        bytes.extend_from_slice(&sample.key.to_le_bytes());
        bytes.extend_from_slice(&sample.secs.to_le_bytes());
        bytes.push(sample.outcome.0);
    }
    bytes
}

/// Unpacks [`pack`]'s bytes; a trailing partial sample (a damaged row) is dropped.
#[must_use]
pub fn unpack(bytes: &[u8]) -> Vec<Sample> {
    bytes
        .chunks_exact(Sample::PACKED)
        .map(|chunk| {
            let word = |at: usize| [chunk[at], chunk[at + 1], chunk[at + 2], chunk[at + 3]];
            Sample {
                time: u32::from_le_bytes(word(0)),
                key: u32::from_le_bytes(word(4)),
                secs: f32::from_le_bytes(word(8)),
                outcome: SampleOutcome(chunk[12]),
            }
        })
        .collect()
}

/// A 32-bit FNV-1a hash: the key of a run (or build) id.
#[must_use]
pub fn key_of(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5_u32, |hash, byte| {
        (hash ^ u32::from(byte)).wrapping_mul(0x0100_0193)
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn sample() -> impl Strategy<Value = Sample> {
        (0u32..20, 0u32..8, 0u32..1000, 0u8..32).prop_map(|(time, key, millis, outcome)| Sample {
            time,
            key,
            secs: millis as f32 / 1000.0,
            outcome: SampleOutcome(outcome),
        })
    }

    fn samples() -> impl Strategy<Value = Vec<Sample>> {
        proptest::collection::vec(sample(), 0..24)
    }

    fn normalized(mut samples: Vec<Sample>) -> Vec<Sample> {
        normalize(&mut samples, RECENT_SAMPLES);
        samples
    }

    proptest! {
        #[test]
        fn merging_is_commutative_idempotent_and_associative(a in samples(), b in samples(), c in samples()) {
            let (a, b, c) = (normalized(a), normalized(b), normalized(c));
            prop_assert_eq!(merge(&a, &b, RECENT_SAMPLES), merge(&b, &a, RECENT_SAMPLES));
            prop_assert_eq!(merge(&a, &a, RECENT_SAMPLES), a.clone());
            let left = merge(&merge(&a, &b, RECENT_SAMPLES), &c, RECENT_SAMPLES);
            let right = merge(&a, &merge(&b, &c, RECENT_SAMPLES), RECENT_SAMPLES);
            prop_assert_eq!(left, right);
        }

        #[test]
        fn merged_samples_are_bounded_unique_and_newest_first(a in samples(), b in samples()) {
            let merged = merge(&a, &b, RECENT_SAMPLES);
            prop_assert!(merged.len() <= RECENT_SAMPLES);
            let mut keys: Vec<u32> = merged.iter().map(|s| s.key).collect();
            keys.sort_unstable();
            keys.dedup();
            prop_assert_eq!(keys.len(), merged.len());
            prop_assert!(merged.windows(2).all(|w| w[0].time >= w[1].time));
        }

        #[test]
        fn packing_round_trips(a in samples()) {
            prop_assert_eq!(unpack(&pack(&a)), a);
        }
    }

    #[test]
    fn the_newest_samples_are_kept() {
        let runs: Vec<Sample> = (0..15)
            .map(|n| Sample {
                time: n,
                key: n,
                secs: n as f32,
                outcome: SampleOutcome(0),
            })
            .collect();
        let kept = merge(&runs, &[], RECENT_SAMPLES);
        assert_eq!(kept.len(), RECENT_SAMPLES);
        assert_eq!(kept[0].time, 14);
        assert_eq!(kept[9].time, 5);
    }

    #[test]
    fn outcome_flags() {
        use crate::results::Outcome;
        let flaky = SampleOutcome::new(Outcome::Failed, Outcome::Flaky);
        assert!(flaky.flaky() && !flaky.failed() && !flaky.first_was_error());
        let error = SampleOutcome::new(Outcome::Error, Outcome::Error);
        assert!(error.first_was_error() && error.failed());
    }
}

//! A test and its subtests (`pkg::TestParent/child`, at any depth) as one unit of time.
//!
//! A runner that reports subtests reports the parent too, and the two overlap: a parent whose
//! subtests run one after another reports their time as its own, and a parent whose subtests
//! run in parallel can report almost none of it (go's `TestZip64LargeDirectory`, `t.Parallel`
//! with two 47 s subtests, reports 0.00 s). Summing every test of a file counted such a
//! package two or three times over; estimating the parent from its own time alone planned a
//! 31 s job at 2 s. The time of a family, per run, is therefore the larger of the parent's own
//! time and its longest descendant's: right for sequential subtests (the parent's time holds
//! them) and a floor for parallel ones (they end no sooner than the longest).
//!
//! A test is a subtest when its id is another recorded test's id followed by `/`; nothing
//! else about an id is assumed, so a pytest parameter holding a `/` (`test_path[a/b]`) is no
//! subtest. Ids must come in order (`tests`' primary key order): a parent's descendants follow
//! it; a sibling sorted between them (`TestA-x` before `TestA/y`, which go's identifiers never
//! give) only ends the family early, counting the rest on their own as before.

use super::sample::Sample;

/// The test being gathered with its descendants: per run (time, key), its own seconds and its
/// longest descendant's.
#[derive(Debug)]
pub(super) struct Family {
    top: String,
    runs: Vec<Run>,
}

#[derive(Clone, Copy, Debug)]
struct Run {
    time: u32,
    key: u32,
    own: f64,
    longest_descendant: f64,
}

impl Family {
    /// A family headed by `id`, with its samples.
    pub(super) fn new(id: &str, samples: impl IntoIterator<Item = Sample>) -> Self {
        Self {
            top: id.to_string(),
            runs: samples
                .into_iter()
                .map(|s| Run {
                    time: s.time,
                    key: s.key,
                    own: f64::from(s.secs),
                    longest_descendant: 0.0,
                })
                .collect(),
        }
    }

    /// Whether `id` is a descendant of this family's head.
    pub(super) fn adopts(&self, id: &str) -> bool {
        id.strip_prefix(self.top.as_str())
            .is_some_and(|rest| rest.starts_with('/'))
    }

    /// Adds a descendant's samples.
    pub(super) fn adopt(&mut self, samples: impl IntoIterator<Item = Sample>) {
        for sample in samples {
            let secs = f64::from(sample.secs);
            match self.runs.iter_mut().find(|run| run.key == sample.key) {
                Some(run) => {
                    run.time = run.time.max(sample.time);
                    run.longest_descendant = run.longest_descendant.max(secs);
                }
                None => self.runs.push(Run {
                    time: sample.time,
                    key: sample.key,
                    own: 0.0,
                    longest_descendant: secs,
                }),
            }
        }
    }

    /// The head's id.
    pub(super) fn top(&self) -> &str {
        &self.top
    }

    /// Per run: (time, key, the family's seconds).
    pub(super) fn runs(&self) -> impl Iterator<Item = (u32, u32, f64)> + '_ {
        self.runs
            .iter()
            .map(|run| (run.time, run.key, run.own.max(run.longest_descendant)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::SampleOutcome;

    fn sample(key: u32, secs: f32) -> Sample {
        Sample {
            time: key,
            key,
            secs,
            outcome: SampleOutcome(0),
        }
    }

    #[test]
    fn only_ids_under_the_head_and_a_slash_are_descendants() {
        let family = Family::new("pkg::TestA", []);
        assert!(family.adopts("pkg::TestA/sub"));
        assert!(family.adopts("pkg::TestA/sub/deeper"));
        assert!(!family.adopts("pkg::TestA"));
        assert!(!family.adopts("pkg::TestAB"));
        assert!(!family.adopts("pkg::TestA_x/sub"));
        assert!(!Family::new("t.py::test_path", []).adopts("t.py::test_path[a/b]"));
    }

    #[test]
    fn parallel_subtests_count_as_the_longest_and_sequential_ones_as_the_parent() {
        // Run 1: a parent of 0 s with two parallel 47 s subtests; run 2: a parent that holds its
        // sequential subtests' 3 s; run 3: only a subtest ran (the parent was split out).
        let mut family = Family::new("zip::TestLarge", [sample(1, 0.0), sample(2, 3.0)]);
        family.adopt([sample(1, 47.0), sample(2, 1.0), sample(3, 2.0)]);
        family.adopt([sample(1, 46.5), sample(2, 2.0)]);
        let runs: Vec<(u32, u32, f64)> = family.runs().collect();
        assert_eq!(runs, [(1, 1, 47.0), (2, 2, 3.0), (3, 3, 2.0)]);
    }
}

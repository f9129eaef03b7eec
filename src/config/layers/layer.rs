//! [`Layer`]: what one layer of settings says (the command line, the environment's variables,
//! the chosen profile, the file's `[run]` table). Every layer has the same shape, so that they
//! merge by the one [`Combine`] rule; unset fields leave the value to the next layer.

use std::collections::BTreeMap;

use super::combine::Combine;
use super::source::Sourced;
use crate::config::{MaxFail, Workers};
use crate::results::FlakyResult;

/// One layer of settings. Fields that a layer cannot set stay `None` in it (a profile has no
/// `out-dir`, the file's `[run]` has no `suites`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layer {
    /// Worker slots on this machine.
    pub workers: Option<Sourced<Workers>>,
    /// Retries of failed tests, for every suite (over each suite's own `retries`).
    pub retries: Option<Sourced<u32>>,
    /// Only these suites.
    pub suites: Option<Sourced<Vec<String>>>,
    /// Which tests, in the runner's selection language (over each suite's own `select`).
    pub select: Option<Sourced<String>>,
    /// Whether a flaky test passes or fails the run.
    pub flaky_result: Option<Sourced<FlakyResult>>,
    /// Where run folders go.
    pub out_dir: Option<Sourced<String>>,
    /// The history file.
    pub history: Option<Sourced<String>>,
    /// How many run folders to keep.
    pub keep_runs: Option<Sourced<usize>>,
    /// Stop after this many failures.
    pub max_fail: Option<Sourced<MaxFail>>,
    /// Variables for every job (over each suite's own `env`, name by name).
    pub env: BTreeMap<String, Sourced<String>>,
}

impl Combine for Layer {
    fn combine(self, other: Self) -> Self {
        // Destructured, not `..`: a field added to `Layer` must be combined here too.
        let Self {
            workers,
            retries,
            suites,
            select,
            flaky_result,
            out_dir,
            history,
            keep_runs,
            max_fail,
            mut env,
        } = self;
        for (name, value) in other.env {
            env.entry(name).or_insert(value);
        }
        Self {
            workers: workers.combine(other.workers),
            retries: retries.combine(other.retries),
            suites: suites.combine(other.suites),
            select: select.combine(other.select),
            flaky_result: flaky_result.combine(other.flaky_result),
            out_dir: out_dir.combine(other.out_dir),
            history: history.combine(other.history),
            keep_runs: keep_runs.combine(other.keep_runs),
            max_fail: max_fail.combine(other.max_fail),
            env,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::source::Source;
    use super::*;

    #[test]
    fn the_higher_layer_wins_field_by_field() {
        let flags = Layer {
            workers: Some(Sourced::new(Workers::Fixed(2), Source::Flag("--workers"))),
            ..Layer::default()
        };
        let profile = Layer {
            workers: Some(Sourced::new(
                Workers::Fixed(8),
                Source::Profile {
                    name: "ci".into(),
                    line: 3,
                },
            )),
            retries: Some(Sourced::new(
                1,
                Source::Profile {
                    name: "ci".into(),
                    line: 4,
                },
            )),
            env: BTreeMap::from([(
                "A".to_string(),
                Sourced::new(
                    "profile".to_string(),
                    Source::Profile {
                        name: "ci".into(),
                        line: 5,
                    },
                ),
            )]),
            ..Layer::default()
        };
        let merged = flags.combine(profile);
        assert_eq!(merged.workers.unwrap().source, Source::Flag("--workers"));
        assert_eq!(merged.retries.unwrap().value, 1);
        assert_eq!(merged.env["A"].value, "profile");
    }
}

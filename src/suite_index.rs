//! [`SuiteIndex`]: which suite of the configuration, by its position in `[suite.*]` order (the
//! order of `Config::suites`, and of the planner's `PlanInput::suites`, which follows it). A
//! type of its own so that a suite, a unit, a batch, a job and a worker slot are never
//! mixed up in a signature; `config.suites[index]` and `input.suites[index]` take it
//! directly, and [`SuiteIndex::get`] is the way to any other per-suite vector.

use std::fmt;

/// One suite of the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SuiteIndex(usize);

impl SuiteIndex {
    /// The suite at position `position` (0-based, config order).
    #[must_use]
    pub const fn new(position: usize) -> Self {
        Self(position)
    }

    /// Every suite of a configuration of `suites` suites, in order.
    pub fn all(suites: usize) -> impl DoubleEndedIterator<Item = Self> + ExactSizeIterator {
        (0..suites).map(Self)
    }

    /// Its position in config order (to index a per-suite vector).
    #[must_use]
    pub const fn get(self) -> usize {
        self.0
    }
}

impl fmt::Display for SuiteIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// `vec[index]` for a per-suite vector of `T` (the config's suites, the planner's).
#[macro_export]
#[doc(hidden)]
macro_rules! index_by_suite {
    ($element:ty) => {
        impl std::ops::Index<$crate::suite_index::SuiteIndex> for [$element] {
            type Output = $element;
            fn index(&self, index: $crate::suite_index::SuiteIndex) -> &$element {
                &self[index.get()]
            }
        }
        impl std::ops::Index<$crate::suite_index::SuiteIndex> for Vec<$element> {
            type Output = $element;
            fn index(&self, index: $crate::suite_index::SuiteIndex) -> &$element {
                &self[index.get()]
            }
        }
        impl std::ops::IndexMut<$crate::suite_index::SuiteIndex> for Vec<$element> {
            fn index_mut(&mut self, index: $crate::suite_index::SuiteIndex) -> &mut $element {
                &mut self[index.get()]
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Named(&'static str);
    index_by_suite!(Named);

    #[test]
    fn a_suite_index_indexes_per_suite_vectors() {
        let suites = vec![Named("api"), Named("web")];
        let web = SuiteIndex::new(1);
        assert_eq!(suites[web].0, "web");
        assert_eq!(suites.as_slice()[web].0, "web");
        assert_eq!(SuiteIndex::all(2).map(SuiteIndex::get).collect::<Vec<_>>(), [0, 1]);
        assert_eq!(web.to_string(), "1");
    }
}

//! [`WorkerSlot`]: which of a run's workers, 1-based by construction. The config (`on-workers`),
//! the planner's simulation, the dispatcher, the events and the reports all count workers from
//! 1 the way people read `w1`, `w2`; a slot is only turned into a 0-based index at the one
//! place that indexes a vector ([`WorkerSlot::index`]).

use std::fmt;
use std::num::NonZeroUsize;

/// One worker slot of a run: `1..=workers`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct WorkerSlot(NonZeroUsize);

impl WorkerSlot {
    /// The first worker.
    pub const FIRST: Self = Self(NonZeroUsize::MIN);

    /// Slot `number` (1-based); `None` for 0.
    #[must_use]
    pub const fn new(number: usize) -> Option<Self> {
        match NonZeroUsize::new(number) {
            Some(number) => Some(Self(number)),
            None => None,
        }
    }

    /// The slot at 0-based `index` of a vector of workers.
    #[must_use]
    pub const fn from_index(index: usize) -> Self {
        Self(NonZeroUsize::MIN.saturating_add(index))
    }

    /// Every slot of a run of `workers` workers, in order.
    pub fn all(workers: usize) -> impl DoubleEndedIterator<Item = Self> + ExactSizeIterator {
        (0..workers).map(Self::from_index)
    }

    /// Its number as people read it (1-based).
    #[must_use]
    pub const fn get(self) -> usize {
        self.0.get()
    }

    /// Its 0-based position in a vector of workers.
    #[must_use]
    pub const fn index(self) -> usize {
        self.0.get() - 1
    }
}

impl fmt::Display for WorkerSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_count_from_one_and_index_from_zero() {
        assert_eq!(WorkerSlot::new(0), None);
        let third = WorkerSlot::new(3).unwrap();
        assert_eq!((third.get(), third.index()), (3, 2));
        assert_eq!(WorkerSlot::from_index(2), third);
        assert_eq!(WorkerSlot::FIRST.get(), 1);
        assert_eq!(WorkerSlot::all(3).map(WorkerSlot::get).collect::<Vec<_>>(), [1, 2, 3]);
        assert_eq!(third.to_string(), "3");
        assert_eq!(serde_json::to_string(&third).unwrap(), "3");
        assert!(
            serde_json::from_str::<WorkerSlot>("0").is_err(),
            "a slot 0 is not a slot"
        );
    }
}

//! [`JobId`]: which job of a run, unique across its test steps (the first step's jobs count
//! from 0, each later step's from where the one before stopped), in the order jobs start. It
//! names the job's logs (`job-00012.stdout`) and ties every attempt to its job. A type of its
//! own so that a job id, a worker slot and a suite's index are never mixed up in a signature;
//! results and events keep the plain number.

use std::fmt;

/// One job of a run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct JobId(usize);

impl JobId {
    /// The job numbered `number`.
    #[must_use]
    pub const fn new(number: usize) -> Self {
        Self(number)
    }

    /// The job `offset` places after this one.
    #[must_use]
    pub const fn after(self, offset: usize) -> Self {
        Self(self.0 + offset)
    }

    /// How many jobs come before this one since `first` (`None` if it comes before `first`).
    #[must_use]
    pub const fn since(self, first: Self) -> Option<usize> {
        self.0.checked_sub(first.0)
    }

    /// Its number.
    #[must_use]
    pub const fn get(self) -> usize {
        self.0
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_count_on_from_the_first_job_of_a_step() {
        let first = JobId::new(7);
        let third = first.after(2);
        assert_eq!(third.get(), 9);
        assert_eq!(third.since(first), Some(2));
        assert_eq!(first.since(third), None);
        assert_eq!(third.to_string(), "9");
    }
}

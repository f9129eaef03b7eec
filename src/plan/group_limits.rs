//! [`GroupLimits`]: how many jobs of each test group (`[group.NAME]`) run now, against each
//! group's `max-concurrency`. The one admission rule for the runner's dispatcher and the plan's
//! simulation: a job whose groups are all below their limits may start; a job holding files of
//! several groups counts once against each.

/// Running jobs per group, and each group's limit.
#[derive(Clone, Debug, Default)]
pub struct GroupLimits {
    /// `max-concurrency` of each group (index = group), at least 1.
    limits: Vec<usize>,
    /// Jobs of each group running now.
    running: Vec<usize>,
}

impl GroupLimits {
    /// No job running; `limits[group]` is that group's `max-concurrency` (0 is taken as 1).
    #[must_use]
    pub fn new(limits: Vec<usize>) -> Self {
        let running = vec![0; limits.len()];
        Self {
            limits: limits.into_iter().map(|limit| limit.max(1)).collect(),
            running,
        }
    }

    /// Whether a job of `groups` may start now: each of them is below its limit. A group this
    /// value does not know has no limit.
    #[must_use]
    pub fn admits(&self, groups: &[usize]) -> bool {
        groups
            .iter()
            .all(|&g| self.limits.get(g).is_none_or(|&limit| self.running[g] < limit))
    }

    /// A job of `groups` started.
    pub fn start(&mut self, groups: &[usize]) {
        for &g in groups {
            if let Some(running) = self.running.get_mut(g) {
                *running += 1;
            }
        }
    }

    /// A job of `groups` ended.
    pub fn finish(&mut self, groups: &[usize]) {
        for &g in groups {
            if let Some(running) = self.running.get_mut(g) {
                *running = running.saturating_sub(1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_group_at_its_limit_admits_nothing_until_one_of_its_jobs_ends() {
        let mut limits = GroupLimits::new(vec![1, 2]);
        assert!(limits.admits(&[]));
        limits.start(&[0, 1]);
        assert!(!limits.admits(&[0]), "group 0 is at 1 of 1");
        assert!(limits.admits(&[1]), "group 1 is at 1 of 2");
        assert!(!limits.admits(&[0, 1]), "every group of a job must have room");
        limits.start(&[1]);
        assert!(!limits.admits(&[1]));
        assert!(limits.admits(&[7]), "an unknown group has no limit");
        limits.finish(&[0, 1]);
        assert!(limits.admits(&[0, 1]));
    }
}

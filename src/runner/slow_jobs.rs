//! [`SlowJobs`]: which running jobs have passed their suite's `slow-after`, each announced once.
//!
//! Pure state over instants the caller passes in (the run loop's `tokio::time::Instant`s), so
//! the rule is tested without waiting: a job is due once `now - started >= slow-after`; it is
//! handed out by [`SlowJobs::take_due`] at most once, and forgotten when it finishes, announced
//! or not. The run loop sleeps until [`SlowJobs::next_due`] next to its other wake-ups.

use std::time::Duration;

use tokio::time::Instant;

use super::job_id::JobId;
use crate::suite_index::SuiteIndex;
use crate::worker_slot::WorkerSlot;

/// A running job that may still turn slow.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Watched {
    /// The job's id.
    pub(super) job: JobId,
    /// Its suite in the config.
    pub(super) suite: SuiteIndex,
    /// Its worker slot.
    pub(super) worker: WorkerSlot,
    /// Its attempt (1 for first runs).
    pub(super) attempt: u32,
    /// Its files.
    pub(super) files: Vec<String>,
    /// When it started.
    pub(super) started: Instant,
    /// When it turns slow.
    due: Instant,
}

/// The running jobs not yet announced as slow.
#[derive(Debug, Default)]
pub(super) struct SlowJobs {
    watched: Vec<Watched>,
}

/// A job that just started, as [`SlowJobs::started`] takes it.
pub(super) struct Started {
    pub(super) job: JobId,
    pub(super) suite: SuiteIndex,
    pub(super) worker: WorkerSlot,
    pub(super) attempt: u32,
    pub(super) files: Vec<String>,
    pub(super) at: Instant,
}

impl SlowJobs {
    /// Watches a job that started, if its suite has a `slow-after`.
    pub(super) fn started(&mut self, started: Started, slow_after: Option<Duration>) {
        let Some(slow_after) = slow_after else { return };
        let Started {
            job,
            suite,
            worker,
            attempt,
            files,
            at,
        } = started;
        self.watched.push(Watched {
            job,
            suite,
            worker,
            attempt,
            files,
            started: at,
            due: at + slow_after,
        });
    }

    /// Forgets a job that finished (announced or not).
    pub(super) fn finished(&mut self, job: JobId) {
        self.watched.retain(|watched| watched.job != job);
    }

    /// When the next watched job turns slow, if any is watched.
    pub(super) fn next_due(&self) -> Option<Instant> {
        self.watched.iter().map(|watched| watched.due).min()
    }

    /// The jobs slow at `now`, in start order; each is handed out once.
    pub(super) fn take_due(&mut self, now: Instant) -> Vec<Watched> {
        let (due, waiting) = std::mem::take(&mut self.watched)
            .into_iter()
            .partition(|watched| watched.due <= now);
        self.watched = waiting;
        due
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn start(job: usize, at: Instant) -> Started {
        Started {
            job: JobId::new(job),
            suite: SuiteIndex::new(0),
            worker: WorkerSlot::from_index(job),
            attempt: 1,
            files: vec![format!("t/{job}.sh")],
            at,
        }
    }

    #[test]
    fn a_job_is_due_at_its_slow_after_and_announced_once() {
        let t0 = Instant::now();
        let mut slow = SlowJobs::default();
        slow.started(start(0, t0), Some(Duration::from_secs(60)));
        assert_eq!(slow.next_due(), Some(t0 + Duration::from_secs(60)));
        assert!(slow.take_due(t0 + Duration::from_secs(59)).is_empty());
        let due = slow.take_due(t0 + Duration::from_secs(60));
        assert_eq!(due.iter().map(|w| w.job.get()).collect::<Vec<_>>(), vec![0]);
        assert_eq!(due[0].files, vec!["t/0.sh".to_string()]);
        assert!(slow.take_due(t0 + Duration::from_secs(600)).is_empty(), "once only");
        assert_eq!(slow.next_due(), None);
    }

    #[test]
    fn a_suite_without_slow_after_is_never_watched() {
        let t0 = Instant::now();
        let mut slow = SlowJobs::default();
        slow.started(start(0, t0), None);
        assert_eq!(slow.next_due(), None);
        assert!(slow.take_due(t0 + Duration::from_secs(3600)).is_empty());
    }

    #[test]
    fn a_job_that_finished_in_time_is_never_announced() {
        let t0 = Instant::now();
        let mut slow = SlowJobs::default();
        slow.started(start(0, t0), Some(Duration::from_secs(1)));
        slow.started(start(1, t0), Some(Duration::from_secs(2)));
        slow.finished(JobId::new(0));
        assert_eq!(slow.next_due(), Some(t0 + Duration::from_secs(2)));
        let due = slow.take_due(t0 + Duration::from_secs(5));
        assert_eq!(due.iter().map(|w| w.job.get()).collect::<Vec<_>>(), vec![1]);
    }

    proptest! {
        /// Whatever the start times, limits and checks: a job is announced at most once, never
        /// before its limit, and, if still running at a check past its limit, by then.
        #[test]
        fn each_job_is_announced_once_and_never_early(
            jobs in prop::collection::vec((0u64..100, 1u64..100), 1..12),
            checks in prop::collection::vec(0u64..300, 1..20),
        ) {
            let t0 = Instant::now();
            let mut slow = SlowJobs::default();
            for (job, &(start_at, limit)) in jobs.iter().enumerate() {
                slow.started(start(job, t0 + Duration::from_secs(start_at)), Some(Duration::from_secs(limit)));
            }
            let mut checks = checks;
            checks.sort_unstable();
            let mut announced = vec![0u32; jobs.len()];
            for &check in &checks {
                for watched in slow.take_due(t0 + Duration::from_secs(check)) {
                    let (start_at, limit) = jobs[watched.job.get()];
                    prop_assert!(check >= start_at + limit, "job {} announced early", watched.job);
                    announced[watched.job.get()] += 1;
                }
            }
            let last = *checks.last().unwrap();
            for (job, &(start_at, limit)) in jobs.iter().enumerate() {
                prop_assert!(announced[job] <= 1);
                prop_assert_eq!(announced[job] == 1, last >= start_at + limit);
            }
        }
    }
}

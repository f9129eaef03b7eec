//! [`CpuShare`]: how much of its jobs' wall time a suite spent on CPU, over its recent jobs.

/// The CPU and wall time of a suite's recent jobs whose CPU time is known, summed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CpuShare {
    /// How many jobs.
    pub jobs: usize,
    /// Their CPU time (user + system of each job's main process and the children it waited for).
    pub cpu_secs: f64,
    /// Their wall time.
    pub wall_secs: f64,
    /// The share of a core each job could count on when every worker was busy (cores /
    /// workers of its run, at most 1), averaged: a ratio near it means the machine, not the
    /// suite, set the pace.
    pub fair_share: f64,
    /// The wall time of its jobs in the newest run that measured any: how much of the
    /// workers' time the suite takes in a run.
    pub last_run_wall_secs: f64,
    /// The largest resident set, in bytes, any of those jobs' processes had (`None`: none
    /// measured, as in stores from before schema 4).
    pub max_rss: Option<u64>,
}

impl CpuShare {
    /// CPU time per second of wall time: about 1 for a single-threaded CPU-bound suite, near 0
    /// for one that sleeps or waits on the network, above 1 for jobs that use several cores.
    #[must_use]
    pub fn ratio(&self) -> f64 {
        if self.wall_secs > 0.0 {
            self.cpu_secs / self.wall_secs
        } else {
            1.0
        }
    }

    /// Whether the jobs got about as much CPU as they could: then the ratio is the machine's
    /// limit, and the suite may want more.
    #[must_use]
    pub fn saturated(&self) -> bool {
        self.ratio() >= SATURATED * self.fair_share
    }
}

/// A ratio above this share of the fair share counts as saturated.
const SATURATED: f64 = 0.8;

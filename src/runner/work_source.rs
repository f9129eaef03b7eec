//! [`WorkSource`]: where a test step's jobs come from. Either they are all known before the
//! step starts ([`WorkSource::Planned`]: this node's plan, or its share of a plan file), or a
//! remote source hands out batches one at a time as workers free up ([`WorkSource::Remote`]:
//! the Redis queue across CI nodes, `super::queue_source`), and is told when each batch's jobs
//! (retries included) are all done. The dispatcher does not know which; `test_run` talks to a
//! remote source through [`RemoteWork`]'s two channels.

use std::time::Duration;

use tokio::sync::mpsc;

use super::Job;
use crate::error::Error;
use crate::results::TestResult;
use crate::runners::Target;

/// Where a test step's jobs come from.
pub enum WorkSource {
    /// Every job, in dispatch order.
    Planned(Vec<Job>),
    /// Batches handed out on request.
    Remote(RemoteWork),
}

/// One batch from a remote source.
#[derive(Debug)]
pub struct RemoteBatch {
    /// The source's handle for it (reported back in [`ToSource::Settled`]).
    pub origin: u64,
    /// The suite's name (every node runs the same configuration).
    pub suite: String,
    /// Its targets with their estimates, longest first.
    pub targets: Vec<(Target, Duration)>,
    /// Predicted wall time, start-up included.
    pub estimate: Duration,
}

/// What the run loop tells a remote source.
#[derive(Debug)]
pub enum ToSource {
    /// A worker is free and nothing waits locally: send one reply to it.
    WantWork,
    /// Every job of batch `origin` is done.
    Settled {
        origin: u64,
        tests: Vec<TestResult>,
        /// False when an interrupt cut it short: its results are partial.
        complete: bool,
    },
}

/// What a remote source tells the run loop.
#[derive(Debug)]
pub enum FromSource {
    /// A batch to run (answers [`ToSource::WantWork`]).
    Batch(RemoteBatch),
    /// Targets that will not run: report each failed with `message` (answers `WantWork`).
    Failed {
        suite: String,
        targets: Vec<Target>,
        message: String,
    },
    /// Something the user should know.
    Note(String),
    /// Nothing more will come (answers `WantWork`).
    Exhausted,
    /// The source broke: nothing more will come, and the step's work is not all accounted for.
    Broken(Error),
}

/// A remote source's two channels and its task (awaited at the end of the step, so its last
/// writes are done before the run goes on).
pub struct RemoteWork {
    pub to: mpsc::UnboundedSender<ToSource>,
    pub from: mpsc::UnboundedReceiver<FromSource>,
    pub task: tokio::task::JoinHandle<()>,
}

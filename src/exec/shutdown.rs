//! [`Shutdown`]: the one cancellation vocabulary of the program. Every process flotilla starts
//! (jobs, listings, step commands, docker and compose calls) watches it; `crate::signal` moves it forward on SIGINT and
//! SIGTERM.

/// How far shutdown has gone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shutdown {
    /// Keep going.
    Running,
    /// Stop scheduling, terminate running jobs, write reports.
    Graceful,
    /// Kill everything now.
    Immediate,
}

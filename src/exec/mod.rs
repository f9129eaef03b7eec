//! The one place that runs processes. Every process gets its own process group, registered so
//! that a second Ctrl-C can kill them all at once ([`kill_all_now`]), is cancelled through the
//! one [`Shutdown`] vocabulary, has a deadline enforced on the whole group, and is always reaped
//! before the call returns. Two modes:
//!
//! - [`run_process`]: jobs and step commands. stdout and stderr go to log files (created only
//!   for a stream that prints something) and can be relayed line by line; deadline and shutdown
//!   SIGTERM the group, then SIGKILL it after a grace period.
//! - [`run_captured`]: short commands whose output is parsed (docker and compose CLI calls).
//!   Output is kept in memory, bounded ([`CAPTURE_LIMIT`] per stream); deadline and shutdown
//!   SIGKILL the group at once.

mod capture;
mod exit_watch;
mod groups;
mod in_memory;
mod output;
mod proc_stat;
mod process;
mod shutdown;

pub use exit_watch::Usage;
pub use groups::kill_all_now;
pub use in_memory::{CAPTURE_LIMIT, Captured, CapturedSpec, run_captured};
pub use output::{OutputLine, Stream};
pub use process::{ProcessEnd, ProcessResult, ProcessSpec, SpawnError, run_process};
pub use shutdown::Shutdown;

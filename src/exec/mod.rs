//! Running one job's process: its own process group, stdout and stderr captured to log files
//! (created only for a stream that prints something), a deadline enforced by killing the whole
//! group (SIGTERM, grace period, SIGKILL), always reaped. The main entry point is [`run_process`].

mod capture;
mod groups;
mod output;
mod process;
mod shutdown;

pub use groups::kill_all_now;
pub use output::{OutputLine, Stream};
pub use process::{ProcessEnd, ProcessResult, ProcessSpec, SpawnError, run_process};
pub use shutdown::Shutdown;

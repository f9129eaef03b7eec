//! Interrupts: SIGINT and SIGTERM become a [`Shutdown`] state the run loop and jobs watch.
//!
//! The first signal asks for a graceful stop (no new jobs; running groups get SIGTERM, then
//! SIGKILL after their grace period; reports are still written). A second signal kills every
//! job group at once and exits with 130 immediately.

use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::watch;

use crate::exit_code;

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

/// Installs the handlers; returns the receiver to watch. Must run inside the runtime.
pub fn install() -> std::io::Result<watch::Receiver<Shutdown>> {
    let (tx, rx) = watch::channel(Shutdown::Running);
    let mut interrupt = signal(SignalKind::interrupt())?;
    let mut terminate = signal(SignalKind::terminate())?;
    tokio::spawn(async move {
        let mut count = 0;
        loop {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
            count += 1;
            if count == 1 {
                let _ = tx.send(Shutdown::Graceful);
            } else {
                let _ = tx.send(Shutdown::Immediate);
                crate::exec::kill_all_now();
                eprintln!("flotilla: interrupted twice; killed all jobs, exiting now");
                std::process::exit(i32::from(exit_code::INTERRUPTED));
            }
        }
    });
    Ok(rx)
}

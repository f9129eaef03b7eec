//! Interrupts: SIGINT and SIGTERM become a [`Shutdown`] state the run loop and jobs watch.
//!
//! The first signal asks for a graceful stop (no new jobs; running groups get SIGTERM, then
//! SIGKILL after their grace period; reports are still written). A second signal kills every
//! process group flotilla started (jobs, steps, docker and compose calls) at once and exits
//! with 130 immediately.

use tokio::sync::watch;

use crate::exec::Shutdown;

use crate::exit_code;

/// Commands started, detached, when a second signal makes flotilla exit at once (for example
/// a sweep of the run's containers by label, which then finishes without us).
static ON_IMMEDIATE_EXIT: std::sync::Mutex<Vec<DetachedCommand>> = std::sync::Mutex::new(Vec::new());

/// A command to start detached: its argv and extra environment.
struct DetachedCommand {
    argv: Vec<String>,
    env: Vec<(String, String)>,
}

/// Registers `argv` (with extra `env`) to be started, detached, if flotilla is told to stop at once.
pub fn on_immediate_exit(argv: Vec<String>, env: Vec<(String, String)>) {
    ON_IMMEDIATE_EXIT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .push(DetachedCommand { argv, env });
}

fn start_detached_cleanups() {
    use std::os::unix::process::CommandExt as _;
    let commands = ON_IMMEDIATE_EXIT
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for DetachedCommand { argv, env } in commands.iter() {
        let Some((program, args)) = argv.split_first() else {
            continue;
        };
        let _ = std::process::Command::new(program)
            .args(args)
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .process_group(0)
            .spawn();
    }
}

/// Installs the handlers; returns the receiver to watch.
///
/// Signals are read on a thread of their own, not by a task of the run's runtime: the run loop
/// shares one thread with every job (see `commands::run`), and a second signal must exit at once
/// even while that thread is busy (parsing a huge report, blocked on a full pipe).
pub fn install() -> std::io::Result<watch::Receiver<Shutdown>> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let (tx, rx) = watch::channel(Shutdown::Running);
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
    std::thread::Builder::new()
        .name("flotilla-signals".into())
        .spawn(move || {
            for (count, _) in signals.forever().enumerate() {
                if count == 0 {
                    let _ = tx.send(Shutdown::Graceful);
                } else {
                    let _ = tx.send(Shutdown::Immediate);
                    crate::exec::kill_all_now();
                    start_detached_cleanups();
                    eprintln!("flotilla: interrupted twice; killed all jobs, exiting now");
                    std::process::exit(i32::from(exit_code::INTERRUPTED));
                }
            }
        })?;
    Ok(rx)
}

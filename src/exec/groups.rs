//! The set of live process groups (jobs, step commands, docker and compose calls: everything
//! [`super::run_process`] and [`super::run_captured`] start), so a second Ctrl-C can kill them
//! all at once.

use std::collections::BTreeSet;
use std::sync::Mutex;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

static LIVE: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());

/// Marks process group `pgid` live until the returned guard drops.
pub(super) fn register(pgid: i32) -> Registration {
    LIVE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(pgid);
    Registration(pgid)
}

/// Removes its group from the live set when dropped.
pub(super) struct Registration(i32);

impl Drop for Registration {
    fn drop(&mut self) {
        LIVE.lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&self.0);
    }
}

/// Whether `pgid` is in the live set (for tests of the runners that register groups).
#[cfg(test)]
pub(super) fn is_live(pgid: i32) -> bool {
    LIVE.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .contains(&pgid)
}

/// SIGKILLs every live process group (used when the user insists on stopping now).
///
/// A job whose `spawn` has not returned yet is not registered, but its process already runs:
/// every direct child's group is killed too (found in `/proc`), and a child that has not left
/// our own group yet is killed by pid.
pub fn kill_all_now() {
    let live = LIVE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for &pgid in live.iter() {
        let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
    }
    let me = std::process::id();
    let my_group = nix::unistd::getpgrp().as_raw();
    for (pid, pgid) in children_of(me) {
        if pgid == my_group {
            let _ = nix::sys::signal::kill(Pid::from_raw(pid), Signal::SIGKILL);
        } else {
            let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
        }
    }
}

/// `(pid, process group)` of every process whose parent is `parent`.
fn children_of(parent: u32) -> Vec<(i32, i32)> {
    super::proc_stat::all()
        .into_iter()
        .filter(|process| process.ppid == parent)
        .map(|process| (process.pid, process.pgrp))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::CommandExt as _;

    use super::*;

    #[test]
    fn finds_direct_children_and_their_groups() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .process_group(0)
            .spawn()
            .unwrap();
        let pid = i32::try_from(child.id()).unwrap();
        let found = children_of(std::process::id());
        assert!(found.contains(&(pid, pid)), "{found:?}");
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

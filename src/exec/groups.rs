//! The set of live job process groups, so a second Ctrl-C can kill them all at once.

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

/// SIGKILLs every live job process group (used when the user insists on stopping now).
pub fn kill_all_now() {
    let live = LIVE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    for &pgid in live.iter() {
        let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
    }
}

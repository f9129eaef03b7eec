//! Helpers for unit tests.

/// Whether process `pid` is still alive after up to 5 s to finish dying (SIGKILL is
/// asynchronous). Zombies count as dead.
pub(crate) fn alive(pid: i32) -> bool {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    while alive_now(pid) {
        if std::time::Instant::now() > deadline {
            return true;
        }
        std::thread::yield_now();
    }
    false
}

fn alive_now(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

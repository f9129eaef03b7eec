//! [`ProcStat`]: the few fields of `/proc/PID/stat` flotilla reads, and the questions asked of
//! them: the direct children of a process (for [`super::kill_all_now`]), whether a process
//! group still has a live member ([`group_has_live_member`], for leaky jobs), and the CPU time
//! of an exited job's main process and its waited-for children ([`cpu_time`]).
//!
//! Linux only, like the rest of `exec` (process groups found through `/proc`). A missing or
//! unreadable `/proc` answers "nothing there", never an error: these are best-effort looks.

/// One process, as its `/proc/PID/stat` line says.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct ProcStat {
    /// Its pid.
    pub(super) pid: i32,
    /// Its state letter (`R`, `S`, `Z` for a zombie, …).
    pub(super) state: char,
    /// Its parent's pid.
    pub(super) ppid: u32,
    /// Its process group.
    pub(super) pgrp: i32,
}

impl ProcStat {
    /// Parses one `/proc/PID/stat` line. The command name sits in parentheses and may hold
    /// spaces and parentheses itself, so the fields are counted after the last `)`.
    pub(super) fn parse(pid: i32, line: &str) -> Option<Self> {
        let mut fields = line.rsplit_once(')')?.1.split_whitespace();
        let state = fields.next()?.chars().next()?;
        let ppid = fields.next()?.parse().ok()?;
        let pgrp = fields.next()?.parse().ok()?;
        Some(Self { pid, state, ppid, pgrp })
    }

    /// Whether it has exited and only waits to be reaped.
    pub(super) fn is_zombie(&self) -> bool {
        self.state == 'Z'
    }
}

/// CPU time of a process and of the children it waited for (utime + stime + cutime + cstime),
/// in clock ticks, from its `/proc/PID/stat` line.
pub(super) fn cpu_ticks(line: &str) -> Option<u64> {
    // After the command name: state is field 3 and utime field 14, so utime is the 12th word.
    let fields: Vec<&str> = line.rsplit_once(')')?.1.split_whitespace().skip(11).take(4).collect();
    if fields.len() < 4 {
        return None;
    }
    fields.iter().map(|field| field.parse::<u64>().ok()).sum()
}

/// CPU time of process `pid` and of the children it waited for; `None` when it is gone or
/// `/proc` cannot say.
pub(super) fn cpu_time(pid: i32) -> Option<std::time::Duration> {
    let line = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let ticks = cpu_ticks(&line)?;
    // SAFETY: sysconf only reads a constant of the system.
    let per_second = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let per_second = u64::try_from(per_second).ok().filter(|&n| n > 0)?;
    Some(std::time::Duration::from_secs_f64(ticks as f64 / per_second as f64))
}

/// Every process `/proc` lists (those that vanish while it is read are left out).
pub(super) fn all() -> Vec<ProcStat> {
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pid: i32 = entry.file_name().to_str()?.parse().ok()?;
            let line = std::fs::read_to_string(entry.path().join("stat")).ok()?;
            ProcStat::parse(pid, &line)
        })
        .collect()
}

/// Whether process group `pgid` still has a member that is not a zombie.
///
/// `kill(-pgid, 0)` answers the common case (an empty group) without reading `/proc`; only when
/// it finds someone are the members looked at, because a zombie also answers it: a background
/// process that ended just before its parent did waits for init to reap it, and would otherwise
/// make a job look leaky, or every job look leaky where nothing reaps orphans (an init-less
/// container).
pub(super) fn group_has_live_member(pgid: i32) -> bool {
    use nix::sys::signal::killpg;
    use nix::unistd::Pid;
    if killpg(Pid::from_raw(pgid), None).is_err() {
        return false;
    }
    all().iter().any(|process| process.pgrp == pgid && !process.is_zombie())
}

#[cfg(test)]
mod tests {
    use std::os::unix::process::CommandExt as _;

    use super::*;

    #[test]
    fn fields_are_counted_after_the_last_parenthesis() {
        let line = "4242 (odd) name (x)) S 17 4242 4242 0 -1 4194560 120 0 0 0 3 1 0 0 20 0 1 0";
        let stat = ProcStat::parse(4242, line).unwrap();
        assert_eq!(
            stat,
            ProcStat {
                pid: 4242,
                state: 'S',
                ppid: 17,
                pgrp: 4242
            }
        );
        assert!(!stat.is_zombie());
        assert!(
            ProcStat::parse(1, "1 (init Z").is_none(),
            "a truncated line is no process"
        );
        // utime 3 + stime 1 + cutime 0 + cstime 0.
        assert_eq!(cpu_ticks(line), Some(4));
        assert_eq!(cpu_ticks("1 (init) S 0 1 1"), None);
    }

    #[test]
    fn a_group_with_a_sleeper_is_live_and_an_emptied_one_is_not() {
        let mut child = std::process::Command::new("sleep")
            .arg("30")
            .process_group(0)
            .spawn()
            .unwrap();
        let pgid = i32::try_from(child.id()).unwrap();
        assert!(group_has_live_member(pgid));
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(!group_has_live_member(pgid));
    }

    #[test]
    fn a_zombie_is_not_a_live_member() {
        let child = std::process::Command::new("true").process_group(0).spawn().unwrap();
        let pid = i32::try_from(child.id()).unwrap();
        // Not reaped yet: wait until it is a zombie (exit is asynchronous), then ask.
        while std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|line| ProcStat::parse(pid, &line))
            .is_some_and(|stat| !stat.is_zombie())
        {
            std::thread::yield_now();
        }
        assert!(!group_has_live_member(pid));
        let mut child = child;
        child.wait().unwrap();
    }
}

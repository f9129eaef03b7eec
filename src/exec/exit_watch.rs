//! [`reap_measured`]: waits for a job's main process to exit, reads its CPU time and peak memory
//! while it is a zombie, then reaps it.
//!
//! Why this way. The CPU time a job used is its main process's user + system time plus that of
//! every child it waited for (a shell, pytest, a test binary wait for theirs): exactly the
//! `utime + stime + cutime + cstime` of `/proc/PID/stat`, which stays readable until the process
//! is reaped. `getrusage(RUSAGE_CHILDREN)` deltas are process-wide: with jobs running in
//! parallel they would charge one job with another's children. `wait4()` would give the same
//! figures, but tokio's `Child` owns reaping (a `wait4` behind its back makes its own wait
//! fail). So a pidfd (`pidfd_open`, readable once the process has exited, not reaped) says when
//! to read `/proc`, and `Child::wait` reaps right after. Descendants nobody waited for (a leaked
//! `sleep &`, killed with the group afterwards) and work inside a container (`docker exec`'s
//! client is what runs here) are not counted. Where a pidfd cannot be had (kernels before 5.3,
//! seccomp), the process is reaped as before and its CPU time is unknown.
//!
//! Peak memory the same way: `waitid(P_PIDFD, …, WEXITED | WNOWAIT)` leaves the zombie as it
//! is, and Linux's `waitid` fills a `rusage` of the process and its waited-for children (the
//! fifth argument, which libc's wrapper does not pass, so the raw syscall): `ru_maxrss` is the
//! largest resident set of any one of them, not their sum.

use std::os::fd::{FromRawFd, OwnedFd};
use std::process::ExitStatus;
use std::time::Duration;

use tokio::io::unix::AsyncFd;
use tokio::process::Child;

/// A pidfd of one child process, to learn that it exited without reaping it.
pub(super) struct ExitWatch {
    pid: i32,
    fd: Option<AsyncFd<OwnedFd>>,
}

impl ExitWatch {
    /// Watches child `pid` (a pidfd, or nothing where the kernel gives none).
    pub(super) fn new(pid: i32) -> Self {
        Self { pid, fd: pidfd(pid) }
    }
}

fn pidfd(pid: i32) -> Option<AsyncFd<OwnedFd>> {
    // SAFETY: pidfd_open takes a pid and flags and returns a new file descriptor or -1.
    let raw = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    let raw = i32::try_from(raw).ok().filter(|&fd| fd >= 0)?;
    // SAFETY: `raw` is a descriptor the kernel just gave us, owned by nothing else.
    let owned = unsafe { OwnedFd::from_raw_fd(raw) };
    // SAFETY: the descriptor is owned by the `AsyncFd` and closed only when it drops.
    unsafe { AsyncFd::register_with_interest(owned, tokio::io::Interest::READABLE) }.ok()
}

/// What a process used, as measured at its exit (each `None` where the kernel could not say).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// User + system time of the process and the children it waited for.
    pub cpu: Option<Duration>,
    /// The largest resident set, in bytes, of the process or any child it waited for.
    pub max_rss: Option<u64>,
}

/// Waits for `child` to exit, reads what it used (if `watch` has a pidfd) and reaps it.
/// Cancel-safe: dropped before the exit, it leaves the child as it was.
pub(super) async fn reap_measured(child: &mut Child, watch: &ExitWatch) -> std::io::Result<(ExitStatus, Usage)> {
    let usage = match &watch.fd {
        Some(fd) => match fd.readable().await {
            Ok(_exited) => Usage {
                cpu: super::proc_stat::cpu_time(watch.pid),
                max_rss: max_rss(fd),
            },
            Err(_) => Usage::default(),
        },
        None => Usage::default(),
    };
    let status = child.wait().await?;
    Ok((status, usage))
}

/// `ru_maxrss` of the exited (not reaped) process behind `fd`, in bytes.
fn max_rss(fd: &AsyncFd<OwnedFd>) -> Option<u64> {
    use std::os::fd::AsRawFd;
    /// `P_PIDFD` of `waitid` (Linux 5.4), not in every libc crate's constants.
    const P_PIDFD: libc::c_int = 3;
    // SAFETY: both structs are plain C data the kernel fills; zeroed is a valid start.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    // SAFETY: as above.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waitid with WNOWAIT only reads the zombie's state; the pointers are valid for the
    // call, and the descriptor is a pidfd we own.
    let done = unsafe {
        libc::syscall(
            libc::SYS_waitid,
            P_PIDFD,
            fd.get_ref().as_raw_fd(),
            &raw mut info,
            libc::WEXITED | libc::WNOWAIT,
            &raw mut usage,
        )
    };
    // ru_maxrss is in kibibytes on Linux.
    (done == 0 && usage.ru_maxrss > 0).then(|| u64::try_from(usage.ru_maxrss).unwrap_or(0) * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spawn(script: &str) -> (Child, ExitWatch) {
        let child = tokio::process::Command::new("sh").args(["-c", script]).spawn().unwrap();
        let pid = i32::try_from(child.id().unwrap()).unwrap();
        (child, ExitWatch::new(pid))
    }

    #[tokio::test]
    async fn a_busy_child_of_the_job_counts_and_a_sleeping_one_does_not() {
        // The busy loop runs in a child the shell waits for: its time is in cutime.
        let (mut busy, watch) = spawn("sh -c 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done'");
        assert!(watch.fd.is_some(), "this kernel gives pidfds");
        let (status, usage) = reap_measured(&mut busy, &watch).await.unwrap();
        assert!(status.success());
        let cpu = usage.cpu.expect("measured");
        assert!(cpu > Duration::ZERO, "a busy loop used CPU: {cpu:?}");
        let (mut idle, watch) = spawn("sleep 0.3");
        let (_, idle) = reap_measured(&mut idle, &watch).await.unwrap();
        assert!(
            idle.cpu.expect("measured") < cpu,
            "sleeping uses less CPU than a busy loop"
        );
    }

    #[tokio::test]
    async fn the_peak_memory_of_a_waited_for_child_is_measured() {
        // A child that holds about 64 MiB (a python3 bytearray, touched) against a bare shell.
        let (mut big, watch) =
            spawn("python3 -c 'b = bytearray(64 * 1024 * 1024); b[::4096] = b\"x\" * len(b[::4096])'");
        let (status, usage) = reap_measured(&mut big, &watch).await.unwrap();
        assert!(status.success());
        let big_rss = usage.max_rss.expect("measured");
        assert!(big_rss > 64 * 1024 * 1024, "the child's 64 MiB: {big_rss}");
        let (mut small, watch) = spawn("true");
        let (_, small) = reap_measured(&mut small, &watch).await.unwrap();
        assert!(small.max_rss.expect("measured") < 16 * 1024 * 1024, "{small:?}");
    }

    #[tokio::test]
    async fn without_a_pidfd_the_child_is_still_reaped() {
        let (mut child, watch) = spawn("exit 3");
        let watch = ExitWatch {
            pid: watch.pid,
            fd: None,
        };
        let (status, usage) = reap_measured(&mut child, &watch).await.unwrap();
        assert_eq!(status.code(), Some(3));
        assert_eq!(usage, Usage::default());
    }
}

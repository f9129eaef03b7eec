//! [`run_captured`]: a short command whose output the caller parses (docker and compose CLI
//! calls), kept in memory instead of log files.
//!
//! It follows the same rules as [`super::run_process`]: its own process group, registered with
//! [`super::kill_all_now`]'s live set, cancelled by the program's one [`Shutdown`] vocabulary, and
//! always reaped before the call returns, so a caller that goes on to `down` a project knows its
//! `up` is no longer running. What differs is what a short command needs: no grace period (a
//! deadline or a cancellation SIGKILLs the whole group at once) and a bounded in-memory capture
//! (the last [`CAPTURE_LIMIT`] bytes of each stream by default), so a chatty command cannot eat
//! flotilla's memory.

use std::ffi::OsString;
use std::time::{Duration, Instant};

use camino::Utf8PathBuf;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::{AsyncRead, AsyncReadExt};
use tokio::process::Child;
use tokio::sync::watch;

use super::Shutdown;
use super::groups;
use super::process::{DRAIN_TIMEOUT, ProcessEnd, SpawnError, exit_of, sleep_until, spawn};

/// How much of each stream a captured command keeps by default: 4 MiB. The largest output
/// flotilla parses (`docker inspect` of a project's containers, `docker logs --tail=10000`) is
/// well below it; past it only the end is kept, which is what error messages and log probes look
/// at.
pub const CAPTURE_LIMIT: usize = 4 << 20;

/// A short command whose output is kept in memory.
#[derive(Clone, Debug)]
pub struct CapturedSpec {
    /// Program and arguments (never passed through a shell).
    pub argv: Vec<OsString>,
    /// Working directory, if not flotilla's.
    pub cwd: Option<Utf8PathBuf>,
    /// Extra environment variables (on top of flotilla's own).
    pub env: Vec<(String, String)>,
    /// Deadline after start; past it the whole group is SIGKILLed.
    pub timeout: Option<Duration>,
    /// Bytes kept of each stream (the last ones); usually [`CAPTURE_LIMIT`].
    pub limit: usize,
    /// What to write on its stdin (then closed); `None`: stdin is /dev/null.
    pub stdin: Option<Vec<u8>>,
}

impl CapturedSpec {
    /// `argv` with no extra environment, flotilla's working directory, no deadline and the
    /// default [`CAPTURE_LIMIT`].
    pub fn new(argv: Vec<OsString>) -> Self {
        Self {
            argv,
            cwd: None,
            env: Vec::new(),
            timeout: None,
            limit: CAPTURE_LIMIT,
            stdin: None,
        }
    }
}

/// How a captured command ended and what it printed.
#[derive(Clone, Debug)]
pub struct Captured {
    /// How it ended. [`ProcessEnd::Cancelled`] also when shutdown had begun before it could
    /// start (it was then never spawned).
    pub end: ProcessEnd,
    /// Wall time from spawn to reap.
    pub duration: Duration,
    /// What it wrote on stdout (the last `limit` bytes, starting on a whole line if cut).
    pub stdout: Vec<u8>,
    /// What it wrote on stderr (the last `limit` bytes, starting on a whole line if cut).
    pub stderr: Vec<u8>,
    /// Bytes of stdout that were not kept (0: `stdout` is all of it).
    pub stdout_dropped: u64,
    /// Bytes of stderr that were not kept (0: `stderr` is all of it).
    pub stderr_dropped: u64,
}

/// Runs `spec` to completion, deadline or shutdown, whichever comes first; then kills whatever
/// is left of its group and reaps it.
///
/// Any state past [`Shutdown::Running`] cancels: a short command has nothing to save, so there is
/// no SIGTERM and grace period as for jobs. If `shutdown`'s sender is gone, only the process and
/// the deadline decide.
pub async fn run_captured(
    spec: &CapturedSpec,
    shutdown: &mut watch::Receiver<Shutdown>,
) -> Result<Captured, SpawnError> {
    if *shutdown.borrow_and_update() != Shutdown::Running {
        return Ok(Captured {
            end: ProcessEnd::Cancelled,
            duration: Duration::ZERO,
            stdout: Vec::new(),
            stderr: Vec::new(),
            stdout_dropped: 0,
            stderr_dropped: 0,
        });
    }
    let mut command = tokio::process::Command::new(&spec.argv[0]);
    command.args(&spec.argv[1..]).envs(spec.env.iter().map(|(k, v)| (k, v)));
    if let Some(cwd) = &spec.cwd {
        command.current_dir(cwd);
    }
    let started = Instant::now();
    let (mut child, pgid) = spawn(command, &spec.argv, spec.stdin.is_some())?;
    let _live = groups::register(pgid);
    let _kill = KillGroupOnDrop(pgid);
    let mut out_pipe = child.stdout.take().expect("stdout is piped");
    let mut err_pipe = child.stderr.take().expect("stderr is piped");
    let in_pipe = child.stdin.take();
    let mut out = Tail::new(spec.limit);
    let mut err = Tail::new(spec.limit);
    let end = {
        // Read both pipes in this task while waiting (a full pipe would block the command), and
        // feed stdin alongside: a command that prints before it reads would block us otherwise.
        let writing = async {
            if let (Some(mut pipe), Some(bytes)) = (in_pipe, spec.stdin.as_deref()) {
                // A command that exits without reading all of it closes the pipe: not an error
                // here, its exit says how it went.
                let _ = tokio::io::AsyncWriteExt::write_all(&mut pipe, bytes).await;
            }
        };
        let reading = async {
            tokio::join!(
                read_into(&mut out_pipe, &mut out),
                read_into(&mut err_pipe, &mut err),
                writing
            );
        };
        tokio::pin!(reading);
        let mut read_all = false;
        let mut watching = true;
        let deadline = spec.timeout.map(|t| tokio::time::Instant::from_std(started + t));
        let end = loop {
            if *shutdown.borrow_and_update() != Shutdown::Running {
                break kill_and_reap(&mut child, pgid).await.map(|()| ProcessEnd::Cancelled);
            }
            tokio::select! {
                status = child.wait() => break status.map(exit_of),
                () = sleep_until(deadline) => {
                    break kill_and_reap(&mut child, pgid).await.map(|()| ProcessEnd::TimedOut);
                }
                changed = shutdown.changed(), if watching => {
                    // The sender is gone: nobody will ever cancel, but the deadline still holds.
                    watching = changed.is_ok();
                }
                () = &mut reading, if !read_all => read_all = true,
            }
        };
        // Whatever the command left running in its group (a daemonised helper) dies with it.
        let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
        if !read_all {
            // What is left in the pipes takes microseconds to read; a reader still busy after
            // this is fed by a process that escaped the group, and what it printed so far is kept.
            let _ = tokio::time::timeout(DRAIN_TIMEOUT, &mut reading).await;
        }
        end
    };
    let duration = started.elapsed();
    let end = end.map_err(|source| SpawnError::Io {
        program: spec.argv[0].to_string_lossy().into_owned(),
        source,
    })?;
    let (stdout, stdout_dropped) = out.finish();
    let (stderr, stderr_dropped) = err.finish();
    Ok(Captured {
        end,
        duration,
        stdout,
        stderr,
        stdout_dropped,
        stderr_dropped,
    })
}

/// SIGKILLs a process group when dropped, so that a caller that drops the call's future (an outer
/// timeout, an aborted task) does not leave the command running either. (Tokio reaps the leader
/// in the background then.)
struct KillGroupOnDrop(i32);

impl Drop for KillGroupOnDrop {
    fn drop(&mut self) {
        let _ = killpg(Pid::from_raw(self.0), Signal::SIGKILL);
    }
}

/// SIGKILLs the group and reaps its leader.
async fn kill_and_reap(child: &mut Child, pgid: i32) -> std::io::Result<()> {
    let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
    child.wait().await.map(drop)
}

/// Reads `pipe` to its end (or first error) into `tail`.
async fn read_into(pipe: &mut (impl AsyncRead + Unpin), tail: &mut Tail) {
    let mut buffer = vec![0_u8; 64 * 1024];
    loop {
        match pipe.read(&mut buffer).await {
            Ok(0) | Err(_) => return,
            Ok(n) => tail.push(&buffer[..n]),
        }
    }
}

/// The last `limit` bytes of a stream.
///
/// Bytes are appended to one buffer that is cut back to `limit` once it holds twice that: memory
/// stays under `2 × limit` and each byte is moved at most once, however much the command prints.
struct Tail {
    bytes: Vec<u8>,
    limit: usize,
    dropped: u64,
}

impl Tail {
    fn new(limit: usize) -> Self {
        Self {
            bytes: Vec::new(),
            limit,
            dropped: 0,
        }
    }

    fn push(&mut self, chunk: &[u8]) {
        self.bytes.extend_from_slice(chunk);
        if self.bytes.len() > self.limit.saturating_mul(2).max(1) {
            self.cut_to(self.limit);
        }
    }

    fn cut_to(&mut self, keep: usize) {
        let excess = self.bytes.len().saturating_sub(keep);
        self.bytes.drain(..excess);
        self.dropped += excess as u64;
    }

    /// The kept bytes and how many were dropped. A cut output starts after its first newline, so
    /// that it begins with a whole line (and not inside a UTF-8 character).
    fn finish(mut self) -> (Vec<u8>, u64) {
        self.cut_to(self.limit);
        if self.dropped > 0
            && let Some(newline) = self.bytes.iter().position(|&b| b == b'\n')
        {
            self.cut_to(self.bytes.len() - newline - 1);
        }
        (self.bytes, self.dropped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, timeout: Option<Duration>) -> CapturedSpec {
        CapturedSpec {
            env: vec![("FLOTILLA_TEST_VAR".into(), "v".into())],
            timeout,
            ..CapturedSpec::new(vec!["sh".into(), "-c".into(), script.into()])
        }
    }

    fn read_pid(path: &std::path::Path) -> i32 {
        std::fs::read_to_string(path).unwrap().trim().parse().unwrap()
    }

    #[tokio::test]
    async fn keeps_both_streams_and_the_exit_code() {
        let dir = tempfile::tempdir().unwrap();
        let mut spec = sh("echo out $FLOTILLA_TEST_VAR $(pwd); echo err >&2; exit 3", None);
        spec.cwd = Some(Utf8PathBuf::from_path_buf(dir.path().canonicalize().unwrap()).unwrap());
        let (_tx, mut rx) = watch::channel(Shutdown::Running);
        let captured = run_captured(&spec, &mut rx).await.unwrap();
        assert_eq!(captured.end, ProcessEnd::Exited(3));
        let expected = format!("out v {}\n", dir.path().canonicalize().unwrap().display());
        assert_eq!(String::from_utf8(captured.stdout).unwrap(), expected);
        assert_eq!(captured.stderr, b"err\n");
        assert_eq!((captured.stdout_dropped, captured.stderr_dropped), (0, 0));
    }

    #[tokio::test]
    async fn a_chatty_command_keeps_only_the_end_of_its_output() {
        // 20,000 numbered lines (~110 KB) through a 1 KiB limit.
        let mut spec = sh("seq 1 20000", None);
        spec.limit = 1024;
        let (_tx, mut rx) = watch::channel(Shutdown::Running);
        let captured = run_captured(&spec, &mut rx).await.unwrap();
        assert_eq!(captured.end, ProcessEnd::Exited(0));
        assert!(captured.stdout.len() <= 1024, "{} bytes kept", captured.stdout.len());
        let text = String::from_utf8(captured.stdout).unwrap();
        assert!(text.ends_with("19999\n20000\n"), "{text}");
        assert!(
            text.lines().all(|line| line.parse::<u32>().is_ok()),
            "a cut line was kept: {text}"
        );
        let total: u64 = (1..=20000_u64).map(|n| n.to_string().len() as u64 + 1).sum();
        assert_eq!(captured.stdout_dropped + text.len() as u64, total);
    }

    #[tokio::test]
    async fn stdin_is_fed_while_the_output_is_read() {
        // More than a pipe holds both ways: writing all of stdin before reading would deadlock.
        let body: Vec<u8> = (0..300_000u32).map(|i| b'a' + u8::try_from(i % 26).unwrap()).collect();
        let spec = CapturedSpec {
            stdin: Some(body.clone()),
            ..sh("cat; echo done >&2", Some(Duration::from_secs(30)))
        };
        let (_tx, mut rx) = watch::channel(Shutdown::Running);
        let captured = run_captured(&spec, &mut rx).await.unwrap();
        assert_eq!(captured.end, ProcessEnd::Exited(0));
        assert_eq!(captured.stdout, body);
        assert_eq!(captured.stderr, b"done\n");
    }

    #[tokio::test]
    async fn the_deadline_kills_the_group_with_its_grandchild() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("grandchild.pid");
        // The grandchild keeps the pipes open and ignores SIGTERM: only the group SIGKILL ends it.
        let script = format!("trap '' TERM; sleep 1000 & echo $! > '{}'; wait", pidfile.display());
        let spec = sh(&script, Some(Duration::from_millis(300)));
        let (_tx, mut rx) = watch::channel(Shutdown::Running);
        let captured = run_captured(&spec, &mut rx).await.unwrap();
        assert_eq!(captured.end, ProcessEnd::TimedOut);
        let pid = read_pid(&pidfile);
        assert!(!crate::testing::alive(pid), "grandchild {pid} survived");
    }

    #[tokio::test]
    async fn shutdown_cancels_it_and_nothing_of_it_runs_after() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("grandchild.pid");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        // The grandchild's pid comes through a FIFO: once the test has read it, the command runs.
        let script = format!("sleep 1000 & echo $! > '{}'; wait", fifo.display());
        let spec = sh(&script, None);
        let (tx, mut rx) = watch::channel(Shutdown::Running);
        let task = tokio::spawn(async move { run_captured(&spec, &mut rx).await });
        let pid = tokio::task::spawn_blocking(move || read_pid(&fifo)).await.unwrap();
        tx.send(Shutdown::Immediate).unwrap();
        let captured = task.await.unwrap().unwrap();
        assert_eq!(captured.end, ProcessEnd::Cancelled);
        assert!(!crate::testing::alive(pid), "grandchild {pid} survived");
    }

    #[tokio::test]
    async fn its_group_is_live_for_kill_all_now_while_it_runs() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("leader.pid");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        // `$$` is the shell, the leader of the command's group.
        let script = format!("echo $$ > '{}'; sleep 1000", fifo.display());
        let spec = sh(&script, None);
        let (tx, mut rx) = watch::channel(Shutdown::Running);
        let task = tokio::spawn(async move { run_captured(&spec, &mut rx).await });
        // On this single-threaded runtime the call has registered the group (right after spawn,
        // before its first await) by the time this task runs again.
        let pgid = tokio::task::spawn_blocking(move || read_pid(&fifo)).await.unwrap();
        assert!(groups::is_live(pgid), "group {pgid} is not registered");
        tx.send(Shutdown::Immediate).unwrap();
        assert_eq!(task.await.unwrap().unwrap().end, ProcessEnd::Cancelled);
        assert!(!groups::is_live(pgid), "group {pgid} is still registered");
    }

    #[tokio::test]
    async fn a_dropped_call_kills_its_group() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pid");
        nix::unistd::mkfifo(&fifo, nix::sys::stat::Mode::S_IRWXU).unwrap();
        let script = format!("sleep 1000 & echo $! > '{}'; wait", fifo.display());
        let spec = sh(&script, None);
        let (_tx, mut rx) = watch::channel(Shutdown::Running);
        let task = tokio::spawn(async move { run_captured(&spec, &mut rx).await });
        let pid = tokio::task::spawn_blocking(move || read_pid(&fifo)).await.unwrap();
        task.abort();
        assert!(task.await.unwrap_err().is_cancelled());
        assert!(!crate::testing::alive(pid), "grandchild {pid} survived");
    }

    #[tokio::test]
    async fn a_graceful_shutdown_cancels_it_too() {
        let spec = sh("sleep 1000", None);
        let (tx, mut rx) = watch::channel(Shutdown::Running);
        let task = tokio::spawn(async move { run_captured(&spec, &mut rx).await });
        tokio::task::yield_now().await;
        tx.send(Shutdown::Graceful).unwrap();
        assert_eq!(task.await.unwrap().unwrap().end, ProcessEnd::Cancelled);
    }

    #[tokio::test]
    async fn nothing_starts_once_shutdown_has_begun() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("ran");
        let spec = sh(&format!("touch '{}'", marker.display()), None);
        let (_tx, mut rx) = watch::channel(Shutdown::Immediate);
        let captured = run_captured(&spec, &mut rx).await.unwrap();
        assert_eq!(captured.end, ProcessEnd::Cancelled);
        assert!(!marker.exists());
    }

    #[tokio::test]
    async fn a_dropped_sender_leaves_the_deadline_in_force() {
        let (tx, mut rx) = watch::channel(Shutdown::Running);
        drop(tx);
        let spec = sh("sleep 1000", Some(Duration::from_millis(200)));
        let captured = run_captured(&spec, &mut rx).await.unwrap();
        assert_eq!(captured.end, ProcessEnd::TimedOut);
    }

    #[tokio::test]
    async fn a_process_that_escaped_the_group_does_not_hold_up_the_call() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("escaped.pid");
        // `setsid` puts the sleeper out of reach of the group kill, and it keeps stdout open.
        let script = format!("setsid sleep 60 & echo $! > '{}'; echo started", pidfile.display());
        let spec = sh(&script, None);
        let (_tx, mut rx) = watch::channel(Shutdown::Running);
        let started = Instant::now();
        let captured = run_captured(&spec, &mut rx).await.unwrap();
        let waited = started.elapsed();
        let _ = nix::sys::signal::kill(Pid::from_raw(read_pid(&pidfile)), Signal::SIGKILL);
        assert_eq!(captured.end, ProcessEnd::Exited(0));
        assert!(waited < Duration::from_secs(30), "waited {waited:?}");
        assert_eq!(captured.stdout, b"started\n");
    }

    #[tokio::test]
    async fn a_missing_program_is_named() {
        let spec = CapturedSpec::new(vec!["no-such-program-flotilla".into()]);
        let (_tx, mut rx) = watch::channel(Shutdown::Running);
        let error = run_captured(&spec, &mut rx).await.unwrap_err();
        assert!(matches!(error, SpawnError::NotFound { .. }), "{error}");
        assert!(error.to_string().contains("no-such-program-flotilla"));
    }

    #[test]
    fn the_tail_stays_bounded_and_exact() {
        let mut tail = Tail::new(4);
        for chunk in [&b"ab"[..], b"cdefgh", b"ij"] {
            tail.push(chunk);
            assert!(tail.bytes.len() <= 8);
        }
        // No newline to align on: the last 4 bytes exactly.
        assert_eq!(tail.finish(), (b"ghij".to_vec(), 6));
        let mut tail = Tail::new(5);
        tail.push(b"1\n22\n333\n");
        assert_eq!(tail.finish(), (b"333\n".to_vec(), 5));
    }
}

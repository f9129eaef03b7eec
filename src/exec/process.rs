//! [`run_process`]: spawn, capture, enforce the deadline, kill the group, reap.

use std::ffi::OsString;
use std::process::Stdio;
use std::time::{Duration, Instant};

use camino::Utf8PathBuf;
use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::process::Child;
use tokio::sync::{mpsc, watch};

use super::Shutdown;
use super::capture::capture;
use super::exit_watch::{ExitWatch, Usage, reap_measured};
use super::groups;
use super::output::{OutputLine, Stream};

/// What to run and how.
#[derive(Clone, Debug)]
pub struct ProcessSpec {
    /// Program and arguments (never passed through a shell).
    pub argv: Vec<OsString>,
    /// Working directory.
    pub cwd: Utf8PathBuf,
    /// Extra environment variables.
    pub env: Vec<(String, String)>,
    /// File that receives stdout (created on the first byte).
    pub stdout: Utf8PathBuf,
    /// File that receives stderr (created on the first byte).
    pub stderr: Utf8PathBuf,
    /// Deadline after start.
    pub timeout: Option<Duration>,
    /// Time between SIGTERM and SIGKILL.
    pub grace: Duration,
    /// Also send every output line here as it is written (for live, prefixed views).
    pub relay: Option<mpsc::UnboundedSender<OutputLine>>,
}

/// How long to wait, once the process group is gone, for its output to be read to the end.
/// Reading what is left in a pipe takes microseconds; a reader still busy after this is fed by a
/// process that escaped the group, and goes on in the background instead of holding up the job.
pub(super) const DRAIN_TIMEOUT: Duration = Duration::from_secs(1);

/// How the process ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProcessEnd {
    /// Exited with a code.
    Exited(i32),
    /// Killed by a signal it did not get from us.
    Signaled(i32),
    /// Ran past its deadline; its group was killed.
    TimedOut,
    /// The run is shutting down; its group was killed.
    Cancelled,
}

/// The end of a process, how long it ran, and where its output went.
#[derive(Clone, Debug)]
pub struct ProcessResult {
    /// How it ended.
    pub end: ProcessEnd,
    /// Wall time from spawn to reap.
    pub duration: Duration,
    /// The stdout log, if the process printed anything there.
    pub stdout: Option<Utf8PathBuf>,
    /// The stderr log, if the process printed anything there.
    pub stderr: Option<Utf8PathBuf>,
    /// Why some output could not be saved, if it could not.
    pub capture_error: Option<String>,
    /// Processes outlived it: its group still had live members when it exited (they were then
    /// killed), or one that escaped the group still held its output open.
    pub leaked: bool,
    /// CPU time and peak memory of its main process and the children it waited for, when it
    /// exited on its own and the kernel could say (`super::exit_watch`).
    pub usage: Usage,
}

/// Why a process could not start.
#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    /// The program does not exist.
    #[error("command `{program}` was not found; is it installed and on PATH?")]
    NotFound {
        program: String,
        /// What the OS said (not a `#[source]`: the message above already says it all).
        error: std::io::Error,
    },
    /// The program exists but is not executable.
    #[error("command `{program}` is not executable; check its permissions (chmod +x) or run it through an interpreter")]
    NotExecutable {
        program: String,
        /// What the OS said (not a `#[source]`: the message above already says it all).
        error: std::io::Error,
    },
    /// Another I/O error (log files, fork).
    #[error("failed to start `{program}`")]
    Io {
        program: String,
        #[source]
        source: std::io::Error,
    },
}

impl SpawnError {
    /// The program that could not be started.
    pub fn program(&self) -> &str {
        match self {
            Self::NotFound { program, .. } | Self::NotExecutable { program, .. } | Self::Io { program, .. } => program,
        }
    }

    /// The OS error underneath, for callers with an error type of their own.
    pub fn into_io_error(self) -> std::io::Error {
        match self {
            Self::NotFound { error, .. } | Self::NotExecutable { error, .. } | Self::Io { source: error, .. } => error,
        }
    }
}

/// Runs `spec` to completion, deadline or shutdown, whichever comes first.
pub async fn run_process(
    spec: &ProcessSpec,
    shutdown: &mut watch::Receiver<Shutdown>,
) -> Result<ProcessResult, SpawnError> {
    let program = spec
        .argv
        .first()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    let io = |source: std::io::Error| SpawnError::Io {
        program: program.clone(),
        source,
    };
    let mut command = tokio::process::Command::new(&spec.argv[0]);
    command
        .args(&spec.argv[1..])
        .current_dir(&spec.cwd)
        .envs(spec.env.iter().map(|(k, v)| (k, v)));
    let started = Instant::now();
    let (mut child, pgid) = spawn(command, &spec.argv, false)?;
    let _live = groups::register(pgid);
    let watch = ExitWatch::new(pgid);
    let mut usage = Usage::default();
    let stdout = child.stdout.take().expect("stdout is piped");
    let stderr = child.stderr.take().expect("stderr is piped");
    let (detach, detached) = watch::channel(false);
    let readers = [
        tokio::spawn(capture(
            stdout,
            spec.stdout.clone(),
            Stream::Stdout,
            spec.relay.clone(),
            detached.clone(),
        )),
        tokio::spawn(capture(
            stderr,
            spec.stderr.clone(),
            Stream::Stderr,
            spec.relay.clone(),
            detached,
        )),
    ];
    let deadline = spec.timeout.map(|t| tokio::time::Instant::from_std(started + t));
    let end = loop {
        if *shutdown.borrow() != Shutdown::Running {
            break terminate(&mut child, pgid, spec.grace, shutdown)
                .await
                .map(|()| ProcessEnd::Cancelled);
        }
        tokio::select! {
            reaped = reap_measured(&mut child, &watch) => {
                break reaped.map(|(status, measured)| {
                    usage = measured;
                    exit_of(status)
                });
            }
            () = sleep_until(deadline) => {
                break terminate(&mut child, pgid, spec.grace, shutdown).await.map(|()| ProcessEnd::TimedOut);
            }
            changed = shutdown.changed() => {
                if changed.is_err() {
                    // The run loop is gone: nobody will ever ask us to stop, so only the process decides.
                    break reap_measured(&mut child, &watch).await.map(|(status, measured)| {
                        usage = measured;
                        exit_of(status)
                    });
                }
            }
        }
    };
    // A process that ended on its own and left others running in its group (background
    // servers, `sleep &`) leaked them; after a timeout or a shutdown the whole group was killed
    // on purpose, so there is nothing to tell.
    let mut leaked = matches!(end, Ok(ProcessEnd::Exited(_) | ProcessEnd::Signaled(_)))
        && super::proc_stat::group_has_live_member(pgid);
    // Whatever the job left running in its group dies with it.
    let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
    let duration = started.elapsed();
    let mut logs = [None, None];
    let mut capture_error = None;
    let drained_by = tokio::time::Instant::now() + DRAIN_TIMEOUT;
    for ((mut reader, path), log) in readers.into_iter().zip([&spec.stdout, &spec.stderr]).zip(&mut logs) {
        match tokio::time::timeout_at(drained_by, &mut reader).await {
            Ok(Ok(captured)) => {
                *log = (captured.bytes > 0).then(|| path.clone());
                capture_error = capture_error.or(captured.error);
            }
            Ok(Err(_)) => {}
            // A process that escaped the group holds the pipe: it may still write, in the background.
            Err(_) => {
                *log = Some(path.clone());
                leaked = true;
            }
        }
    }
    // Readers still going stop relaying lines (their output still goes to the log files).
    let _ = detach.send(true);
    let [stdout, stderr] = logs;
    let end = end.map_err(io)?;
    Ok(ProcessResult {
        end,
        duration,
        stdout,
        stderr,
        capture_error,
        leaked,
        usage,
    })
}

/// Spawns `command` (its program and arguments already set from `argv`) as the leader of a new
/// process group, stdin from /dev/null (piped with `piped_stdin`), stdout and stderr piped;
/// returns the child and its group.
pub(super) fn spawn(
    mut command: tokio::process::Command,
    argv: &[OsString],
    piped_stdin: bool,
) -> Result<(Child, i32), SpawnError> {
    let program = argv
        .first()
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_default();
    command
        .stdin(if piped_stdin { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(false);
    let child = command.spawn().map_err(|error| match error.kind() {
        std::io::ErrorKind::NotFound => SpawnError::NotFound { program, error },
        std::io::ErrorKind::PermissionDenied => SpawnError::NotExecutable { program, error },
        _ => SpawnError::Io { program, source: error },
    })?;
    let pgid = child
        .id()
        .and_then(|id| i32::try_from(id).ok())
        .expect("a just-spawned child has a pid");
    Ok((child, pgid))
}

pub(super) async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(deadline) => tokio::time::sleep_until(deadline).await,
        None => std::future::pending().await,
    }
}

/// SIGTERM the group, wait up to `grace` (less if shutdown escalates), SIGKILL, reap.
async fn terminate(
    child: &mut Child,
    pgid: i32,
    grace: Duration,
    shutdown: &mut watch::Receiver<Shutdown>,
) -> std::io::Result<()> {
    let group = Pid::from_raw(pgid);
    if *shutdown.borrow() == Shutdown::Immediate {
        let _ = killpg(group, Signal::SIGKILL);
        child.wait().await?;
        return Ok(());
    }
    let _ = killpg(group, Signal::SIGTERM);
    let escalated = async {
        loop {
            if *shutdown.borrow() == Shutdown::Immediate {
                return;
            }
            if shutdown.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        status = child.wait() => { status?; }
        () = tokio::time::sleep(grace) => {}
        () = escalated => {}
    }
    let _ = killpg(group, Signal::SIGKILL);
    child.wait().await?;
    Ok(())
}

pub(super) fn exit_of(status: std::process::ExitStatus) -> ProcessEnd {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => ProcessEnd::Exited(code),
        (None, Some(signal)) => ProcessEnd::Signaled(signal),
        (None, None) => ProcessEnd::Exited(-1),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(dir: &tempfile::TempDir, argv: &[&str], timeout: Option<Duration>) -> ProcessSpec {
        let dir = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        ProcessSpec {
            argv: argv.iter().map(OsString::from).collect(),
            cwd: dir.clone(),
            env: vec![("FLOTILLA_TEST_VAR".into(), "v".into())],
            stdout: dir.join("out"),
            stderr: dir.join("err"),
            timeout,
            grace: Duration::from_millis(200),
            relay: None,
        }
    }

    #[tokio::test]
    async fn captures_both_streams_and_exit_code() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec(
            &dir,
            &["sh", "-c", "echo out $FLOTILLA_TEST_VAR; echo err >&2; exit 3"],
            None,
        );
        let (_tx, mut rx) = watch::channel(Shutdown::Running);
        let result = run_process(&spec, &mut rx).await.unwrap();
        assert_eq!(result.end, ProcessEnd::Exited(3));
        assert!(!result.leaked, "nothing outlived it");
        assert_eq!(std::fs::read_to_string(&spec.stdout).unwrap(), "out v\n");
        assert_eq!(std::fs::read_to_string(&spec.stderr).unwrap(), "err\n");
    }

    #[tokio::test]
    async fn timeout_kills_the_group_even_if_term_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("grandchild.pid");
        let script = format!("trap '' TERM; sleep 1000 & echo $! > '{}'; wait", pidfile.display());
        let spec = spec(&dir, &["sh", "-c", &script], Some(Duration::from_millis(300)));
        let (_tx, mut rx) = watch::channel(Shutdown::Running);
        let result = run_process(&spec, &mut rx).await.unwrap();
        assert_eq!(result.end, ProcessEnd::TimedOut);
        assert!(!result.leaked, "a group killed on purpose did not leak");
        let pid: i32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
        assert!(!crate::testing::alive(pid), "grandchild {pid} survived");
    }

    #[tokio::test]
    async fn relayed_lines_arrive_whole_and_are_also_captured() {
        let dir = tempfile::tempdir().unwrap();
        let mut spec = spec(&dir, &["sh", "-c", "printf 'a\\nb'; echo c >&2"], None);
        let (tx, mut rx) = mpsc::unbounded_channel();
        spec.relay = Some(tx);
        let (_keep, mut shutdown) = watch::channel(Shutdown::Running);
        let result = run_process(&spec, &mut shutdown).await.unwrap();
        assert_eq!(result.end, ProcessEnd::Exited(0));
        drop(spec.relay.take());
        let mut lines = Vec::new();
        while let Some(line) = rx.recv().await {
            lines.push((line.stream, line.text));
        }
        lines.sort_by_key(|(stream, _)| *stream == Stream::Stderr);
        assert_eq!(
            lines,
            vec![
                (Stream::Stdout, "a".into()),
                (Stream::Stdout, "b".into()),
                (Stream::Stderr, "c".into())
            ]
        );
        assert_eq!(std::fs::read_to_string(&spec.stdout).unwrap(), "a\nb");
    }

    #[tokio::test]
    async fn silent_streams_leave_no_log_files() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec(&dir, &["sh", "-c", "echo only-err >&2"], None);
        let (_tx, mut rx) = watch::channel(Shutdown::Running);
        let result = run_process(&spec, &mut rx).await.unwrap();
        assert_eq!(result.stdout, None);
        assert!(!spec.stdout.exists());
        assert_eq!(result.stderr.as_ref(), Some(&spec.stderr));
        assert_eq!(std::fs::read_to_string(&spec.stderr).unwrap(), "only-err\n");
    }

    #[tokio::test]
    async fn a_process_that_escaped_the_group_does_not_hold_up_the_job() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("escaped.pid");
        // `setsid` puts the sleeper in a group of its own, out of reach of the group kill, and it
        // keeps stdout open.
        let script = format!("setsid sleep 60 & echo $! > '{}'; echo started", pidfile.display());
        let spec = spec(&dir, &["sh", "-c", &script], None);
        let (_tx, mut rx) = watch::channel(Shutdown::Running);
        let started = Instant::now();
        let result = run_process(&spec, &mut rx).await.unwrap();
        let waited = started.elapsed();
        let pid: i32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
        let _ = nix::sys::signal::kill(Pid::from_raw(pid), Signal::SIGKILL);
        assert_eq!(result.end, ProcessEnd::Exited(0));
        assert!(result.leaked, "a process outside the group outlived it");
        assert!(
            waited < Duration::from_secs(30),
            "waited {waited:?} for a process outside the group"
        );
        assert_eq!(std::fs::read_to_string(&spec.stdout).unwrap(), "started\n");
    }

    #[tokio::test]
    async fn a_background_process_left_in_the_group_is_a_leak_and_is_killed() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("left.pid");
        // Its output goes elsewhere, so only the group says it is still there.
        let script = format!("sleep 60 >/dev/null 2>&1 & echo $! > '{}'", pidfile.display());
        let spec = spec(&dir, &["sh", "-c", &script], None);
        let (_tx, mut rx) = watch::channel(Shutdown::Running);
        let result = run_process(&spec, &mut rx).await.unwrap();
        assert_eq!(result.end, ProcessEnd::Exited(0));
        assert!(result.leaked);
        let pid: i32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
        assert!(!crate::testing::alive(pid), "the leaked sleeper {pid} survived");
    }

    #[tokio::test]
    async fn missing_program_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec(&dir, &["no-such-program-flotilla"], None);
        let (_tx, mut rx) = watch::channel(Shutdown::Running);
        let error = run_process(&spec, &mut rx).await.unwrap_err();
        assert!(error.to_string().contains("no-such-program-flotilla"));
    }

    #[tokio::test]
    async fn shutdown_cancels_a_running_process() {
        let dir = tempfile::tempdir().unwrap();
        let spec = spec(&dir, &["sleep", "1000"], None);
        let (tx, mut rx) = watch::channel(Shutdown::Running);
        let task = tokio::spawn(async move { run_process(&spec, &mut rx).await });
        tokio::task::yield_now().await;
        tx.send(Shutdown::Graceful).unwrap();
        let result = task.await.unwrap().unwrap();
        assert_eq!(result.end, ProcessEnd::Cancelled);
    }
}

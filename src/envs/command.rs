//! [`Invocation`]: one docker or compose command, with a deadline and an optional [`Cancel`]
//! signal, its output kept in memory for parsing.
//!
//! Running it is [`crate::exec::run_captured`]'s job, like every process flotilla starts: its own
//! process group (registered, so a second Ctrl-C kills it with the jobs), SIGKILLed on deadline or
//! cancellation and reaped before the call returns, so a caller that goes on to `down` a project
//! knows its `up` is no longer running. This file only adds what envs needs on top: the command
//! line for messages and the mapping to [`EnvError`]. [`Cancel`] is a name for the program's one
//! cancellation vocabulary, [`Shutdown`].

use std::ffi::OsString;
use std::time::Duration;

use tokio::sync::watch;

use super::error::EnvError;
use crate::exec::{self, CapturedSpec, ProcessEnd, Shutdown};

/// A cancellation signal shared by every in-flight call of an environment set: a name for the
/// program's one vocabulary, a [`watch::Receiver`] of [`Shutdown`]. Anything past
/// [`Shutdown::Running`] means cancelled.
#[derive(Clone, Debug)]
pub(crate) struct Cancel(watch::Receiver<Shutdown>);

/// The sending side of [`Cancel`].
#[derive(Debug)]
pub(crate) struct CancelSource(watch::Sender<Shutdown>);

impl CancelSource {
    pub(crate) fn new() -> (Self, Cancel) {
        let (tx, rx) = watch::channel(Shutdown::Running);
        (Self(tx), Cancel(rx))
    }

    /// Cancels every call that watches this source (now and later). `Immediate`: an environment's
    /// docker calls have nothing to finish gracefully, they are killed at once either way.
    pub(crate) fn cancel(&self) {
        self.0.send_replace(Shutdown::Immediate);
    }
}

impl Cancel {
    /// Whether cancellation was requested.
    pub(crate) fn is_cancelled(&self) -> bool {
        *self.0.borrow() != Shutdown::Running
    }

    /// Resolves once cancellation is requested (never, if the source is gone uncancelled).
    pub(crate) async fn cancelled(&self) {
        let mut rx = self.0.clone();
        loop {
            if *rx.borrow_and_update() != Shutdown::Running {
                return;
            }
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// The receiver [`exec::run_captured`] watches: this one, or for no `Cancel` one whose sender
    /// is already gone (nothing will ever cancel it; the deadline still holds).
    fn receiver(cancel: Option<&Self>) -> watch::Receiver<Shutdown> {
        match cancel {
            Some(cancel) => cancel.0.clone(),
            None => watch::channel(Shutdown::Running).1,
        }
    }
}

/// What a finished command printed and how it exited.
#[derive(Clone, Debug)]
pub(crate) struct Output {
    /// The exit code (`-1` if killed by a signal).
    pub code: i32,
    /// What it wrote on stdout (all of it, unless past [`exec::CAPTURE_LIMIT`]: then the end).
    pub stdout: String,
    /// What it wrote on stderr (all of it, unless past [`exec::CAPTURE_LIMIT`]: then the end).
    pub stderr: String,
}

impl Output {
    pub(crate) fn success(&self) -> bool {
        self.code == 0
    }
}

/// One command to run.
#[derive(Clone, Debug)]
pub(crate) struct Invocation {
    /// Program and arguments.
    pub argv: Vec<OsString>,
    /// Extra environment variables (on top of flotilla's own environment).
    pub env: Vec<(String, String)>,
    /// Working directory, if not flotilla's.
    pub cwd: Option<camino::Utf8PathBuf>,
    /// Deadline after start.
    pub timeout: Duration,
    /// The DOCKER_HOST it targets, for error messages (the value is also in `env`).
    pub host: Option<String>,
}

impl Invocation {
    /// The command line as a user would type it (for messages).
    pub(crate) fn display(&self) -> String {
        self.argv
            .iter()
            .map(|a| {
                let a = a.to_string_lossy();
                if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
                    format!("'{}'", a.replace('\'', r"'\''"))
                } else {
                    a.into_owned()
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Runs it to completion, deadline or cancellation (through [`exec::run_captured`]: own
    /// process group, killed and reaped before this returns). A non-zero exit is *not* an error
    /// here. Each stream keeps at most its last [`exec::CAPTURE_LIMIT`] bytes.
    pub(crate) async fn output(&self, cancel: Option<&Cancel>) -> Result<Output, EnvError> {
        let spec = CapturedSpec {
            env: self.env.clone(),
            cwd: self.cwd.clone(),
            timeout: Some(self.timeout),
            ..CapturedSpec::new(self.argv.clone())
        };
        let captured = exec::run_captured(&spec, &mut Cancel::receiver(cancel))
            .await
            .map_err(|error| EnvError::Spawn {
                program: error.program().to_string(),
                source: error.into_io_error(),
            })?;
        let code = match captured.end {
            ProcessEnd::Exited(code) => code,
            ProcessEnd::Signaled(_) => -1,
            ProcessEnd::TimedOut => {
                return Err(EnvError::CommandTimedOut {
                    command: self.display(),
                    host: self.host.clone(),
                    timeout: self.timeout,
                });
            }
            ProcessEnd::Cancelled => return Err(self.cancelled()),
        };
        Ok(Output {
            code,
            stdout: String::from_utf8_lossy(&captured.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&captured.stderr).into_owned(),
        })
    }

    /// Runs it and turns a non-zero exit into [`EnvError::Command`].
    pub(crate) async fn run(&self, cancel: Option<&Cancel>) -> Result<Output, EnvError> {
        let output = self.output(cancel).await?;
        if output.success() {
            Ok(output)
        } else {
            Err(self.failed(&output))
        }
    }

    /// The error for a finished but failed run.
    pub(crate) fn failed(&self, output: &Output) -> EnvError {
        EnvError::Command {
            command: self.display(),
            host: self.host.clone(),
            status: format!("exit code {}", output.code),
            stderr: last_lines(&output.stderr, 15),
        }
    }

    fn cancelled(&self) -> EnvError {
        EnvError::Cancelled {
            project: self.display(),
        }
    }
}

/// The last `n` non-empty lines of `text`, joined by newlines.
pub(crate) fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sh(script: &str, timeout: Duration) -> Invocation {
        Invocation {
            argv: vec!["sh".into(), "-c".into(), script.into()],
            env: vec![("X".into(), "1".into())],
            cwd: None,
            timeout,
            host: None,
        }
    }

    #[tokio::test]
    async fn captures_both_streams_and_the_code() {
        let out = sh("echo out $X; echo err >&2; exit 4", Duration::from_secs(10))
            .output(None)
            .await
            .unwrap();
        assert_eq!(
            (out.code, out.stdout.as_str(), out.stderr.as_str()),
            (4, "out 1\n", "err\n")
        );
    }

    #[tokio::test]
    async fn deadline_kills_the_group() {
        let error = sh("sleep 30 & wait", Duration::from_millis(200))
            .output(None)
            .await
            .unwrap_err();
        assert!(matches!(error, EnvError::CommandTimedOut { .. }), "{error}");
    }

    #[tokio::test]
    async fn cancel_stops_a_running_command() {
        let (source, cancel) = CancelSource::new();
        let task = tokio::spawn(async move { sh("sleep 30", Duration::from_secs(60)).output(Some(&cancel)).await });
        tokio::task::yield_now().await;
        source.cancel();
        let error = task.await.unwrap().unwrap_err();
        assert!(matches!(error, EnvError::Cancelled { .. }), "{error}");
    }

    #[tokio::test]
    async fn deadline_kills_the_grandchildren_too() {
        let dir = tempfile::tempdir().unwrap();
        let pidfile = dir.path().join("pid");
        let script = format!("sleep 30 & echo $! > '{}'; wait", pidfile.display());
        let error = sh(&script, Duration::from_millis(300)).output(None).await.unwrap_err();
        assert!(matches!(error, EnvError::CommandTimedOut { .. }), "{error}");
        let pid: i32 = std::fs::read_to_string(&pidfile).unwrap().trim().parse().unwrap();
        assert!(!crate::testing::alive(pid), "grandchild {pid} survived");
    }

    #[tokio::test]
    async fn nothing_starts_after_cancel() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("ran");
        let (source, cancel) = CancelSource::new();
        source.cancel();
        let error = sh(&format!("touch '{}'", marker.display()), Duration::from_secs(10))
            .output(Some(&cancel))
            .await
            .unwrap_err();
        assert!(matches!(error, EnvError::Cancelled { .. }), "{error}");
        assert!(!marker.exists());
    }

    #[tokio::test]
    async fn a_missing_program_keeps_the_os_error_as_cause() {
        let invocation = Invocation {
            argv: vec!["no-such-program-flotilla".into()],
            env: Vec::new(),
            cwd: None,
            timeout: Duration::from_secs(10),
            host: None,
        };
        let error = invocation.output(None).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "failed to start `no-such-program-flotilla`; is it installed and on PATH?"
        );
        let cause = std::error::Error::source(&error).unwrap().to_string();
        assert!(cause.contains("No such file or directory"), "{cause}");
    }

    #[test]
    fn display_quotes_what_needs_it() {
        let inv = sh("a b", Duration::from_secs(1));
        assert_eq!(inv.display(), "sh -c 'a b'");
        assert_eq!(last_lines("a\n\nb\nc\n", 2), "b\nc");
    }
}

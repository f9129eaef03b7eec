//! [`Invocation`]: one docker or compose command, run in its own process group with a deadline
//! and an optional [`Cancel`] signal, its output captured in memory.
//!
//! `crate::exec` streams job output to files; docker and compose calls are short and their output
//! is parsed, so this small runner keeps it in memory instead. On deadline or cancellation the
//! whole group is SIGKILLed and reaped before the call returns, so a caller that goes on to
//! `down` a project knows its `up` is no longer running.

use std::ffi::OsString;
use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use tokio::io::AsyncReadExt;
use tokio::sync::watch;

use super::error::EnvError;

/// A cancellation signal shared by every in-flight call of an environment set.
#[derive(Clone, Debug)]
pub(crate) struct Cancel(watch::Receiver<bool>);

/// The sending side of [`Cancel`].
#[derive(Debug)]
pub(crate) struct CancelSource(watch::Sender<bool>);

impl CancelSource {
    pub(crate) fn new() -> (Self, Cancel) {
        let (tx, rx) = watch::channel(false);
        (Self(tx), Cancel(rx))
    }

    /// Cancels every call that watches this source (now and later).
    pub(crate) fn cancel(&self) {
        self.0.send_replace(true);
    }
}

impl Cancel {
    /// Whether cancellation was requested.
    pub(crate) fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once cancellation is requested (never, if the source is gone uncancelled).
    pub(crate) async fn cancelled(&self) {
        let mut rx = self.0.clone();
        loop {
            if *rx.borrow_and_update() {
                return;
            }
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

/// What a finished command printed and how it exited.
#[derive(Clone, Debug)]
pub(crate) struct Output {
    /// The exit code (`-1` if killed by a signal).
    pub code: i32,
    /// Everything it wrote on stdout.
    pub stdout: String,
    /// Everything it wrote on stderr.
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

    /// Runs it to completion, deadline or cancellation. A non-zero exit is *not* an error here.
    pub(crate) async fn output(&self, cancel: Option<&Cancel>) -> Result<Output, EnvError> {
        let program = self
            .argv
            .first()
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut command = tokio::process::Command::new(&self.argv[0]);
        command
            .args(&self.argv[1..])
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0)
            .kill_on_drop(true);
        if let Some(cwd) = &self.cwd {
            command.current_dir(cwd);
        }
        if let Some(cancel) = cancel
            && cancel.is_cancelled()
        {
            return Err(self.cancelled());
        }
        let mut child = command.spawn().map_err(|source| EnvError::Spawn {
            program: program.clone(),
            source,
        })?;
        let pgid = child.id().and_then(|id| i32::try_from(id).ok());
        let mut stdout = child.stdout.take();
        let mut stderr = child.stderr.take();
        let read_out = tokio::spawn(async move {
            let mut buf = Vec::new();
            if let Some(s) = stdout.as_mut() {
                let _ = s.read_to_end(&mut buf).await;
            }
            buf
        });
        let read_err = tokio::spawn(async move {
            let mut buf = Vec::new();
            if let Some(s) = stderr.as_mut() {
                let _ = s.read_to_end(&mut buf).await;
            }
            buf
        });
        enum End {
            Exited(std::io::Result<std::process::ExitStatus>),
            TimedOut,
            Cancelled,
        }
        let end = tokio::select! {
            status = child.wait() => End::Exited(status),
            () = tokio::time::sleep(self.timeout) => End::TimedOut,
            () = async {
                match cancel {
                    Some(cancel) => cancel.cancelled().await,
                    None => std::future::pending().await,
                }
            } => End::Cancelled,
        };
        // Whatever happened, nothing of this command outlives the call.
        if let Some(pgid) = pgid {
            let _ = killpg(Pid::from_raw(pgid), Signal::SIGKILL);
        }
        let status = match end {
            End::Exited(status) => status,
            End::TimedOut | End::Cancelled => {
                let _ = child.wait().await;
                return Err(match end {
                    End::TimedOut => EnvError::CommandTimedOut {
                        command: self.display(),
                        host: self.host.clone(),
                        timeout: self.timeout,
                    },
                    _ => self.cancelled(),
                });
            }
        };
        let status = status.map_err(|source| EnvError::Spawn {
            program: program.clone(),
            source,
        })?;
        let stdout = read_out.await.unwrap_or_default();
        let stderr = read_err.await.unwrap_or_default();
        Ok(Output {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
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

    #[test]
    fn display_quotes_what_needs_it() {
        let inv = sh("a b", Duration::from_secs(1));
        assert_eq!(inv.display(), "sh -c 'a b'");
        assert_eq!(last_lines("a\n\nb\nc\n", 2), "b\nc");
    }
}

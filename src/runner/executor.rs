//! [`run_command`]: starts one command, a test job or a step command alike, and says how it
//! ended.
//!
//! One place builds what every command gets: the caller's variables, then the worker's
//! environment variables (service addresses, ports), and, for a command that runs inside a
//! service, the `docker exec` client line around it. The process runs in its own group with
//! its output captured (`crate::exec`), under the timeout and the run's [`Shutdown`]; a command
//! that ran inside a container and was timed out or cancelled is killed there too (killing the
//! exec client does not stop it). One mapping turns how the process ended into a [`JobExit`].

use std::ffi::OsString;
use std::time::Duration;

use camino::Utf8PathBuf;
use tokio::sync::{mpsc, watch};

use super::JobEnvironment;
use crate::exec::{OutputLine, ProcessEnd, ProcessSpec, Shutdown, run_process};
use crate::results::JobExit;

/// Where a command runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Placement<'a> {
    /// On this machine (with the worker's environment variables, if it has an environment).
    Host,
    /// Inside the environment's `exec` service (a suite's jobs).
    ExecService,
    /// Inside this service of the worker's environment (a step's `exec`).
    Service(&'a str),
}

/// One command to run.
pub(super) struct CommandSpec<'a> {
    /// Program and arguments (never through a shell).
    pub(super) argv: Vec<OsString>,
    /// The caller's variables: the suite's or step's own, then flotilla's identity variables.
    pub(super) variables: Vec<(String, String)>,
    /// Working directory on this machine.
    pub(super) cwd: Utf8PathBuf,
    /// Log files (created on the first byte).
    pub(super) stdout: Utf8PathBuf,
    pub(super) stderr: Utf8PathBuf,
    /// Deadline after start, and the time between SIGTERM and SIGKILL.
    pub(super) timeout: Option<Duration>,
    pub(super) grace: Duration,
    /// Also send every output line here (steps show them live).
    pub(super) relay: Option<mpsc::UnboundedSender<OutputLine>>,
    /// The worker's compose environment, if its suite or step has one.
    pub(super) environment: Option<&'a JobEnvironment>,
    /// Where it runs.
    pub(super) placement: Placement<'a>,
}

/// How a command ended.
#[derive(Debug)]
pub(super) struct Executed {
    pub(super) exit: JobExit,
    /// Wall time from spawn to reap (zero if it never started).
    pub(super) duration: Duration,
    /// Its logs; none for a stream it printed nothing on.
    pub(super) stdout: Option<Utf8PathBuf>,
    pub(super) stderr: Option<Utf8PathBuf>,
    /// Something that went wrong around it: output that could not be captured, or work inside
    /// a container that could not be stopped.
    pub(super) problem: Option<String>,
    /// Processes outlived it (and were killed with its group, unless they escaped it).
    pub(super) leaked: bool,
    /// CPU time and peak memory of its main process and the children it waited for; unknown
    /// for a command run inside a container (only the `docker exec` client runs here).
    pub(super) usage: crate::exec::Usage,
}

impl Executed {
    fn not_started(message: String) -> Self {
        Self {
            exit: JobExit::SpawnFailed { message },
            duration: Duration::ZERO,
            stdout: None,
            stderr: None,
            problem: None,
            leaked: false,
            usage: crate::exec::Usage::default(),
        }
    }
}

/// The one mapping from how a process ended to how a job or step command ended.
fn exit_of(end: ProcessEnd) -> JobExit {
    match end {
        ProcessEnd::Exited(code) => JobExit::Exited { code },
        ProcessEnd::Signaled(signal) => JobExit::Signaled { signal },
        ProcessEnd::TimedOut => JobExit::TimedOut,
        ProcessEnd::Cancelled => JobExit::Interrupted,
    }
}

/// Runs `spec` to its end (exit, timeout or shutdown).
pub(super) async fn run_command(spec: CommandSpec<'_>, shutdown: &mut watch::Receiver<Shutdown>) -> Executed {
    let CommandSpec {
        argv,
        mut variables,
        cwd,
        stdout,
        stderr,
        timeout,
        grace,
        relay,
        environment,
        placement,
    } = spec;
    if let Some(environment) = environment {
        variables.extend(environment.worker.job_env());
    }
    let inside = match (environment, placement) {
        (Some(environment), Placement::ExecService) => Some(environment.worker.exec_command(&argv, &variables)),
        (Some(environment), Placement::Service(service)) => {
            Some(environment.worker.exec_command_in(service, &argv, &variables))
        }
        _ => None,
    };
    let (argv, env, tag) = match inside {
        None => (argv, variables, None),
        Some(Ok(command)) => (command.argv, command.env, Some(command.tag)),
        Some(Err(error)) => {
            return Executed::not_started(format!("could not run it inside its environment's service: {error}"));
        }
    };
    let process = ProcessSpec {
        argv,
        cwd,
        env,
        stdout,
        stderr,
        timeout,
        grace,
        relay,
    };
    let result = match run_process(&process, shutdown).await {
        Ok(result) => result,
        Err(error) => return Executed::not_started(error.to_string()),
    };
    let mut problem = result.capture_error;
    if let (Some(environment), Some(tag), ProcessEnd::TimedOut | ProcessEnd::Cancelled) =
        (environment, &tag, result.end)
        && let Err(error) = environment.worker.kill_job(tag).await
    {
        problem = Some(format!("could not stop the work inside its container: {error}"));
    }
    Executed {
        exit: exit_of(result.end),
        duration: result.duration,
        stdout: result.stdout,
        stderr: result.stderr,
        problem,
        leaked: result.leaked,
        usage: if tag.is_some() {
            crate::exec::Usage::default()
        } else {
            result.usage
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(dir: &camino::Utf8Path, argv: &[&str], timeout: Option<Duration>) -> CommandSpec<'static> {
        CommandSpec {
            argv: argv.iter().map(OsString::from).collect(),
            variables: vec![("GREETING".into(), "hello".into())],
            cwd: dir.to_path_buf(),
            stdout: dir.join("out"),
            stderr: dir.join("err"),
            timeout,
            grace: Duration::from_millis(100),
            relay: None,
            environment: None,
            placement: Placement::Host,
        }
    }

    #[tokio::test]
    async fn variables_reach_the_command_and_its_exit_is_mapped() {
        let dir = tempfile::tempdir().unwrap();
        let dir = camino::Utf8Path::from_path(dir.path()).unwrap();
        let (_keep, mut shutdown) = watch::channel(Shutdown::Running);
        let done = run_command(spec(dir, &["sh", "-c", "echo $GREETING; exit 3"], None), &mut shutdown).await;
        assert_eq!(done.exit, JobExit::Exited { code: 3 });
        assert_eq!(std::fs::read_to_string(dir.join("out")).unwrap(), "hello\n");
        assert!(done.stderr.is_none(), "a silent stream leaves no log");
    }

    #[tokio::test]
    async fn a_timeout_and_a_missing_program_are_exits_too() {
        let dir = tempfile::tempdir().unwrap();
        let dir = camino::Utf8Path::from_path(dir.path()).unwrap();
        let (_keep, mut shutdown) = watch::channel(Shutdown::Running);
        let slow = run_command(
            spec(dir, &["sleep", "100"], Some(Duration::from_millis(50))),
            &mut shutdown,
        )
        .await;
        assert_eq!(slow.exit, JobExit::TimedOut);
        let missing = run_command(spec(dir, &["no-such-program-for-flotilla"], None), &mut shutdown).await;
        assert!(
            matches!(&missing.exit, JobExit::SpawnFailed { message } if message.contains("not found")),
            "{missing:?}"
        );
    }
}

//! [`EnvError`]: everything that can go wrong while preparing, using or removing a compose
//! environment. Messages are lowercase fragments that name the project, service or command
//! involved and say what to do about it; causes travel in `#[source]`.

use std::fmt;
use std::time::Duration;

use camino::Utf8PathBuf;

use super::resolved_file::ComposeFileError;

/// Why an environment could not be prepared, used or removed.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    /// Neither compose flavour answered `version --short`.
    #[error(
        "docker compose is not available: `docker compose version` and `docker-compose version` both failed ({detail}); install the compose v2 plugin or docker-compose v1.29"
    )]
    ComposeMissing {
        /// What each attempt said.
        detail: String,
    },

    /// A compose version this module does not support.
    #[error("docker-compose {version} is too old; flotilla needs compose v1.27+ or v2, upgrade it")]
    ComposeTooOld {
        /// The version that was found.
        version: String,
    },

    /// A program could not be started at all.
    #[error("failed to start `{program}`; is it installed and on PATH?")]
    Spawn {
        /// The program.
        program: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// A docker or compose command exited with an error.
    #[error("`{command}` failed ({status}){}: {stderr}", host_suffix(host.as_deref()))]
    Command {
        /// The command line, for the user to re-run by hand.
        command: String,
        /// The DOCKER_HOST it ran against, if not the default.
        host: Option<String>,
        /// Exit status as text.
        status: String,
        /// The last lines it printed on stderr.
        stderr: String,
    },

    /// A docker or compose command ran past its deadline and was killed.
    #[error("`{command}` did not finish within {}{}; it was killed; is the Docker daemon overloaded or stuck?", humantime::format_duration(std::time::Duration::from_secs(timeout.as_secs().max(1))), host_suffix(host.as_deref()))]
    CommandTimedOut {
        /// The command line.
        command: String,
        /// The DOCKER_HOST it ran against, if not the default.
        host: Option<String>,
        /// Its deadline.
        timeout: Duration,
    },

    /// The operation was cancelled because the environment set is being torn down.
    #[error("cancelled because the environment is being torn down: {project}")]
    Cancelled {
        /// The compose project, or the command that was stopped.
        project: String,
    },

    /// Output of `docker inspect` that could not be understood.
    #[error(transparent)]
    Parse(Box<ParseFailure>),

    /// The compose files do not resolve into something flotilla can isolate.
    #[error(transparent)]
    ComposeFile(Box<ComposeFileFailure>),

    /// A generated project name is not valid in both compose versions.
    #[error(
        "invalid compose project name `{name}`: {reason}; use a `project-prefix` of lowercase letters, digits and `-`"
    )]
    ProjectName {
        /// The name.
        name: String,
        /// Why it is rejected.
        reason: &'static str,
    },

    /// A service that should be running is not (exited, missing).
    #[error("{0}")]
    ServiceDown(Box<ServiceDown>),

    /// A service did not become ready before the deadline.
    #[error("{0}")]
    NotReady(Box<NotReady>),

    /// Building the environment's image failed.
    #[error("building image `{tag}` failed after {attempts} attempt(s){}: {stderr}", if *permanent { " (not retried: the Dockerfile or its context is wrong)" } else { "" })]
    Build {
        /// The tag being built.
        tag: String,
        /// How many attempts were made.
        attempts: u32,
        /// Whether the failure was judged deterministic (not worth retrying).
        permanent: bool,
        /// The last lines of the last attempt's output.
        stderr: String,
    },

    /// A file flotilla writes for the environment could not be written.
    #[error("failed to {action} `{path}`")]
    Io {
        /// What flotilla was doing.
        action: &'static str,
        /// The file or folder.
        path: Utf8PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// The API was used out of order (a bug in the caller).
    #[error("{0}")]
    Usage(String),
}

/// Details of [`EnvError::ServiceDown`].
#[derive(Debug, thiserror::Error)]
#[error("service `{service}` of `{project}` {state}{}; see {}", logs_suffix(last_logs), diagnostics.as_ref().map_or("the container logs".to_string(), |d| d.to_string()))]
pub struct ServiceDown {
    /// The compose project.
    pub project: String,
    /// The service.
    pub service: String,
    /// What happened to it ("exited with code 3", "has no running container").
    pub state: String,
    /// Its last log lines.
    pub last_logs: String,
    /// Where diagnostics were written, once collected.
    pub diagnostics: Option<Utf8PathBuf>,
}

/// Details of [`EnvError::NotReady`].
#[derive(Debug, thiserror::Error)]
#[error("service `{service}` of `{project}` was not ready after {}: probe {probe} last said: {last_output}{}", humantime::format_duration(std::time::Duration::from_secs(waited.as_secs())), diagnostics.as_ref().map_or(String::new(), |d| format!("; diagnostics in {d}")))]
pub struct NotReady {
    /// The compose project.
    pub project: String,
    /// The service that never became ready.
    pub service: String,
    /// The probe, as written in the configuration (or "container healthcheck").
    pub probe: String,
    /// What the probe saw the last time it ran.
    pub last_output: String,
    /// How long flotilla waited.
    pub waited: Duration,
    /// Where diagnostics were written, once collected.
    pub diagnostics: Option<Utf8PathBuf>,
}

/// Details of [`EnvError::Parse`]. Its message includes the problem's, so its
/// [`source`](std::error::Error::source) is the problem's cause (serde_json's error), which keeps
/// an error chain from printing the same fragment twice.
#[derive(Debug)]
pub struct ParseFailure {
    /// The command line.
    pub command: String,
    /// What was wrong with its output.
    pub problem: InspectError,
}

impl fmt::Display for ParseFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "could not understand the output of `{}`: {}",
            self.command, self.problem
        )
    }
}

impl std::error::Error for ParseFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.problem.source()
    }
}

/// Details of [`EnvError::ComposeFile`]. Its message includes the problem's, so its
/// [`source`](std::error::Error::source) is the problem's cause (the YAML error, if any).
#[derive(Debug)]
pub struct ComposeFileFailure {
    /// The `[env.NAME]`.
    pub env: String,
    /// What is wrong and how to fix it.
    pub problem: ComposeFileError,
}

impl fmt::Display for ComposeFileFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "environment `{}`: {}", self.env, self.problem)
    }
}

impl std::error::Error for ComposeFileFailure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.problem.source()
    }
}

impl EnvError {
    pub(crate) fn parse(command: String, problem: InspectError) -> Self {
        Self::Parse(Box::new(ParseFailure { command, problem }))
    }

    pub(crate) fn compose_file(env: &str, problem: ComposeFileError) -> Self {
        Self::ComposeFile(Box::new(ComposeFileFailure {
            env: env.to_string(),
            problem,
        }))
    }

    /// Attaches the diagnostics folder to readiness and service errors.
    #[must_use]
    pub fn with_diagnostics(mut self, dir: Utf8PathBuf) -> Self {
        match &mut self {
            Self::NotReady(e) => e.diagnostics = Some(dir),
            Self::ServiceDown(e) => e.diagnostics = Some(dir),
            _ => {}
        }
        self
    }

    /// Where diagnostics for this failure were written, if any.
    #[must_use]
    pub fn diagnostics(&self) -> Option<&Utf8PathBuf> {
        match self {
            Self::NotReady(e) => e.diagnostics.as_ref(),
            Self::ServiceDown(e) => e.diagnostics.as_ref(),
            _ => None,
        }
    }

    pub(crate) fn io(action: &'static str, path: impl Into<Utf8PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

fn host_suffix(host: Option<&str>) -> String {
    host.map_or(String::new(), |h| format!(" on DOCKER_HOST={h}"))
}

fn logs_suffix(logs: &str) -> String {
    if logs.trim().is_empty() {
        String::new()
    } else {
        format!(" (last logs: {})", logs.trim())
    }
}

/// Why `docker inspect` output could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    /// Not a JSON array of containers (serde_json's message has the line and column).
    #[error("{source}")]
    Json {
        /// What serde_json said.
        #[source]
        source: serde_json::Error,
    },
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;

    use super::*;

    #[test]
    fn compose_file_errors_chain_to_the_cause_not_to_themselves() {
        let host = EnvError::compose_file("app", ComposeFileError::HostNetwork { service: "a".into() });
        assert_eq!(
            host.to_string(),
            "environment `app`: service `a` uses `network_mode: host`, which cannot be isolated per worker; remove it in a CI override file"
        );
        assert!(host.source().is_none(), "the fragment is not repeated as a cause");
        let yaml = serde_norway::from_str::<serde_norway::Value>("a: [").unwrap_err();
        let cause = yaml.to_string();
        let broken = EnvError::compose_file("app", ComposeFileError::Yaml { source: yaml });
        assert_eq!(
            broken.to_string(),
            format!("environment `app`: `compose config` printed YAML flotilla cannot read: {cause}")
        );
        assert_eq!(broken.source().map(ToString::to_string), Some(cause));
        let EnvError::ComposeFile(failure) = &broken else {
            panic!("{broken:?}")
        };
        assert!(matches!(failure.problem, ComposeFileError::Yaml { .. }));
    }

    #[test]
    fn parse_errors_keep_the_message_and_chain_to_serde() {
        let problem = super::super::container::parse_inspect("[{]").unwrap_err();
        let detail = problem.to_string();
        let error = EnvError::parse("docker inspect --type container x".into(), problem);
        assert_eq!(
            error.to_string(),
            format!("could not understand the output of `docker inspect --type container x`: {detail}")
        );
        assert_eq!(error.source().map(ToString::to_string), Some(detail));
    }
}

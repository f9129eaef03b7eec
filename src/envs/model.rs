//! The resolved model of one `[services.NAME]` table: [`EnvConfig`] (compose files, readiness
//! [`Probe`]s, image [`ImageBuild`], placement, timeouts). The file's raw mirror and its
//! validation live in `config/` (`config::file::services`, `config::resolve::services`): this
//! module only says what a validated environment is.

use std::fmt;
use std::time::Duration;

use camino::Utf8PathBuf;

use super::hosts::HostSpec;

/// What to do with container healthchecks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HealthPolicy {
    /// Every container with a healthcheck must report `healthy` (default).
    Wait,
    /// Healthchecks are not waited for (probes still run).
    Ignore,
}

/// Which image builder `docker build` uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builder {
    /// BuildKit when `docker buildx` is installed, else the classic builder.
    Auto,
    /// `DOCKER_BUILDKIT=0`.
    Classic,
    /// `DOCKER_BUILDKIT=1`.
    BuildKit,
}

/// A validated readiness probe.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Probe {
    /// A TCP connection to the published `port` of `service` succeeds.
    Tcp {
        /// Service.
        service: String,
        /// Container port.
        port: u16,
    },
    /// `GET path` on the published `port` of `service` answers `status` (any 2xx if `None`).
    Http {
        /// Service.
        service: String,
        /// Container port.
        port: u16,
        /// Path, starting with `/`.
        path: String,
        /// Expected status.
        status: Option<u16>,
    },
    /// `argv` run inside `service` exits 0.
    Exec {
        /// Service.
        service: String,
        /// Command.
        argv: Vec<String>,
    },
    /// The log of `service` contains `contains`.
    Log {
        /// Service.
        service: String,
        /// Text to wait for.
        contains: String,
    },
}

impl Probe {
    /// The service this probe checks.
    #[must_use]
    pub fn service(&self) -> &str {
        match self {
            Self::Tcp { service, .. }
            | Self::Http { service, .. }
            | Self::Exec { service, .. }
            | Self::Log { service, .. } => service,
        }
    }

    /// The container port a tcp/http probe needs published.
    #[must_use]
    pub fn port(&self) -> Option<u16> {
        match self {
            Self::Tcp { port, .. } | Self::Http { port, .. } => Some(*port),
            Self::Exec { .. } | Self::Log { .. } => None,
        }
    }
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Tcp { service, port } => write!(f, "{{ tcp = \"{service}:{port}\" }}"),
            Self::Http {
                service,
                port,
                path,
                status,
            } => {
                write!(f, "{{ http = \"{service}:{port}{path}\"")?;
                if let Some(status) = status {
                    write!(f, ", status = {status}")?;
                }
                f.write_str(" }")
            }
            Self::Exec { service, argv } => write!(f, "{{ exec = \"{service}\", run = {argv:?} }}"),
            Self::Log { service, contains } => write!(f, "{{ log = \"{service}\", contains = {contains:?} }}"),
        }
    }
}

/// A validated image build.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageBuild {
    /// Absolute build context.
    pub context: Utf8PathBuf,
    /// Absolute Dockerfile, if not the context's `Dockerfile`.
    pub dockerfile: Option<Utf8PathBuf>,
    /// Repository part of the tag; the run id is the tag (`<repo>:<run-id>`).
    pub repository: String,
    /// Variable that carries the full tag.
    pub variable: String,
    /// Retries after the first attempt.
    pub retries: u32,
    /// First backoff (doubles after each failure).
    pub backoff: Duration,
    /// Deadline of one attempt.
    pub timeout: Duration,
    /// `--build-arg`s.
    pub args: Vec<(String, String)>,
    /// Builder choice.
    pub builder: Builder,
}

/// One `[services.NAME]`, validated and with absolute paths.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EnvConfig {
    /// NAME.
    pub name: String,
    /// Absolute compose files, in merge order.
    pub compose_files: Vec<Utf8PathBuf>,
    /// `--project-directory`.
    pub project_dir: Utf8PathBuf,
    /// Project name prefix (valid in both compose versions).
    pub project_prefix: String,
    /// Readiness probes, in order.
    pub ready: Vec<Probe>,
    /// Deadline for health plus probes.
    pub ready_timeout: Duration,
    /// Deadline for `up`.
    pub up_timeout: Duration,
    /// Healthcheck policy.
    pub health: HealthPolicy,
    /// The service jobs run in, if any.
    pub exec: Option<String>,
    /// Hosts the workers are spread over (empty: the default host, publishing on 127.0.0.1).
    pub docker_hosts: Vec<HostSpec>,
    /// The image built before the environments start.
    pub build: Option<ImageBuild>,
    /// `down -t`.
    pub stop_timeout: Duration,
    /// Log lines per service in diagnostics.
    pub logs_tail: u32,
}

/// Default deadline for readiness.
pub const DEFAULT_READY_TIMEOUT: Duration = Duration::from_secs(120);
/// Default deadline for `up`.
pub const DEFAULT_UP_TIMEOUT: Duration = Duration::from_secs(300);
/// Default stop timeout: throwaway environments need no graceful shutdown.
pub const DEFAULT_STOP_TIMEOUT: Duration = Duration::from_secs(1);

//! [`ServicesError`]: why a `[services.NAME]` table does not validate. It names the table and
//! the key ([`ServicesError::Key`]); [`ServicesKeyError`] says what is wrong with the key's
//! value (probes: [`ProbeConfigError`], durations, hosts: [`HostError`]) and how to fix it. The
//! config loader adds the file, line and column of the key.

use crate::config::duration::DurationError;
use crate::envs::{EnvError, HostError};

/// Why `[services.NAME]` does not validate.
#[derive(Debug, thiserror::Error)]
pub enum ServicesError {
    /// `compose` is missing or empty.
    #[error("services `{name}` have no `compose` files; add for example `compose = [\"docker-compose.yml\"]`")]
    NoComposeFiles {
        /// NAME.
        name: String,
    },

    /// One key has a value flotilla cannot use.
    #[error("services `{name}`: `{key}`: {source}")]
    Key {
        /// NAME.
        name: String,
        /// The key as written, with its index or table: `ready[2]`, `build.tag`.
        key: String,
        /// What is wrong with it.
        #[source]
        source: Box<ServicesKeyError>,
    },
}

impl ServicesError {
    pub(crate) fn key(name: &str, key: impl Into<String>, source: impl Into<ServicesKeyError>) -> Self {
        Self::Key {
            name: name.to_string(),
            key: key.into(),
            source: Box::new(source.into()),
        }
    }
}

/// What is wrong with the value of one key of `[services.NAME]`.
#[derive(Debug, thiserror::Error)]
pub enum ServicesKeyError {
    /// `project-prefix` would make invalid project names.
    #[error(transparent)]
    ProjectPrefix(Box<EnvError>),

    /// A `ready` entry.
    #[error(transparent)]
    Probe(#[from] ProbeConfigError),

    /// A duration (`ready-timeout`, `build.backoff`, …).
    #[error("{0}; write a duration such as \"90s\", \"5m\" or \"1h 30m\"")]
    Duration(#[from] DurationError),

    /// `ready-timeout` or `up-timeout` is zero.
    #[error("must be longer than zero")]
    Zero,

    /// `health` is neither "wait" nor "ignore".
    #[error("unknown policy `{value}`; write \"wait\" or \"ignore\"")]
    HealthPolicy {
        /// The value as written.
        value: String,
    },

    /// `exec` is not a service name.
    #[error("`{service}` is not a compose service name")]
    ExecService {
        /// The value as written.
        service: String,
    },

    /// A `docker-hosts` entry.
    #[error(transparent)]
    Host(#[from] HostError),

    /// `build.tag` is not an image repository.
    #[error(
        "`{tag}` is not an image repository; use lowercase letters, digits, `.`, `_`, `-`, `/` and no `:` (the run id becomes the tag)"
    )]
    ImageRepository {
        /// The value as written.
        tag: String,
    },

    /// `build.variable` is not a variable name.
    #[error("`{variable}` is not an environment variable name")]
    Variable {
        /// The value as written.
        variable: String,
    },

    /// `build.builder` is not a builder.
    #[error("unknown builder `{value}`; write \"auto\", \"classic\" or \"buildkit\"")]
    Builder {
        /// The value as written.
        value: String,
    },
}

/// Why a `ready` entry is not a probe.
#[derive(Debug, thiserror::Error)]
pub enum ProbeConfigError {
    /// None of `tcp`, `http`, `exec`, `log`.
    #[error("a probe needs one of `tcp`, `http`, `exec` or `log`, e.g. {{ tcp = \"db:5432\" }}")]
    NoKind,

    /// More than one of them.
    #[error("a probe has exactly one kind, this one has {}; split it into several probes", kinds.join(" and "))]
    ManyKinds {
        /// The kinds it has, in the order `tcp`, `http`, `exec`, `log`.
        kinds: Vec<&'static str>,
    },

    /// A key of another kind of probe (`status`, `run`, `contains`).
    #[error("`{key}` belongs to `{belongs_to}` probes, not `{kind}` ones")]
    StrayKey {
        /// The key.
        key: &'static str,
        /// The kind it belongs to.
        belongs_to: &'static str,
        /// The kind of this probe.
        kind: &'static str,
    },

    /// `tcp` is not `service:port`.
    #[error("`tcp = \"{text}\"` is not \"service:port\"; write e.g. \"db:5432\"")]
    TcpAddress {
        /// The value as written.
        text: String,
    },

    /// `http` is not `service:port/path` (shown without an `http://` prefix).
    #[error("`http = \"{text}\"` is not \"service:port/path\"; write e.g. \"web:8080/health\"")]
    HttpAddress {
        /// The value, without `http://`.
        text: String,
    },

    /// `status` is outside 100..=599.
    #[error("`status = {status}` is not an HTTP status")]
    Status {
        /// The value as written.
        status: u16,
    },

    /// `exec` or `log` is not a service name.
    #[error("`{kind} = \"{service}\"` is not a service name")]
    Service {
        /// `exec` or `log`.
        kind: &'static str,
        /// The value as written.
        service: String,
    },

    /// An exec probe without `run`.
    #[error(
        "an exec probe needs `run`, e.g. {{ exec = \"{service}\", run = [\"pg_isready\", \"-h\", \"127.0.0.1\"] }}"
    )]
    MissingRun {
        /// The probe's service.
        service: String,
    },

    /// A log probe without `contains`, or with an empty one.
    #[error("a log probe needs a non-empty `contains`, e.g. {{ log = \"{service}\", contains = \"ready\" }}")]
    MissingContains {
        /// The probe's service.
        service: String,
    },
}

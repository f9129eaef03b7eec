//! Over 400 lines: the raw `[env.NAME]` table and its resolution still live together here; the
//! settings work (issue 10) moves the raw mirror into `config/` with the rest of the file.
//!
//! `[env.NAME]` in `flotilla.toml`: [`RawEnv`] mirrors the table with serde (kebab-case, unknown
//! keys rejected), and [`resolve`] validates it into an [`EnvConfig`] or an [`EnvConfigError`].
//!
//! ```toml
//! [env.app]
//! compose = ["docker-compose.yml", "docker-compose.ci.yml"]
//! project-prefix = "app"
//! ready = [
//!   { tcp = "db:5432" },
//!   { http = "web:8080/health", status = 200 },
//!   { exec = "db", run = ["pg_isready", "-h", "127.0.0.1"] },
//!   { log = "db", contains = "ready to accept connections" },
//! ]
//! ready-timeout = "2m"
//! exec = "web"
//! docker-hosts = ["default", { host = "tcp://10.0.0.7:2375", address = "10.0.0.7" }]
//! stop-timeout = "1s"
//! build = { context = ".", tag = "app-test", variable = "APP_IMAGE", retries = 3 }
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use camino::{Utf8Path, Utf8PathBuf};
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};

use super::config_error::{DurationError, EnvConfigError, EnvKeyError, ProbeConfigError};
use super::hosts::{DockerHost, HostError, HostSpec};
use super::naming;

/// One `[env.NAME]` table as written.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawEnv {
    /// Compose files, merged in order (later files override earlier ones).
    #[serde(default)]
    pub compose: Vec<String>,
    /// `--project-directory` (default: the folder of the first compose file).
    pub project_directory: Option<String>,
    /// Prefix of the per-worker project names (default: the environment's name).
    pub project_prefix: Option<String>,
    /// Readiness probes, checked after container health.
    #[serde(default)]
    pub ready: Vec<RawProbe>,
    /// Deadline for health plus probes.
    pub ready_timeout: Option<String>,
    /// Deadline for `up`.
    pub up_timeout: Option<String>,
    /// `wait` (default) or `ignore` container healthchecks.
    pub health: Option<String>,
    /// Run every job of the suites using this environment inside this service.
    pub exec: Option<String>,
    /// Docker hosts the workers are spread over (round-robin).
    #[serde(default)]
    pub docker_hosts: Vec<RawHost>,
    /// An image built once per host before the environments start.
    pub build: Option<RawBuild>,
    /// `down -t`: how long containers get to stop before they are killed.
    pub stop_timeout: Option<String>,
    /// Lines of each service's log kept in diagnostics.
    pub logs_tail: Option<u32>,
}

/// One readiness probe as written: exactly one of `tcp`, `http`, `exec`, `log`, plus the keys
/// that go with it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawProbe {
    /// `"service:port"`: a TCP connection to the published port succeeds.
    pub tcp: Option<String>,
    /// `"service:port/path"`: an HTTP GET on the published port answers 2xx (or `status`).
    pub http: Option<String>,
    /// The HTTP status expected instead of any 2xx.
    pub status: Option<u16>,
    /// A service in which `run` exits 0.
    pub exec: Option<String>,
    /// The command of an `exec` probe: a list of words, or one string run by `sh -c`.
    pub run: Option<Argv>,
    /// A service whose log must contain `contains`.
    pub log: Option<String>,
    /// The text a `log` probe waits for.
    pub contains: Option<String>,
}

/// `[env.NAME.build]` as written.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawBuild {
    /// Build context (default: the config folder).
    pub context: Option<String>,
    /// Dockerfile (default: `Dockerfile` in the context).
    pub dockerfile: Option<String>,
    /// Image repository; the tag is the run id (default: `flotilla-<env>`).
    pub tag: Option<String>,
    /// Variable that carries the built tag to compose and to jobs (default: `FLOTILLA_IMAGE`).
    pub variable: Option<String>,
    /// Retries after the first attempt (default 2).
    pub retries: Option<u32>,
    /// First backoff, doubled after every failure (default "2s").
    pub backoff: Option<String>,
    /// Deadline for one attempt (default "20m").
    pub timeout: Option<String>,
    /// `--build-arg`s.
    #[serde(default)]
    pub args: BTreeMap<String, String>,
    /// `auto` (classic builder when buildx is missing), `classic` or `buildkit`.
    pub builder: Option<String>,
}

/// A `docker-hosts` entry: `"tcp://host:2375"`, or `{ host = "tcp://host:2375", address = "10.0.0.7" }`
/// where `address` is the host address ports are published on and jobs connect to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RawHost {
    /// The `DOCKER_HOST` value (or "default").
    pub host: String,
    /// Publish address (default 127.0.0.1).
    pub address: Option<String>,
}

impl<'de> Deserialize<'de> for RawHost {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HostVisitor;
        impl<'de> Visitor<'de> for HostVisitor {
            type Value = RawHost;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(
                    "a Docker host: \"tcp://host:2375\", or { host = \"tcp://host:2375\", address = \"10.0.0.7\" }",
                )
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<RawHost, E> {
                Ok(RawHost {
                    host: text.to_string(),
                    address: None,
                })
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<RawHost, A::Error> {
                let mut host = None;
                let mut address = None;
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "host" => host = Some(map.next_value::<String>()?),
                        "address" => address = Some(map.next_value::<String>()?),
                        other => return Err(de::Error::unknown_field(other, &["host", "address"])),
                    }
                }
                let host = host.ok_or_else(|| de::Error::missing_field("host"))?;
                Ok(RawHost { host, address })
            }
        }
        deserializer.deserialize_any(HostVisitor)
    }
}

/// A list of argv words, or a single string run through `sh -c`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Argv(pub Vec<String>);

impl<'de> Deserialize<'de> for Argv {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ArgvVisitor;
        impl<'de> Visitor<'de> for ArgvVisitor {
            type Value = Argv;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a command: a list of words such as [\"pg_isready\", \"-h\", \"127.0.0.1\"], or one string run by `sh -c`")
            }
            fn visit_str<E: de::Error>(self, text: &str) -> Result<Argv, E> {
                if text.trim().is_empty() {
                    return Err(E::invalid_value(de::Unexpected::Str(text), &self));
                }
                Ok(Argv(vec!["sh".into(), "-c".into(), text.to_string()]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Argv, A::Error> {
                let mut words = Vec::new();
                while let Some(word) = seq.next_element::<String>()? {
                    words.push(word);
                }
                if words.is_empty() {
                    return Err(de::Error::invalid_length(0, &self));
                }
                Ok(Argv(words))
            }
        }
        deserializer.deserialize_any(ArgvVisitor)
    }
}

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

/// One `[env.NAME]`, validated and with absolute paths.
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

/// Validates `[env.NAME]`; relative paths are relative to `config_dir`. The error names the key
/// and says how to fix it (the caller adds file and line).
pub fn resolve(name: &str, raw: &RawEnv, config_dir: &Utf8Path) -> Result<EnvConfig, EnvConfigError> {
    let ctx = |key: &str, error: EnvKeyError| EnvConfigError::key(name, key, error);
    if raw.compose.is_empty() {
        return Err(EnvConfigError::NoComposeFiles { env: name.to_string() });
    }
    let compose_files: Vec<Utf8PathBuf> = raw.compose.iter().map(|f| absolute(config_dir, f)).collect();
    let project_dir = match &raw.project_directory {
        Some(dir) => absolute(config_dir, dir),
        None => compose_files[0]
            .parent()
            .map_or_else(|| config_dir.to_path_buf(), Utf8Path::to_path_buf),
    };
    let project_prefix = match &raw.project_prefix {
        Some(prefix) => {
            // Validate with a placeholder run id and worker: the rest is generated and valid.
            naming::validate_project_name(&format!("{prefix}-20260101-000000-abcd-99"))
                .map_err(|e| ctx("project-prefix", EnvKeyError::ProjectPrefix(Box::new(e))))?;
            prefix.clone()
        }
        None => naming::default_prefix(name),
    };
    let ready = raw
        .ready
        .iter()
        .enumerate()
        .map(|(i, p)| probe(p).map_err(|e| ctx(&format!("ready[{i}]"), e.into())))
        .collect::<Result<Vec<_>, _>>()?;
    let duration = |key: &str, value: &Option<String>, default: Duration| -> Result<Duration, EnvConfigError> {
        match value {
            None => Ok(default),
            Some(text) => parse_duration(text).map_err(|e| ctx(key, e.into())),
        }
    };
    let ready_timeout = duration("ready-timeout", &raw.ready_timeout, DEFAULT_READY_TIMEOUT)?;
    let up_timeout = duration("up-timeout", &raw.up_timeout, DEFAULT_UP_TIMEOUT)?;
    let stop_timeout = duration("stop-timeout", &raw.stop_timeout, DEFAULT_STOP_TIMEOUT)?;
    for (key, value) in [("ready-timeout", ready_timeout), ("up-timeout", up_timeout)] {
        if value.is_zero() {
            return Err(ctx(key, EnvKeyError::Zero));
        }
    }
    let health = match raw.health.as_deref() {
        None | Some("wait") => HealthPolicy::Wait,
        Some("ignore") => HealthPolicy::Ignore,
        Some(other) => {
            return Err(ctx(
                "health",
                EnvKeyError::HealthPolicy {
                    value: other.to_string(),
                },
            ));
        }
    };
    if let Some(service) = &raw.exec
        && !is_service_name(service)
    {
        return Err(ctx(
            "exec",
            EnvKeyError::ExecService {
                service: service.clone(),
            },
        ));
    }
    let docker_hosts = raw
        .docker_hosts
        .iter()
        .map(|h| host_spec(h).map_err(|e| ctx("docker-hosts", e.into())))
        .collect::<Result<Vec<_>, _>>()?;
    let build = raw
        .build
        .as_ref()
        .map(|b| build(name, b, config_dir).map_err(|(key, e)| ctx(&format!("build.{key}"), e)))
        .transpose()?;
    Ok(EnvConfig {
        name: name.to_string(),
        compose_files,
        project_dir,
        project_prefix,
        ready,
        ready_timeout,
        up_timeout,
        health,
        exec: raw.exec.clone(),
        docker_hosts,
        build,
        stop_timeout,
        logs_tail: raw.logs_tail.unwrap_or(200),
    })
}

fn probe(raw: &RawProbe) -> Result<Probe, ProbeConfigError> {
    let kinds: Vec<&'static str> = [
        ("tcp", raw.tcp.is_some()),
        ("http", raw.http.is_some()),
        ("exec", raw.exec.is_some()),
        ("log", raw.log.is_some()),
    ]
    .iter()
    .filter(|(_, set)| *set)
    .map(|(k, _)| *k)
    .collect();
    let kind = match kinds.as_slice() {
        [one] => *one,
        [] => return Err(ProbeConfigError::NoKind),
        many => return Err(ProbeConfigError::ManyKinds { kinds: many.to_vec() }),
    };
    let stray = |key: &'static str, belongs_to: &'static str| ProbeConfigError::StrayKey { key, belongs_to, kind };
    if raw.status.is_some() && kind != "http" {
        return Err(stray("status", "http"));
    }
    if raw.run.is_some() && kind != "exec" {
        return Err(stray("run", "exec"));
    }
    if raw.contains.is_some() && kind != "log" {
        return Err(stray("contains", "log"));
    }
    match kind {
        "tcp" => {
            let text = raw.tcp.as_deref().unwrap_or_default();
            let (service, port) =
                service_port(text).ok_or_else(|| ProbeConfigError::TcpAddress { text: text.to_string() })?;
            Ok(Probe::Tcp { service, port })
        }
        "http" => {
            let text = raw.http.as_deref().unwrap_or_default();
            let text = text.strip_prefix("http://").unwrap_or(text);
            let (address, path) = match text.find('/') {
                Some(slash) => (&text[..slash], text[slash..].to_string()),
                None => (text, "/".to_string()),
            };
            let (service, port) =
                service_port(address).ok_or_else(|| ProbeConfigError::HttpAddress { text: text.to_string() })?;
            if let Some(status) = raw.status
                && !(100..=599).contains(&status)
            {
                return Err(ProbeConfigError::Status { status });
            }
            Ok(Probe::Http {
                service,
                port,
                path,
                status: raw.status,
            })
        }
        "exec" => {
            let service = raw.exec.clone().unwrap_or_default();
            if !is_service_name(&service) {
                return Err(ProbeConfigError::Service { kind: "exec", service });
            }
            let argv = raw
                .run
                .clone()
                .ok_or_else(|| ProbeConfigError::MissingRun {
                    service: service.clone(),
                })?
                .0;
            Ok(Probe::Exec { service, argv })
        }
        _ => {
            let service = raw.log.clone().unwrap_or_default();
            if !is_service_name(&service) {
                return Err(ProbeConfigError::Service { kind: "log", service });
            }
            let contains =
                raw.contains
                    .clone()
                    .filter(|c| !c.is_empty())
                    .ok_or_else(|| ProbeConfigError::MissingContains {
                        service: service.clone(),
                    })?;
            Ok(Probe::Log { service, contains })
        }
    }
}

fn build(env: &str, raw: &RawBuild, config_dir: &Utf8Path) -> Result<ImageBuild, (&'static str, EnvKeyError)> {
    let repository = match &raw.tag {
        Some(tag) => {
            let ok = !tag.is_empty()
                && !tag.contains(':')
                && tag
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c));
            if !ok {
                return Err(("tag", EnvKeyError::ImageRepository { tag: tag.clone() }));
            }
            tag.clone()
        }
        None => format!("flotilla-{}", naming::default_prefix(env)),
    };
    let variable = raw.variable.clone().unwrap_or_else(|| "FLOTILLA_IMAGE".to_string());
    if variable.is_empty() || !variable.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(("variable", EnvKeyError::Variable { variable }));
    }
    let backoff = raw
        .backoff
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(|e| ("backoff", e.into()))?
        .unwrap_or(Duration::from_secs(2));
    let timeout = raw
        .timeout
        .as_deref()
        .map(parse_duration)
        .transpose()
        .map_err(|e| ("timeout", e.into()))?
        .unwrap_or(Duration::from_secs(20 * 60));
    let builder = match raw.builder.as_deref() {
        None | Some("auto") => Builder::Auto,
        Some("classic") => Builder::Classic,
        Some("buildkit") => Builder::BuildKit,
        Some(other) => {
            return Err((
                "builder",
                EnvKeyError::Builder {
                    value: other.to_string(),
                },
            ));
        }
    };
    let context = absolute(config_dir, raw.context.as_deref().unwrap_or("."));
    Ok(ImageBuild {
        dockerfile: raw.dockerfile.as_deref().map(|d| absolute(&context, d)),
        context,
        repository,
        variable,
        retries: raw.retries.unwrap_or(2),
        backoff,
        timeout,
        args: raw.args.clone().into_iter().collect(),
        builder,
    })
}

fn host_spec(raw: &RawHost) -> Result<HostSpec, HostError> {
    let host = DockerHost::parse(&raw.host)?;
    let publish_ip = match &raw.address {
        None => HostSpec::local().publish_ip,
        Some(text) => text.parse().map_err(|source| HostError::Address {
            text: text.clone(),
            source,
        })?,
    };
    Ok(HostSpec { host, publish_ip })
}

fn service_port(text: &str) -> Option<(String, u16)> {
    let (service, port) = text.rsplit_once(':')?;
    let port: u16 = port.parse().ok().filter(|p| *p > 0)?;
    is_service_name(service).then(|| (service.to_string(), port))
}

fn is_service_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
}

fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    humantime::parse_duration(text.trim()).map_err(|source| DurationError {
        text: text.to_string(),
        source,
    })
}

fn absolute(base: &Utf8Path, path: &str) -> Utf8PathBuf {
    let path = Utf8Path::new(path);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        base.join(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Top {
        env: BTreeMap<String, RawEnv>,
    }

    /// Resolves the first `[env.NAME]` of a TOML text that deserializes.
    fn parse(text: &str) -> Result<EnvConfig, EnvConfigError> {
        let top: Top = toml::from_str(text).unwrap_or_else(|e| panic!("{}", e.message()));
        let (name, raw) = top.env.into_iter().next().unwrap();
        resolve(&name, &raw, Utf8Path::new("/p"))
    }

    /// The message of a TOML text that does not deserialize (serde, before `resolve`).
    fn toml_error(text: &str) -> String {
        toml::from_str::<Top>(text)
            .map(|_| ())
            .unwrap_err()
            .message()
            .to_string()
    }

    /// The key and the problem of a key error.
    fn key_error(error: &EnvConfigError) -> (&str, &str, &EnvKeyError) {
        match error {
            EnvConfigError::Key { env, key, source } => (env, key, source),
            EnvConfigError::NoComposeFiles { .. } => panic!("not a key error: {error}"),
        }
    }

    /// The probe error of a `ready[i]` key error.
    fn probe_error(error: &EnvConfigError) -> &ProbeConfigError {
        match key_error(error) {
            (_, _, EnvKeyError::Probe(probe)) => probe,
            _ => panic!("not a probe error: {error}"),
        }
    }

    #[test]
    fn resolves_every_probe_form() {
        let config = parse(
            r#"
[env.App_1]
compose = ["docker-compose.yml", "ci/override.yml"]
ready = [
  { tcp = "db:5432" },
  { http = "web:8080/health", status = 204 },
  { http = "web:8080" },
  { exec = "db", run = ["pg_isready", "-h", "127.0.0.1"] },
  { exec = "db", run = "test -f /ready" },
  { log = "db", contains = "ready" },
]
ready-timeout = "90s"
exec = "web"
docker-hosts = ["default", { host = "tcp://127.0.0.2:2375", address = "127.0.0.2" }]
build = { tag = "app", retries = 1, args = { A = "b" } }
"#,
        )
        .unwrap();
        assert_eq!(config.compose_files[1], Utf8Path::new("/p/ci/override.yml"));
        assert_eq!(config.project_dir, Utf8Path::new("/p"));
        assert_eq!(config.project_prefix, "app-1");
        assert_eq!(config.ready_timeout, Duration::from_secs(90));
        assert_eq!(config.stop_timeout, DEFAULT_STOP_TIMEOUT);
        assert_eq!(
            config.ready[1],
            Probe::Http {
                service: "web".into(),
                port: 8080,
                path: "/health".into(),
                status: Some(204)
            }
        );
        assert_eq!(config.ready[2].to_string(), "{ http = \"web:8080/\" }");
        assert_eq!(
            config.ready[4],
            Probe::Exec {
                service: "db".into(),
                argv: vec!["sh".into(), "-c".into(), "test -f /ready".into()]
            }
        );
        assert_eq!(config.docker_hosts.len(), 2);
        assert_eq!(config.docker_hosts[1].publish_ip.to_string(), "127.0.0.2");
        assert_eq!(config.docker_hosts[0], HostSpec::local());
        let build = config.build.unwrap();
        assert_eq!(
            (build.repository.as_str(), build.variable.as_str()),
            ("app", "FLOTILLA_IMAGE")
        );
        assert_eq!(build.context, Utf8Path::new("/p/."));
    }

    #[test]
    fn probe_errors_say_what_to_write() {
        let error = parse("[env.a]\ncompose = [\"c.yml\"]\nready = [{ tcp = \"db\" }]\n").unwrap_err();
        assert!(
            matches!(key_error(&error), ("a", "ready[0]", EnvKeyError::Probe(ProbeConfigError::TcpAddress { text })) if text == "db")
        );
        let message = error.to_string();
        assert!(message.contains("ready[0]") && message.contains("db:5432"), "{message}");
        let error = parse("[env.a]\ncompose = [\"c.yml\"]\nready = [{ tcp = \"db:1\", log = \"db\" }]\n").unwrap_err();
        assert!(
            matches!(probe_error(&error), ProbeConfigError::ManyKinds { kinds } if kinds == &["tcp", "log"])
                && error.to_string().contains("exactly one kind"),
            "{error}"
        );
        let error =
            parse("[env.a]\ncompose = [\"c.yml\"]\nready = [{ tcp = \"db:1\", contains = \"x\" }]\n").unwrap_err();
        assert!(
            matches!(
                probe_error(&error),
                ProbeConfigError::StrayKey {
                    key: "contains",
                    belongs_to: "log",
                    kind: "tcp"
                }
            ) && error.to_string().contains("`contains` belongs to `log`"),
            "{error}"
        );
        let error = parse("[env.a]\ncompose = [\"c.yml\"]\nready = [{ exec = \"db\" }]\n").unwrap_err();
        assert!(
            matches!(probe_error(&error), ProbeConfigError::MissingRun { service } if service == "db")
                && error.to_string().contains("needs `run`"),
            "{error}"
        );
        let error = toml_error("[env.a]\ncompose = [\"c.yml\"]\nready = [{ exec = \"db\", run = [] }]\n");
        assert!(error.contains("list of words"), "{error}");
        let error = toml_error("[env.a]\ncompose = [\"c.yml\"]\nready = [{ tpc = \"db:1\" }]\n");
        assert!(
            error.contains("unknown field `tpc`") && error.contains("`tcp`"),
            "{error}"
        );
        let error = parse("[env.a]\ncompose = [\"c.yml\"]\nready = [{}]\n").unwrap_err();
        assert!(
            matches!(probe_error(&error), ProbeConfigError::NoKind) && error.to_string().contains("needs one of"),
            "{error}"
        );
    }

    #[test]
    fn other_keys_are_checked() {
        let e = parse("[env.a]\n").unwrap_err();
        assert!(
            matches!(&e, EnvConfigError::NoComposeFiles { env } if env == "a")
                && e.to_string().contains("no `compose` files"),
            "{e}"
        );
        let e = parse("[env.a]\ncompose = [\"c.yml\"]\nproject-prefix = \"My_App\"\n").unwrap_err();
        assert!(
            matches!(key_error(&e), (_, "project-prefix", EnvKeyError::ProjectPrefix(_)))
                && e.to_string().contains("project-prefix"),
            "{e}"
        );
        let e = parse("[env.a]\ncompose = [\"c.yml\"]\nready-timeout = \"soon\"\n").unwrap_err();
        assert!(
            matches!(key_error(&e), (_, "ready-timeout", EnvKeyError::Duration(DurationError { text, .. })) if text == "soon")
        );
        let message = e.to_string();
        assert!(
            message.contains("ready-timeout") && message.contains("90s"),
            "{message}"
        );
        let e = parse("[env.a]\ncompose = [\"c.yml\"]\ndocker-hosts = [\"10.0.0.1\"]\n").unwrap_err();
        assert!(
            matches!(
                key_error(&e),
                (_, "docker-hosts", EnvKeyError::Host(HostError::NotAHost { .. }))
            ) && e.to_string().contains("tcp://host:port"),
            "{e}"
        );
        let e = toml_error("[env.a]\ncompose = [\"c.yml\"]\ndocker-hosts = [{ host = \"default\", adress = \"x\" }]\n");
        assert!(e.contains("unknown field `adress`"), "{e}");
        let e = parse("[env.a]\ncompose = [\"c.yml\"]\ndocker-hosts = [{ host = \"default\", address = \"x\" }]\n")
            .unwrap_err();
        assert!(
            matches!(key_error(&e), (_, "docker-hosts", EnvKeyError::Host(HostError::Address { text, .. })) if text == "x")
                && e.to_string().contains("not an IP address"),
            "{e}"
        );
        let e = parse("[env.a]\ncompose = [\"c.yml\"]\nbuild = { tag = \"app:1\" }\n").unwrap_err();
        assert!(
            matches!(key_error(&e), (_, "build.tag", EnvKeyError::ImageRepository { tag }) if tag == "app:1")
                && e.to_string().contains("build.tag"),
            "{e}"
        );
        let e = parse("[env.a]\ncompose = [\"c.yml\"]\nhealth = \"maybe\"\n").unwrap_err();
        assert!(
            matches!(key_error(&e), (_, "health", EnvKeyError::HealthPolicy { value }) if value == "maybe")
                && e.to_string().contains("\"ignore\""),
            "{e}"
        );
        let e = toml_error("[env.a]\ncompose = [\"c.yml\"]\nreadytimeout = \"1s\"\n");
        assert!(e.contains("ready-timeout"), "{e}");
    }
}

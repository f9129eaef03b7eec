//! [`RawServices`]: one `[services.NAME]` table exactly as written (kebab-case, unknown keys
//! rejected, every value that validation may reject keeps its span), with its readiness probes
//! ([`RawProbe`]), image build ([`RawBuild`]) and Docker hosts ([`RawHost`]).
//!
//! ```toml
//! [services.app]
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

use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use toml::Spanned;

/// One `[services.NAME]` table as written.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawServices {
    /// Compose files, merged in order (later files override earlier ones).
    pub(crate) compose: Option<Spanned<Vec<String>>>,
    /// `--project-directory` (default: the folder of the first compose file).
    pub(crate) project_directory: Option<String>,
    /// Prefix of the per-worker project names (default: the table's name).
    pub(crate) project_prefix: Option<Spanned<String>>,
    /// Readiness probes, checked after container health.
    #[serde(default)]
    pub(crate) ready: Vec<Spanned<RawProbe>>,
    /// Deadline for health plus probes.
    pub(crate) ready_timeout: Option<Spanned<String>>,
    /// Deadline for `up`.
    pub(crate) up_timeout: Option<Spanned<String>>,
    /// `wait` (default) or `ignore` container healthchecks.
    pub(crate) health: Option<Spanned<String>>,
    /// Run every job of the suites using these services inside this service.
    pub(crate) exec: Option<Spanned<String>>,
    /// Docker hosts the workers are spread over (round-robin).
    #[serde(default)]
    pub(crate) docker_hosts: Vec<Spanned<RawHost>>,
    /// An image built once per host before the environments start.
    pub(crate) build: Option<RawBuild>,
    /// `down -t`: how long containers get to stop before they are killed.
    pub(crate) stop_timeout: Option<Spanned<String>>,
    /// Lines of each service's log kept in diagnostics.
    pub(crate) logs_tail: Option<u32>,
}

/// One readiness probe as written: exactly one of `tcp`, `http`, `exec`, `log`, plus the keys
/// that go with it.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawProbe {
    /// `"service:port"`: a TCP connection to the published port succeeds.
    pub(crate) tcp: Option<String>,
    /// `"service:port/path"`: an HTTP GET on the published port answers 2xx (or `status`).
    pub(crate) http: Option<String>,
    /// The HTTP status expected instead of any 2xx.
    pub(crate) status: Option<u16>,
    /// A service in which `run` exits 0.
    pub(crate) exec: Option<String>,
    /// The command of an `exec` probe: a list of words, or one string run by `sh -c`.
    pub(crate) run: Option<Argv>,
    /// A service whose log must contain `contains`.
    pub(crate) log: Option<String>,
    /// The text a `log` probe waits for.
    pub(crate) contains: Option<String>,
}

/// `[services.NAME.build]` as written.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub(crate) struct RawBuild {
    /// Build context (default: the config folder).
    pub(crate) context: Option<String>,
    /// Dockerfile (default: `Dockerfile` in the context).
    pub(crate) dockerfile: Option<String>,
    /// Image repository; the tag is the run id (default: `flotilla-<name>`).
    pub(crate) tag: Option<Spanned<String>>,
    /// Variable that carries the built tag to compose and to jobs (default: `FLOTILLA_IMAGE`).
    pub(crate) variable: Option<Spanned<String>>,
    /// Retries after the first attempt (default 2).
    pub(crate) retries: Option<u32>,
    /// First backoff, doubled after every failure (default "2s").
    pub(crate) backoff: Option<Spanned<String>>,
    /// Deadline for one attempt (default "20m").
    pub(crate) timeout: Option<Spanned<String>>,
    /// `--build-arg`s.
    #[serde(default)]
    pub(crate) args: BTreeMap<String, String>,
    /// `auto` (classic builder when buildx is missing), `classic` or `buildkit`.
    pub(crate) builder: Option<Spanned<String>>,
}

/// A `docker-hosts` entry: `"tcp://host:2375"`, or `{ host = "tcp://host:2375", address = "10.0.0.7" }`
/// where `address` is the host address ports are published on and jobs connect to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawHost {
    /// The `DOCKER_HOST` value (or "default").
    pub(crate) host: String,
    /// Publish address (default 127.0.0.1).
    pub(crate) address: Option<String>,
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
pub(crate) struct Argv(pub(crate) Vec<String>);

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

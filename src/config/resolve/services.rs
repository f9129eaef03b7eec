//! [`resolve`]: one `[services.NAME]` table ([`RawServices`]) validated into the compose
//! environment model ([`EnvConfig`]), with absolute paths. An error is a [`ServicesError`] plus
//! the span of the key it is about, so that the message points at that key's own line.

use std::ops::Range;
use std::time::Duration;

use camino::{Utf8Path, Utf8PathBuf};
use toml::Spanned;

use super::services_error::{ProbeConfigError, ServicesError, ServicesKeyError};
use crate::config::duration;
use crate::config::file::{RawBuild, RawHost, RawProbe, RawServices};
use crate::envs::{
    Builder, DEFAULT_READY_TIMEOUT, DEFAULT_STOP_TIMEOUT, DEFAULT_UP_TIMEOUT, DockerHost, EnvConfig, HealthPolicy,
    HostError, HostSpec, ImageBuild, Probe,
};

/// A services error and the span of the key it is about (`None`: the table as a whole).
pub(crate) type Located = (Option<Range<usize>>, ServicesError);

/// Validates `[services.NAME]`; relative paths are relative to `config_dir`.
pub(crate) fn resolve(name: &str, raw: &RawServices, config_dir: &Utf8Path) -> Result<EnvConfig, Located> {
    let key =
        |key: &str, span: Range<usize>, error: ServicesKeyError| (Some(span), ServicesError::key(name, key, error));
    let compose = match &raw.compose {
        Some(files) if !files.get_ref().is_empty() => files.get_ref(),
        Some(files) => {
            return Err((
                Some(files.span()),
                ServicesError::NoComposeFiles { name: name.to_string() },
            ));
        }
        None => return Err((None, ServicesError::NoComposeFiles { name: name.to_string() })),
    };
    let compose_files: Vec<Utf8PathBuf> = compose.iter().map(|f| absolute(config_dir, f)).collect();
    let project_dir = match &raw.project_directory {
        Some(dir) => absolute(config_dir, dir),
        None => compose_files[0]
            .parent()
            .map_or_else(|| config_dir.to_path_buf(), Utf8Path::to_path_buf),
    };
    let project_prefix = match &raw.project_prefix {
        Some(prefix) => {
            // Validate with a placeholder run id and worker: the rest is generated and valid.
            crate::envs::validate_project_name(&format!("{}-20260101-000000-abcd-99", prefix.get_ref())).map_err(
                |e| {
                    key(
                        "project-prefix",
                        prefix.span(),
                        ServicesKeyError::ProjectPrefix(Box::new(e)),
                    )
                },
            )?;
            prefix.get_ref().clone()
        }
        None => crate::envs::default_prefix(name),
    };
    let ready = raw
        .ready
        .iter()
        .enumerate()
        .map(|(i, p)| probe(p.get_ref()).map_err(|e| key(&format!("ready[{i}]"), p.span(), e.into())))
        .collect::<Result<Vec<_>, _>>()?;
    let duration = |name: &str, value: &Option<Spanned<String>>, default: Duration| -> Result<Duration, Located> {
        match value {
            None => Ok(default),
            Some(text) => duration::parse(text.get_ref()).map_err(|e| key(name, text.span(), e.into())),
        }
    };
    let ready_timeout = duration("ready-timeout", &raw.ready_timeout, DEFAULT_READY_TIMEOUT)?;
    let up_timeout = duration("up-timeout", &raw.up_timeout, DEFAULT_UP_TIMEOUT)?;
    let stop_timeout = duration("stop-timeout", &raw.stop_timeout, DEFAULT_STOP_TIMEOUT)?;
    for (name, value, raw_value) in [
        ("ready-timeout", ready_timeout, &raw.ready_timeout),
        ("up-timeout", up_timeout, &raw.up_timeout),
    ] {
        if let Some(raw_value) = raw_value
            && value.is_zero()
        {
            return Err(key(name, raw_value.span(), ServicesKeyError::Zero));
        }
    }
    let health = match &raw.health {
        None => HealthPolicy::Wait,
        Some(value) => match value.get_ref().as_str() {
            "wait" => HealthPolicy::Wait,
            "ignore" => HealthPolicy::Ignore,
            other => {
                return Err(key(
                    "health",
                    value.span(),
                    ServicesKeyError::HealthPolicy {
                        value: other.to_string(),
                    },
                ));
            }
        },
    };
    if let Some(service) = &raw.exec
        && !is_service_name(service.get_ref())
    {
        return Err(key(
            "exec",
            service.span(),
            ServicesKeyError::ExecService {
                service: service.get_ref().clone(),
            },
        ));
    }
    let docker_hosts = raw
        .docker_hosts
        .iter()
        .map(|h| host_spec(h.get_ref()).map_err(|e| key("docker-hosts", h.span(), e.into())))
        .collect::<Result<Vec<_>, _>>()?;
    let build = raw
        .build
        .as_ref()
        .map(|b| build(name, b, config_dir).map_err(|(k, span, e)| key(&format!("build.{k}"), span, e)))
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
        exec: raw.exec.as_ref().map(|s| s.get_ref().clone()),
        docker_hosts,
        build,
        stop_timeout,
        logs_tail: raw.logs_tail.unwrap_or(200),
    })
}

/// The Docker hosts a `[services.NAME]` table names, without validating the rest (for `gc`).
pub(crate) fn docker_hosts(name: &str, raw: &RawServices) -> Result<Vec<DockerHost>, Located> {
    raw.docker_hosts
        .iter()
        .map(|h| {
            host_spec(h.get_ref())
                .map(|spec| spec.host)
                .map_err(|e| (Some(h.span()), ServicesError::key(name, "docker-hosts", e)))
        })
        .collect()
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

type BuildError = (&'static str, Range<usize>, ServicesKeyError);

fn build(name: &str, raw: &RawBuild, config_dir: &Utf8Path) -> Result<ImageBuild, BuildError> {
    let repository = match &raw.tag {
        Some(spanned) => {
            let tag = spanned.get_ref();
            let ok = !tag.is_empty()
                && !tag.contains(':')
                && tag
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-/".contains(c));
            if !ok {
                return Err((
                    "tag",
                    spanned.span(),
                    ServicesKeyError::ImageRepository { tag: tag.clone() },
                ));
            }
            tag.clone()
        }
        None => format!("flotilla-{}", crate::envs::default_prefix(name)),
    };
    let variable = match &raw.variable {
        None => "FLOTILLA_IMAGE".to_string(),
        Some(spanned) => {
            let variable = spanned.get_ref().clone();
            if variable.is_empty() || !variable.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                return Err(("variable", spanned.span(), ServicesKeyError::Variable { variable }));
            }
            variable
        }
    };
    let duration = |key: &'static str, value: &Option<Spanned<String>>, default: Duration| match value {
        None => Ok(default),
        Some(text) => duration::parse(text.get_ref()).map_err(|e| (key, text.span(), e.into())),
    };
    let backoff = duration("backoff", &raw.backoff, Duration::from_secs(2))?;
    let timeout = duration("timeout", &raw.timeout, Duration::from_secs(20 * 60))?;
    let builder = match &raw.builder {
        None => Builder::Auto,
        Some(value) => match value.get_ref().as_str() {
            "auto" => Builder::Auto,
            "classic" => Builder::Classic,
            "buildkit" => Builder::BuildKit,
            other => {
                return Err((
                    "builder",
                    value.span(),
                    ServicesKeyError::Builder {
                        value: other.to_string(),
                    },
                ));
            }
        },
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
    use std::sync::Arc;

    use super::*;
    use crate::config::{ConfigFile, DurationError};

    fn file(text: &str) -> Result<ConfigFile, crate::config::ConfigError> {
        ConfigFile::parse(Utf8Path::new("/p/flotilla.toml"), Arc::new(text.to_string()))
    }

    /// Resolves the first `[services.NAME]` of a TOML text that parses.
    fn located(text: &str) -> Result<EnvConfig, Located> {
        let file = file(text).unwrap_or_else(|e| panic!("{}", e.message));
        let (name, raw) = file.raw.services.iter().next().unwrap();
        resolve(name.get_ref(), raw, Utf8Path::new("/p"))
    }

    fn parse(text: &str) -> Result<EnvConfig, ServicesError> {
        located(text).map_err(|(_, error)| error)
    }

    /// The message of a TOML text that does not parse (serde, before `resolve`).
    fn toml_error(text: &str) -> String {
        let error = file(text).unwrap_err();
        format!("{} {}", error.message, error.help.unwrap_or_default())
    }

    /// The key and the problem of a key error.
    fn key_error(error: &ServicesError) -> (&str, &str, &ServicesKeyError) {
        match error {
            ServicesError::Key { name, key, source } => (name, key, source),
            ServicesError::NoComposeFiles { .. } => panic!("not a key error: {error}"),
        }
    }

    /// The probe error of a `ready[i]` key error.
    fn probe_error(error: &ServicesError) -> &ProbeConfigError {
        match key_error(error) {
            (_, _, ServicesKeyError::Probe(probe)) => probe,
            _ => panic!("not a probe error: {error}"),
        }
    }

    #[test]
    fn errors_point_at_the_bad_key() {
        let text = "[services.a]\ncompose = [\"c.yml\"]\nhealth = \"wait\"\nready-timeout = \"soon\"\n";
        let (span, _) = located(text).unwrap_err();
        let span = span.unwrap();
        assert_eq!(&text[span.start..span.end], "\"soon\"");
        let text = "[services.a]\ncompose = [\"c.yml\"]\nready = [\n  { tcp = \"db:1\" },\n  { tcp = \"db\" },\n]\n";
        let (span, _) = located(text).unwrap_err();
        assert!(text[span.unwrap()].contains("\"db\""));
        let text = "[services.a]\ncompose = [\"c.yml\"]\nbuild = { tag = \"app:1\" }\n";
        let (span, _) = located(text).unwrap_err();
        assert_eq!(&text[span.unwrap()], "\"app:1\"");
    }

    #[test]
    fn resolves_every_probe_form() {
        let config = parse(
            r#"
[services.App_1]
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
        let error = parse("[services.a]\ncompose = [\"c.yml\"]\nready = [{ tcp = \"db\" }]\n").unwrap_err();
        assert!(
            matches!(key_error(&error), ("a", "ready[0]", ServicesKeyError::Probe(ProbeConfigError::TcpAddress { text })) if text == "db")
        );
        let message = error.to_string();
        assert!(message.contains("ready[0]") && message.contains("db:5432"), "{message}");
        let error =
            parse("[services.a]\ncompose = [\"c.yml\"]\nready = [{ tcp = \"db:1\", log = \"db\" }]\n").unwrap_err();
        assert!(
            matches!(probe_error(&error), ProbeConfigError::ManyKinds { kinds } if kinds == &["tcp", "log"])
                && error.to_string().contains("exactly one kind"),
            "{error}"
        );
        let error =
            parse("[services.a]\ncompose = [\"c.yml\"]\nready = [{ tcp = \"db:1\", contains = \"x\" }]\n").unwrap_err();
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
        let error = parse("[services.a]\ncompose = [\"c.yml\"]\nready = [{ exec = \"db\" }]\n").unwrap_err();
        assert!(
            matches!(probe_error(&error), ProbeConfigError::MissingRun { service } if service == "db")
                && error.to_string().contains("needs `run`"),
            "{error}"
        );
        let error = toml_error("[services.a]\ncompose = [\"c.yml\"]\nready = [{ exec = \"db\", run = [] }]\n");
        assert!(error.contains("list of words"), "{error}");
        let error = toml_error("[services.a]\ncompose = [\"c.yml\"]\nready = [{ tpc = \"db:1\" }]\n");
        assert!(
            error.contains("unknown field `tpc`") && error.contains("`tcp`"),
            "{error}"
        );
        let error = parse("[services.a]\ncompose = [\"c.yml\"]\nready = [{}]\n").unwrap_err();
        assert!(
            matches!(probe_error(&error), ProbeConfigError::NoKind) && error.to_string().contains("needs one of"),
            "{error}"
        );
    }

    #[test]
    fn other_keys_are_checked() {
        let e = parse("[services.a]\n").unwrap_err();
        assert!(
            matches!(&e, ServicesError::NoComposeFiles { name } if name == "a")
                && e.to_string().contains("no `compose` files"),
            "{e}"
        );
        let e = parse("[services.a]\ncompose = [\"c.yml\"]\nproject-prefix = \"My_App\"\n").unwrap_err();
        assert!(
            matches!(key_error(&e), (_, "project-prefix", ServicesKeyError::ProjectPrefix(_)))
                && e.to_string().contains("project-prefix"),
            "{e}"
        );
        let e = parse("[services.a]\ncompose = [\"c.yml\"]\nready-timeout = \"soon\"\n").unwrap_err();
        assert!(
            matches!(key_error(&e), (_, "ready-timeout", ServicesKeyError::Duration(DurationError { text, .. })) if text == "soon")
        );
        let message = e.to_string();
        assert!(
            message.contains("ready-timeout") && message.contains("90s"),
            "{message}"
        );
        let e = parse("[services.a]\ncompose = [\"c.yml\"]\ndocker-hosts = [\"10.0.0.1\"]\n").unwrap_err();
        assert!(
            matches!(
                key_error(&e),
                (_, "docker-hosts", ServicesKeyError::Host(HostError::NotAHost { .. }))
            ) && e.to_string().contains("tcp://host:port"),
            "{e}"
        );
        let e = toml_error(
            "[services.a]\ncompose = [\"c.yml\"]\ndocker-hosts = [{ host = \"default\", adress = \"x\" }]\n",
        );
        assert!(e.contains("unknown field `adress`"), "{e}");
        let e =
            parse("[services.a]\ncompose = [\"c.yml\"]\ndocker-hosts = [{ host = \"default\", address = \"x\" }]\n")
                .unwrap_err();
        assert!(
            matches!(key_error(&e), (_, "docker-hosts", ServicesKeyError::Host(HostError::Address { text, .. })) if text == "x")
                && e.to_string().contains("not an IP address"),
            "{e}"
        );
        let e = parse("[services.a]\ncompose = [\"c.yml\"]\nbuild = { tag = \"app:1\" }\n").unwrap_err();
        assert!(
            matches!(key_error(&e), (_, "build.tag", ServicesKeyError::ImageRepository { tag }) if tag == "app:1")
                && e.to_string().contains("build.tag"),
            "{e}"
        );
        let e = parse("[services.a]\ncompose = [\"c.yml\"]\nhealth = \"maybe\"\n").unwrap_err();
        assert!(
            matches!(key_error(&e), (_, "health", ServicesKeyError::HealthPolicy { value }) if value == "maybe")
                && e.to_string().contains("\"ignore\""),
            "{e}"
        );
        let e = toml_error("[services.a]\ncompose = [\"c.yml\"]\nreadytimeout = \"1s\"\n");
        assert!(e.contains("ready-timeout"), "{e}");
    }
}

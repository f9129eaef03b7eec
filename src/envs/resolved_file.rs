//! [`rewrite`]: turns the output of `compose config` (the merged, interpolated model) into the
//! per-worker file every later compose call uses, and returns it as a [`ResolvedFile`]; what
//! cannot be isolated is a [`ComposeFileError`].
//!
//! The rewrite isolates one copy from the others on the same daemon:
//! - every published port becomes `127.0.0.1::<container-port>/<proto>` (loopback only, an
//!   ephemeral host port; fixed host ports would clash between workers), and the ports that
//!   `tcp`/`http` probes need are published even if the file only exposes them;
//! - `container_name` is dropped (compose names containers per project);
//! - flotilla's labels go on every service, network and volume (so a sweep or `gc` finds them);
//! - the top-level `name:` of v2 output is dropped (flotilla always passes `-p`, and v1 rejects it);
//! - optionally the run folder is bind-mounted at the same path into the `exec` service, and
//!   `build:` is dropped from services that use the image flotilla built.
//!
//! A full resolved file is used instead of an override because overrides can only append to
//! `ports` in v1 (`!reset` is v2.24+ only).

use std::collections::BTreeMap;

use camino::{Utf8Path, Utf8PathBuf};
use serde_norway::{Mapping, Value};

/// Why the compose files do not resolve into something flotilla can isolate per worker.
/// `services` lists are the services the compose files define, for the message.
#[derive(Debug, thiserror::Error)]
pub enum ComposeFileError {
    /// `compose config` printed something that is not YAML.
    #[error("`compose config` printed YAML flotilla cannot read: {source}")]
    Yaml {
        /// What the YAML reader said (with line and column).
        #[source]
        source: serde_norway::Error,
    },

    /// `compose config` printed flow collections nested deeper than flotilla reads.
    #[error(
        "`compose config` printed YAML nested {depth} levels deep; flotilla reads at most {MAX_FLOW_DEPTH} (no compose file needs more)"
    )]
    TooDeep {
        /// How deep it went before flotilla stopped counting.
        depth: usize,
    },

    /// `compose config` printed YAML that is not a mapping.
    #[error("`compose config` did not print a mapping")]
    NotAMapping,

    /// There is no `services` mapping.
    #[error("the compose files define no `services`")]
    NoServices,

    /// The `exec` service (bind-mount target) is not defined.
    #[error("`exec = \"{service}\"` names no service of the compose files; services: {}", services.join(", "))]
    ExecServiceMissing {
        /// The `exec` service.
        service: String,
        /// The services that exist.
        services: Vec<String>,
    },

    /// A tcp/http probe needs a port of a service that is not defined.
    #[error("a readiness probe names service `{service}`, which the compose files do not define; services: {}", services.join(", "))]
    ProbeServiceMissing {
        /// The probe's service.
        service: String,
        /// The services that exist.
        services: Vec<String>,
    },

    /// A readiness probe names a service the resolved file does not have.
    #[error("readiness probe {probe} names service `{service}`, which the compose files do not define; services: {}", services.join(", "))]
    UnknownProbeService {
        /// The probe as written.
        probe: String,
        /// Its service.
        service: String,
        /// The services that exist.
        services: Vec<String>,
    },

    /// `exec` names a service the resolved file does not have.
    #[error("`exec = \"{service}\"` names no service; services: {}", services.join(", "))]
    UnknownExecService {
        /// The `exec` service.
        service: String,
        /// The services that exist.
        services: Vec<String>,
    },

    /// A key of `services` is not a string.
    #[error("a service name is not a string")]
    ServiceName,

    /// A service's body is not a mapping.
    #[error("service `{service}` is not a mapping")]
    ServiceNotAMapping {
        /// The service.
        service: String,
    },

    /// A service uses the host's network stack.
    #[error(
        "service `{service}` uses `network_mode: host`, which cannot be isolated per worker; remove it in a CI override file"
    )]
    HostNetwork {
        /// The service.
        service: String,
    },

    /// A `ports` entry that is not a port, a range or a long-syntax mapping with a `target`.
    #[error("service `{service}`: cannot read port entry {entry}")]
    Port {
        /// The service.
        service: String,
        /// The entry as it reads in the message (`` `a:b` ``, "without a `target`", …).
        entry: String,
    },

    /// The run folder cannot be bind-mounted because of a `:` in its path.
    #[error("the run folder `{dir}` contains `:`, which compose volume syntax cannot carry")]
    RunDirColon {
        /// The run folder.
        dir: Utf8PathBuf,
    },

    /// The `exec` service's `volumes` is not a list.
    #[error("`volumes` of service `{service}` is not a list")]
    VolumesNotAList {
        /// The service.
        service: String,
    },

    /// The rewritten model could not be written as YAML.
    #[error("could not write the resolved compose file: {source}")]
    Write {
        /// What the YAML writer said.
        #[source]
        source: serde_norway::Error,
    },
}

/// What to change in the model.
#[derive(Clone, Debug)]
pub(crate) struct Rewrite<'a> {
    /// Labels for services, networks and volumes.
    pub labels: &'a BTreeMap<String, String>,
    /// Host address ports are published on.
    pub publish_ip: &'a str,
    /// `(service, container port)` pairs that must be published (readiness probes).
    pub required_ports: &'a [(String, u16)],
    /// Bind-mount this folder at the same path into this service.
    pub bind_mount: Option<(&'a str, &'a Utf8Path)>,
    /// The image flotilla built: services using it lose their `build:` section.
    pub built_image: Option<&'a str>,
}

/// A published container port of a service.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct PublishedPort {
    /// Service.
    pub service: String,
    /// Container port.
    pub port: u16,
    /// `tcp`, `udp` or `sctp`.
    pub protocol: String,
}

/// The rewritten file and what flotilla needs to know about it.
#[derive(Clone, Debug)]
pub(crate) struct ResolvedFile {
    /// YAML text to write.
    pub yaml: String,
    /// Service names, sorted.
    pub services: Vec<String>,
    /// Services expected to have a running (or completed) container after `up`: not in a profile.
    pub started_services: Vec<String>,
    /// Every port that will be published.
    #[cfg_attr(not(test), allow(dead_code, reason = "kept for callers that list ports before `up`"))]
    pub published: Vec<PublishedPort>,
}

/// Rewrites `config_output` (YAML from `compose config`).
/// Deeper than this, nested flow collections (`[[[…]]]`, `{{…}}`) are refused before the YAML
/// reader sees them: it took longer than 10 s on 100,000 levels (found by the fuzz tests,
/// tests/fuzz/regressions.rs), and no compose file nests like that.
const MAX_FLOW_DEPTH: usize = 512;

/// The deepest nesting of flow brackets outside quoted scalars, counted up to just past
/// [`MAX_FLOW_DEPTH`] (brackets inside a plain scalar count too: an over-estimate is harmless).
fn flow_depth(text: &str) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for c in text.chars() {
        match quote {
            Some('"') if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '[' | '{' => {
                    depth += 1;
                    deepest = deepest.max(depth);
                    if deepest > MAX_FLOW_DEPTH {
                        return deepest;
                    }
                }
                ']' | '}' => depth = depth.saturating_sub(1),
                // A line break ends a quoted scalar only in broken YAML; the reader says so.
                _ => {}
            },
        }
    }
    deepest
}

pub(crate) fn rewrite(config_output: &str, rewrite: &Rewrite<'_>) -> Result<ResolvedFile, ComposeFileError> {
    let depth = flow_depth(config_output);
    if depth > MAX_FLOW_DEPTH {
        return Err(ComposeFileError::TooDeep { depth });
    }
    let mut root: Value = serde_norway::from_str(config_output).map_err(|source| ComposeFileError::Yaml { source })?;
    let Some(top) = root.as_mapping_mut() else {
        return Err(ComposeFileError::NotAMapping);
    };
    top.remove("name");
    let label_value = labels_value(rewrite.labels);

    let mut services_out = Vec::new();
    let mut started = Vec::new();
    let mut published = Vec::new();
    let Some(services) = top.get_mut("services").and_then(Value::as_mapping_mut) else {
        return Err(ComposeFileError::NoServices);
    };
    if let Some((service, _)) = rewrite.bind_mount
        && !services.contains_key(service)
    {
        return Err(ComposeFileError::ExecServiceMissing {
            service: service.to_string(),
            services: service_names(services),
        });
    }
    for (service, _) in rewrite.required_ports {
        if !services.contains_key(service.as_str()) {
            return Err(ComposeFileError::ProbeServiceMissing {
                service: service.clone(),
                services: service_names(services),
            });
        }
    }
    for (name, body) in services.iter_mut() {
        let name = name.as_str().ok_or(ComposeFileError::ServiceName)?.to_string();
        let body = body
            .as_mapping_mut()
            .ok_or_else(|| ComposeFileError::ServiceNotAMapping { service: name.clone() })?;
        if let Some(mode) = body.get("network_mode").and_then(Value::as_str)
            && mode == "host"
        {
            return Err(ComposeFileError::HostNetwork { service: name });
        }
        body.remove("container_name");
        let mut ports = body
            .get("ports")
            .and_then(Value::as_sequence)
            .map(|seq| {
                seq.iter()
                    .map(|p| container_ports(p, &name))
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?
            .unwrap_or_default()
            .into_iter()
            .flatten()
            .collect::<Vec<(u16, String)>>();
        for (_, port) in rewrite.required_ports.iter().filter(|(s, _)| *s == name) {
            ports.push((*port, "tcp".into()));
        }
        ports.sort();
        ports.dedup();
        let shares_network = body
            .get("network_mode")
            .and_then(Value::as_str)
            .is_some_and(|m| m.starts_with("service:") || m.starts_with("container:"));
        if ports.is_empty() || shares_network {
            body.remove("ports");
        } else {
            let ip = if rewrite.publish_ip.contains(':') {
                format!("[{}]", rewrite.publish_ip)
            } else {
                rewrite.publish_ip.to_string()
            };
            let entries = ports
                .iter()
                .map(|(port, proto)| Value::String(format!("{ip}::{port}/{proto}")))
                .collect();
            body.insert("ports".into(), Value::Sequence(entries));
            published.extend(ports.iter().map(|(port, proto)| PublishedPort {
                service: name.clone(),
                port: *port,
                protocol: proto.clone(),
            }));
        }
        merge_labels(body, &label_value);
        if let (Some(image), Some(built)) = (body.get("image").and_then(Value::as_str), rewrite.built_image)
            && image == built
        {
            body.remove("build");
        }
        if let Some((service, dir)) = rewrite.bind_mount
            && service == name
        {
            if dir.as_str().contains(':') {
                return Err(ComposeFileError::RunDirColon { dir: dir.to_path_buf() });
            }
            let volumes = body
                .entry("volumes".into())
                .or_insert_with(|| Value::Sequence(Vec::new()));
            let Some(volumes) = volumes.as_sequence_mut() else {
                return Err(ComposeFileError::VolumesNotAList { service: name });
            };
            volumes.push(Value::String(format!("{dir}:{dir}:rw")));
        }
        let in_profile = body
            .get("profiles")
            .and_then(Value::as_sequence)
            .is_some_and(|p| !p.is_empty());
        if !in_profile {
            started.push(name.clone());
        }
        services_out.push(name);
    }
    services_out.sort();
    started.sort();
    published.sort();

    let networks = top
        .entry("networks".into())
        .or_insert_with(|| Value::Mapping(Mapping::new()));
    if networks.is_null() {
        *networks = Value::Mapping(Mapping::new());
    }
    if let Some(networks) = networks.as_mapping_mut() {
        if !networks.contains_key("default") {
            networks.insert("default".into(), Value::Mapping(Mapping::new()));
        }
        label_resources(networks, &label_value);
    }
    if let Some(volumes) = top.get_mut("volumes").and_then(Value::as_mapping_mut) {
        label_resources(volumes, &label_value);
    }
    let yaml = serde_norway::to_string(&root).map_err(|source| ComposeFileError::Write { source })?;
    Ok(ResolvedFile {
        yaml,
        services: services_out,
        started_services: started,
        published,
    })
}

/// Replaces each `(from, to)` inside every string (keys and values) of a YAML document, keeping
/// strings strings (a text replacement could turn `"w-X"` into the integer `2`).
pub(crate) fn substitute(yaml: &str, pairs: &[(&str, &str)]) -> Result<String, serde_norway::Error> {
    fn walk(value: &mut Value, pairs: &[(&str, &str)]) {
        match value {
            Value::String(text) => {
                for (from, to) in pairs {
                    if text.contains(from) {
                        *text = text.replace(from, to);
                    }
                }
            }
            Value::Sequence(items) => items.iter_mut().for_each(|v| walk(v, pairs)),
            Value::Mapping(map) => {
                let entries: Vec<(Value, Value)> = std::mem::take(map).into_iter().collect();
                for (mut key, mut value) in entries {
                    walk(&mut key, pairs);
                    walk(&mut value, pairs);
                    map.insert(key, value);
                }
            }
            Value::Tagged(tagged) => walk(&mut tagged.value, pairs),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    let mut root: Value = serde_norway::from_str(yaml)?;
    walk(&mut root, pairs);
    serde_norway::to_string(&root)
}

fn service_names(services: &Mapping) -> Vec<String> {
    services.keys().filter_map(Value::as_str).map(str::to_string).collect()
}

fn labels_value(labels: &BTreeMap<String, String>) -> Mapping {
    labels
        .iter()
        .map(|(k, v)| (Value::String(k.clone()), Value::String(v.clone())))
        .collect()
}

/// Adds `labels` to a service/network/volume body, whether its labels are a map or a list.
fn merge_labels(body: &mut Mapping, labels: &Mapping) {
    let mut merged = Mapping::new();
    match body.get("labels") {
        Some(Value::Mapping(existing)) => merged.extend(existing.iter().map(|(k, v)| (k.clone(), v.clone()))),
        Some(Value::Sequence(list)) => {
            for item in list.iter().filter_map(Value::as_str) {
                let (k, v) = item.split_once('=').unwrap_or((item, ""));
                merged.insert(Value::String(k.into()), Value::String(v.into()));
            }
        }
        _ => {}
    }
    merged.extend(labels.iter().map(|(k, v)| (k.clone(), v.clone())));
    body.insert("labels".into(), Value::Mapping(merged));
}

/// Labels every non-external network or volume of a top-level section.
fn label_resources(section: &mut Mapping, labels: &Mapping) {
    for (_, body) in section.iter_mut() {
        if body.is_null() {
            *body = Value::Mapping(Mapping::new());
        }
        let Some(body) = body.as_mapping_mut() else { continue };
        let external = match body.get("external") {
            Some(Value::Bool(b)) => *b,
            Some(Value::Mapping(_)) => true,
            _ => false,
        };
        if !external {
            merge_labels(body, labels);
        }
    }
}

/// The container ports (with protocol) of one `ports` entry, short or long syntax.
fn container_ports(entry: &Value, service: &str) -> Result<Vec<(u16, String)>, ComposeFileError> {
    let bad = |what: &str| ComposeFileError::Port {
        service: service.to_string(),
        entry: what.to_string(),
    };
    match entry {
        Value::Number(n) => {
            let port = n
                .as_u64()
                .and_then(|p| u16::try_from(p).ok())
                .ok_or_else(|| bad(&n.to_string()))?;
            Ok(vec![(port, "tcp".into())])
        }
        Value::String(text) => {
            let (spec, proto) = text.rsplit_once('/').unwrap_or((text.as_str(), "tcp"));
            let container = spec.rsplit(':').next().unwrap_or(spec);
            expand_range(container, proto).ok_or_else(|| bad(&format!("`{text}`")))
        }
        Value::Mapping(map) => {
            let target = match map.get("target") {
                Some(Value::Number(n)) => n.to_string(),
                Some(Value::String(s)) => s.clone(),
                _ => return Err(bad("without a `target`")),
            };
            let proto = map.get("protocol").and_then(Value::as_str).unwrap_or("tcp");
            expand_range(&target, proto).ok_or_else(|| bad(&format!("with target `{target}`")))
        }
        other => Err(bad(&format!("{other:?}"))),
    }
}

fn expand_range(text: &str, proto: &str) -> Option<Vec<(u16, String)>> {
    let proto = proto.to_ascii_lowercase();
    match text.split_once('-') {
        None => Some(vec![(text.trim().parse().ok()?, proto)]),
        Some((a, b)) => {
            let (a, b): (u16, u16) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
            if b < a || b - a > 100 {
                return None;
            }
            Some((a..=b).map(|p| (p, proto.clone())).collect())
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn flow_nesting_is_counted_outside_quotes_only() {
        assert_eq!(flow_depth("a: [1, [2, {b: 3}]]\n"), 3);
        assert_eq!(flow_depth("a: \"[[[[\"\nb: '{{{'\n"), 0);
        assert_eq!(
            flow_depth("a: \"\\\"[\"\n"),
            0,
            "an escaped quote does not end the string"
        );
        let deep = format!("a: {}{}", "[".repeat(600), "]".repeat(600));
        assert!(flow_depth(&deep) > MAX_FLOW_DEPTH);
    }
    use super::*;

    /// Real `docker-compose config` output of 1.29.2 for a file with fixed ports, a
    /// container_name, list labels and a named volume.
    const V1_OUTPUT: &str = r#"services:
  db:
    command:
    - sh
    - -c
    - exec nc -lk -p 5432 -e echo hello
    image: flotilla-test/busybox:1
    ports:
    - published: 15432
      target: 5432
    volumes:
    - data:/data:rw
  web:
    container_name: -web
    environment:
      LITERAL: cost $$5
    image: flotilla-test/busybox:1
    labels:
      a: b
    ports:
    - published: 8080
      target: 8080
    - 127.0.0.1:9000:9000/udp
version: '3.9'
volumes:
  data: {}
"#;

    /// Real `docker compose config` output of 2.40.3 for the same file.
    const V2_OUTPUT: &str = r#"name: t1
services:
  db:
    image: flotilla-test/busybox:1
    networks:
      default: null
    ports:
      - mode: ingress
        target: 5432
        published: "15432"
        protocol: tcp
  web:
    container_name: -web
    image: flotilla-test/busybox:1
    labels:
      - a=b
    networks:
      default: null
    ports:
      - mode: ingress
        host_ip: 127.0.0.1
        target: 9000
        published: "9000"
        protocol: udp
    profiles: [debug]
networks:
  default:
    name: t1_default
volumes:
  data:
    name: t1_data
  shared:
    external: true
"#;

    fn labels() -> BTreeMap<String, String> {
        [("flotilla.run-id".to_string(), "r1".to_string())]
            .into_iter()
            .collect()
    }

    fn get<'a>(v: &'a Value, path: &[&str]) -> &'a Value {
        path.iter().fold(v, |v, k| &v[*k])
    }

    #[test]
    fn v1_output_loses_fixed_ports_and_names_and_gains_labels() {
        let labels = labels();
        let out = rewrite(
            V1_OUTPUT,
            &Rewrite {
                labels: &labels,
                publish_ip: "127.0.0.1",
                required_ports: &[("web".into(), 8081)],
                bind_mount: Some(("web", Utf8Path::new("/runs/r1"))),
                built_image: None,
            },
        )
        .unwrap();
        let v: Value = serde_norway::from_str(&out.yaml).unwrap();
        assert_eq!(get(&v, &["version"]).as_str(), Some("3.9"), "v1's version key is kept");
        assert!(get(&v, &["services", "web", "container_name"]).is_null());
        let ports: Vec<&str> = get(&v, &["services", "web", "ports"])
            .as_sequence()
            .unwrap()
            .iter()
            .map(|p| p.as_str().unwrap())
            .collect();
        assert_eq!(
            ports,
            ["127.0.0.1::8080/tcp", "127.0.0.1::8081/tcp", "127.0.0.1::9000/udp"]
        );
        assert_eq!(get(&v, &["services", "web", "labels", "a"]).as_str(), Some("b"));
        assert_eq!(
            get(&v, &["services", "db", "labels", "flotilla.run-id"]).as_str(),
            Some("r1")
        );
        assert_eq!(
            get(&v, &["services", "web", "volumes"])[0].as_str(),
            Some("/runs/r1:/runs/r1:rw")
        );
        assert_eq!(
            get(&v, &["volumes", "data", "labels", "flotilla.run-id"]).as_str(),
            Some("r1")
        );
        assert_eq!(
            get(&v, &["networks", "default", "labels", "flotilla.run-id"]).as_str(),
            Some("r1")
        );
        assert_eq!(
            get(&v, &["services", "web", "environment", "LITERAL"]).as_str(),
            Some("cost $$5"),
            "escaped dollars stay escaped"
        );
        assert_eq!(out.services, ["db", "web"]);
        assert_eq!(out.published.len(), 4);
    }

    #[test]
    fn v2_output_drops_name_keeps_external_and_knows_profiles() {
        let labels = labels();
        let out = rewrite(
            V2_OUTPUT,
            &Rewrite {
                labels: &labels,
                publish_ip: "127.0.0.1",
                required_ports: &[],
                bind_mount: None,
                built_image: None,
            },
        )
        .unwrap();
        let v: Value = serde_norway::from_str(&out.yaml).unwrap();
        assert!(get(&v, &["name"]).is_null(), "v1 rejects a top-level name");
        assert_eq!(
            get(&v, &["services", "db", "ports"])[0].as_str(),
            Some("127.0.0.1::5432/tcp")
        );
        assert_eq!(get(&v, &["services", "web", "labels", "a"]).as_str(), Some("b"));
        assert!(
            get(&v, &["volumes", "shared", "labels"]).is_null(),
            "external volumes are not ours"
        );
        assert_eq!(get(&v, &["networks", "default", "name"]).as_str(), Some("t1_default"));
        assert_eq!(out.started_services, ["db"]);
    }

    #[test]
    fn rejects_what_cannot_be_isolated() {
        let labels = labels();
        let r = Rewrite {
            labels: &labels,
            publish_ip: "127.0.0.1",
            required_ports: &[("cache".into(), 6379)],
            bind_mount: None,
            built_image: None,
        };
        let error = rewrite(V1_OUTPUT, &r).unwrap_err();
        assert!(
            matches!(&error, ComposeFileError::ProbeServiceMissing { service, .. } if service == "cache"),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains("`cache`") && message.contains("db, web"), "{message}");
        let host = "services:\n  a:\n    image: x\n    network_mode: host\n";
        let r = Rewrite {
            required_ports: &[],
            ..r
        };
        let error = rewrite(host, &r).unwrap_err();
        assert!(
            matches!(&error, ComposeFileError::HostNetwork { service } if service == "a")
                && error.to_string().contains("network_mode: host"),
            "{error}"
        );
    }

    #[test]
    fn port_entries_of_every_shape() {
        let parse = |y: &str| container_ports(&serde_norway::from_str(y).unwrap(), "s");
        assert_eq!(parse("80").unwrap(), [(80, "tcp".to_string())]);
        assert_eq!(parse("'8080:80/udp'").unwrap(), [(80, "udp".to_string())]);
        assert_eq!(parse("'[::1]:8080:80'").unwrap(), [(80, "tcp".to_string())]);
        assert_eq!(parse("'127.0.0.1::80'").unwrap(), [(80, "tcp".to_string())]);
        assert_eq!(parse("'9000-9001:90-91'").unwrap().len(), 2);
        assert_eq!(
            parse("{target: '53', protocol: UDP}").unwrap(),
            [(53, "udp".to_string())]
        );
        let error = parse("'a:b'").unwrap_err();
        assert!(
            matches!(&error, ComposeFileError::Port { service, entry } if service == "s" && entry == "`a:b`"),
            "{error}"
        );
    }

    #[test]
    fn substitution_keeps_strings_strings() {
        let text = "services:\n  web-SW:\n    environment:\n      WORKER: SW\n      PORT: 80\n    labels:\n      p: SP_default\n";
        let out = substitute(text, &[("SW", "2"), ("SP", "app-r-2")]).unwrap();
        let v: Value = serde_norway::from_str(&out).unwrap();
        assert_eq!(
            get(&v, &["services", "web-2", "environment", "WORKER"]),
            &Value::String("2".into())
        );
        assert_eq!(
            get(&v, &["services", "web-2", "environment", "PORT"]).as_u64(),
            Some(80)
        );
        assert_eq!(
            get(&v, &["services", "web-2", "labels", "p"]).as_str(),
            Some("app-r-2_default")
        );
    }

    #[test]
    fn drops_build_of_the_built_image() {
        let labels = labels();
        let text = "services:\n  app:\n    image: app:r1\n    build:\n      context: /src\n  other:\n    image: x\n    build: /o\n";
        let out = rewrite(
            text,
            &Rewrite {
                labels: &labels,
                publish_ip: "127.0.0.1",
                required_ports: &[],
                bind_mount: None,
                built_image: Some("app:r1"),
            },
        )
        .unwrap();
        let v: Value = serde_norway::from_str(&out.yaml).unwrap();
        assert!(get(&v, &["services", "app", "build"]).is_null());
        assert!(!get(&v, &["services", "other", "build"]).is_null());
    }
}

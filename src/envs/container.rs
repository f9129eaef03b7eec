//! [`Container`]: the parts of `docker inspect` output flotilla reads (labels, state, health,
//! published ports), parsed from the JSON array `docker inspect` prints; [`InspectError`] when
//! it cannot be.

use std::collections::BTreeMap;

use serde::Deserialize;

pub use super::error::InspectError;
use super::naming::{LABEL_COMPOSE_NUMBER, LABEL_COMPOSE_ONEOFF, LABEL_COMPOSE_SERVICE};

/// A container as flotilla sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Container {
    /// Full id.
    pub id: String,
    /// Name, without the leading `/`.
    pub name: String,
    /// All labels.
    pub labels: BTreeMap<String, String>,
    /// `created`, `running`, `exited`, `restarting`, `paused`, `dead`, `removing`.
    pub status: String,
    /// Exit code (meaningful once exited).
    pub exit_code: i64,
    /// Healthcheck state, if the container has a healthcheck.
    pub health: Option<Health>,
    /// Published ports.
    pub ports: Vec<PortBinding>,
}

/// `State.Health`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Health {
    /// `starting`, `healthy` or `unhealthy`.
    pub status: String,
    /// Output of the most recent check.
    pub last_output: String,
}

/// One host binding of a container port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PortBinding {
    /// Container port.
    pub port: u16,
    /// `tcp`, `udp`, `sctp`.
    pub protocol: String,
    /// Host address (`127.0.0.1`, `0.0.0.0`, `::`).
    pub host_ip: String,
    /// Host port.
    pub host_port: u16,
}

impl Container {
    /// The compose service, if compose created it.
    #[must_use]
    pub fn service(&self) -> Option<&str> {
        self.labels.get(LABEL_COMPOSE_SERVICE).map(String::as_str)
    }

    /// The replica number (1 for the first), if compose created it.
    #[must_use]
    pub fn number(&self) -> u32 {
        self.labels
            .get(LABEL_COMPOSE_NUMBER)
            .and_then(|n| n.parse().ok())
            .unwrap_or(1)
    }

    /// Whether it is a one-off `compose run` container.
    #[must_use]
    pub fn is_oneoff(&self) -> bool {
        self.labels
            .get(LABEL_COMPOSE_ONEOFF)
            .is_some_and(|v| v.eq_ignore_ascii_case("true"))
    }

    /// Whether it is running.
    #[must_use]
    pub fn is_running(&self) -> bool {
        self.status == "running"
    }

    /// Whether it stopped (exited or dead).
    #[must_use]
    pub fn has_stopped(&self) -> bool {
        matches!(self.status.as_str(), "exited" | "dead")
    }

    /// Whether its healthcheck says `unhealthy`.
    #[must_use]
    pub fn is_unhealthy(&self) -> bool {
        self.health.as_ref().is_some_and(|h| h.status == "unhealthy")
    }

    /// A short state for messages: `running`, `running (health: starting)`, `exited with code 3`.
    #[must_use]
    pub fn describe(&self) -> String {
        if self.has_stopped() {
            return format!("{} with code {}", self.status, self.exit_code);
        }
        match &self.health {
            Some(health) => format!("{} (health: {})", self.status, health.status),
            None => self.status.clone(),
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawInspect {
    id: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    config: RawConfig,
    #[serde(default)]
    state: RawState,
    #[serde(default)]
    network_settings: RawNetwork,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawConfig {
    #[serde(default)]
    labels: Option<BTreeMap<String, String>>,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawState {
    #[serde(default)]
    status: String,
    #[serde(default)]
    exit_code: i64,
    #[serde(default)]
    health: Option<RawHealth>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawHealth {
    #[serde(default)]
    status: String,
    #[serde(default)]
    log: Option<Vec<RawHealthLog>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawHealthLog {
    #[serde(default)]
    output: String,
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawNetwork {
    #[serde(default)]
    ports: Option<BTreeMap<String, Option<Vec<RawBinding>>>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct RawBinding {
    #[serde(default)]
    host_ip: String,
    #[serde(default)]
    host_port: String,
}

/// Parses the output of `docker inspect ID…` (a JSON array).
pub fn parse_inspect(json: &str) -> Result<Vec<Container>, InspectError> {
    let raw: Vec<RawInspect> = serde_json::from_str(json).map_err(|source| InspectError::Json { source })?;
    Ok(raw.into_iter().map(convert).collect())
}

fn convert(raw: RawInspect) -> Container {
    let mut ports = Vec::new();
    for (key, bindings) in raw.network_settings.ports.unwrap_or_default() {
        let (port, protocol) = key.split_once('/').unwrap_or((key.as_str(), "tcp"));
        let Ok(port) = port.parse::<u16>() else { continue };
        for binding in bindings.unwrap_or_default() {
            if let Ok(host_port) = binding.host_port.parse::<u16>() {
                ports.push(PortBinding {
                    port,
                    protocol: protocol.to_string(),
                    host_ip: binding.host_ip,
                    host_port,
                });
            }
        }
    }
    Container {
        id: raw.id,
        name: raw.name.trim_start_matches('/').to_string(),
        labels: raw.config.labels.unwrap_or_default(),
        status: raw.state.status,
        exit_code: raw.state.exit_code,
        health: raw.state.health.map(|h| Health {
            status: h.status,
            last_output: h
                .log
                .and_then(|log| log.last().map(|l| l.output.trim().to_string()))
                .unwrap_or_default(),
        }),
        ports,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trimmed `docker inspect` output of Docker 20.10 for a compose container with a failing
    /// healthcheck and a port published on 127.0.0.1.
    const INSPECT: &str = r#"[{
      "Id": "fe070f99c521aa",
      "Name": "/t2-web-1",
      "State": {"Status": "running", "Running": true, "ExitCode": 0,
        "Health": {"Status": "unhealthy", "FailingStreak": 3,
          "Log": [{"ExitCode": 1, "Output": "first"}, {"ExitCode": 1, "Output": "nc: can't connect\n"}]}},
      "Config": {"Labels": {"com.docker.compose.service": "web", "com.docker.compose.container-number": "2",
        "com.docker.compose.oneoff": "False"}},
      "NetworkSettings": {"Ports": {"8080/tcp": [{"HostIp": "127.0.0.1", "HostPort": "49153"}], "9000/udp": null}}
    }, {
      "Id": "452d85d196ad",
      "Name": "/t2-db-1",
      "State": {"Status": "exited", "Running": false, "ExitCode": 3},
      "Config": {"Labels": null},
      "NetworkSettings": {"Ports": {}}
    }]"#;

    #[test]
    fn reads_state_health_and_ports() {
        let containers = parse_inspect(INSPECT).unwrap();
        let web = &containers[0];
        assert_eq!(
            (web.name.as_str(), web.service(), web.number()),
            ("t2-web-1", Some("web"), 2)
        );
        assert!(web.is_unhealthy() && web.is_running() && !web.is_oneoff());
        assert_eq!(web.health.as_ref().unwrap().last_output, "nc: can't connect");
        assert_eq!(
            web.ports,
            [PortBinding {
                port: 8080,
                protocol: "tcp".into(),
                host_ip: "127.0.0.1".into(),
                host_port: 49153
            }]
        );
        assert_eq!(web.describe(), "running (health: unhealthy)");
        let db = &containers[1];
        assert!(db.has_stopped());
        assert_eq!(db.describe(), "exited with code 3");
        let error = parse_inspect("not json").unwrap_err();
        let InspectError::Json { source } = &error;
        assert_eq!((source.line(), error.to_string()), (1, source.to_string()));
    }
}

//! [`DockerHost`]: which Docker daemon a worker's environment lives on; [`HostSpec`] adds the
//! address its ports are published on; [`place`] spreads workers round-robin over the hosts an
//! environment lists. A `docker-hosts` entry that is not a host is a [`HostError`].

use std::fmt;
use std::net::IpAddr;

/// A Docker daemon: the one flotilla's own environment points at, or an explicit `DOCKER_HOST`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DockerHost {
    /// Whatever `docker` uses by default here (flotilla's `DOCKER_HOST`, or the local socket).
    Default,
    /// An explicit `DOCKER_HOST` value (`unix:///…`, `tcp://host:port`, `ssh://user@host`).
    Url(String),
}

impl DockerHost {
    /// Parses a `docker-hosts` entry; `"default"` means [`DockerHost::Default`].
    pub fn parse(text: &str) -> Result<Self, HostError> {
        let text = text.trim();
        if text == "default" {
            return Ok(Self::Default);
        }
        let valid_scheme = ["unix://", "tcp://", "ssh://", "npipe://"]
            .iter()
            .any(|scheme| text.starts_with(scheme) && text.len() > scheme.len());
        if valid_scheme {
            Ok(Self::Url(text.to_string()))
        } else {
            Err(HostError::NotAHost { text: text.to_string() })
        }
    }

    /// The environment variables every docker/compose call for this host carries.
    #[must_use]
    pub fn env(&self) -> Vec<(String, String)> {
        match self {
            Self::Default => Vec::new(),
            Self::Url(url) => vec![("DOCKER_HOST".to_string(), url.clone())],
        }
    }

    /// The `DOCKER_HOST` value, if explicit.
    #[must_use]
    pub fn url(&self) -> Option<&str> {
        match self {
            Self::Default => None,
            Self::Url(url) => Some(url),
        }
    }
}

impl fmt::Display for DockerHost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Default => f.write_str("the default Docker host"),
            Self::Url(url) => f.write_str(url),
        }
    }
}

/// Why a `docker-hosts` entry is not a Docker host.
#[derive(Debug, thiserror::Error)]
pub enum HostError {
    /// `host` is neither "default" nor a `DOCKER_HOST` URL.
    #[error(
        "`{text}` is not a Docker host; write `unix:///path/docker.sock`, `tcp://host:port`, `ssh://user@host` or \"default\""
    )]
    NotAHost {
        /// The entry, trimmed.
        text: String,
    },

    /// `address` is not an IP address.
    #[error("`address = \"{text}\"` is not an IP address; write e.g. \"10.0.0.7\"")]
    Address {
        /// The address as written.
        text: String,
        /// Why it does not parse.
        #[source]
        source: std::net::AddrParseError,
    },
}

/// A Docker host plus the address its containers' ports are published on (and jobs connect to).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HostSpec {
    /// The daemon.
    pub host: DockerHost,
    /// Host address for published ports: `127.0.0.1` by default; a remote host's reachable
    /// address when its daemon is on another machine (or another loopback address, so that two
    /// daemons on one machine do not hand out the same ephemeral port on the same address).
    pub publish_ip: IpAddr,
}

impl HostSpec {
    /// The default host, publishing on 127.0.0.1.
    #[must_use]
    pub fn local() -> Self {
        Self {
            host: DockerHost::Default,
            publish_ip: IpAddr::from([127, 0, 0, 1]),
        }
    }
}

/// The host of 1-based `worker`: workers go round-robin over `hosts` (the default host if empty).
#[must_use]
pub fn place(hosts: &[HostSpec], worker: usize) -> HostSpec {
    if hosts.is_empty() {
        return HostSpec::local();
    }
    hosts[(worker.max(1) - 1) % hosts.len()].clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls_and_default() {
        assert_eq!(DockerHost::parse("default").unwrap(), DockerHost::Default);
        assert_eq!(
            DockerHost::parse("tcp://127.0.0.2:2375").unwrap(),
            DockerHost::Url("tcp://127.0.0.2:2375".into())
        );
        let error = DockerHost::parse("127.0.0.2:2375").unwrap_err();
        assert!(
            matches!(&error, HostError::NotAHost { text } if text == "127.0.0.2:2375")
                && error.to_string().contains("tcp://host:port"),
            "{error}"
        );
        assert!(matches!(DockerHost::parse("tcp://"), Err(HostError::NotAHost { .. })));
    }

    #[test]
    fn placement_is_round_robin_and_one_based() {
        let b = HostSpec {
            host: DockerHost::Url("tcp://b:1".into()),
            publish_ip: "127.0.0.2".parse().unwrap(),
        };
        let hosts = [HostSpec::local(), b];
        let placed: Vec<HostSpec> = (1..=4).map(|w| place(&hosts, w)).collect();
        assert_eq!(
            placed,
            [hosts[0].clone(), hosts[1].clone(), hosts[0].clone(), hosts[1].clone()]
        );
        assert_eq!(place(&[], 3), HostSpec::local());
        assert_eq!(
            DockerHost::Url("tcp://b:1".into()).env(),
            [("DOCKER_HOST".to_string(), "tcp://b:1".to_string())]
        );
    }
}

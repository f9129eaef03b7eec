//! [`wait_ready`]: waits until one worker's environment is usable: every expected service has a
//! container, none has crashed, healthchecks say `healthy` (`unhealthy` fails at once, as a crash
//! does), then each readiness [`Probe`] passes,
//! all before one deadline. On timeout the error names the service, the probe and what the probe
//! saw last (a [`ProbeError`], as text).
//!
//! TCP probes read after connecting: Docker's userland proxy accepts a connection on the
//! published port even when nothing listens in the container yet, and then closes it at once.
//! So "connected, then closed without a byte" counts as not ready; a server that sends data or
//! keeps the connection open counts as ready.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{Instant, timeout};

use super::command::{Cancel, last_lines};
use super::container::Container;
use super::docker::Docker;
use super::error::{EnvError, NotReady, ServiceDown};
use super::model::{HealthPolicy, Probe};
use super::naming::LABEL_COMPOSE_PROJECT;

/// Published addresses by `(service, container port, protocol)`.
pub(crate) type PortMap = BTreeMap<(String, u16, String), SocketAddr>;

/// Everything readiness needs to know about one worker's environment.
pub(crate) struct ReadyCheck<'a> {
    pub docker: &'a Docker,
    pub project: &'a str,
    pub started_services: &'a [String],
    pub probes: &'a [Probe],
    pub health: HealthPolicy,
    pub timeout: Duration,
    pub cancel: &'a Cancel,
}

/// What is being waited for, and what it said last.
struct Waiting {
    service: String,
    probe: String,
    last_output: String,
}

/// Why one run of a readiness probe did not pass (yet).
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// The probe's port has no host binding.
    #[error("port {port} of `{service}` is not published")]
    NotPublished {
        /// The service.
        service: String,
        /// The container port.
        port: u16,
    },

    /// An exec or log probe's service has no running container.
    #[error("no running container of `{service}`")]
    NoRunningContainer {
        /// The service.
        service: String,
    },

    /// An exec probe's command exited non-zero.
    #[error("exit code {code}: {output}")]
    ExitCode {
        /// Its exit code.
        code: i32,
        /// The last lines of its stdout and stderr.
        output: String,
    },

    /// An exec probe's command could not be run.
    #[error(transparent)]
    Exec(Box<EnvError>),

    /// A log probe's service has printed nothing.
    #[error("(the log is empty)")]
    EmptyLog,

    /// A log probe's text is not in the log yet.
    #[error("{tail}")]
    NotInLog {
        /// The last lines of the log.
        tail: String,
    },

    /// Connecting did not finish in time.
    #[error("connecting to {addr} timed out")]
    ConnectTimedOut {
        /// The published address.
        addr: SocketAddr,
    },

    /// Connecting failed.
    #[error("connecting to {addr}: {source}")]
    Connect {
        /// The published address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// The connection was accepted and closed without a byte (docker-proxy with no backend).
    #[error("{addr} accepted and closed the connection at once (nothing listens in the container yet)")]
    ClosedAtOnce {
        /// The published address.
        addr: SocketAddr,
    },

    /// Reading from a TCP probe's connection failed.
    #[error("{addr}: {source}")]
    Read {
        /// The published address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// Sending an HTTP probe's request failed.
    #[error("sending to {addr}: {source}")]
    Send {
        /// The published address.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },

    /// An HTTP probe's exchange did not finish in time.
    #[error("GET http://{addr}{path} timed out")]
    HttpTimedOut {
        /// The published address.
        addr: SocketAddr,
        /// The path.
        path: String,
    },

    /// The server closed the connection without a status line.
    #[error("GET http://{addr}{path}: the connection closed without a response")]
    NoResponse {
        /// The published address.
        addr: SocketAddr,
        /// The path.
        path: String,
    },

    /// The HTTP status was not the expected one (or not 2xx).
    #[error("GET http://{addr}{path}: {status_line}{}", if body.is_empty() { String::new() } else { format!(": {body}") })]
    Status {
        /// The published address.
        addr: SocketAddr,
        /// The path.
        path: String,
        /// The status line as received.
        status_line: String,
        /// The first 200 characters of the body, trimmed.
        body: String,
    },
}

/// The published addresses of the first replica of each service.
pub(crate) fn port_map(containers: &[Container]) -> PortMap {
    let mut map = PortMap::new();
    let mut sorted: Vec<&Container> = containers.iter().filter(|c| !c.is_oneoff()).collect();
    sorted.sort_by_key(|c| c.number());
    for container in sorted {
        let Some(service) = container.service() else { continue };
        for binding in &container.ports {
            let ip = match binding.host_ip.as_str() {
                "" | "0.0.0.0" => "127.0.0.1",
                "::" => "::1",
                other => other,
            };
            let Ok(ip) = ip.parse() else { continue };
            map.entry((service.to_string(), binding.port, binding.protocol.clone()))
                .or_insert(SocketAddr::new(ip, binding.host_port));
        }
    }
    map
}

/// Waits for health and probes. Returns the containers and ports seen when everything was ready.
pub(crate) async fn wait_ready(check: &ReadyCheck<'_>) -> Result<(Vec<Container>, PortMap), EnvError> {
    let started = Instant::now();
    let deadline = started + check.timeout;
    let mut interval = Duration::from_millis(100);
    let mut passed = vec![false; check.probes.len()];
    loop {
        let waiting = match round(check, &mut passed).await? {
            Ok(ready) => return Ok(ready),
            Err(waiting) => waiting,
        };
        let now = Instant::now();
        if now >= deadline {
            return Err(EnvError::NotReady(Box::new(NotReady {
                project: check.project.to_string(),
                service: waiting.service,
                probe: waiting.probe,
                last_output: waiting.last_output,
                waited: now - started,
                diagnostics: None,
            })));
        }
        tokio::select! {
            () = tokio::time::sleep(interval.min(deadline - now)) => {}
            () = check.cancel.cancelled() => return Err(EnvError::Cancelled { project: check.project.to_string() }),
        }
        interval = (interval * 3 / 2).min(Duration::from_secs(1));
    }
}

/// One look: `Ok(Ok(..))` ready, `Ok(Err(..))` not yet, `Err` fatal.
async fn round(
    check: &ReadyCheck<'_>,
    passed: &mut [bool],
) -> Result<Result<(Vec<Container>, PortMap), Waiting>, EnvError> {
    let cancel = Some(check.cancel);
    let containers: Vec<Container> = check
        .docker
        .containers(&[(LABEL_COMPOSE_PROJECT, check.project)], cancel)
        .await?
        .into_iter()
        .filter(|c| !c.is_oneoff())
        .collect();
    for service in check.started_services {
        let mine: Vec<&Container> = containers.iter().filter(|c| c.service() == Some(service)).collect();
        if mine.is_empty() {
            return Ok(Err(Waiting {
                service: service.clone(),
                probe: "container".into(),
                last_output: "no container yet".into(),
            }));
        }
        if let Some(dead) = mine.iter().find(|c| c.has_stopped() && c.exit_code != 0) {
            let logs = check.docker.logs(&dead.id, 10, cancel).await.unwrap_or_default();
            return Err(EnvError::ServiceDown(Box::new(ServiceDown {
                project: check.project.to_string(),
                service: service.clone(),
                state: dead.describe(),
                last_logs: last_lines(&logs, 5),
                diagnostics: None,
            })));
        }
        if let Some(pending) = mine
            .iter()
            .find(|c| !(c.is_running() || c.has_stopped() && c.exit_code == 0))
        {
            return Ok(Err(Waiting {
                service: service.clone(),
                probe: "container".into(),
                last_output: pending.describe(),
            }));
        }
        if check.health == HealthPolicy::Wait
            && let Some(sick) = mine
                .iter()
                .find(|c| c.is_running() && c.health.as_ref().is_some_and(|h| h.status == "unhealthy"))
        {
            // Docker only says `unhealthy` after `retries` failed checks past `start_period`:
            // waiting longer rarely helps (compose's `service_healthy` gives up here too).
            let last_check = sick
                .health
                .as_ref()
                .map(|h| h.last_output.trim().to_string())
                .unwrap_or_default();
            let logs = check.docker.logs(&sick.id, 10, cancel).await.unwrap_or_default();
            return Err(EnvError::ServiceDown(Box::new(ServiceDown {
                project: check.project.to_string(),
                service: service.clone(),
                state: format!(
                    "is unhealthy: its healthcheck failed{} (give it more `retries` or a `start_period` if it is only slow, or set `health = \"ignore\"`)",
                    if last_check.is_empty() {
                        String::new()
                    } else {
                        format!(", last saying: {last_check}")
                    }
                ),
                last_logs: last_lines(&logs, 5),
                diagnostics: None,
            })));
        }
        if check.health == HealthPolicy::Wait
            && let Some(unhealthy) = mine
                .iter()
                .find(|c| c.is_running() && c.health.as_ref().is_some_and(|h| h.status != "healthy"))
        {
            let health = unhealthy
                .health
                .as_ref()
                .map(|h| h.last_output.clone())
                .unwrap_or_default();
            return Ok(Err(Waiting {
                service: service.clone(),
                probe: "container healthcheck".into(),
                last_output: format!(
                    "{}{}",
                    unhealthy.describe(),
                    if health.is_empty() {
                        String::new()
                    } else {
                        format!(": {health}")
                    }
                ),
            }));
        }
    }
    let ports = port_map(&containers);
    for (probe, done) in check.probes.iter().zip(passed.iter_mut()) {
        if *done {
            continue;
        }
        match run_probe(check, probe, &containers, &ports).await? {
            Ok(()) => *done = true,
            Err(error) => {
                return Ok(Err(Waiting {
                    service: probe.service().to_string(),
                    probe: probe.to_string(),
                    last_output: error.to_string(),
                }));
            }
        }
    }
    Ok(Ok((containers, ports)))
}

/// Runs one probe once: `Ok(Ok(()))` passed, `Ok(Err(output))` not yet.
async fn run_probe(
    check: &ReadyCheck<'_>,
    probe: &Probe,
    containers: &[Container],
    ports: &PortMap,
) -> Result<Result<(), ProbeError>, EnvError> {
    let address = |service: &str, port: u16| {
        ports
            .get(&(service.to_string(), port, "tcp".to_string()))
            .copied()
            .ok_or_else(|| ProbeError::NotPublished {
                service: service.to_string(),
                port,
            })
    };
    let not_running = |service: &str| ProbeError::NoRunningContainer {
        service: service.to_string(),
    };
    let first = |service: &str| {
        let mut mine: Vec<&Container> = containers
            .iter()
            .filter(|c| c.service() == Some(service) && c.is_running())
            .collect();
        mine.sort_by_key(|c| c.number());
        mine.first().map(|c| c.id.clone())
    };
    Ok(match probe {
        Probe::Tcp { service, port } => match address(service, *port) {
            Ok(addr) => tcp_probe(addr).await,
            Err(e) => Err(e),
        },
        Probe::Http {
            service,
            port,
            path,
            status,
        } => match address(service, *port) {
            Ok(addr) => http_probe(addr, path, *status).await,
            Err(e) => Err(e),
        },
        Probe::Exec { service, argv } => match first(service) {
            None => Err(not_running(service)),
            Some(id) => {
                let out = check
                    .docker
                    .exec(&id, argv, Duration::from_secs(30), Some(check.cancel))
                    .await;
                match out {
                    Ok(out) if out.success() => Ok(()),
                    Ok(out) => Err(ProbeError::ExitCode {
                        code: out.code,
                        output: last_lines(&format!("{}{}", out.stdout, out.stderr), 5),
                    }),
                    Err(EnvError::Cancelled { project }) => return Err(EnvError::Cancelled { project }),
                    Err(e) => Err(ProbeError::Exec(Box::new(e))),
                }
            }
        },
        Probe::Log { service, contains } => match first(service) {
            None => Err(not_running(service)),
            Some(id) => {
                let logs = check.docker.logs(&id, 10_000, Some(check.cancel)).await?;
                if logs.contains(contains.as_str()) {
                    Ok(())
                } else if logs.trim().is_empty() {
                    Err(ProbeError::EmptyLog)
                } else {
                    Err(ProbeError::NotInLog {
                        tail: last_lines(&logs, 3),
                    })
                }
            }
        },
    })
}

/// Connects, then waits briefly: data or an open connection means a server is there.
pub(crate) async fn tcp_probe(addr: SocketAddr) -> Result<(), ProbeError> {
    let mut stream = match timeout(Duration::from_secs(2), TcpStream::connect(addr)).await {
        Err(_) => return Err(ProbeError::ConnectTimedOut { addr }),
        Ok(Err(source)) => return Err(ProbeError::Connect { addr, source }),
        Ok(Ok(stream)) => stream,
    };
    let mut byte = [0u8; 1];
    match timeout(Duration::from_millis(300), stream.read(&mut byte)).await {
        Err(_) => Ok(()),
        Ok(Ok(n)) if n > 0 => Ok(()),
        Ok(Ok(_)) => Err(ProbeError::ClosedAtOnce { addr }),
        Ok(Err(source)) => Err(ProbeError::Read { addr, source }),
    }
}

/// `GET path` over HTTP/1.0; passes on `status`, or any 2xx.
pub(crate) async fn http_probe(addr: SocketAddr, path: &str, status: Option<u16>) -> Result<(), ProbeError> {
    let exchange = async {
        let mut stream = TcpStream::connect(addr)
            .await
            .map_err(|source| ProbeError::Connect { addr, source })?;
        let request =
            format!("GET {path} HTTP/1.0\r\nHost: {addr}\r\nUser-Agent: flotilla\r\nConnection: close\r\n\r\n");
        stream
            .write_all(request.as_bytes())
            .await
            .map_err(|source| ProbeError::Send { addr, source })?;
        let mut response = Vec::new();
        let _ = (&mut stream).take(64 * 1024).read_to_end(&mut response).await;
        Ok::<_, ProbeError>(String::from_utf8_lossy(&response).into_owned())
    };
    let response = match timeout(Duration::from_secs(5), exchange).await {
        Err(_) => {
            return Err(ProbeError::HttpTimedOut {
                addr,
                path: path.to_string(),
            });
        }
        Ok(result) => result?,
    };
    let status_line = response.lines().next().unwrap_or_default().trim().to_string();
    let code: Option<u16> = status_line.split_whitespace().nth(1).and_then(|c| c.parse().ok());
    let ok = match (code, status) {
        (Some(code), Some(want)) => code == want,
        (Some(code), None) => (200..300).contains(&code),
        (None, _) => false,
    };
    if ok {
        return Ok(());
    }
    if status_line.is_empty() {
        return Err(ProbeError::NoResponse {
            addr,
            path: path.to_string(),
        });
    }
    let body = response.split_once("\r\n\r\n").map_or("", |(_, b)| b).trim();
    Err(ProbeError::Status {
        addr,
        path: path.to_string(),
        status_line,
        body: body.chars().take(200).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::net::TcpListener;

    #[tokio::test]
    async fn tcp_probe_tells_a_server_from_a_proxy_that_hangs_up() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            // First client: hang up at once (like docker-proxy with no backend).
            let (s, _) = listener.accept().await.unwrap();
            drop(s);
            // Second: keep it open.
            let (s, _) = listener.accept().await.unwrap();
            tokio::time::sleep(Duration::from_secs(1)).await;
            drop(s);
        });
        let first = tcp_probe(addr).await.unwrap_err();
        assert!(
            matches!(first, ProbeError::ClosedAtOnce { addr: a } if a == addr)
                && first.to_string().contains("closed the connection"),
            "{first}"
        );
        tcp_probe(addr).await.unwrap();
        server.abort();
        let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let gone = closed.local_addr().unwrap();
        drop(closed);
        let error = tcp_probe(gone).await.unwrap_err();
        assert!(
            matches!(error, ProbeError::Connect { .. }) && error.to_string().contains("connecting"),
            "{error}"
        );
    }

    #[tokio::test]
    async fn http_probe_checks_the_status() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(async move {
            for reply in [
                "HTTP/1.0 503 Service Unavailable\r\n\r\nstarting",
                "HTTP/1.0 200 OK\r\n\r\nok",
            ] {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut buf = [0u8; 1024];
                let _ = s.read(&mut buf).await;
                s.write_all(reply.as_bytes()).await.unwrap();
            }
        });
        let error = http_probe(addr, "/health", None).await.unwrap_err();
        assert!(
            matches!(&error, ProbeError::Status { status_line, body, .. } if status_line.contains("503") && body == "starting"),
            "{error:?}"
        );
        let message = error.to_string();
        assert!(message.contains("503") && message.contains("starting"), "{message}");
        http_probe(addr, "/health", Some(200)).await.unwrap();
        server.await.unwrap();
    }
}

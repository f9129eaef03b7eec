//! A throwaway project folder plus helpers to run the real binary in it.

use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

pub const BIN: &str = env!("CARGO_BIN_EXE_flotilla");

/// A fixture project in a temporary folder.
pub struct Project {
    _dir: tempfile::TempDir,
    pub root: PathBuf,
}

/// What a run printed and returned.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(output: Output) -> Self {
        Self {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// The last non-empty line of stdout.
    pub fn last_line(&self) -> &str {
        self.stdout.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("")
    }

    pub fn describe(&self) -> String {
        format!(
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Project {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let root = dir.path().canonicalize().expect("canonical tempdir");
        Self { _dir: dir, root }
    }

    /// Writes `path` (relative), creating folders; `.sh` files are made executable.
    pub fn file(&self, path: &str, contents: &str) -> &Self {
        let full = self.root.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, contents).unwrap();
        if path.ends_with(".sh") {
            std::fs::set_permissions(&full, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        self
    }

    pub fn config(&self, toml: &str) -> &Self {
        self.file("flotilla.toml", toml)
    }

    pub fn path(&self, relative: &str) -> PathBuf {
        self.root.join(relative)
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .current_dir(&self.root)
            .env("CI", "true")
            .env("NO_COLOR", "1")
            .env("PROJECT_ROOT", &self.root)
            .stdin(Stdio::null());
        command
    }

    pub fn run(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().expect("flotilla runs"))
    }

    /// `.flotilla/runs/latest/<name>`.
    pub fn latest(&self, name: &str) -> PathBuf {
        self.root.join(".flotilla/runs/latest").join(name)
    }

    pub fn summary(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.latest("summary.json")).expect("summary.json exists");
        serde_json::from_str(&text).expect("summary.json is JSON")
    }

    /// Starts flotilla with piped stdout.
    pub fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("flotilla starts")
    }
}

/// Creates a FIFO at `path` and returns a receiver of the lines written into it.
/// The reader holds it open read-write so writers that come and go never cause EOF.
pub fn fifo_lines(path: &Path) -> mpsc::Receiver<String> {
    nix::unistd::mkfifo(path, nix::sys::stat::Mode::from_bits_truncate(0o600)).expect("mkfifo");
    let path = path.to_path_buf();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .expect("open fifo");
        for line in BufReader::new(file).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    rx
}

/// Waits for `n` lines, failing the test after a generous deadline instead of hanging.
pub fn expect_lines(rx: &mpsc::Receiver<String>, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            rx.recv_timeout(Duration::from_secs(60))
                .unwrap_or_else(|_| panic!("only {i} of {n} lines arrived"))
        })
        .collect()
}

/// Whether `pid` is still alive after giving an already-signalled process up to 5 s to finish
/// dying (SIGKILL is asynchronous). Zombies count as dead.
pub fn alive(pid: i32) -> bool {
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while alive_now(pid) {
        if std::time::Instant::now() > deadline {
            return true;
        }
        std::thread::yield_now();
    }
    false
}

fn alive_now(pid: i32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit(')')
            .next()
            .is_some_and(|rest| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// Reads pids (one per line) from every file under `dir` named `*.pid`.
pub fn pids_in(dir: &Path) -> Vec<i32> {
    let mut pids = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        if entry.path().extension().is_some_and(|e| e == "pid") {
            for line in std::fs::read_to_string(entry.path()).unwrap().lines() {
                if let Ok(pid) = line.trim().parse() {
                    pids.push(pid);
                }
            }
        }
    }
    pids
}

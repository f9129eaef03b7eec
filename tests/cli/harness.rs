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
    /// The result of a command the test built itself.
    pub fn from_output(output: Output) -> Self {
        Self::from(output)
    }

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
            .env("FLOTILLA_FLAKY_MARKER_DIR", self.root.join(MARKERS))
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

/// Copies `tests/fixtures/runners/<name>` into a fresh temp folder (build output left out) and
/// gives its flaky tests a fresh marker folder (`$FLOTILLA_FLAKY_MARKER_DIR`).
pub fn runner_fixture(name: &str) -> Project {
    let project = Project::new();
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/runners")
        .join(name);
    copy_tree(&source, &project.root);
    std::fs::create_dir_all(project.root.join(MARKERS)).unwrap();
    project
}

/// Where fixture projects keep their flaky-test markers (a hidden folder: never discovered).
pub const MARKERS: &str = ".flaky-markers";

impl Project {
    /// Forgets that the flaky tests already failed once.
    pub fn reset_flaky(&self) {
        let markers = self.root.join(MARKERS);
        std::fs::remove_dir_all(&markers).unwrap();
        std::fs::create_dir_all(&markers).unwrap();
    }
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let name = entry.file_name();
        if name == "target" || name == ".flotilla" {
            continue;
        }
        let target = to.join(&name);
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Fails (never skips) when a runner the end-to-end tests need is not installed.
pub fn require_runner(argv: &[&str]) {
    let works = Command::new(argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success());
    assert!(
        works,
        "`{}` does not work: the end-to-end tests need the real runner; install it with scripts/install-test-deps",
        argv.join(" ")
    );
}

/// The tests of `summary`, by id.
pub fn tests_by_id(summary: &serde_json::Value) -> std::collections::BTreeMap<String, serde_json::Value> {
    summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_str().unwrap().to_string(), t.clone()))
        .collect()
}

/// The single tests every retry job (attempt > 1) of `summary` ran, sorted.
pub fn retried_tests(summary: &serde_json::Value) -> Vec<String> {
    let mut tests: Vec<String> = summary["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|job| job["attempt"].as_u64() > Some(1))
        .flat_map(|job| job["tests"].as_array().cloned().unwrap_or_default())
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    tests.sort();
    tests
}

/// The workers the tests of `file` ran on (first attempts).
pub fn workers_of(summary: &serde_json::Value, file: &str) -> std::collections::BTreeSet<i64> {
    summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["file"] == file)
        .map(|t| t["attempts"][0]["worker"].as_i64().unwrap())
        .collect()
}

/// Runs `project` once with `file` replaced by `slow_stand_in` (a passing file that takes
/// seconds), then puts the file back: on the next run `file` is the suite's longest unit by its
/// own history, so the planner's first wave starts it in a job shared with the short files
/// (tests of what happens to the other files of a job cannot rely on name or size order).
pub fn make_slowest_in_history(project: &Project, file: &str, slow_stand_in: &str) {
    let path = project.path(file);
    let original = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, slow_stand_in).unwrap();
    let run = project.run(&["run"]);
    let summary = project.summary();
    let ran: Vec<&serde_json::Value> = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["file"] == file)
        .collect();
    assert!(
        !ran.is_empty() && ran.iter().all(|t| t["outcome"] == "passed"),
        "the slow stand-in for {file} passes: {}",
        run.describe()
    );
    std::fs::write(&path, original).unwrap();
    project.reset_flaky();
}

/// Checks that the first-attempt job with `broken` also had other files, that the runner never
/// reached them (`requeued`), and that each ran again at attempt 1 in a job of its own.
pub fn assert_requeued_around(summary: &serde_json::Value, broken: &str) {
    let jobs = summary["jobs"].as_array().unwrap();
    let job = jobs
        .iter()
        .find(|j| j["attempt"] == 1 && j["files"].as_array().unwrap().iter().any(|f| f == broken))
        .unwrap_or_else(|| panic!("no job ran {broken}: {summary}"));
    let requeued = job["requeued"]
        .as_array()
        .unwrap_or_else(|| panic!("nothing was queued again: {job}"));
    assert!(!requeued.is_empty(), "{job}");
    for target in requeued {
        let again = jobs
            .iter()
            .filter(|j| j["attempt"] == 1 && j["id"] != job["id"])
            .filter(|j| {
                j["files"].as_array().unwrap().contains(target)
                    || j["tests"].as_array().is_some_and(|t| t.contains(target))
            })
            .count();
        assert_eq!(again, 1, "{target} runs again at attempt 1: {summary}");
    }
}

/// A project for a runner that cannot be installed here: empty test `files` and the stand-in
/// `tests/fixtures/stand-ins/<runner>` as `node_modules/.bin/<runner>` (see its README). The
/// config must pass `FIXTURES` and `ARGV_LOG` with [`stand_in_environment`].
pub fn stand_in_project(runner: &str, files: &[&str]) -> Project {
    let project = Project::new();
    for file in files {
        project.file(file, "// runs under a stand-in\n");
    }
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/stand-ins")
        .join(runner);
    let program = project.root.join("node_modules/.bin").join(runner);
    std::fs::create_dir_all(program.parent().unwrap()).unwrap();
    std::fs::copy(&source, &program).unwrap();
    std::fs::set_permissions(&program, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::create_dir_all(project.root.join(".argv")).unwrap();
    project
}

/// The suite `environment` line a stand-in needs.
pub fn stand_in_environment(project: &Project) -> String {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/formats");
    format!(
        "env = {{ FIXTURES = {:?}, ARGV_LOG = {:?} }}\n",
        fixtures.to_str().unwrap(),
        project.root.join(".argv").to_str().unwrap()
    )
}

/// The argv of every call of the stand-in, in no particular order.
pub fn stand_in_calls(project: &Project) -> Vec<Vec<String>> {
    std::fs::read_dir(project.root.join(".argv"))
        .unwrap()
        .flatten()
        .map(|entry| serde_json::from_str(&std::fs::read_to_string(entry.path()).unwrap()).unwrap())
        .collect()
}

/// The files summary.json reports as not run.
pub fn not_run_files(summary: &serde_json::Value) -> Vec<String> {
    summary["not_run"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["file"].as_str().unwrap().to_string())
        .collect()
}

/// The final outcome summary.json gives the (first) test of `file`.
pub fn outcome_of(summary: &serde_json::Value, file: &str) -> Option<String> {
    summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["file"] == file)
        .map(|t| t["outcome"].as_str().unwrap().to_string())
}

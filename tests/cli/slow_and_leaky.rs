//! Slow and leaky jobs: a job still running past its suite's `slow-after` is announced once, in
//! the terminal and as a `job_slow` event, while it still runs; a job whose processes outlive it
//! is reported leaky (terminal, `job_finished`, summary.json) and nothing it left survives.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::Duration;

use crate::harness::{Project, alive, pids_in};

const CONFIG: &str = r#"
[run]
workers = 2

[suite.s]
runner = "custom"
command = ["sh", "{file}"]
files = ["t/*.sh"]
timeout = "120s"
slow-after = "1s"
"#;

/// The one run folder under `.flotilla/runs` (`latest` is only pointed at it when the run ends).
fn only_run_dir(project: &Project) -> PathBuf {
    let runs: Vec<PathBuf> = std::fs::read_dir(project.path(".flotilla/runs"))
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.is_dir() && !path.is_symlink())
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    runs.into_iter().next().unwrap()
}

fn events(path: &std::path::Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn a_job_past_slow_after_is_announced_once_while_it_still_runs() {
    let project = Project::new();
    project.config(CONFIG);
    // It runs until the test lets it go: whatever the load, it is still running when announced.
    project.file(
        "t/slow.sh",
        "while [ ! -e .release ]; do sleep 0.05; done\necho released\n",
    );
    project.file("t/quick.sh", "true\n");
    let mut child = project.spawn(&["run"]);
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut seen = Vec::new();
    let slow_line = loop {
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no SLOW line; saw:\n{}", seen.join("\n")));
        if line.contains("SLOW") {
            break line;
        }
        seen.push(line);
    };
    assert!(slow_line.contains("t/slow.sh"), "{slow_line}");
    assert!(slow_line.contains("still running"), "{slow_line}");
    // The event is in the log before the job ends (it is flushed as a milestone).
    let log = only_run_dir(&project).join("events.jsonl");
    let before_release = events(&log);
    let slow: Vec<&serde_json::Value> = before_release.iter().filter(|e| e["event"] == "job_slow").collect();
    assert_eq!(slow.len(), 1, "{before_release:#?}");
    assert_eq!(slow[0]["suite"], "s");
    assert_eq!(slow[0]["files"], serde_json::json!(["t/slow.sh"]));
    assert!(slow[0]["elapsed_secs"].as_f64().unwrap() >= 1.0, "{:#}", slow[0]);
    let slow_job = slow[0]["job"].clone();
    assert!(
        !before_release
            .iter()
            .any(|e| e["event"] == "job_finished" && e["job"] == slow_job),
        "announced while it still runs"
    );
    std::fs::write(project.path(".release"), "").unwrap();
    let status = child.wait().unwrap();
    let rest: Vec<String> = rx.iter().collect();
    assert_eq!(status.code(), Some(0), "{}", rest.join("\n"));
    let all = events(&project.latest("events.jsonl"));
    let announced = all.iter().filter(|e| e["event"] == "job_slow").count();
    assert_eq!(announced, 1, "once only: {all:#?}");
    assert!(!rest.iter().any(|line| line.contains("SLOW")), "once only: {rest:?}");
    // Only a job that ran past the limit is ever announced.
    let summary = project.summary();
    for job in summary["jobs"].as_array().unwrap() {
        if job["duration_secs"].as_f64().unwrap() < 1.0 {
            assert_ne!(job["id"], slow_job, "{summary:#}");
        }
    }
}

#[test]
fn a_job_whose_processes_outlive_it_is_leaky_and_nothing_is_left_behind() {
    let project = Project::new();
    project.config(CONFIG);
    project.file("t/leaky.sh", "mkdir -p .pids\nsleep 30 &\necho $! > .pids/leaked.pid\n");
    project.file("t/clean.sh", "sleep 0 &\nwait\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let pids = pids_in(&project.path(".pids"));
    assert_eq!(pids.len(), 1, "{}", run.describe());
    assert!(!alive(pids[0]), "the leaked sleep {} survived the run", pids[0]);
    let summary = project.summary();
    let jobs = summary["jobs"].as_array().unwrap();
    let job_of = |file: &str| {
        jobs.iter()
            .find(|job| job["files"].as_array().unwrap().iter().any(|f| f == file))
            .unwrap_or_else(|| panic!("no job ran {file}: {summary:#}"))
    };
    assert_eq!(job_of("t/leaky.sh")["leaky"], true, "{summary:#}");
    assert!(job_of("t/clean.sh").get("leaky").is_none(), "{summary:#}");
    let leaky_lines: Vec<&str> = run.stdout.lines().filter(|l| l.contains("LEAKY")).collect();
    assert!(
        !leaky_lines.is_empty() && leaky_lines.iter().all(|l| l.contains("t/leaky.sh")),
        "{}",
        run.describe()
    );
    let events = events(&project.latest("events.jsonl"));
    let leaky_events: Vec<&serde_json::Value> = events
        .iter()
        .filter(|e| e["event"] == "job_finished" && e["leaky"] == true)
        .collect();
    assert_eq!(leaky_events.len(), 1, "{events:#?}");
    assert_eq!(leaky_events[0]["job"], job_of("t/leaky.sh")["id"]);
}

//! `flotilla run --queue`: several real node processes sharing one real Redis queue.

use std::collections::BTreeMap;
use std::process::Child;
use std::time::{Duration, Instant};

use flotilla::queue::{QueueOptions, QueueScope, read_record, scopes_of_build};

use crate::harness::{Project, Run};
use crate::redis_server::RedisServer;

const CONFIG: &str = r#"
[run]
workers = 1

[suite.s]
runner = "custom"
command = ["sh", "{file}"]
files = ["t/*.sh"]
"#;

/// The first run of `t/blocker.sh` anywhere writes its node and pid, then hangs (the node is
/// killed there); every later run passes at once.
const BLOCKER: &str = r#"
if mkdir "$QUEUE_MARKERS/blocker" 2>/dev/null; then
  echo $$ > "$QUEUE_MARKERS/blocker.pid"
  echo "$FLOTILLA_NODE_INDEX" > "$QUEUE_MARKERS/blocker.node.tmp"
  mv "$QUEUE_MARKERS/blocker.node.tmp" "$QUEUE_MARKERS/blocker.node"
  exec sleep 1000
fi
"#;

const FILES: usize = 9;

fn node_project() -> Project {
    let project = Project::new();
    project.config(CONFIG).file("t/blocker.sh", BLOCKER);
    for i in 0..FILES {
        project.file(&format!("t/s{i}.sh"), "sleep 0.2\n");
    }
    project
}

fn node(project: &Project, redis: &RedisServer, markers: &std::path::Path, index: u32, retry: u32) -> Child {
    let url = redis.url();
    let mut command = project.command(&["run", "--queue", &url, "--queue-lease", "1s"]);
    command
        .env("FLOTILLA_BUILD_ID", "build-42")
        .env("FLOTILLA_NODE_INDEX", index.to_string())
        .env("FLOTILLA_NODE_TOTAL", "3")
        .env("FLOTILLA_RETRY_COUNT", retry.to_string())
        .env("QUEUE_MARKERS", markers)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    command.spawn().expect("flotilla starts")
}

fn finish(child: Child) -> Run {
    let output = child.wait_with_output().expect("waits");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// Kills the hung blocker script (the killed node leaves it behind) when the test ends.
struct KillOnDrop(std::path::PathBuf);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        if let Ok(pid) = std::fs::read_to_string(&self.0)
            && let Ok(pid) = pid.trim().parse::<i32>()
        {
            let _ = nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), nix::sys::signal::Signal::SIGKILL);
        }
    }
}

/// The queue's record, read as the merge step will.
fn record(redis: &RedisServer) -> flotilla::queue::QueueRecord {
    let mut files: Vec<String> = (0..FILES).map(|i| format!("t/s{i}.sh")).collect();
    files.push("t/blocker.sh".into());
    files.sort();
    let scope = QueueScope {
        build: "build-42".into(),
        step: "default/tests".into(),
        plan_hash: QueueScope::selection_hash([("s", files.as_slice())]),
    };
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let found = scopes_of_build(&redis.url(), "build-42", QueueOptions::default())
                .await
                .expect("lists the build's queues");
            assert_eq!(
                found.as_slice(),
                std::slice::from_ref(&scope),
                "one queue, scoped as every node computed it"
            );
            read_record(&redis.url(), scope, QueueOptions::default())
                .await
                .expect("reads the record")
        })
}

#[test]
fn a_node_killed_mid_batch_loses_nothing_and_nothing_counts_twice() {
    let redis = RedisServer::start();
    let markers = tempfile::tempdir().unwrap();
    let _cleanup = KillOnDrop(markers.path().join("blocker.pid"));
    let projects: Vec<Project> = (0..3).map(|_| node_project()).collect();
    let mut children: Vec<Option<Child>> = projects
        .iter()
        .enumerate()
        .map(|(i, project)| Some(node(project, &redis, markers.path(), i as u32, 0)))
        .collect();
    let node_file = markers.path().join("blocker.node");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !node_file.exists() {
        assert!(Instant::now() < deadline, "no node ran the blocker");
        std::thread::yield_now();
    }
    let victim: usize = std::fs::read_to_string(&node_file).unwrap().trim().parse().unwrap();
    let mut killed = children[victim].take().unwrap();
    killed.kill().expect("SIGKILL the node");
    let _ = killed.wait();
    let runs: BTreeMap<usize, Run> = children
        .into_iter()
        .enumerate()
        .filter_map(|(i, child)| child.map(|c| (i, finish(c))))
        .collect();
    for (i, run) in &runs {
        assert_eq!(run.code, 0, "node {i}: {}", run.describe());
    }
    let taken_over = runs
        .values()
        .any(|run| run.stdout.contains("took batch") || run.stderr.contains("took batch"));
    assert!(taken_over, "a live node says it took the dead node's batch over");

    let record = record(&redis);
    let check = record.exactly_once();
    assert!(check.holds(), "{check:?}");
    assert!(check.problems().is_empty(), "{:?}", check.problems());
    assert_eq!(check.tests, FILES + 1, "every test exactly once: {check:?}");
    let blocker = record
        .tests()
        .into_iter()
        .find(|t| t.test.file == "t/blocker.sh")
        .expect("the blocker has a result");
    assert_ne!(
        blocker.node as usize, victim,
        "a live node completed the dead node's batch"
    );
    // What the live nodes report locally, plus what the dead node stored before it died, is
    // every test once.
    let mut local: Vec<String> = runs
        .keys()
        .flat_map(|&i| {
            let summary = projects[i].summary();
            summary["tests"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t["id"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    local.extend(
        record
            .tests()
            .into_iter()
            .filter(|t| t.node as usize == victim)
            .map(|t| t.test.id),
    );
    local.sort();
    let mut expected: Vec<String> = record.tests().into_iter().map(|t| t.test.id).collect();
    expected.sort();
    assert_eq!(local, expected);

    // The merge step builds the build's one result from the queue's record: every test once,
    // the dead node's stored results included, with attempts from the live nodes' folders.
    let out = tempfile::tempdir().unwrap();
    let mut dirs: Vec<String> = runs
        .keys()
        .map(|&i| projects[i].path(".flotilla/runs").display().to_string())
        .collect();
    dirs.push(projects[victim].path(".flotilla/runs").display().to_string());
    let merged = merge_queue(&redis, out.path(), &dirs);
    assert_eq!(merged.code, 0, "{}", merged.describe());
    assert!(merged.stdout.contains("proven"), "{}", merged.describe());
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("merged/summary.json")).unwrap()).unwrap();
    let mut ids: Vec<String> = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    ids.sort();
    assert_eq!(ids, expected, "every test exactly once in the merged result");
    assert!(
        summary["tests"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["outcome"] == "passed")
    );
    assert_eq!(
        summary["merge"]["queue"]["batches"].as_u64().unwrap() as usize,
        record.batches.len()
    );
    let junit = std::fs::read_to_string(out.path().join("merged/junit.xml")).unwrap();
    assert_eq!(junit.matches("<testcase").count(), FILES + 1);
    let gate = Project::new().run(&["gate", &out.path().join("merged").display().to_string()]);
    assert_eq!(gate.code, 0, "the gate accepts the merged result: {}", gate.describe());

    // A node that starts now finds the queue drained, runs nothing and passes.
    let late = finish(node(&node_project(), &redis, markers.path(), 2, 0));
    assert_eq!(late.code, 0, "{}", late.describe());
    assert!(late.describe().contains("ran none"), "{}", late.describe());

    // The dead node, retried, replays exactly the batches it took, and nothing else.
    let mine = record.taken_by(victim as u32).to_vec();
    assert!(!mine.is_empty());
    let retried_project = node_project();
    let retried = finish(node(&retried_project, &redis, markers.path(), victim as u32, 1));
    assert_eq!(retried.code, 0, "{}", retried.describe());
    assert!(
        retried.describe().contains("replaying exactly"),
        "{}",
        retried.describe()
    );
    let replayed = retried_project.summary()["tests"].as_array().unwrap().len();
    let expected_units: usize = record
        .batches
        .iter()
        .filter(|b| mine.contains(&b.batch.id))
        .map(|b| b.batch.units.len())
        .sum();
    assert_eq!(replayed, expected_units, "{}", retried.describe());
    let after = record_after_retry(&redis, victim as u32);
    assert!(after.exactly_once().holds());
}

/// `flotilla merge --queue` in a folder of its own, as the build's merge step.
fn merge_queue(redis: &RedisServer, out: &std::path::Path, dirs: &[String]) -> Run {
    let url = redis.url();
    let merged = out.join("merged");
    let mut args = vec!["merge", "--queue", url.as_str(), "--out", merged.to_str().unwrap()];
    args.extend(dirs.iter().map(String::as_str));
    let project = Project::new();
    let mut command = project.command(&args);
    command
        .env("FLOTILLA_BUILD_ID", "build-42")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    finish(command.spawn().expect("flotilla starts"))
}

#[test]
fn a_batch_its_only_node_died_holding_is_named_by_the_merge_and_fails_it() {
    let redis = RedisServer::start();
    let markers = tempfile::tempdir().unwrap();
    let _cleanup = KillOnDrop(markers.path().join("blocker.pid"));
    let project = node_project();
    let mut child = node(&project, &redis, markers.path(), 0, 0);
    let node_file = markers.path().join("blocker.node");
    let deadline = Instant::now() + Duration::from_secs(60);
    while !node_file.exists() {
        assert!(Instant::now() < deadline, "the node never ran the blocker");
        std::thread::yield_now();
    }
    child.kill().expect("SIGKILL the node");
    let _ = child.wait();
    let out = tempfile::tempdir().unwrap();
    let merged = merge_queue(&redis, out.path(), &[]);
    assert_eq!(merged.code, 1, "{}", merged.describe());
    assert!(merged.stdout.contains("never completed"), "{}", merged.describe());
    assert!(
        merged.stdout.contains("held by"),
        "names who held it: {}",
        merged.describe()
    );
    assert!(merged.stdout.contains("not proven"), "{}", merged.describe());
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.path().join("merged/summary.json")).unwrap()).unwrap();
    let blocker = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == "t/blocker.sh")
        .expect("the unfinished batch's file is in the merged result");
    assert_eq!(blocker["outcome"], "error");
    let unfinished = summary["merge"]["queue"]["unfinished"].as_array().unwrap();
    assert!(
        unfinished
            .iter()
            .any(|b| b["units"].as_array().unwrap().iter().any(|u| u == "s: t/blocker.sh")),
        "{unfinished:?}"
    );
    // Every file either has the dead node's stored result or is an error: none is lost.
    assert_eq!(summary["tests"].as_array().unwrap().len(), FILES + 1);
    let gate = Project::new().run(&["gate", &out.path().join("merged").display().to_string()]);
    assert_ne!(gate.code, 0, "the gate refuses it: {}", gate.describe());
}

#[test]
fn merge_of_a_build_without_a_queue_says_how_to_find_it() {
    let redis = RedisServer::start();
    let out = tempfile::tempdir().unwrap();
    let merged = merge_queue(&redis, out.path(), &[]);
    assert_eq!(merged.code, 2, "{}", merged.describe());
    assert!(
        merged.stderr.contains("build-42") && merged.stderr.contains("FLOTILLA_BUILD_ID"),
        "{}",
        merged.describe()
    );
    let no_build = Project::new().run(&["merge", "--queue", &redis.url()]);
    assert_eq!(no_build.code, 2, "{}", no_build.describe());
    assert!(no_build.stderr.contains("FLOTILLA_BUILD_ID"), "{}", no_build.describe());
}

fn record_after_retry(redis: &RedisServer, victim: u32) -> flotilla::queue::QueueRecord {
    let record = record(redis);
    for batch in record
        .batches
        .iter()
        .filter(|b| record.taken_by(victim).contains(&b.batch.id))
    {
        assert_eq!(
            batch.result.as_ref().map(|r| r.retry),
            Some(1),
            "the retry's result counts"
        );
    }
    record
}

#[test]
fn a_queue_without_a_build_id_is_a_usage_error() {
    let project = node_project();
    let run = project.run(&["run", "--queue", "redis://127.0.0.1:1"]);
    assert_eq!(run.code, 2, "{}", run.describe());
    assert!(run.stderr.contains("FLOTILLA_BUILD_ID"), "{}", run.describe());
}

#[test]
fn an_unreachable_queue_falls_back_on_a_first_attempt_and_refuses_on_a_retry() {
    let port = crate::redis_server::free_port();
    let url = format!("redis://127.0.0.1:{port}");
    let project = node_project();
    // The blocker has "run before": it passes at once.
    let markers = tempfile::tempdir().unwrap();
    std::fs::create_dir(markers.path().join("blocker")).unwrap();
    let base = ["run", "--queue", url.as_str()];
    let first = {
        let mut command = project.command(&base);
        command
            .env("FLOTILLA_BUILD_ID", "b")
            .env("FLOTILLA_NODE_INDEX", "0")
            .env("FLOTILLA_NODE_TOTAL", "2")
            .env("QUEUE_MARKERS", markers.path());
        let output = command.output().unwrap();
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    };
    assert!(
        first
            .describe()
            .contains("falling back to node 0 of 2's static share of the plan"),
        "{}",
        first.describe()
    );
    let ran = project.summary()["tests"].as_array().unwrap().len();
    assert!(ran > 0 && ran < FILES + 1, "about half: {ran}\n{}", first.describe());
    let mut command = project.command(&base);
    command
        .env("FLOTILLA_BUILD_ID", "b")
        .env("FLOTILLA_NODE_INDEX", "0")
        .env("FLOTILLA_NODE_TOTAL", "2")
        .env("FLOTILLA_RETRY_COUNT", "1")
        .env("QUEUE_MARKERS", markers.path());
    let output = command.output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("is a retry"), "{stderr}");
}

#[test]
fn losing_redis_mid_run_fails_the_node_with_exit_3_and_names_the_queue() {
    let mut redis = RedisServer::start();
    let project = Project::new();
    project.config(CONFIG);
    // The first test to run says so, then takes long enough for the server to go away.
    project.file(
        "t/a.sh",
        "touch \"$QUEUE_MARKERS/started\"\nwhile [ ! -e \"$QUEUE_MARKERS/stopped\" ]; do sleep 0.05; done\n",
    );
    for i in 0..4 {
        project.file(&format!("t/b{i}.sh"), "exit 0\n");
    }
    let markers = tempfile::tempdir().unwrap();
    let child = node(&project, &redis, markers.path(), 0, 0);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !markers.path().join("started").exists() {
        assert!(Instant::now() < deadline, "the first test never started");
        std::thread::yield_now();
    }
    redis.stop();
    std::fs::write(markers.path().join("stopped"), "").unwrap();
    let run = finish(child);
    assert_eq!(run.code, 3, "{}", run.describe());
    assert!(run.stderr.contains(&redis.url()), "{}", run.describe());
}

//! One run is one whole: a single `run_started` and `run_finished` with the whole run's counts,
//! verdict and exit code, every event timed; `plan` predicts test steps as they run (one after
//! the other) and summary.json agrees; an interrupt while tests are being listed still writes
//! the reports and leaves no listing process behind.

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::harness::{Project, alive, expect_lines, fifo_lines, require_runner};

/// Two test steps, suites `a` and `b`, two files each, on 2 workers.
fn two_test_steps() -> Project {
    let project = Project::new();
    project.config(
        r#"[run]
workers = 2

[suite.a]
runner = "custom"
command = ["sh", "{file}"]
files = ["a/*.sh"]

[suite.b]
runner = "custom"
command = ["sh", "{file}"]
files = ["b/*.sh"]

[[step]]
name = "first"
suites = ["a"]

[[step]]
name = "second"
suites = ["b"]
"#,
    );
    for file in ["a/1.sh", "a/2.sh", "b/1.sh"] {
        project.file(file, "exit 0\n");
    }
    project.file("b/2.sh", "exit 1\n");
    project
}

#[test]
fn plan_predicts_each_test_step_and_the_run_writes_the_same_prediction() {
    let project = two_test_steps();
    let plan = project.run(&["plan", "--message-format", "json"]);
    assert_eq!(plan.code, 0, "{}", plan.describe());
    let plan: serde_json::Value = serde_json::from_str(plan.stdout.trim()).unwrap();
    let steps = plan["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 2, "one plan per test step: {plan}");
    let per_step: Vec<f64> = steps.iter().map(|s| s["makespan_secs"].as_f64().unwrap()).collect();
    let predicted = plan["makespan_secs"].as_f64().unwrap();
    assert!(
        (predicted - per_step.iter().sum::<f64>()).abs() < 1e-9,
        "the run's prediction is the sum of its steps': {plan}"
    );
    // Each step has two files on two workers: it takes one file's time, not two.
    for (step, makespan) in steps.iter().zip(&per_step) {
        let longest = step["workers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["load_secs"].as_f64().unwrap())
            .fold(0.0, f64::max);
        assert!((makespan - longest).abs() < 1e-9, "{step}");
    }
    let human = project.run(&["plan"]);
    assert!(
        human.stdout.contains("step `first`:") && human.stdout.contains("step `second`:"),
        "{}",
        human.describe()
    );
    assert!(human.stdout.contains("predicted total"), "{}", human.describe());

    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let summary = project.summary();
    let written = summary["predicted_secs"].as_f64().unwrap();
    assert!(
        (written - predicted).abs() < 1e-6,
        "summary.json predicted {written}s, plan predicted {predicted}s"
    );
}

#[test]
fn one_run_started_and_one_run_finished_with_the_whole_runs_verdict() {
    let project = two_test_steps();
    let run = project.run(&["run", "--message-format", "json"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let events: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("every stdout line is JSON"))
        .collect();
    let kinds: Vec<&str> = events.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(kinds.iter().filter(|k| **k == "run_started").count(), 1, "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| **k == "run_finished").count(), 1, "{kinds:?}");
    assert_eq!(kinds.first(), Some(&"run_started"));
    assert_eq!(kinds.last(), Some(&"run_finished"));
    assert_eq!(events[0]["version"], 1, "the stream says its schema version first");
    let finished = events.last().unwrap();
    assert_eq!(finished["counts"]["passed"], 3, "{finished}");
    assert_eq!(finished["counts"]["failed"], 1, "{finished}");
    assert_eq!(finished["verdict"], "failed");
    assert_eq!(finished["exit_code"], 1);
    // Every event is timed, and time only goes forward.
    let mut last = 0.0;
    for event in &events {
        let elapsed = event["elapsed_secs"]
            .as_f64()
            .unwrap_or_else(|| panic!("no elapsed_secs: {event}"));
        assert!(elapsed >= last, "time went back at {event}");
        last = elapsed;
        let time = event["time"].as_str().unwrap_or_else(|| panic!("no time: {event}"));
        chrono::DateTime::parse_from_rfc3339(time).unwrap_or_else(|e| panic!("{time}: {e}"));
    }
    let planned = events
        .iter()
        .find(|e| e["event"] == "planned")
        .expect("a planned event");
    assert_eq!(planned["steps"].as_array().unwrap().len(), 2, "{planned}");
}

#[test]
fn sigterm_while_listing_tests_writes_reports_and_kills_the_listing() {
    require_runner(&["pytest", "--version"]);
    let project = Project::new();
    project.config(
        "[run]\nworkers = 2\n\n[suite.py]\nrunner = \"pytest\"\nfiles = [\"tests/test_*.py\"]\nsplit = \"always\"\n",
    );
    // The listing (`pytest --collect-only`) announces itself and hangs; real runs do not.
    project.file(
        "tests/conftest.py",
        r#"import os, sys, time
if "--collect-only" in sys.argv and os.path.exists(os.path.join(os.environ.get("PROJECT_ROOT", "."), "hang")):
    root = os.environ["PROJECT_ROOT"]
    with open(os.path.join(root, "listing.pid"), "w") as f:
        f.write(str(os.getpid()))
    with open(os.path.join(root, "ready"), "w") as f:
        f.write("listing\n")
    time.sleep(1000)
"#,
    );
    let mut big = String::from("import time\n");
    for i in 0..6 {
        big.push_str(&format!("def test_big_{i}():\n    time.sleep(0.2)\n"));
    }
    project.file("tests/test_big.py", &big);
    project.file("tests/test_small.py", "def test_small(): pass\n");
    // The first run measures the big file, so the second one lists it to split it.
    let first = project.run(&["run"]);
    assert_eq!(first.code, 0, "{}", first.describe());
    project.file("hang", "");
    let ready = fifo_lines(&project.path("ready"));
    let child = project.spawn(&["run"]);
    expect_lines(&ready, 1);
    let listing: i32 = std::fs::read_to_string(project.path("listing.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    kill(Pid::from_raw(i32::try_from(child.id()).unwrap()), Signal::SIGTERM).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!alive(listing), "the listing process {listing} outlived flotilla");
    let summary = project.summary();
    assert_eq!(summary["interrupted"], true);
    let not_run = crate::harness::not_run_files(&summary);
    assert!(
        not_run.iter().any(|f| f == "tests/test_big.py") && not_run.iter().any(|f| f == "tests/test_small.py"),
        "{not_run:?}"
    );
    assert!(project.latest("junit.xml").exists());
}

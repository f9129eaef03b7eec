//! Fast feedback: a test that failed recently starts first on the next run, the time to first
//! failure is in the events, summary.json and the terminal, and a first run does not queue
//! files in name order (bigger files first, ties from both ends of the names inwards).

use crate::harness::Project;

/// One worker, so the jobs' start order is the dispatch order.
const SUITE: &str =
    "[run]\nworkers = 1\n\n[suite.s]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\"]\nfiles = [\"t/*.sh\"]\n";

fn job_files(summary: &serde_json::Value) -> Vec<String> {
    summary["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|job| job["files"][0].as_str().unwrap().to_string())
        .collect()
}

fn first_failure_events(project: &Project) -> Vec<serde_json::Value> {
    std::fs::read_to_string(project.latest("events.jsonl"))
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str::<serde_json::Value>(line).unwrap())
        .filter(|event| event["event"] == "first_failure")
        .collect()
}

#[test]
fn a_recent_failure_runs_first_and_its_time_is_reported() {
    let project = Project::new();
    project.config(SUITE);
    // Each fails while its marker exists, as a real regression would until it is fixed; all
    // are the same size, so the cold run has no reason to start one first.
    for name in ["a", "b", "c", "d", "e", "f"] {
        project.file(
            &format!("t/{name}.sh"),
            &format!("test -e fail-{name} && exit 1\nexit 0\n"),
        );
    }
    project.file("fail-c", "");
    let first = project.run(&["run"]);
    assert_eq!(first.code, 1, "{}", first.describe());
    let cold = job_files(&project.summary());
    assert_ne!(
        cold[0], "t/c.sh",
        "the cold run has no reason to start it first: {cold:?}"
    );

    let again = project.run(&["run", "--message-format", "json"]);
    assert_eq!(again.code, 1, "{}", again.describe());
    let summary = project.summary();
    assert_eq!(job_files(&summary)[0], "t/c.sh", "{}", again.describe());
    let events = first_failure_events(&project);
    assert_eq!(events.len(), 1, "once per run: {events:?}");
    assert_eq!(events[0]["id"], "t/c.sh");
    assert_eq!(events[0]["outcome"], "failed");
    let first_job = &summary["jobs"][0];
    let job_end = first_job["started_secs"].as_f64().unwrap() + first_job["duration_secs"].as_f64().unwrap();
    let secs = summary["first_failure_secs"].as_f64().expect("a failure has a time");
    assert!((secs - job_end).abs() < 1e-6, "{secs} vs {job_end}");
    assert!(
        events[0]["elapsed_secs"].as_f64().unwrap() >= secs,
        "the event follows the job's end"
    );

    // Fixed: it passes, and nothing failed, so there is no first failure.
    std::fs::remove_file(project.path("fail-c")).unwrap();
    let green = project.run(&["run"]);
    assert_eq!(green.code, 0, "{}", green.describe());
    assert!(project.summary()["first_failure_secs"].is_null());
    assert!(first_failure_events(&project).is_empty());
    assert!(!green.stdout.contains("first failure after"), "{}", green.stdout);
}

#[test]
fn the_terminal_names_the_first_failure() {
    let project = Project::new();
    project
        .config(SUITE)
        .file("t/a.sh", "exit 0\n")
        .file("t/b.sh", "exit 1\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert!(run.stdout.contains("first failure after "), "{}", run.stdout);
    assert!(run.stdout.contains(": s t/b.sh\n"), "{}", run.stdout);
}

#[test]
fn a_first_run_takes_files_from_both_ends_of_the_names_inwards() {
    // Names that follow duration (`t1_quick` … `t5_full`) would put the longest file last.
    let project = Project::new();
    project.config(SUITE);
    for name in ["t1", "t2", "t3", "t4", "t5"] {
        project.file(&format!("t/{name}.sh"), "exit 0\n");
    }
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(
        job_files(&project.summary()),
        ["t/t5.sh", "t/t1.sh", "t/t4.sh", "t/t2.sh", "t/t3.sh"]
    );
}

#[test]
fn a_first_run_starts_the_biggest_files_first() {
    let project = Project::new();
    project.config(SUITE);
    let big = format!("{}exit 0\n", "# a test\n".repeat(100));
    project
        .file("t/a.sh", "exit 0\n")
        .file("t/b.sh", "exit 0\n")
        .file("t/c.sh", &big)
        .file("t/d.sh", "exit 0\n");
    let list = project.run(&["list"]);
    let line = list.stdout.lines().find(|l| l.contains("t/c.sh")).unwrap();
    assert!(line.contains("fallback: file size"), "{}", list.stdout);
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(job_files(&project.summary())[0], "t/c.sh");
}

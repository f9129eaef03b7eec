//! `flotilla gate`: summary.json files written into temp folders (as several steps, suites and
//! CI nodes would leave them), plus one written by a real run, judged by the real binary.

use serde_json::json;

use crate::harness::Project;

/// A schema-1 summary.json with one test per `(suite, outcome)`.
fn summary(run_id: &str, tests: &[(&str, &str)], interrupted: bool) -> String {
    let failed = tests
        .iter()
        .filter(|(_, outcome)| matches!(*outcome, "failed" | "error" | "timed_out"))
        .count();
    let count = |which: &str| tests.iter().filter(|(_, outcome)| *outcome == which).count();
    let tests_json: Vec<_> = tests
        .iter()
        .enumerate()
        .map(|(i, (suite, outcome))| {
            json!({
                "suite": suite, "id": format!("t/{i}.sh"), "name": format!("t/{i}.sh"),
                "file": format!("t/{i}.sh"), "outcome": outcome,
                "attempts": [{"attempt": 1, "outcome": outcome, "duration_secs": 0.1, "worker": 1, "job": i}]
            })
        })
        .collect();
    let jobs: Vec<_> = tests
        .iter()
        .enumerate()
        .map(|(i, (suite, _))| json!({"id": i, "suite": suite, "worker": 1, "attempt": 1, "files": [format!("t/{i}.sh")]}))
        .collect();
    let value = json!({
        "schema_version": 1,
        "run_id": run_id,
        "started_at": "2026-11-22T10:00:00+00:00",
        "duration_secs": 1.5,
        "predicted_secs": 1.0,
        "workers": 2,
        "interrupted": interrupted,
        "passed": failed == 0 && !interrupted,
        "counts": {"passed": count("passed"), "failed": count("failed"), "skipped": count("skipped"),
                   "flaky": count("flaky"), "timed_out": count("timed_out"), "error": count("error"),
                   "total": tests.len()},
        "tests": tests_json,
        "jobs": jobs,
        "not_run": [],
    });
    serde_json::to_string_pretty(&value).unwrap()
}

fn row<'a>(stdout: &'a str, status: &str, suite: &str) -> Option<&'a str> {
    stdout.lines().find(|line| {
        let mut words = line.split_whitespace();
        words.next() == Some(status) && words.next() == Some(suite)
    })
}

#[test]
fn all_green_passes_and_lists_every_suite() {
    let project = Project::new();
    project
        .file(
            "artifacts/unit/summary.json",
            &summary("r1", &[("unit", "passed"), ("unit", "skipped")], false),
        )
        .file(
            "artifacts/e2e/summary.json",
            &summary("r2", &[("e2e", "passed"), ("e2e", "flaky")], false),
        );
    let run = project.run(&["gate", "artifacts", "--require", "e2e", "--require", "un*"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert!(row(&run.stdout, "passed", "unit").is_some(), "{}", run.describe());
    let e2e = row(&run.stdout, "passed", "e2e").expect("e2e row");
    assert!(e2e.contains("artifacts/e2e/summary.json"), "{e2e}");
    assert_eq!(
        run.last_line(),
        "gate passed: 2 suites green in 2 summary.json files under artifacts",
        "{}",
        run.describe()
    );
}

#[test]
fn one_failed_suite_fails_the_gate() {
    let project = Project::new();
    project
        .file(
            "artifacts/unit/summary.json",
            &summary("r1", &[("unit", "passed")], false),
        )
        .file(
            "artifacts/api/summary.json",
            &summary("r2", &[("api", "passed"), ("api", "failed")], false),
        );
    let run = project.run(&["gate", "artifacts"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let api = row(&run.stdout, "FAILED", "api").expect("api row");
    assert!(api.contains("failed in artifacts/api/summary.json"), "{api}");
    assert!(row(&run.stdout, "passed", "unit").is_some(), "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "gate failed: 1 failed; 1 passed (2 summary.json files under artifacts)"
    );
}

#[test]
fn an_interrupted_run_fails_the_gate() {
    let project = Project::new();
    project.file("artifacts/summary.json", &summary("r1", &[("api", "passed")], true));
    let run = project.run(&["gate", "artifacts"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert!(row(&run.stdout, "INTERRUPTED", "api").is_some(), "{}", run.describe());
    assert!(
        run.last_line().starts_with("gate failed: 1 interrupted;"),
        "{}",
        run.describe()
    );
}

#[test]
fn a_required_suite_without_a_summary_is_missing() {
    let project = Project::new();
    project.file("artifacts/summary.json", &summary("r1", &[("api", "passed")], false));
    let run = project.run(&["gate", "artifacts", "--require", "api", "--require", "smoke"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let smoke = row(&run.stdout, "MISSING", "smoke").expect("smoke row");
    assert!(smoke.contains("required by --require `smoke`"), "{smoke}");
    assert!(row(&run.stdout, "passed", "api").is_some(), "{}", run.describe());
    assert!(
        run.last_line().starts_with("gate failed: 1 missing; 1 passed"),
        "{}",
        run.describe()
    );
}

#[test]
fn a_new_suite_is_gated_without_editing_anything() {
    let project = Project::new();
    project
        .file(
            "artifacts/api/summary.json",
            &summary("r1", &[("api", "passed")], false),
        )
        .file(
            "artifacts/payments/summary.json",
            &summary("r2", &[("payments", "passed")], false),
        );
    let run = project.run(&["gate", "artifacts"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert!(row(&run.stdout, "passed", "payments").is_some(), "{}", run.describe());

    project.file(
        "artifacts/payments/summary.json",
        &summary("r2", &[("payments", "timed_out")], false),
    );
    let run = project.run(&["gate", "artifacts", "--require", "api"]);
    assert_eq!(
        run.code,
        1,
        "a red suite nobody listed still fails the gate\n{}",
        run.describe()
    );
    assert!(row(&run.stdout, "FAILED", "payments").is_some(), "{}", run.describe());
}

#[test]
fn a_malformed_summary_fails_and_names_the_file() {
    let project = Project::new();
    project
        .file(
            "artifacts/good/summary.json",
            &summary("r1", &[("api", "passed")], false),
        )
        .file("artifacts/broken/summary.json", "{\"schema_version\": 1, \"run_id\": ")
        .file("artifacts/other-tool/summary.json", "{\"total\": 3}");
    let run = project.run(&["gate", "artifacts"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let broken = run
        .stdout
        .lines()
        .find(|l| l.contains("artifacts/broken/summary.json"))
        .expect("broken row");
    assert!(broken.starts_with("MALFORMED"), "{broken}");
    assert!(
        broken.contains("not a flotilla summary.json: EOF while parsing"),
        "{broken}"
    );
    let other = run
        .stdout
        .lines()
        .find(|l| l.contains("artifacts/other-tool/summary.json"))
        .expect("other-tool row");
    assert!(other.contains("missing field"), "{other}");
    assert!(
        run.last_line().starts_with("gate failed: 2 malformed; 1 passed"),
        "{}",
        run.describe()
    );
}

#[test]
fn two_nodes_of_one_suite_merge_and_one_red_node_fails_it() {
    let project = Project::new();
    project
        .file(
            "artifacts/node-0/.flotilla/runs/20261122-100000-aaaa/summary.json",
            &summary("20261122-100000-aaaa", &[("api", "passed"), ("api", "passed")], false),
        )
        .file(
            "artifacts/node-1/.flotilla/runs/20261122-100001-bbbb/summary.json",
            &summary("20261122-100001-bbbb", &[("api", "passed"), ("api", "error")], false),
        );
    let run = project.run(&["gate", "artifacts", "--require", "api"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let api = row(&run.stdout, "FAILED", "api").expect("one merged api row");
    assert_eq!(
        run.stdout.lines().filter(|l| l.contains(" api ")).count(),
        1,
        "{}",
        run.describe()
    );
    let columns: Vec<&str> = api.split_whitespace().collect();
    assert_eq!(columns[2..4], ["4", "1"], "4 tests, 1 failed: {api}");
    assert!(
        api.contains(
            "failed in artifacts/node-1/.flotilla/runs/20261122-100001-bbbb/summary.json; \
             passed in artifacts/node-0/.flotilla/runs/20261122-100000-aaaa/summary.json"
        ),
        "{api}"
    );
}

#[test]
fn nothing_to_judge_fails_and_a_missing_folder_is_a_usage_error() {
    let project = Project::new();
    project.file("artifacts/readme.txt", "no results here");
    let run = project.run(&["gate", "artifacts"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert!(row(&run.stdout, "MISSING", "(any)").is_some(), "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "gate failed: 1 missing; 0 passed (0 summary.json files under artifacts)"
    );

    let run = project.run(&["gate", "artifacts", "no-such-folder"]);
    assert_eq!(run.code, 2, "{}", run.describe());
    assert!(
        run.stderr
            .contains("`no-such-folder` does not exist; pass the folders that hold the summary.json files"),
        "{}",
        run.describe()
    );
    assert_eq!(project.run(&["gate"]).code, 2, "DIR is required");
    let bad_glob = project.run(&["gate", "artifacts", "--require", "["]);
    assert_eq!(bad_glob.code, 2, "{}", bad_glob.describe());
    assert!(
        bad_glob.stderr.contains("invalid suite glob `[`"),
        "{}",
        bad_glob.describe()
    );
}

#[test]
fn gates_what_a_real_run_wrote_and_counts_latest_once() {
    let project = Project::new();
    project
        .config(
            r#"
[suite.good]
runner = "custom"
command = ["sh", "{file}"]
files = ["good/*.sh"]

[suite.bad]
runner = "custom"
command = ["sh", "{file}"]
files = ["bad/*.sh"]
"#,
        )
        .file("good/a.sh", "exit 0\n")
        .file("bad/b.sh", "exit 1\n");
    let run = project.run(&["run", "--suite", "good"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let gate = project.run(&["gate", ".flotilla/runs", "--require", "good"]);
    assert_eq!(gate.code, 0, "{}", gate.describe());
    assert!(
        gate.last_line().contains("in 1 summary.json file under .flotilla/runs"),
        "the run behind `latest` is counted once: {}",
        gate.describe()
    );

    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let gate = project.run(&["gate", ".flotilla/runs/latest"]);
    assert_eq!(gate.code, 1, "{}", gate.describe());
    assert!(row(&gate.stdout, "FAILED", "bad").is_some(), "{}", gate.describe());
    assert!(row(&gate.stdout, "passed", "good").is_some(), "{}", gate.describe());
}

#[test]
fn folders_are_relative_to_dash_c() {
    let project = Project::new();
    project.file(
        "sub/artifacts/summary.json",
        &summary("r1", &[("api", "passed")], false),
    );
    let run = project.run(&["-C", "sub", "gate", "artifacts"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert!(run.last_line().ends_with("under sub/artifacts"), "{}", run.describe());
}

//! The jest adapter against real Jest (tests/fixtures/runners/jest): files passed with
//! `--runTestsByPath`, tests retried with an anchored `-t` of their full names, a flaky test,
//! files that fail to run (errors outside tests, never retried), `-t` selection, and a slow
//! file split into its tests across workers (listed by a run whose `-t` matches nothing).

use crate::harness::{Project, require_runner, retried_tests, runner_fixture, tests_by_id, workers_of};

const CONFIG: &str = "[run]\nworkers = 3\n\n[suite.js]\nrunner = \"jest\"\ncommand = [\"jest\"]\nfiles = [\"tests/*.test.js\", \"broken/*.test.js\"]\nretries = 1\n";

fn project() -> Project {
    require_runner(&["jest", "--version"]);
    let project = runner_fixture("jest");
    project.config(CONFIG);
    project
}

#[test]
fn retries_failed_tests_and_reports_files_that_fail_to_run_once() {
    let project = project();
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "13 passed, 1 failed, 2 skipped, 1 flaky, 2 errors",
        "{}",
        run.describe()
    );
    let summary = project.summary();
    assert_eq!(
        retried_tests(&summary),
        [
            "tests/fail.test.js::Failing fails [p0]",
            "tests/flaky.test.js::passes on retry [p1]"
        ],
        "only the failed tests are retried"
    );
    let tests = tests_by_id(&summary);
    assert_eq!(tests["tests/flaky.test.js::passes on retry [p1]"]["outcome"], "flaky");
    let failed = &tests["tests/fail.test.js::Failing fails [p0]"];
    assert_eq!(failed["attempts"].as_array().unwrap().len(), 2);
    assert_eq!(
        tests["tests/fail.test.js::Failing passes next to the failure"]["attempts"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "the retry's -t skips the other tests of the file: they are not counted again"
    );
    for (file, says) in [
        ("broken/broken.test.js", "flotilla-no-such-module"),
        ("broken/syntax.test.js", "SyntaxError"),
    ] {
        let broken = &tests[&format!("{file}::<outside tests>")];
        assert_eq!(broken["outcome"], "error");
        assert_eq!(broken["outside_tests"], true);
        assert_eq!(broken["attempts"].as_array().unwrap().len(), 1, "never retried");
        assert!(
            broken["attempts"][0]["message"].as_str().unwrap().contains(says),
            "{broken}"
        );
    }
}

#[test]
fn a_slow_file_is_split_into_tests_on_the_second_run() {
    let project = project();
    // Two files keep this test quick: each Jest job pays about a second of start-up.
    // Whether a split pays for its start-ups is `split_worth`'s (unit-tested, and
    // `pytest_runner::a_sub_second_big_file_is_not_split...`); this test is about the split.
    project.config(
        &CONFIG
            .replace(
                "[\"tests/*.test.js\", \"broken/*.test.js\"]",
                "[\"tests/slow.test.js\", \"tests/pass.test.js\"]",
            )
            .replace("retries = 1", "retries = 1\nsplit = \"always\""),
    );
    project.run(&["run"]);
    let plan = project.run(&["plan"]);
    assert!(
        plan.stdout.contains("8 tests split out of big files"),
        "{}",
        plan.stdout
    );
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.last_line(), "12 passed, 0 failed, 2 skipped", "{}", run.describe());
    let summary = project.summary();
    let workers = workers_of(&summary, "tests/slow.test.js");
    assert!(workers.len() > 1, "the slow file ran on one worker: {workers:?}");
    let tests = tests_by_id(&summary);
    let slow: Vec<&serde_json::Value> = tests
        .iter()
        .filter(|(id, _)| id.starts_with("tests/slow.test.js"))
        .map(|(_, t)| t)
        .collect();
    assert_eq!(slow.len(), 8);
    assert!(
        slow.iter()
            .all(|t| t["outcome"] == "passed" && t["attempts"].as_array().unwrap().len() == 1)
    );
}

#[test]
fn select_maps_to_test_name_pattern() {
    let project = project();
    project.config(&CONFIG.replace(", \"broken/*.test.js\"", ""));
    let run = project.run(&["run", "--select", r"\[p0\]"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let tests = tests_by_id(&project.summary());
    let ran: Vec<&str> = tests
        .iter()
        .filter(|(_, t)| t["outcome"] != "skipped")
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(
        ran,
        [
            "tests/fail.test.js::Failing fails [p0]",
            "tests/pass.test.js::Calculator adds [p0]",
            "tests/pass.test.js::top-level test [p0]"
        ]
    );
}

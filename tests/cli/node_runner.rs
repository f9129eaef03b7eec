//! The node adapter against real `node --test` (tests/fixtures/runners/node), with flotilla's
//! reporter: tests retried by name, a flaky test, a file that fails to import (an error outside
//! tests, never retried), `--test-name-pattern` selection, and a slow file split into its tests
//! across workers (listed by a run whose name pattern matches nothing).

use crate::harness::{Project, require_runner, retried_tests, runner_fixture, tests_by_id, workers_of};

const CONFIG: &str = "[run]\nworkers = 3\n\n[suite.node]\nrunner = \"node\"\nfiles = [\"tests/*.test.mjs\", \"broken/*.test.mjs\"]\nretries = 1\n";

fn project() -> Project {
    require_runner(&["node", "--version"]);
    let project = runner_fixture("node");
    project.config(CONFIG);
    project
}

#[test]
fn retries_failed_tests_and_reports_import_errors_once() {
    let project = project();
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "13 passed, 1 failed, 2 skipped, 1 flaky, 1 errors",
        "{}",
        run.describe()
    );
    let summary = project.summary();
    assert_eq!(
        retried_tests(&summary),
        [
            "tests/fail.test.mjs::Failing > fails [p0]",
            "tests/flaky.test.mjs::passes on retry [p1]"
        ],
        "only the failed tests are retried"
    );
    let tests = tests_by_id(&summary);
    assert_eq!(tests["tests/flaky.test.mjs::passes on retry [p1]"]["outcome"], "flaky");
    assert_eq!(
        tests["tests/pass.test.mjs::Calculator > with strings > concatenates (odd) names: a/b | c.*"]["outcome"],
        "passed"
    );
    let broken = &tests["broken/broken.test.mjs::<outside tests>"];
    assert_eq!(broken["outcome"], "error");
    assert_eq!(broken["outside_tests"], true);
    assert_eq!(broken["attempts"].as_array().unwrap().len(), 1, "never retried");
    assert!(
        broken["attempts"][0]["message"]
            .as_str()
            .unwrap()
            .contains("flotilla-no-such-module"),
        "{broken}"
    );
}

#[test]
fn a_slow_file_is_split_into_tests_on_the_second_run() {
    let project = project();
    // Whether a split pays for its start-ups is `split_worth`'s (unit-tested, and
    // `pytest_runner::a_sub_second_big_file_is_not_split...`); this test is about the split.
    project.config(&CONFIG.replace("retries = 1", "retries = 1\nsplit = \"always\""));
    project.run(&["run"]);
    project.reset_flaky();
    let plan = project.run(&["plan"]);
    assert!(
        plan.stdout.contains("8 tests split out of big files"),
        "{}",
        plan.stdout
    );
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let summary = project.summary();
    let workers = workers_of(&summary, "tests/slow.test.mjs");
    assert!(workers.len() > 1, "the slow file ran on one worker: {workers:?}");
    let tests = tests_by_id(&summary);
    let slow: Vec<&str> = tests
        .keys()
        .filter(|id| id.starts_with("tests/slow.test.mjs"))
        .map(String::as_str)
        .collect();
    assert_eq!(slow.len(), 8, "each slow test ran once: {slow:?}");
}

#[test]
fn select_maps_to_test_name_pattern() {
    let project = project();
    project.config(&CONFIG.replace(", \"broken/*.test.mjs\"", ""));
    let run = project.run(&["run", "--select", r"\[p0\]"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let tests = tests_by_id(&project.summary());
    let ran: Vec<&str> = tests.keys().map(String::as_str).collect();
    assert_eq!(
        ran,
        [
            "tests/fail.test.mjs::Failing > fails [p0]",
            "tests/pass.test.mjs::Calculator > adds [p0]",
            "tests/pass.test.mjs::top-level test [p0]"
        ]
    );
}

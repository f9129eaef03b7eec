//! The go adapter against real `go test` (tests/fixtures/runners/go): package folders as
//! units, top-level tests retried with `-run`, a flaky test, a package that does not compile
//! (an error outside tests, never retried), `-run` selection, and a slow package split into
//! its tests across workers.

use crate::harness::{Project, require_runner, retried_tests, runner_fixture, tests_by_id, workers_of};

const CONFIG: &str = "[run]\nworkers = 3\n\n[suite.go]\nrunner = \"go\"\nretries = 1\n";

fn project() -> Project {
    require_runner(&["go", "version"]);
    let project = runner_fixture("go");
    project.config(CONFIG);
    project
}

#[test]
fn retries_failed_tests_and_reports_build_failures_once() {
    let project = project();
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "16 passed, 3 failed, 1 skipped, 1 flaky, 1 errors",
        "{}",
        run.describe()
    );
    let summary = project.summary();
    assert_eq!(
        retried_tests(&summary),
        [
            "fail::TestFailsP0",
            "fail::TestParent",
            "fail::TestParent/bad",
            "flaky::TestPassesOnRetryP1"
        ],
        "only the failed tests are retried"
    );
    let tests = tests_by_id(&summary);
    assert_eq!(tests["flaky::TestPassesOnRetryP1"]["outcome"], "flaky");
    assert_eq!(tests["fail::TestParent/bad"]["outcome"], "failed");
    assert_eq!(tests["pass::TestTable/with_space"]["outcome"], "passed");
    let broken = &tests["broken::<outside tests>"];
    assert_eq!(broken["outcome"], "error");
    assert_eq!(broken["outside_tests"], true);
    assert_eq!(broken["attempts"].as_array().unwrap().len(), 1, "never retried");
    assert!(
        broken["attempts"][0]["message"]
            .as_str()
            .unwrap()
            .contains("undefined: undefinedName"),
        "{broken}"
    );
}

#[test]
fn a_slow_package_is_split_into_tests_on_the_second_run() {
    let project = project();
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
    let workers = workers_of(&summary, "slow");
    assert!(workers.len() > 1, "the slow package ran on one worker: {workers:?}");
    let tests = tests_by_id(&summary);
    assert_eq!(tests["slow::TestSlow7"]["attempts"].as_array().unwrap().len(), 1);
}

#[test]
fn select_maps_to_run() {
    let project = project();
    project.config(&CONFIG.replace("retries = 1", "retries = 1\nexclude = [\"broken/**\"]"));
    let run = project.run(&["run", "--select", "P0"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let tests = tests_by_id(&project.summary());
    let ran: Vec<&str> = tests.keys().map(String::as_str).collect();
    assert_eq!(ran, ["fail::TestFailsP0", "pass::TestAddP0"]);
}

//! The cucumber adapter against real Cucumber (tests/fixtures/runners/cucumber): scenarios
//! retried by `file:line`, a flaky scenario, a feature file that does not parse (cucumber exits
//! 2 before running anything: an error outside tests), `--tags` selection, and a slow outline
//! split into its rows across workers.

use crate::harness::{
    Project, assert_requeued_around, make_slowest_in_history, require_runner, retried_tests, runner_fixture,
    tests_by_id, workers_of,
};

const CONFIG: &str = "[run]\nworkers = 3\n\n[suite.features]\nrunner = \"cucumber\"\nretries = 1\n";

/// A passing stand-in for the broken file, longer than any other file of the fixture.
const SLOW_STAND_IN: &str = "Feature: Broken\n  Scenario: Sleeps\n    Given I sleep 4 seconds as number 0\n";

fn project() -> Project {
    require_runner(&["cucumber", "--version"]);
    let project = runner_fixture("cucumber");
    project.config(CONFIG);
    project
}

#[test]
fn retries_failed_scenarios_and_reports_parse_errors_once() {
    let project = project();
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "12 passed, 1 failed, 1 skipped, 1 flaky, 1 errors",
        "{}",
        run.describe()
    );
    let summary = project.summary();
    assert_eq!(
        retried_tests(&summary),
        ["features/fail.feature:5", "features/flaky.feature:6"],
        "only the failed scenarios are retried"
    );
    let tests = tests_by_id(&summary);
    assert_eq!(tests["features/flaky.feature:6"]["outcome"], "flaky");
    assert_eq!(tests["features/fail.feature:5"]["outcome"], "failed");
    let broken = &tests["features/broken/broken.feature::<outside tests>"];
    assert_eq!(broken["outcome"], "error");
    assert_eq!(broken["outside_tests"], true);
    assert_eq!(broken["attempts"].as_array().unwrap().len(), 1, "never retried");
    assert!(
        broken["attempts"][0]["message"]
            .as_str()
            .unwrap()
            .contains("Parser errors"),
        "{broken}"
    );
}

#[test]
fn a_parse_error_in_a_shared_job_requeues_the_other_features() {
    let project = project();
    make_slowest_in_history(&project, "features/broken/broken.feature", SLOW_STAND_IN);
    // One worker: the broken file shares a job with others, and Cucumber then runs no scenario.
    let run = project.run(&["run", "--workers", "1"]);
    assert_eq!(
        run.last_line(),
        "12 passed, 1 failed, 1 skipped, 1 flaky, 1 errors",
        "{}",
        run.describe()
    );
    assert_requeued_around(&project.summary(), "features/broken/broken.feature");
}

#[test]
fn a_slow_outline_is_split_into_rows_on_the_second_run() {
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
    let workers = workers_of(&summary, "features/slow.feature");
    assert!(workers.len() > 1, "the slow file ran on one worker: {workers:?}");
    assert!(tests_by_id(&summary).contains_key("features/slow.feature:16"));
}

#[test]
fn select_maps_to_tags() {
    let project = project();
    project.config(&CONFIG.replace("retries = 1", "retries = 1\nexclude = [\"features/broken/**\"]"));
    let run = project.run(&["run", "--select", "@p0"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let tests = tests_by_id(&project.summary());
    let ran: Vec<&str> = tests.keys().map(String::as_str).collect();
    assert_eq!(ran, ["features/fail.feature:5", "features/pass.feature:5"]);
}

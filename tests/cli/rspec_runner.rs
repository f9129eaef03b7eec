//! The rspec adapter against real RSpec (tests/fixtures/runners/rspec): per-example retries,
//! a flaky example, a file that fails to load (an error outside examples, which makes RSpec run
//! nothing else: the other files are queued again), `--tag` selection, and a slow file split
//! into examples across workers.

use crate::harness::{
    Project, assert_requeued_around, make_slowest_in_history, require_runner, retried_tests, runner_fixture,
    tests_by_id, workers_of,
};

const CONFIG: &str = "[run]\nworkers = 3\n\n[suite.specs]\nrunner = \"rspec\"\nfiles = [\"spec/*_spec.rb\", \"broken/*_spec.rb\"]\nretries = 1\n";

/// A passing stand-in for the broken file, longer than any other file of the fixture.
const SLOW_STAND_IN: &str = "RSpec.describe \"Broken\" do\n  it \"sleeps\" do\n    sleep 4\n  end\nend\n";

fn project() -> Project {
    require_runner(&["rspec", "--version"]);
    let project = runner_fixture("rspec");
    project.config(CONFIG);
    project
}

#[test]
fn retries_failed_examples_and_reports_load_errors_once() {
    let project = project();
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "12 passed, 1 failed, 2 skipped, 1 flaky, 1 errors",
        "{}",
        run.describe()
    );
    let summary = project.summary();
    assert_eq!(
        retried_tests(&summary),
        ["spec/fail_spec.rb[1:1]", "spec/flaky_spec.rb[1:1]"],
        "only the failed examples are retried"
    );
    let tests = tests_by_id(&summary);
    assert_eq!(tests["spec/flaky_spec.rb[1:1]"]["outcome"], "flaky");
    assert_eq!(tests["spec/fail_spec.rb[1:1]"]["attempts"].as_array().unwrap().len(), 2);
    let broken = &tests["broken/broken_spec.rb::<outside tests>"];
    assert_eq!(broken["outcome"], "error");
    assert_eq!(broken["outside_tests"], true);
    assert_eq!(broken["attempts"].as_array().unwrap().len(), 1, "never retried");
    assert!(
        broken["attempts"][0]["message"]
            .as_str()
            .unwrap()
            .contains("flotilla_no_such_library"),
        "{broken}"
    );
}

#[test]
fn a_slow_file_is_split_into_examples_on_the_second_run() {
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
    let workers = workers_of(&summary, "spec/slow_spec.rb");
    assert!(workers.len() > 1, "the slow file ran on one worker: {workers:?}");
    assert!(tests_by_id(&summary).contains_key("spec/slow_spec.rb[1:8]"));
}

#[test]
fn select_maps_to_tags() {
    let project = project();
    let run = project.run(&["run", "--select", "p0", "--suite", "specs"]);
    // `--tag p0` on every file: adds, concatenates (pass) and fails (fail); the broken file
    // still fails to load.
    assert_eq!(run.code, 1, "{}", run.describe());
    let tests = tests_by_id(&project.summary());
    let ran: Vec<&str> = tests
        .keys()
        .filter(|id| !id.ends_with("<outside tests>"))
        .map(String::as_str)
        .collect();
    assert_eq!(
        ran,
        [
            "spec/fail_spec.rb[1:1]",
            "spec/pass_spec.rb[1:1]",
            "spec/pass_spec.rb[1:3:1]"
        ]
    );
}

#[test]
fn files_rspec_never_reached_after_a_load_error_are_queued_again() {
    let project = project();
    make_slowest_in_history(&project, "broken/broken_spec.rb", SLOW_STAND_IN);
    // One worker: the broken file shares a job with others, and RSpec then runs no example.
    let run = project.run(&["run", "--workers", "1"]);
    assert_eq!(
        run.last_line(),
        "12 passed, 1 failed, 2 skipped, 1 flaky, 1 errors",
        "{}",
        run.describe()
    );
    assert_requeued_around(&project.summary(), "broken/broken_spec.rb");
}

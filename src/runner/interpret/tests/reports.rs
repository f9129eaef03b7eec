//! Jobs that left a report: malformed, passing, failing outside tests, blamed errors outside
//! tests and requeues, quarantined skips, duplicate ids.

use super::*;

#[test]
fn a_malformed_report_makes_every_target_an_error() {
    let result = Scenario::new(RunnerKind::Pytest, &["tests/test_a.py", "tests/test_b.py"], exited(1))
        .report("<testsuites><testsuite>")
        .run();
    assert_eq!(
        outcomes(&result),
        [("tests/test_a.py", Outcome::Error), ("tests/test_b.py", Outcome::Error)]
    );
    let Some(JobError::Report(error)) = &result.error else {
        panic!("a report error: {:?}", result.error);
    };
    assert_eq!(error.path, REPORT);
    assert!(matches!(
        error.problem,
        ReportProblem::Junit(JunitError::Malformed { .. })
    ));
    let message = result.error.as_ref().unwrap().to_string();
    assert!(
        message.starts_with(&format!("malformed JUnit report `{REPORT}`: ")),
        "{message}"
    );
    assert!(
        result
            .tests
            .iter()
            .all(|t| t.attempt.message.as_deref() == Some(&*message))
    );
    assert_eq!(
        result.tests[0].attempt.duration,
        Duration::from_secs(2),
        "the wall time is shared"
    );
    assert_eq!((result.report, result.reported), (None, None));
}

#[test]
fn a_failed_exit_with_no_failing_case_is_an_error_outside_tests() {
    let report = pytest_junit(PASSING_A);
    let result = Scenario::new(RunnerKind::Pytest, &["tests/test_a.py"], exited(1))
        .report(&report)
        .run();
    assert_eq!(
        outcomes(&result),
        [
            ("tests/test_a.py::test_ok", Outcome::Passed),
            ("tests/test_a.py::<outside tests>", Outcome::Error)
        ],
        "never a pass"
    );
    assert!(result.tests[1].outside_tests);
    assert!(matches!(
        result.error,
        Some(JobError::FailedOutsideTests { exit: Exit::Code(1) })
    ));
    assert_eq!(
        result.tests[1].attempt.message.as_deref(),
        Some("exited with code 1 although its report has no failing test: an error outside tests")
    );
    assert_eq!(result.report.as_deref(), Some(Utf8Path::new(REPORT)));
    assert_eq!(result.reported, Some(Duration::from_millis(500)));
}

#[test]
fn a_passing_report_passes() {
    let report = pytest_junit(PASSING_A);
    let scenario = Scenario::new(RunnerKind::Pytest, &["tests/test_a.py"], exited(0)).report(&report);
    let result = scenario.run();
    assert_eq!(scenario.reads.get(), 1);
    assert_eq!(outcomes(&result), [("tests/test_a.py::test_ok", Outcome::Passed)]);
    assert!(result.error.is_none() && result.requeued.is_empty());
    let attempt = &result.tests[0].attempt;
    assert_eq!((attempt.attempt, attempt.worker, attempt.job), (1, 2, 7));
}

#[test]
fn an_exit_that_means_stopped_before_running_anything_needs_no_report() {
    // cargo-nextest exits 101 when the build fails, before writing any JUnit.
    let result = Scenario::new(RunnerKind::Nextest, &["crates/a", "crates/b"], exited(101)).run();
    assert_eq!(
        outcomes(&result),
        [
            ("crates/a::<outside tests>", Outcome::Error),
            ("crates/b::<outside tests>", Outcome::Error)
        ],
        "an error that names no file is about every file; nothing is requeued"
    );
    let message = result.tests[0].attempt.message.as_deref().unwrap();
    assert!(
        message.starts_with("exited with code 101 without results: the runner stopped before running any test"),
        "{message}"
    );
    assert!(
        message.ends_with("LoadError: cannot load such file -- nope"),
        "the log tail: {message}"
    );
    assert!(result.requeued.is_empty() && result.report.is_none());
    // cucumber exits 2 on a Gherkin parse error and leaves an empty report: not a malformed one.
    let result = Scenario::new(RunnerKind::Cucumber, &["features/a.feature"], exited(2))
        .report("")
        .run();
    assert_eq!(
        outcomes(&result),
        [("features/a.feature::<outside tests>", Outcome::Error)]
    );
    assert!(!matches!(result.error, Some(JobError::Report(_))));
}

#[test]
fn errors_outside_tests_are_blamed_and_targets_never_reached_are_requeued() {
    let report = r#"{"version":"3.13.0","examples":[],
        "summary":{"example_count":0,"errors_outside_of_examples_count":1},
        "messages":["An error occurred while loading ./spec/broken_spec.rb.\nNameError: boom"]}"#;
    let files = ["spec/a_spec.rb", "spec/broken_spec.rb", "spec/c_spec.rb"];
    let result = Scenario::new(RunnerKind::Rspec, &files, exited(1)).report(report).run();
    assert_eq!(
        outcomes(&result),
        [("spec/broken_spec.rb::<outside tests>", Outcome::Error)]
    );
    assert!(
        result.tests[0]
            .attempt
            .message
            .as_deref()
            .unwrap()
            .contains("NameError: boom")
    );
    assert_eq!(result.requeued, ["spec/a_spec.rb", "spec/c_spec.rb"]);
    let Some(
        error @ JobError::StoppedBeforeTests {
            blamed, requeued: 2, ..
        },
    ) = &result.error
    else {
        panic!("stopped before tests: {:?}", result.error);
    };
    assert_eq!(blamed, &["spec/broken_spec.rb"]);
    assert_eq!(
        error.to_string(),
        "exited with code 1: the runner stopped at an error outside tests in spec/broken_spec.rb before running any test; 2 target(s) it never reached are queued again"
    );
}

#[test]
fn an_error_outside_tests_after_tests_ran_requeues_nothing() {
    let report = r#"{"examples":[{"id":"./spec/a_spec.rb[1:1]","description":"works","full_description":"A works",
        "status":"passed","file_path":"./spec/a_spec.rb","line_number":2,"run_time":0.25}],
        "summary":{"errors_outside_of_examples_count":1},
        "messages":["An error occurred while loading ./spec/broken_spec.rb."]}"#;
    let result = Scenario::new(RunnerKind::Rspec, &["spec/a_spec.rb", "spec/broken_spec.rb"], exited(1))
        .report(report)
        .run();
    assert_eq!(
        outcomes(&result),
        [
            ("spec/a_spec.rb[1:1]", Outcome::Passed),
            ("spec/broken_spec.rb::<outside tests>", Outcome::Error)
        ]
    );
    assert!(result.requeued.is_empty() && result.error.is_none());
    assert_eq!(result.reported, Some(Duration::from_millis(250)));
}

#[test]
fn quarantined_tests_the_runner_deselected_are_reported_skipped() {
    let report = pytest_junit(PASSING_A);
    let mut scenario = Scenario::new(RunnerKind::Pytest, &["tests/test_a.py"], exited(0)).report(&report);
    scenario.targets.push(Target {
        file: "tests/test_b.py".into(),
        test: Some("tests/test_b.py::test_one".into()),
    });
    scenario.deselected = vec![
        "tests/test_a.py::test_flaky".into(),
        // Not a whole file of this job: the job never ran the rest of it either.
        "tests/test_b.py::test_other".into(),
    ];
    let result = scenario.run();
    let skipped: Vec<_> = result
        .tests
        .iter()
        .filter(|t| t.attempt.outcome == Outcome::Skipped)
        .collect();
    assert_eq!(skipped.len(), 1);
    assert_eq!(skipped[0].id, "tests/test_a.py::test_flaky");
    assert_eq!(skipped[0].name, "test_flaky");
    assert_eq!(
        skipped[0].attempt.message.as_deref(),
        Some("quarantined (skip): not run")
    );
}

#[test]
fn duplicate_ids_merge_and_failure_wins() {
    let report = pytest_junit(
        r#"<testcase classname="tests.test_a" name="test_same" file="tests/test_a.py" time="1"/>
           <testcase classname="tests.test_a" name="test_same" file="tests/test_a.py" time="2"><failure message="boom"/></testcase>
           <testcase classname="tests.test_a" name="test_same" file="tests/test_a.py" time="3"/>"#,
    );
    let result = Scenario::new(RunnerKind::Pytest, &["tests/test_a.py"], exited(1))
        .report(&report)
        .run();
    assert_eq!(outcomes(&result), [("tests/test_a.py::test_same", Outcome::Failed)]);
    assert_eq!(result.tests[0].attempt.duration, Duration::from_secs(6));
    assert_eq!(result.tests[0].attempt.message.as_deref(), Some("boom"));
    assert!(
        result.error.is_none(),
        "the failed exit is explained by the failing test"
    );
}

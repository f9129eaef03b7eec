//! Jobs whose end alone decides their results, and go, whose report is its output.

use super::*;

#[test]
fn no_report_and_a_zero_exit_passes_each_target() {
    // A custom command need not write a report: its exit code is the outcome of every target.
    let scenario = Scenario::new(RunnerKind::Custom, &["a.sh", "b.sh"], exited(0));
    let result = scenario.run();
    assert_eq!(
        outcomes(&result),
        [("a.sh", Outcome::Passed), ("b.sh", Outcome::Passed)]
    );
    assert!(result.tests.iter().all(|t| t.attempt.message.is_none()));
    assert!(result.error.is_none() && result.report.is_none() && result.reported.is_none());
    let failed = Scenario::new(RunnerKind::Custom, &["a.sh"], exited(3)).run();
    assert_eq!(outcomes(&failed), [("a.sh", Outcome::Failed)]);
    assert_eq!(failed.tests[0].attempt.message.as_deref(), Some("exited with code 3"));
    let killed = Scenario::new(RunnerKind::Custom, &["a.sh"], JobEnd::Exited(Exit::Signal(9))).run();
    assert_eq!(
        killed.tests[0].attempt.message.as_deref(),
        Some("killed by signal SIGKILL")
    );
}

#[test]
fn a_built_in_runner_without_a_report_has_unknown_results() {
    let result = Scenario::new(RunnerKind::Pytest, &["tests/test_a.py"], exited(0)).run();
    assert_eq!(outcomes(&result), [("tests/test_a.py", Outcome::Error)]);
    assert!(matches!(
        result.error,
        Some(JobError::NoReport {
            exit: Exit::Code(0),
            ..
        })
    ));
    assert_eq!(
        result.tests[0].attempt.message.as_deref(),
        Some(format!("exited with code 0 but wrote no report at `{REPORT}`: its results are unknown").as_str())
    );
}

#[test]
fn a_timed_out_job_times_out_every_target_without_reading_a_report() {
    let mut scenario = Scenario::new(
        RunnerKind::Pytest,
        &["tests/test_a.py", "tests/test_b.py"],
        JobEnd::TimedOut {
            limit: Duration::from_secs(90),
        },
    )
    .report("not even looked at");
    scenario.deselected = vec!["tests/test_a.py::test_flaky".into()];
    let result = scenario.run();
    assert_eq!(
        outcomes(&result),
        [
            ("tests/test_a.py", Outcome::TimedOut),
            ("tests/test_b.py", Outcome::TimedOut),
            ("tests/test_a.py::test_flaky", Outcome::Skipped)
        ]
    );
    assert_eq!(
        result.tests[0].attempt.message.as_deref(),
        Some("timed out after 1m 30s; its process group was killed")
    );
    assert!(result.error.is_none() && result.report.is_none());
    assert_eq!(scenario.reads.get(), 0, "a killed runner's report is never trusted");
}

#[test]
fn a_cancelled_job_reports_nothing_and_one_that_never_started_is_an_error() {
    let mut cancelled = Scenario::new(RunnerKind::Pytest, &["tests/test_a.py"], JobEnd::Cancelled);
    cancelled.deselected = vec!["tests/test_a.py::test_flaky".into()];
    let result = cancelled.run();
    assert!(result.tests.is_empty() && result.error.is_none());
    assert_eq!(cancelled.reads.get(), 0);
    let mut unstarted = cancelled;
    unstarted.end = JobEnd::NotStarted("could not spawn `pytest`: not found".into());
    let result = unstarted.run();
    assert_eq!(
        outcomes(&result),
        [("tests/test_a.py", Outcome::Error)],
        "no quarantined skips"
    );
    assert_eq!(result.tests[0].attempt.duration, Duration::ZERO);
    assert_eq!(
        result.error.map(|e| e.to_string()).as_deref(),
        Some("could not spawn `pytest`: not found")
    );
}

#[test]
fn go_reports_on_its_output() {
    let dir = tempfile::tempdir().unwrap();
    let root = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
    std::fs::write(root.join("go.mod"), "module example.com/m\n\ngo 1.22\n").unwrap();
    let events = [
        r#"{"Action":"run","Package":"example.com/m/pkg","Test":"TestAdd"}"#,
        r#"{"Action":"pass","Package":"example.com/m/pkg","Test":"TestAdd","Elapsed":0.5}"#,
        r#"{"Action":"run","Package":"example.com/m/pkg","Test":"TestSub"}"#,
        r#"{"Action":"output","Package":"example.com/m/pkg","Test":"TestSub","Output":"    sub_test.go:9: wrong\n"}"#,
        r#"{"Action":"fail","Package":"example.com/m/pkg","Test":"TestSub","Elapsed":0.25}"#,
        r#"{"Action":"fail","Package":"example.com/m/pkg","Elapsed":0.8}"#,
    ]
    .join("\n");
    let mut scenario = Scenario::new(RunnerKind::Go, &["pkg"], exited(1)).report(&events);
    scenario.root = root;
    let result = scenario.run();
    assert_eq!(
        outcomes(&result),
        [("pkg::TestAdd", Outcome::Passed), ("pkg::TestSub", Outcome::Failed)]
    );
    assert_eq!(
        result.report.as_deref(),
        Some(Utf8Path::new(STDOUT)),
        "go's report is its stdout"
    );
    assert_eq!(result.reported, Some(Duration::from_millis(750)));
    // A failed `go` that printed no events said why on stderr: a failure, not a malformed report.
    let result = Scenario::new(RunnerKind::Go, &["pkg"], exited(2))
        .report("\ngo: cannot find main module\n")
        .run();
    assert_eq!(outcomes(&result), [("pkg", Outcome::Failed)]);
    assert_eq!(result.tests[0].attempt.message.as_deref(), Some("exited with code 2"));
    // The same output with a zero exit is a report that cannot be read.
    let result = Scenario::new(RunnerKind::Go, &["pkg"], exited(0))
        .report("\ngo: cannot find main module\n")
        .run();
    assert!(matches!(
        result.error,
        Some(JobError::Report(ReportError {
            problem: ReportProblem::GoTestJson(_),
            ..
        }))
    ));
}

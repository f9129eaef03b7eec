//! Longer than 400 lines: each scenario spells out its events, which is what makes it readable.
//!
//! Snapshot tests of what a person reads: the terminal view of passing, failing, flaky,
//! timed-out and interrupted runs, of steps with prefixed and grouped output, and of compose
//! environments, fed with the runner's events through the reporter composite and captured from
//! an injected output (insta; temporary paths are filtered).

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;
use std::time::Duration;

use camino::{Utf8Path, Utf8PathBuf};

use super::{Reporter, Terminal, TerminalOptions};
use crate::results::{
    Attempt, FlakyResult, JobExit, JobRecord, Outcome, RunSummary, StepOutcome, StepRecord, TestResult,
};
use crate::runner::{Clock, Event, OutputStream, PlannedStep, Verdict};
use crate::styles::Styles;

/// A `Write` that keeps what it was given, for reading back after the run.
#[derive(Clone, Default)]
struct Captured(Rc<RefCell<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What the terminal printed for `events`, then `RunFinished` with `summary`.
fn render(events: &[Event<'_>], summary: &RunSummary, quiet: bool) -> String {
    let out = Captured::default();
    let options = TerminalOptions {
        progress: false,
        quiet,
        styles: Styles::default(),
        to_stderr: false,
    };
    let reruns = crate::report::RerunCommands::for_suite(
        "/project",
        "unit",
        crate::runners::SuiteCommand::Adapter {
            kind: crate::runners::RunnerKind::Pytest,
            program: vec!["pytest".into()],
            args: Vec::new(),
        },
    );
    let terminal = Terminal::with_output(options, Box::new(out.clone())).with_reruns(reruns);
    let mut reporter = Reporter::new(terminal, None, None);
    let clock = Clock::start();
    for event in events {
        reporter.report(&clock.stamp(event));
    }
    let counts = summary.counts();
    let verdict = if summary.interrupted {
        Verdict::Interrupted
    } else if summary.passed() {
        Verdict::Passed
    } else {
        Verdict::Failed
    };
    reporter.report(&clock.stamp(&Event::RunFinished {
        counts,
        verdict,
        exit_code: verdict.exit_code(),
        duration: summary.duration,
        interrupted: summary.interrupted,
        summary,
    }));
    reporter.finish().expect("no report files to write");
    String::from_utf8(out.0.borrow().clone()).expect("UTF-8")
}

fn summary(tests: Vec<TestResult>, jobs: Vec<JobRecord>) -> RunSummary {
    RunSummary {
        run_id: "RUN".into(),
        run_dir: Utf8PathBuf::from("/runs/RUN"),
        started_at: chrono::Local::now(),
        duration: Duration::from_millis(2500),
        workers: 2,
        interrupted: false,
        tests,
        jobs,
        not_run: Vec::new(),
        predicted: Duration::from_secs(2),
        flaky_result: FlakyResult::Pass,
        timing_match: 1.0,
        steps: Vec::new(),
        node: None,
        merge: None,
    }
}

fn test(id: &str, outcomes: &[(Outcome, Option<&str>)], job: usize) -> TestResult {
    let mut result = TestResult {
        suite: "unit".into(),
        id: id.into(),
        name: id.rsplit("::").next().unwrap().into(),
        classname: None,
        file: id.split("::").next().unwrap().into(),
        outcome: Outcome::Passed,
        outside_tests: false,
        quarantine: None,
        attempts: outcomes
            .iter()
            .enumerate()
            .map(|(i, (outcome, message))| Attempt {
                attempt: u32::try_from(i + 1).unwrap(),
                outcome: *outcome,
                duration: Duration::from_millis(300),
                worker: 1,
                job: job + i,
                message: message.map(str::to_string),
                output: None,
            })
            .collect(),
    };
    result.settle();
    result
}

fn job(id: usize, file: &str, exit: JobExit, stderr: Option<Utf8PathBuf>) -> JobRecord {
    JobRecord {
        id,
        suite: "unit".into(),
        worker: 1,
        attempt: 1,
        files: vec![file.into()],
        tests: Vec::new(),
        started: Duration::ZERO,
        duration: Duration::from_millis(300),
        estimate: Duration::from_millis(300),
        exit,
        stdout: None,
        stderr,
        report: None,
        diagnostics: None,
        error: None,
        reported: None,
        requeued: Vec::new(),
        leaky: false,
        cpu: None,
        max_rss: None,
    }
}

fn started<'a>(files: &'a [String]) -> Vec<Event<'a>> {
    vec![
        Event::RunStarted {
            run_id: "RUN",
            run_dir: Utf8Path::new("/runs/RUN"),
            workers: 2,
        },
        Event::Planned {
            jobs: files.len(),
            files: files.len(),
            predicted: Duration::from_secs(2),
            plan_hash: 0x1234,
            timing_match: 1.0,
            steps: &[],
        },
    ]
}

fn finished<'a>(result: &'a TestResult, attempt: usize) -> Event<'a> {
    let a = &result.attempts[attempt];
    Event::TestFinished {
        suite: &result.suite,
        id: &result.id,
        name: &result.name,
        file: &result.file,
        outcome: a.outcome,
        duration: a.duration,
        worker: a.worker,
        attempt: a.attempt,
        job: a.job,
        message: a.message.as_deref(),
    }
}

#[test]
fn a_passing_run() {
    let files = vec!["t/a.sh".to_string(), "t/b.sh".to_string()];
    let tests = vec![
        test("t/a.sh", &[(Outcome::Passed, None)], 0),
        test("t/b.sh", &[(Outcome::Passed, None)], 1),
    ];
    let mut events = started(&files);
    events.extend(tests.iter().map(|t| finished(t, 0)));
    let summary = summary(tests.clone(), Vec::new());
    insta::assert_snapshot!(render(&events, &summary, false));
}

#[test]
fn a_failing_run_shows_the_failure_its_log_and_the_closing_line_last() {
    let dir = tempfile::tempdir().unwrap();
    let log = Utf8PathBuf::from_path_buf(dir.path().join("job-00001.stderr")).unwrap();
    std::fs::write(&log, "collecting\nAssertionError: expected 2, got 3\n").unwrap();
    let files = vec!["t/a.py".to_string(), "t/b.py".to_string()];
    let tests = vec![
        test("t/a.py::test_ok", &[(Outcome::Passed, None)], 0),
        test(
            "t/b.py::test_sum",
            &[(Outcome::Failed, Some("assert 3 == 2\nmore detail"))],
            1,
        ),
    ];
    let jobs = vec![
        job(0, "t/a.py", JobExit::Exited { code: 0 }, None),
        job(1, "t/b.py", JobExit::Exited { code: 1 }, Some(log)),
    ];
    let mut events = started(&files);
    events.extend(tests.iter().map(|t| finished(t, 0)));
    let summary = summary(tests.clone(), jobs);
    let text = render(&events, &summary, false).replace(dir.path().to_str().unwrap(), "[TMP]");
    insta::assert_snapshot!(text);
}

#[test]
fn a_flaky_test_passes_on_its_retry_and_says_so() {
    let files = vec!["t/net.py".to_string()];
    let tests = vec![test(
        "t/net.py::test_dns",
        &[(Outcome::Failed, Some("timeout resolving")), (Outcome::Passed, None)],
        0,
    )];
    let retry_files = vec!["t/net.py".to_string()];
    let retry_tests = vec!["t/net.py::test_dns".to_string()];
    let mut events = started(&files);
    events.push(finished(&tests[0], 0));
    events.push(Event::RetryScheduled {
        suite: "unit",
        files: &retry_files,
        tests: &retry_tests,
        attempt: 2,
    });
    events.push(finished(&tests[0], 1));
    let summary = summary(tests.clone(), Vec::new());
    insta::assert_snapshot!(render(&events, &summary, false));
}

#[test]
fn a_timed_out_job_and_quiet_output() {
    let files = vec!["t/hang.sh".to_string(), "t/ok.sh".to_string()];
    let tests = vec![
        test(
            "t/hang.sh",
            &[(
                Outcome::TimedOut,
                Some("timed out after 3s; its process group was killed"),
            )],
            0,
        ),
        test("t/ok.sh", &[(Outcome::Passed, None)], 1),
    ];
    let jobs = vec![
        job(0, "t/hang.sh", JobExit::TimedOut, None),
        job(1, "t/ok.sh", JobExit::Exited { code: 0 }, None),
    ];
    let mut events = started(&files);
    events.extend(tests.iter().map(|t| finished(t, 0)));
    let summary = summary(tests.clone(), jobs);
    insta::assert_snapshot!(render(&events, &summary, true));
}

#[test]
fn an_interrupted_run() {
    let files = vec!["t/a.sh".to_string(), "t/hang.sh".to_string()];
    let tests = vec![test("t/a.sh", &[(Outcome::Passed, None)], 0)];
    let mut events = started(&files);
    events.push(finished(&tests[0], 0));
    events.push(Event::Interrupting);
    let mut summary = summary(tests.clone(), Vec::new());
    summary.interrupted = true;
    summary.not_run = vec![("unit".into(), "t/hang.sh".into())];
    insta::assert_snapshot!(render(&events, &summary, false));
}

#[test]
fn steps_with_prefixed_and_grouped_output() {
    let ok = JobExit::Exited { code: 0 };
    let failed = JobExit::Exited { code: 2 };
    let files: Vec<String> = Vec::new();
    let mut events = started(&files);
    events.extend([
        Event::StepStarted {
            step: 0,
            name: "build",
            commands: 1,
            cleanup: false,
            grouped: false,
        },
        Event::StepOutput {
            step: 0,
            worker: 1,
            stream: OutputStream::Stdout,
            line: "compiling app",
        },
        Event::StepCommandFinished {
            step: 0,
            worker: 1,
            attempt: 1,
            exit: &ok,
            duration: Duration::from_millis(1200),
        },
        Event::StepFinished {
            step: 0,
            name: "build",
            outcome: StepOutcome::Passed,
            duration: Duration::from_millis(1200),
        },
        Event::StepStarted {
            step: 1,
            name: "seed",
            commands: 2,
            cleanup: false,
            grouped: true,
        },
        Event::StepOutput {
            step: 1,
            worker: 2,
            stream: OutputStream::Stderr,
            line: "no such table",
        },
        Event::StepOutput {
            step: 1,
            worker: 1,
            stream: OutputStream::Stdout,
            line: "seeded 10 rows",
        },
        Event::StepCommandFinished {
            step: 1,
            worker: 1,
            attempt: 1,
            exit: &ok,
            duration: Duration::from_millis(400),
        },
        Event::StepCommandFinished {
            step: 1,
            worker: 2,
            attempt: 1,
            exit: &failed,
            duration: Duration::from_millis(500),
        },
        Event::StepFinished {
            step: 1,
            name: "seed",
            outcome: StepOutcome::Failed,
            duration: Duration::from_millis(500),
        },
    ]);
    let mut summary = summary(Vec::new(), Vec::new());
    summary.steps = vec![
        StepRecord {
            name: "build".into(),
            kind: "command",
            cleanup: false,
            outcome: StepOutcome::Passed,
            duration: Duration::from_millis(1200),
            commands: Vec::new(),
        },
        StepRecord {
            name: "seed".into(),
            kind: "command",
            cleanup: false,
            outcome: StepOutcome::Failed,
            duration: Duration::from_millis(500),
            commands: Vec::new(),
        },
        StepRecord {
            name: "tests".into(),
            kind: "tests",
            cleanup: false,
            outcome: StepOutcome::Skipped,
            duration: Duration::ZERO,
            commands: Vec::new(),
        },
    ];
    insta::assert_snapshot!(render(&events, &summary, false));
}

#[test]
fn environments_up_ready_and_down_and_two_test_steps() {
    let tests = vec![test("t/a.sh", &[(Outcome::Passed, None)], 0)];
    let problems = vec!["network flotilla-RUN-2_default: has active endpoints".to_string()];
    let steps = [
        PlannedStep {
            name: "unit",
            jobs: 1,
            predicted: Duration::from_secs(1),
        },
        PlannedStep {
            name: "e2e",
            jobs: 1,
            predicted: Duration::from_secs(3),
        },
    ];
    let events = vec![
        Event::RunStarted {
            run_id: "RUN",
            run_dir: Utf8Path::new("/runs/RUN"),
            workers: 2,
        },
        Event::Planned {
            jobs: 2,
            files: 2,
            predicted: Duration::from_secs(4),
            plan_hash: 0x1234,
            timing_match: 0.5,
            steps: &steps,
        },
        Event::Warning {
            message: "only 50% of tests have timing history",
        },
        Event::EnvironmentStarting {
            name: "app",
            copies: 2,
            compose: "1.29.2",
        },
        Event::EnvironmentReady {
            name: "app",
            duration: Duration::from_millis(4200),
        },
        finished(&tests[0], 0),
        Event::EnvironmentDown {
            name: "app",
            duration: Duration::from_millis(1500),
            problems: &problems,
        },
    ];
    let summary = summary(tests.clone(), Vec::new());
    insta::assert_snapshot!(render(&events, &summary, false));
}

//! Pipelines: steps in order, cleanup steps that always run, parallel commands, timeouts,
//! retries, output that is never interleaved mid-line, interrupts.

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::harness::{Project, alive, expect_lines, fifo_lines, pids_in};

const SUITE: &str =
    "[run]\nworkers = 3\n\n[suite.unit]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\"]\nfiles = [\"t/*.sh\"]\n";

fn steps(project: &Project, steps: &str) {
    project.config(&format!("{SUITE}\n{steps}")).file("t/ok.sh", "exit 0\n");
}

fn step_outcomes(project: &Project) -> Vec<(String, String, bool)> {
    project.summary()["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["outcome"].as_str().unwrap().to_string(),
                s["cleanup"] == true,
            )
        })
        .collect()
}

#[test]
fn steps_run_in_order_and_tests_run_as_a_step() {
    let project = Project::new();
    steps(
        &project,
        r#"
[[step]]
name = "prepare"
run = "echo prepared > \"$PROJECT_ROOT/prepared\""

[[step]]
suites = ["unit"]

[[step]]
name = "after"
run = ["sh", "-c", "test -e \"$PROJECT_ROOT/prepared\" && echo after >> \"$PROJECT_ROOT/prepared\""]
"#,
    );
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.last_line(), "1 passed, 0 failed, 0 skipped");
    assert_eq!(
        std::fs::read_to_string(project.path("prepared")).unwrap(),
        "prepared\nafter\n"
    );
    let outcomes = step_outcomes(&project);
    assert_eq!(outcomes.len(), 3);
    assert!(
        outcomes.iter().all(|(_, outcome, _)| outcome == "passed"),
        "{outcomes:?}"
    );
}

#[test]
fn a_failing_step_still_runs_every_cleanup_step() {
    let project = Project::new();
    steps(
        &project,
        r#"
[[step]]
name = "breaks"
run = "echo broken >&2; exit 4"

[[step]]
suites = ["unit"]

[[cleanup]]
name = "first cleanup fails"
run = "touch \"$PROJECT_ROOT/cleanup1\"; exit 1"

[[cleanup]]
name = "second cleanup"
run = "touch \"$PROJECT_ROOT/cleanup2\""
"#,
    );
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert!(
        project.path("cleanup1").exists() && project.path("cleanup2").exists(),
        "every cleanup step ran"
    );
    assert!(
        run.stdout.contains("[breaks w1] broken"),
        "stderr is shown live with a prefix\n{}",
        run.describe()
    );
    assert!(run.last_line().ends_with(", 1 failed steps"), "{}", run.describe());
    let outcomes = step_outcomes(&project);
    assert_eq!(outcomes[0].1, "failed");
    assert_eq!(outcomes[1].1, "skipped", "later steps do not run");
    assert_eq!(outcomes[2], ("first cleanup fails".into(), "failed".into(), true));
    assert_eq!(outcomes[3].1, "passed");
}

#[test]
fn a_failing_cleanup_step_does_not_change_the_verdict() {
    let project = Project::new();
    steps(
        &project,
        "[[step]]\nsuites = [\"unit\"]\n\n[[cleanup]]\nrun = \"exit 9\"\n",
    );
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert!(
        run.stdout.contains("does not change the run's verdict"),
        "{}",
        run.describe()
    );
    assert_eq!(project.summary()["passed"], true);

    let project = Project::new();
    steps(
        &project,
        "[[step]]\nsuites = [\"unit\"]\n\n[[cleanup]]\nrun = \"exit 9\"\n",
    );
    project.file("t/bad.sh", "exit 1\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "the real failure is not hidden\n{}", run.describe());
    assert!(run.stdout.contains("t/bad.sh"), "{}", run.describe());
}

#[test]
fn a_hanging_parallel_command_is_killed_at_the_timeout_with_its_grandchildren() {
    let project = Project::new();
    steps(
        &project,
        r#"
[[step]]
name = "shards"
parallel = 3
timeout = "1s"
timeout-grace = "200ms"
run = "if [ {worker} = 2 ]; then trap '' TERM; sleep 1000 & echo $! > \"$PROJECT_ROOT/w{worker}.pid\"; echo $$ >> \"$PROJECT_ROOT/w{worker}.pid\"; wait; fi; echo shard {worker} done"
"#,
    );
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert!(
        run.stdout.contains("[shards w1] shard 1 done") && run.stdout.contains("[shards w3] shard 3 done"),
        "{}",
        run.describe()
    );
    assert!(run.stdout.contains("timed out"), "{}", run.describe());
    let pids = pids_in(&project.root);
    assert_eq!(pids.len(), 2);
    for pid in pids {
        assert!(!alive(pid), "process {pid} outlived the step timeout");
    }
    assert_eq!(step_outcomes(&project)[0].1, "timed_out");
    let commands = &project.summary()["steps"][0]["commands"];
    assert_eq!(commands.as_array().unwrap().len(), 3);
}

#[test]
fn failed_commands_are_retried_with_back_off_and_continue_on_failure_goes_on() {
    let project = Project::new();
    steps(
        &project,
        r#"
[[step]]
name = "flaky build"
retries = 2
retry-delay = "300ms"
run = "if [ ! -e \"$PROJECT_ROOT/built-once\" ]; then touch \"$PROJECT_ROOT/built-once\"; echo 'registry timeout' >&2; exit 1; fi; echo built"

[[step]]
name = "lint"
continue-on-failure = true
run = "exit 2"

[[step]]
suites = ["unit"]
"#,
    );
    let run = project.run(&["run"]);
    assert_eq!(
        run.code,
        1,
        "continue-on-failure still fails the run\n{}",
        run.describe()
    );
    let outcomes = step_outcomes(&project);
    assert_eq!(outcomes[0].1, "passed", "the build passed on its retry");
    assert_eq!(outcomes[1].1, "failed");
    assert_eq!(outcomes[2].1, "passed", "the tests still ran");
    let attempts = project.summary()["steps"][0]["commands"].as_array().unwrap().len();
    assert_eq!(attempts, 2);
    assert!(run.stdout.contains("retrying in 0.3s"), "{}", run.describe());
}

#[test]
fn parallel_output_is_captured_and_never_interleaved_mid_line() {
    let project = Project::new();
    steps(
        &project,
        r#"
[[step]]
name = "noisy"
parallel = 3
run = "i=0; while [ $i -lt 300 ]; do echo \"BEGIN-{worker}-$i-$(printf '%0200d' 0)-END\"; i=$((i+1)); done"
"#,
    );
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let mut seen = 0;
    for line in run.stdout.lines().filter(|l| l.starts_with("[noisy w")) {
        let worker = &line[8..9];
        assert!(
            line.contains(&format!("] BEGIN-{worker}-")) && line.ends_with("-END"),
            "a broken line: {line}"
        );
        seen += 1;
    }
    assert_eq!(seen, 900);
    let dir = std::fs::read_dir(project.path(".flotilla/runs/latest/steps"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let captured = std::fs::read_to_string(dir.join("w2-a1.stdout")).unwrap();
    assert_eq!(captured.lines().count(), 300);
}

#[test]
fn grouped_output_shows_one_block_per_command() {
    let project = Project::new();
    steps(
        &project,
        "[[step]]\nname = \"g\"\nparallel = 2\noutput = \"grouped\"\nrun = \"echo one {worker}; echo two {worker}\"\n",
    );
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    for worker in 1..=2 {
        let block = format!("output of worker {worker} (attempt 1):\n  one {worker}\n  two {worker}\n");
        assert!(run.stdout.contains(&block), "{}", run.describe());
    }
}

#[test]
fn an_interrupt_stops_the_step_but_cleanup_still_runs() {
    let project = Project::new();
    steps(
        &project,
        "[[step]]\nname = \"long\"\nparallel = 2\nrun = \"echo $$ > \\\"$PROJECT_ROOT/w{worker}.pid\\\"; echo up > \\\"$PROJECT_ROOT/ready\\\"; exec sleep 1000\"\n\n[[cleanup]]\nrun = \"touch \\\"$PROJECT_ROOT/cleaned\\\"\"\n",
    );
    let ready = fifo_lines(&project.path("ready"));
    let child = project.spawn(&["run"]);
    expect_lines(&ready, 2);
    kill(Pid::from_raw(i32::try_from(child.id()).unwrap()), Signal::SIGINT).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(
        output.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert!(
        project.path("cleaned").exists(),
        "the cleanup step ran after the interrupt"
    );
    for pid in pids_in(&project.root) {
        assert!(!alive(pid), "process {pid} survived");
    }
    assert_eq!(step_outcomes(&project)[0].1, "interrupted");
}

#[test]
fn step_configuration_errors_are_located() {
    let project = Project::new();
    steps(&project, "[[step]]\nrun = \"x\"\nsuites = [\"unit\"]\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 2, "{}", run.describe());
    assert!(run.stderr.contains("exactly one of"), "{}", run.stderr);
    steps(&project, "[[step]]\nsuites = [\"unti\"]\n");
    let run = project.run(&["run"]);
    assert!(run.stderr.contains("did you mean `unit`?"), "{}", run.stderr);
    steps(&project, "[[step]]\nrun = \"x\"\ntimeout = \"soon\"\n");
    let run = project.run(&["run"]);
    assert!(run.stderr.contains("flotilla.toml:11:11"), "{}", run.stderr);
}

#[test]
fn a_process_that_escaped_a_step_does_not_hold_up_the_run() {
    let project = Project::new();
    // The daemon leaves the step's process group (setsid) but keeps the step's output pipe open;
    // the step waits until it has left (its pid file is written after setsid).
    steps(
        &project,
        r#"
[[step]]
name = "daemon"
run = "setsid sh -c 'echo $$ > \"$PROJECT_ROOT/daemon.pid\"; echo daemon up; exec sleep 300' & while [ ! -s \"$PROJECT_ROOT/daemon.pid\" ]; do :; done; echo started"

[[step]]
suites = ["unit"]
"#,
    );
    let run = project.run(&["run"]);
    let pid: i32 = std::fs::read_to_string(project.path("daemon.pid"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    let outlived_the_run = kill(Pid::from_raw(pid), None).is_ok();
    let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert!(
        outlived_the_run,
        "the run waited for the escaped daemon to end instead of finishing"
    );
    assert!(run.stdout.contains("started"), "{}", run.describe());
    assert_eq!(run.last_line(), "1 passed, 0 failed, 0 skipped");
}

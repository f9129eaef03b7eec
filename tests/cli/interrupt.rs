//! Interrupts: SIGINT/SIGTERM stop the run, kill every job group, keep finished results.

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;

use crate::harness::{Project, alive, expect_lines, fifo_lines, pids_in};

/// Two hanging jobs (each with a grandchild) that announce themselves on a FIFO, and one quick file.
fn hanging_project(trap_term: bool) -> (Project, std::sync::mpsc::Receiver<String>) {
    let project = Project::new();
    project.config("[run]\nworkers = 3\n\n[suite.s]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\"]\nfiles = [\"t/*.sh\"]\ntimeout-grace = \"30s\"\n");
    let trap = if trap_term { "trap '' TERM\n" } else { "" };
    for name in ["hang1", "hang2"] {
        project.file(
            &format!("t/{name}.sh"),
            &format!("{trap}sleep 1000 &\necho $! > \"$PROJECT_ROOT/{name}.pid\"\necho $$ >> \"$PROJECT_ROOT/{name}.pid\"\necho {name} > \"$PROJECT_ROOT/ready\"\nwait\n"),
        );
    }
    project.file("t/quick.sh", "echo quick > \"$PROJECT_ROOT/ready\"\n");
    let ready = fifo_lines(&project.path("ready"));
    (project, ready)
}

fn interrupt_with(signal: Signal) {
    let (project, ready) = hanging_project(false);
    let child = project.spawn(&["run"]);
    expect_lines(&ready, 3);
    // The quick file's job may still be being reaped; wait for its result via the JSON-free path:
    // the hanging jobs cannot finish, so one more wait is not needed for them.
    kill(Pid::from_raw(i32::try_from(child.id()).unwrap()), signal).unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(130),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = project.summary();
    assert_eq!(summary["interrupted"], true);
    let not_run = crate::harness::not_run_files(&summary);
    assert!(
        not_run.iter().any(|f| f == "t/hang1.sh") && not_run.iter().any(|f| f == "t/hang2.sh"),
        "{not_run:?}"
    );
    let junit = std::fs::read_to_string(project.latest("junit.xml")).unwrap();
    assert!(junit.contains("flotilla.interrupted"), "{junit}");
    // The buffered event log lost nothing: the interrupt and the end are in it.
    let events = std::fs::read_to_string(project.latest("events.jsonl")).unwrap();
    assert!(events.contains("\"event\":\"interrupting\""), "{events}");
    let last = events.lines().last().unwrap_or_default();
    assert!(last.starts_with("{\"event\":\"run_finished\""), "{events}");
    assert!(
        project.latest("report.html").is_file(),
        "the report is written for an interrupted run"
    );
    let pids = pids_in(&project.root);
    assert_eq!(pids.len(), 4);
    for pid in pids {
        assert!(!alive(pid), "process {pid} survived the interrupt");
    }
}

#[test]
fn sigint_stops_kills_and_writes_partial_reports() {
    interrupt_with(Signal::SIGINT);
}

#[test]
fn sigterm_does_the_same() {
    interrupt_with(Signal::SIGTERM);
}

#[test]
fn finished_results_survive_an_interrupt() {
    let (project, ready) = hanging_project(false);
    let mut child = project.spawn(&["run", "--message-format", "json"]);
    expect_lines(&ready, 3);
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap());
    // Read events until the quick file's result is in, then interrupt.
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    loop {
        line.clear();
        assert!(
            std::io::BufRead::read_line(&mut stdout, &mut line).unwrap() > 0,
            "stream ended early"
        );
        if line.contains("\"test_finished\"") && line.contains("t/quick.sh") {
            break;
        }
    }
    kill(pid, Signal::SIGINT).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    let summary = project.summary();
    let tests = summary["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 1, "{summary}");
    assert_eq!(tests[0]["file"], "t/quick.sh");
    assert_eq!(tests[0]["outcome"], "passed");
    let junit = std::fs::read_to_string(project.latest("junit.xml")).unwrap();
    assert!(junit.contains("t/quick.sh"), "{junit}");
}

#[test]
fn a_second_signal_kills_everything_at_once() {
    // The jobs ignore SIGTERM and the grace period is 30 s: only the second signal ends this quickly.
    let (project, ready) = hanging_project(true);
    let mut child = project.spawn(&["run"]);
    expect_lines(&ready, 3);
    let pid = Pid::from_raw(i32::try_from(child.id()).unwrap());
    let started = std::time::Instant::now();
    kill(pid, Signal::SIGINT).unwrap();
    let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    while std::io::BufRead::read_line(&mut stdout, &mut line).unwrap() > 0 && !line.contains("interrupted") {
        line.clear();
    }
    kill(pid, Signal::SIGINT).unwrap();
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(130));
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "the second signal did not cut the 30 s grace period short"
    );
    for pid in pids_in(&project.root) {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
        let cmdline = std::fs::read_to_string(format!("/proc/{pid}/cmdline")).unwrap_or_default();
        assert!(
            !alive(pid),
            "process {pid} survived the second signal: {cmdline:?}\n{status}"
        );
    }
}

//! Running fixture suites: outcomes, exit codes, timeouts, leftovers, big output, odd names.

use crate::harness::{Project, alive, pids_in};

const PER_FILE: &str = r#"
[run]
workers = 3

[suite.s]
runner = "custom"
command = ["sh", "{file}"]
files = ["t/*.sh"]
timeout = "20s"
timeout-grace = "300ms"
"#;

#[test]
fn pass_fail_crash_and_the_closing_line() {
    let project = Project::new();
    project
        .config(PER_FILE)
        .file("t/pass.sh", "echo fine\n")
        .file("t/fail.sh", "echo 'assertion failed: 1 == 2' >&2\nexit 1\n")
        .file("t/crash.sh", "kill -SEGV $$\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(run.last_line(), "1 passed, 2 failed, 0 skipped", "{}", run.describe());
    assert!(run.stdout.contains("killed by signal SIGSEGV"), "{}", run.describe());
    assert!(
        run.stdout.contains("assertion failed: 1 == 2"),
        "the failure's output tail is shown\n{}",
        run.describe()
    );
    let summary = project.summary();
    assert_eq!(summary["counts"]["passed"], 1);
    assert_eq!(summary["counts"]["failed"], 2);
    assert_eq!(summary["passed"], false);
    let junit = std::fs::read_to_string(project.latest("junit.xml")).unwrap();
    assert_eq!(junit.matches("<failure").count(), 2, "{junit}");
}

#[test]
fn all_passing_exits_zero() {
    let project = Project::new();
    project
        .config(PER_FILE)
        .file("t/a.sh", "exit 0\n")
        .file("t/b.sh", "exit 0\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.last_line(), "2 passed, 0 failed, 0 skipped");
}

#[test]
fn timeout_kills_the_whole_group_and_reports_timed_out() {
    let project = Project::new();
    let config = PER_FILE.replace("timeout = \"20s\"", "timeout = \"1s\"");
    project
        .config(&config)
        .file("t/hang.sh", "trap '' TERM\nsleep 1000 &\necho $! > \"$PROJECT_ROOT/hang.pid\"\necho $$ >> \"$PROJECT_ROOT/hang.pid\"\nwait\n")
        .file("t/quick.sh", "exit 0\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "1 passed, 0 failed, 0 skipped, 1 timed out",
        "{}",
        run.describe()
    );
    let pids = pids_in(&project.root);
    assert_eq!(pids.len(), 2);
    for pid in pids {
        assert!(!alive(pid), "process {pid} survived the timeout");
    }
    let summary = project.summary();
    let hang = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["file"] == "t/hang.sh")
        .unwrap();
    assert_eq!(hang["outcome"], "timed_out");
}

#[test]
fn background_processes_left_by_a_job_are_killed() {
    let project = Project::new();
    project
        .config(PER_FILE)
        .file("t/spawn.sh", "sleep 1000 &\necho $! > \"$PROJECT_ROOT/bg.pid\"\n(sh -c 'sleep 1000' &\necho $! > \"$PROJECT_ROOT/gc.pid\")\nexit 0\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let pids = pids_in(&project.root);
    assert_eq!(pids.len(), 2);
    for pid in pids {
        assert!(!alive(pid), "process {pid} outlived its job");
    }
}

#[test]
fn megabytes_of_output_are_captured_to_files() {
    let project = Project::new();
    project.config(PER_FILE).file(
        "t/loud.sh",
        "head -c 20000000 /dev/zero | tr '\\0' 'o'\nhead -c 5000000 /dev/zero | tr '\\0' 'e' >&2\necho\necho done\n",
    );
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let summary = project.summary();
    let job = &summary["jobs"][0];
    let stdout = std::fs::metadata(job["stdout"].as_str().unwrap()).unwrap().len();
    let stderr = std::fs::metadata(job["stderr"].as_str().unwrap()).unwrap().len();
    assert_eq!(stdout, 20_000_000 + 6);
    assert_eq!(stderr, 5_000_000);
    assert!(run.stdout.len() < 100_000, "output is not echoed to the terminal");
}

#[test]
fn weird_file_names_run_as_themselves_and_nothing_else() {
    let project = Project::new();
    let names = [
        "t/it's $(touch PWNED1) here.sh",
        "t/`touch PWNED2`.sh",
        "t/with space.sh",
        "t/quote\"d.sh",
        "t/ünïcødé 測試.sh",
        "t/semi;touch PWNED3.sh",
    ];
    project.config(PER_FILE);
    for name in names {
        project.file(name, "echo \"$0\" >> \"$PROJECT_ROOT/ran.txt\"\n");
    }
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.last_line(), "6 passed, 0 failed, 0 skipped");
    for pwned in ["PWNED1", "PWNED2", "PWNED3", "t/PWNED1"] {
        assert!(!project.path(pwned).exists(), "a file name was executed: {pwned}");
    }
    let ran = std::fs::read_to_string(project.path("ran.txt")).unwrap();
    for name in names {
        assert!(ran.lines().any(|l| l == name), "{name} did not run as itself:\n{ran}");
    }
    let summary = project.summary();
    let files: Vec<&str> = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["file"].as_str().unwrap())
        .collect();
    assert!(files.contains(&"t/ünïcødé 測試.sh"));
}

#[test]
fn missing_executable_is_named_with_exit_3() {
    let project = Project::new();
    project
        .config(&PER_FILE.replace("[\"sh\", \"{file}\"]", "[\"no-such-runner-xyz\", \"{file}\"]"))
        .file("t/a.sh", "exit 0\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 3, "{}", run.describe());
    assert!(run.stderr.contains("no-such-runner-xyz"), "{}", run.describe());
    assert!(run.stderr.contains("install"), "{}", run.describe());
}

#[test]
fn a_file_that_is_not_executable_is_an_error_result() {
    let project = Project::new();
    project
        .config(&PER_FILE.replace("[\"sh\", \"{file}\"]", "[\"./{file}\"]"))
        .file("t/ok.sh", "#!/bin/sh\nexit 0\n")
        .file("t/noexec.txt", "");
    std::fs::rename(project.path("t/noexec.txt"), project.path("t/noexec.sh")).unwrap();
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert!(run.last_line().ends_with("1 errors"), "{}", run.describe());
    assert!(run.stdout.contains("not executable"), "{}", run.describe());
}

#[test]
fn retries_rerun_failed_files_and_mark_them_flaky() {
    let project = Project::new();
    let flaky = "if [ -e \"$PROJECT_ROOT/marker\" ]; then exit 0; fi\ntouch \"$PROJECT_ROOT/marker\"\nexit 1\n";
    project
        .config(&format!("{PER_FILE}retries = 2\n"))
        .file("t/flaky.sh", flaky)
        .file("t/ok.sh", "exit 0\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "1 passed, 0 failed, 0 skipped, 1 flaky",
        "{}",
        run.describe()
    );
    let summary = project.summary();
    let test = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["file"] == "t/flaky.sh")
        .unwrap();
    assert_eq!(test["outcome"], "flaky");
    assert_eq!(test["attempts"].as_array().unwrap().len(), 2);
    let junit = std::fs::read_to_string(project.latest("junit.xml")).unwrap();
    assert!(junit.contains("<flakyFailure"), "{junit}");

    let project = Project::new();
    project
        .config(&format!("{PER_FILE}retries = 1\n"))
        .file("t/broken.sh", "exit 1\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1);
    let summary = project.summary();
    assert_eq!(
        summary["tests"][0]["attempts"].as_array().unwrap().len(),
        2,
        "retried once, then gave up"
    );
    let junit = std::fs::read_to_string(project.latest("junit.xml")).unwrap();
    assert!(junit.contains("<rerunFailure"), "{junit}");
    let run = project.run(&["run", "--retries", "0"]);
    assert_eq!(
        project.summary()["tests"][0]["attempts"].as_array().unwrap().len(),
        1,
        "{}",
        run.describe()
    );
}

#[test]
fn batches_pass_many_files_to_one_command() {
    let project = Project::new();
    project.config(
        "[run]\nworkers = 2\n\n[suite.b]\nrunner = \"custom\"\ncommand = [\"sh\", \"-c\", \"for f; do sh \\\"$f\\\" || exit 1; done; echo batch >> \\\"$PROJECT_ROOT/batches\\\"\", \"sh\", \"{files}\"]\nfiles = [\"t/*.sh\"]\n",
    );
    for i in 0..20 {
        project.file(&format!("t/f{i:02}.sh"), "exit 0\n");
    }
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.last_line(), "20 passed, 0 failed, 0 skipped");
    let batches = std::fs::read_to_string(project.path("batches"))
        .unwrap()
        .lines()
        .count();
    assert!(batches > 1 && batches < 20, "{batches} batches for 20 files");
}

#[test]
fn json_message_format_streams_events() {
    let project = Project::new();
    project
        .config(PER_FILE)
        .file("t/a.sh", "exit 0\n")
        .file("t/b.sh", "exit 1\n");
    let run = project.run(&["run", "--message-format", "json"]);
    assert_eq!(run.code, 1);
    let events: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("every stdout line is JSON"))
        .collect();
    let kinds: Vec<&str> = events.iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"run_started"));
    assert_eq!(kinds.last(), Some(&"run_finished"));
    assert_eq!(kinds.iter().filter(|k| **k == "test_finished").count(), 2);
    assert_eq!(events.last().unwrap()["counts"]["failed"], 1);
    assert!(
        run.stderr.trim_end().ends_with("1 passed, 1 failed, 0 skipped"),
        "{}",
        run.describe()
    );
}

#[test]
fn plan_and_list_do_not_run_anything() {
    let project = Project::new();
    project.config(PER_FILE);
    for i in 0..7 {
        project.file(&format!("t/f{i}.sh"), "touch \"$PROJECT_ROOT/ran\"\n");
    }
    let plan = project.run(&["plan", "--workers", "2"]);
    assert_eq!(plan.code, 0, "{}", plan.describe());
    assert!(
        plan.stdout.contains("worker   1:") && plan.stdout.contains("worker   2:"),
        "{}",
        plan.stdout
    );
    assert!(plan.stdout.contains("predicted makespan"), "{}", plan.stdout);
    let json = project.run(&["plan", "--message-format", "json"]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(value["workers"].as_array().unwrap().len(), 3);
    let list = project.run(&["list"]);
    assert_eq!(list.stdout.lines().count(), 7);
    assert!(list.stdout.contains("fallback: default"), "{}", list.stdout);
    assert!(!project.path("ran").exists());
}

#[test]
fn plan_keeps_pinned_suites_on_their_workers() {
    let project = Project::new();
    // Without history every file is estimated at the 1 s default: `api` (2 files) may run
    // anywhere, `e2e` (4 files) only on worker 2.
    project.config(
        "[run]\nworkers = 2\n\n[suite.api]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\"]\nfiles = [\"api/*.sh\"]\n\n[suite.e2e]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\"]\nfiles = [\"e2e/*.sh\"]\non-workers = [2]\n",
    );
    for i in 0..2 {
        project.file(&format!("api/a{i}.sh"), "exit 0\n");
    }
    for i in 0..4 {
        project.file(&format!("e2e/e{i}.sh"), "exit 0\n");
    }
    let json = project.run(&["plan", "--message-format", "json"]);
    assert_eq!(json.code, 0, "{}", json.describe());
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let suites_of = |worker: usize| -> Vec<String> {
        value["workers"][worker]["jobs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["suite"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(suites_of(0), ["api", "api"], "{value}");
    assert_eq!(suites_of(1), ["e2e", "e2e", "e2e", "e2e"], "{value}");
    assert_eq!(value["makespan_secs"], 4.0, "{value}");
    assert_eq!(value["lower_bound_secs"], 4.0, "pinned work bounds the run: {value}");
    let text = project.run(&["plan"]);
    assert!(
        text.stdout
            .contains("lower bound 4.00s (total 6.00s / 2 workers, longest job 1.00s, pinned suites 4.00s)"),
        "{}",
        text.stdout
    );
    // The run follows the same rule: e2e only on worker 2, and worker 2 starts with e2e (its own
    // work) rather than the api file that worker 1 can take.
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let summary = project.summary();
    let jobs = summary["jobs"].as_array().unwrap();
    for job in jobs {
        if job["suite"] == "e2e" {
            assert_eq!(job["worker"], 2, "{job}");
        }
    }
    let first_of = |worker: i64| jobs.iter().find(|j| j["worker"] == worker).unwrap()["suite"].clone();
    assert_eq!(first_of(1), "api", "{jobs:?}");
    assert_eq!(first_of(2), "e2e", "{jobs:?}");
}

#[test]
fn directory_and_config_flags() {
    let project = Project::new();
    project.file("sub/ci.toml", PER_FILE).file("sub/t/a.sh", "exit 0\n");
    let run = project.run(&["-C", "sub", "run", "--config", "ci.toml"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert!(project.path("sub/.flotilla/runs/latest/summary.json").exists());
    let run = project.run(&["run"]);
    assert_eq!(run.code, 2, "{}", run.describe());
    assert!(run.stderr.contains("not found"), "{}", run.describe());
}

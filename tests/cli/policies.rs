//! Quarantine, flaky-result and retry policies, with the custom runner.

use crate::harness::Project;

const SUITE: &str =
    "[run]\nworkers = 2\n\n[suite.s]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\"]\nfiles = [\"t/*.sh\"]\n";
const FLAKY: &str = "if [ -e \"$PROJECT_ROOT/marker\" ]; then exit 0; fi\ntouch \"$PROJECT_ROOT/marker\"\nexit 1\n";

#[test]
fn muted_failures_are_reported_but_do_not_fail_the_run() {
    let project = Project::new();
    project
        .config(&format!("{SUITE}\n[quarantine]\nmute = [\"t/known_flaky.sh\"]\n"))
        .file("t/known_flaky.sh", "exit 1\n")
        .file("t/ok.sh", "exit 0\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "1 passed, 0 failed, 0 skipped, 1 muted",
        "{}",
        run.describe()
    );
    let summary = project.summary();
    let muted = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["file"] == "t/known_flaky.sh")
        .unwrap();
    assert_eq!(muted["outcome"], "failed");
    assert_eq!(muted["quarantine"], "mute");
    assert_eq!(summary["passed"], true);
}

#[test]
fn skipped_files_never_run_and_a_quarantine_file_works() {
    let project = Project::new();
    project
        .config(&format!("{SUITE}\n[quarantine]\nfile = \"quarantine.txt\"\n"))
        .file("quarantine.txt", "# hangs on CI\nskip: t/hangs.sh\nt/muted.sh\n")
        .file("t/hangs.sh", "touch \"$PROJECT_ROOT/ran\"\nsleep 1000\n")
        .file("t/muted.sh", "exit 1\n")
        .file("t/ok.sh", "exit 0\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "1 passed, 0 failed, 1 skipped, 1 muted",
        "{}",
        run.describe()
    );
    assert!(!project.path("ran").exists(), "a skipped file ran");
    let list = project.run(&["list"]);
    assert!(list.stdout.contains("t/hangs.sh\tquarantined: skip"), "{}", list.stdout);
    let run = project.run(&["run"]);
    assert!(!run.stdout.contains("warning:"), "{}", run.describe());
    assert!(run.stdout.contains("MUTED s t/muted.sh"), "{}", run.describe());
    assert!(!run.stdout.contains("Failures:"), "{}", run.describe());
}

#[test]
fn a_missing_quarantine_file_is_a_config_error() {
    let project = Project::new();
    project
        .config(&format!("{SUITE}\n[quarantine]\nfile = \"nope.txt\"\n"))
        .file("t/ok.sh", "exit 0\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 2, "{}", run.describe());
    assert!(run.stderr.contains("nope.txt"), "{}", run.stderr);
}

#[test]
fn flaky_result_fail_makes_flaky_tests_fail_the_run() {
    let project = Project::new();
    project
        .config(&format!("{SUITE}retries = 1\n"))
        .file("t/flaky.sh", FLAKY);
    let run = project.run(&["run", "--flaky-result", "fail"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(run.last_line(), "0 passed, 0 failed, 0 skipped, 1 flaky");
    assert_eq!(project.summary()["passed"], false);

    let project = Project::new();
    project
        .config(
            &SUITE
                .replace("[run]\n", "[run]\nflaky-result = \"fail\"\n")
                .replace("t/*.sh\"]\n", "t/*.sh\"]\nretries = 1\n"),
        )
        .file("t/flaky.sh", FLAKY);
    assert_eq!(project.run(&["run"]).code, 1);
    std::fs::remove_file(project.path("marker")).unwrap();
    assert_eq!(project.run(&["run", "--flaky-result", "pass"]).code, 0);
    let run = project.run(&["run", "--flaky-result", "maybe"]);
    assert_eq!(run.code, 2);
}

#[test]
fn retries_wait_for_their_back_off() {
    let project = Project::new();
    project
        .config(&format!("{SUITE}retries = 1\nretry-delay = \"700ms\"\n"))
        .file("t/flaky.sh", FLAKY);
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let summary = project.summary();
    let jobs = summary["jobs"].as_array().unwrap();
    assert_eq!(jobs.len(), 2);
    let first_end = jobs[0]["started_secs"].as_f64().unwrap() + jobs[0]["duration_secs"].as_f64().unwrap();
    let retry_start = jobs[1]["started_secs"].as_f64().unwrap();
    assert!(
        retry_start - first_end >= 0.69,
        "retry started {:.3}s after the failure",
        retry_start - first_end
    );
}

//! `--max-fail N[:wait|:immediate]` and `max-fail` in `[run]` and profiles: after N failed tests
//! nothing new starts, `:immediate` stops the running jobs, and every test left is reported as
//! not run (terminal, summary.json, junit.xml); the exit code stays "tests failed".

use crate::harness::{Project, not_run_files};

const CONFIG: &str = r#"
[run]
workers = WORKERS

[suite.s]
runner = "custom"
command = ["sh", "{file}"]
files = ["t/*.sh"]
timeout = "60s"
timeout-grace = "300ms"

[profile.ci]
max-fail = 2
"#;

fn project(workers: usize) -> Project {
    let project = Project::new();
    project.config(&CONFIG.replace("WORKERS", &workers.to_string()));
    project
}

fn not_run_message(summary: &serde_json::Value, file: &str) -> String {
    let test = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["file"] == file)
        .unwrap_or_else(|| panic!("no result for {file}: {summary:#}"));
    assert_eq!(test["outcome"], "skipped", "{test:#}");
    test["attempts"][0]["message"].as_str().unwrap().to_string()
}

#[test]
fn after_n_failures_nothing_new_starts_and_the_rest_is_reported_not_run() {
    let project = project(1);
    for name in ["a", "b", "c"] {
        project.file(&format!("t/{name}.sh"), "echo broken >&2\nexit 1\n");
    }
    let run = project.run(&["run", "--max-fail", "1"]);
    assert_eq!(run.code, 1, "tests failed\n{}", run.describe());
    assert_eq!(run.last_line(), "0 passed, 1 failed, 2 skipped", "{}", run.describe());
    assert!(
        run.stdout.contains("max-fail 1 reached after 1 failure(s)"),
        "{}",
        run.describe()
    );
    assert!(run.stdout.contains("2 file(s) did not run"), "{}", run.describe());
    let summary = project.summary();
    assert_eq!(summary["interrupted"], false, "max-fail is not an interrupt");
    let not_run = not_run_files(&summary);
    assert_eq!(not_run.len(), 2, "{not_run:?}");
    for file in &not_run {
        let message = not_run_message(&summary, file);
        assert_eq!(message, "not run: flotilla stopped after 1 failure(s) (max-fail 1)");
    }
    let junit = std::fs::read_to_string(project.latest("junit.xml")).unwrap();
    assert_eq!(junit.matches("<failure").count(), 1, "{junit}");
    assert_eq!(
        junit
            .matches("<skipped message=\"not run: flotilla stopped after 1 failure(s) (max-fail 1)\"")
            .count(),
        2,
        "{junit}"
    );

    let everything = project.run(&["run"]);
    assert_eq!(
        everything.last_line(),
        "0 passed, 3 failed, 0 skipped",
        "without max-fail every test runs\n{}",
        everything.describe()
    );
}

#[test]
fn immediate_stops_the_running_jobs_and_reports_them_not_run() {
    let project = project(2);
    project
        .file("t/fails.sh", "exit 1\n")
        .file("t/hangs.sh", "sleep 1000\n");
    let started = std::time::Instant::now();
    let run = project.run(&["run", "--max-fail", "1:immediate"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert!(
        started.elapsed() < std::time::Duration::from_secs(50),
        "the hanging job was stopped, not waited for (nor killed by its 60s timeout)"
    );
    assert_eq!(run.last_line(), "0 passed, 1 failed, 1 skipped", "{}", run.describe());
    assert!(run.stdout.contains("running jobs are stopped"), "{}", run.describe());
    let summary = project.summary();
    assert_eq!(not_run_files(&summary), ["t/hangs.sh"]);
    assert!(not_run_message(&summary, "t/hangs.sh").contains("(max-fail 1)"));
}

#[test]
fn a_profile_sets_it_and_explain_says_where_it_came_from() {
    let project = project(1);
    project.file("t/a.sh", "exit 0\n");
    let setting = |run: &crate::harness::Run| {
        run.stdout
            .lines()
            .rfind(|line| line.split_whitespace().next() == Some("max-fail"))
            .unwrap_or_else(|| panic!("no max-fail setting in:\n{}", run.stdout))
            .to_string()
    };
    let plain = project.run(&["run", "--explain"]);
    assert!(setting(&plain).contains("none (every test runs)"), "{}", plain.stdout);
    let profiled = project.run(&["run", "--explain", "--profile", "ci"]);
    let line = setting(&profiled);
    assert!(line.contains("2:wait") && line.contains("ci"), "{line}");
    let flagged = project.run(&["run", "--explain", "--profile", "ci", "--max-fail", "5:immediate"]);
    let line = setting(&flagged);
    assert!(line.contains("5:immediate") && line.contains("--max-fail"), "{line}");
    let bad = project.run(&["run", "--max-fail", "0"]);
    assert_eq!(bad.code, 2, "{}", bad.describe());
    assert!(
        bad.stderr.contains("use a positive number of failures"),
        "{}",
        bad.describe()
    );
}

//! `workers = "auto"` that measures: with no history it is the CPU count; after a run of a
//! suite that sleeps, `flotilla plan`, `run --explain` and the next run use more workers than
//! there are cores, and say why.

use crate::harness::Project;

const CONFIG: &str = r#"
[run]
workers = "auto"

[suite.sleepy]
runner = "custom"
command = ["sh", "{file}"]
files = ["t/*.sh"]
"#;

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// The worker count in the plan's `workers: auto: N workers…` line.
fn planned_workers(stdout: &str) -> usize {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("workers: auto: "))
        .unwrap_or_else(|| panic!("no auto line in:\n{stdout}"));
    line["workers: auto: ".len()..]
        .split_whitespace()
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn a_sleeping_suite_gets_more_workers_than_cores_once_measured() {
    let project = Project::new();
    project.config(CONFIG);
    for name in ["a", "b", "c", "d", "e", "f"] {
        project.file(&format!("t/{name}.sh"), "sleep 0.3\n");
    }
    let first = project.run(&["plan"]);
    assert_eq!(first.code, 0, "{}", first.describe());
    assert_eq!(planned_workers(&first.stdout), cores(), "{}", first.describe());
    assert!(
        first.stdout.contains("no CPU time measured yet"),
        "{}",
        first.describe()
    );

    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let summary = project.summary();
    assert_eq!(summary["workers"], cores(), "{summary:#}");
    for job in summary["jobs"].as_array().unwrap() {
        let cpu = job["cpu_secs"]
            .as_f64()
            .unwrap_or_else(|| panic!("cpu_secs measured: {job:#}"));
        let wall = job["duration_secs"].as_f64().unwrap();
        assert!(
            cpu >= 0.0 && cpu < wall,
            "a sleeping job spends less CPU than wall time: {job:#}"
        );
    }

    let second = project.run(&["plan"]);
    assert_eq!(second.code, 0, "{}", second.describe());
    let workers = planned_workers(&second.stdout);
    assert!(workers > cores(), "{}", second.describe());
    assert!(
        second.stdout.contains("suite sleepy spent") && second.stdout.contains("of its wall time on CPU"),
        "{}",
        second.describe()
    );
    assert!(
        second.stdout.contains(&format!("on {workers} workers")),
        "{}",
        second.describe()
    );

    let explain = project.run(&["run", "--explain"]);
    assert_eq!(explain.code, 0, "{}", explain.describe());
    assert!(
        explain
            .stdout
            .contains(&format!("auto: {workers} workers: suite sleepy spent")),
        "{}",
        explain.describe()
    );

    let again = project.run(&["run"]);
    assert_eq!(again.code, 0, "{}", again.describe());
    assert_eq!(project.summary()["workers"], workers, "the run uses what the plan said");
}

#[test]
fn a_fixed_worker_count_is_left_alone() {
    let project = Project::new();
    project.config(&CONFIG.replace("\"auto\"", "1"));
    project.file("t/a.sh", "sleep 0.1\n");
    assert_eq!(project.run(&["run"]).code, 0);
    let plan = project.run(&["plan"]);
    assert!(!plan.stdout.contains("auto:"), "{}", plan.describe());
    assert!(plan.stdout.contains("on 1 workers"), "{}", plan.describe());
}

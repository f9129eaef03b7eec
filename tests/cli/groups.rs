//! Test groups: `[group.NAME] max-concurrency = N` with a suite's `groups = { NAME = [globs] }`
//! or `group = "NAME"`: the files of a group of one never run at the same time, while the
//! other files still run side by side; `flotilla plan` shows each group; bad groups are
//! configuration errors (exit 2, file:line:column, the known groups).

use crate::harness::{Project, Run};

/// Each file records when it started and ended (`date +%s.%N`) in `times/NAME`.
const SCRIPT: &str = "start=$(date +%s.%N)\nsleep 1\nend=$(date +%s.%N)\nmkdir -p \"$PROJECT_ROOT/times\"\necho \"$start $end\" > \"$PROJECT_ROOT/times/$(basename \"$0\" .sh)\"\n";

const CONFIG: &str = r#"
[run]
workers = 3

[group.database]
max-concurrency = 1

[suite.s]
runner = "custom"
command = ["sh", "{file}"]
files = ["t/*.sh"]
timeout = "60s"
GROUPS
"#;

fn project(groups: &str) -> Project {
    let project = Project::new();
    project.config(&CONFIG.replace("GROUPS", groups));
    for name in ["db_a", "db_b", "db_c", "free_a", "free_b", "free_c", "free_d"] {
        project.file(&format!("t/{name}.sh"), SCRIPT);
    }
    project
}

/// The (start, end) each file of `prefix` recorded.
fn intervals(project: &Project, prefix: &str) -> Vec<(String, f64, f64)> {
    let mut found: Vec<(String, f64, f64)> = std::fs::read_dir(project.path("times"))
        .unwrap()
        .map(|entry| entry.unwrap())
        .filter(|entry| entry.file_name().to_string_lossy().starts_with(prefix))
        .map(|entry| {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            let mut times = text.split_whitespace().map(|t| t.parse::<f64>().unwrap());
            let (start, end) = (times.next().unwrap(), times.next().unwrap());
            (entry.file_name().to_string_lossy().into_owned(), start, end)
        })
        .collect();
    found.sort_by(|a, b| a.1.total_cmp(&b.1));
    found
}

fn overlaps(intervals: &[(String, f64, f64)]) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (i, a) in intervals.iter().enumerate() {
        for b in &intervals[i + 1..] {
            if a.1 < b.2 && b.1 < a.2 {
                found.push((a.0.clone(), b.0.clone()));
            }
        }
    }
    found
}

fn assert_one_at_a_time(project: &Project, run: &Run) {
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.last_line(), "7 passed, 0 failed, 0 skipped", "{}", run.describe());
    let grouped = intervals(project, "db_");
    assert_eq!(grouped.len(), 3, "{grouped:?}");
    assert_eq!(
        overlaps(&grouped),
        Vec::<(String, String)>::new(),
        "files of a group of one overlapped: {grouped:?}"
    );
    let free = intervals(project, "free_");
    assert_eq!(free.len(), 4, "{free:?}");
    assert!(
        !overlaps(&free).is_empty(),
        "ungrouped files should run side by side on 3 workers: {free:?}"
    );
}

#[test]
fn files_of_a_group_of_one_never_overlap_while_other_files_run_in_parallel() {
    let project = project("groups = { database = [\"t/db_*.sh\"] }");
    let run = project.run(&["run"]);
    assert_one_at_a_time(&project, &run);

    let plan = project.run(&["plan"]);
    assert_eq!(plan.code, 0, "{}", plan.describe());
    assert!(
        plan.stdout
            .contains("group database: max-concurrency 1, 3 jobs, 3 files"),
        "{}",
        plan.describe()
    );
    let json = project.run(&["plan", "--message-format", "json"]);
    let json: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let group = &json["steps"][0]["groups"][0];
    assert_eq!(group["name"], "database", "{json:#}");
    assert_eq!(group["max_concurrency"], 1);
    assert_eq!(group["files"], 3);
}

#[test]
fn a_whole_suite_in_a_group_runs_its_files_one_at_a_time() {
    let project = Project::new();
    project.config(
        r#"
[run]
workers = 3

[group.licence]
max-concurrency = 1

[suite.licensed]
runner = "custom"
command = ["sh", "{file}"]
files = ["t/db_*.sh"]
group = "licence"

[suite.free]
runner = "custom"
command = ["sh", "{file}"]
files = ["t/free_*.sh"]
"#,
    );
    for name in ["db_a", "db_b", "db_c", "free_a", "free_b", "free_c", "free_d"] {
        project.file(&format!("t/{name}.sh"), SCRIPT);
    }
    let run = project.run(&["run"]);
    assert_one_at_a_time(&project, &run);
}

/// The most intervals that hold one instant.
fn most_at_once(intervals: &[(String, f64, f64)]) -> usize {
    intervals
        .iter()
        .map(|(_, at, _)| {
            intervals
                .iter()
                .filter(|(_, start, end)| start <= at && at < end)
                .count()
        })
        .max()
        .unwrap_or(0)
}

#[test]
fn a_group_of_two_runs_two_files_at_a_time_never_three() {
    let project = project("groups = { database = [\"t/db_*.sh\"] }");
    project.config(
        &CONFIG
            .replace("max-concurrency = 1", "max-concurrency = 2")
            .replace("GROUPS", "groups = { database = [\"t/db_*.sh\"] }"),
    );
    project.file("t/db_d.sh", SCRIPT);
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.last_line(), "8 passed, 0 failed, 0 skipped", "{}", run.describe());
    let grouped = intervals(&project, "db_");
    assert_eq!(grouped.len(), 4, "{grouped:?}");
    assert_eq!(most_at_once(&grouped), 2, "two at a time, never three: {grouped:?}");
}

fn error_for(groups: &str) -> Run {
    let project = project(groups);
    let run = project.run(&["run"]);
    assert_eq!(run.code, 2, "{}", run.describe());
    assert!(!project.path("times").exists(), "nothing ran");
    run
}

#[test]
fn an_unknown_group_names_the_place_and_the_known_groups() {
    let run = error_for("group = \"databse\"");
    assert!(run.stderr.contains("flotilla.toml:13:9"), "{}", run.stderr);
    assert!(run.stderr.contains("no group named `databse`"), "{}", run.stderr);
    assert!(run.stderr.contains("did you mean `database`?"), "{}", run.stderr);
    let run = error_for("groups = { ports = [\"t/db_*.sh\"] }");
    assert!(run.stderr.contains("flotilla.toml:13:12"), "{}", run.stderr);
    assert!(run.stderr.contains("groups in this file: database"), "{}", run.stderr);
}

#[test]
fn max_concurrency_must_be_a_positive_integer() {
    let project = Project::new();
    project
        .config(
            &CONFIG
                .replace("max-concurrency = 1", "max-concurrency = 0")
                .replace("GROUPS", ""),
        )
        .file("t/a.sh", "exit 0\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 2, "{}", run.describe());
    assert!(run.stderr.contains("flotilla.toml:6:19"), "{}", run.stderr);
    assert!(run.stderr.contains("positive integer"), "{}", run.stderr);
}

//! The bundled examples run as the README says they do.

use std::path::Path;
use std::process::Command;

use crate::harness::Project;

fn copy_example(name: &str) -> Project {
    let project = Project::new();
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name);
    copy_dir(&source, &project.root);
    project
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_name() == ".flotilla" {
            continue;
        }
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

#[test]
fn quickstart_passes_and_the_second_run_is_planned_from_history() {
    let project = copy_example("quickstart");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.last_line(), "12 passed, 0 failed, 0 skipped");
    let plan = project.run(&["plan"]);
    assert!(
        plan.stdout.contains("12 of 12 units estimated from history"),
        "{}",
        plan.stdout
    );
}

#[test]
fn docker_pipeline_builds_runs_on_pinned_workers_and_cleans_up() {
    crate::environments::images();
    let project = copy_example("docker-pipeline");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.last_line(), "11 passed, 0 failed, 0 skipped", "{}", run.describe());
    let summary = project.summary();
    let run_id = summary["run_id"].as_str().unwrap();
    for test in summary["tests"].as_array().unwrap() {
        let worker = test["attempts"][0]["worker"].as_i64().unwrap();
        if test["suite"] == "integration" {
            assert_eq!(worker, 4, "integration tests run on the last worker");
        } else {
            assert!((1..=3).contains(&worker), "unit tests run on workers 1-3");
        }
    }
    let steps: Vec<&str> = summary["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(steps, ["passed", "passed", "passed"]);
    assert!(
        crate::environments::leftovers(run_id).is_empty(),
        "{:?}",
        crate::environments::leftovers(run_id)
    );
    let image = Command::new("docker")
        .args(["image", "inspect", &format!("flotilla-example-app:{run_id}")])
        .output()
        .unwrap();
    assert!(!image.status.success(), "the cleanup step removed the image");
}

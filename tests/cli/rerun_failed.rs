//! `flotilla run --rerun-failed` (alias `--last-failed`) against real pytest: only the tests that
//! failed in the latest run run again (a file that failed as a whole runs whole); with nothing
//! failed, or no earlier run, nothing runs and the exit code is 0.

use crate::harness::Project;

fn project() -> Project {
    let project = Project::new();
    project
        .config("[run]\nworkers = 2\n\n[suite.py]\nrunner = \"pytest\"\nfiles = [\"tests/test_*.py\"]\n")
        .file("tests/test_ok.py", "def test_one(): pass\ndef test_two(): pass\n")
        .file("tests/test_also_ok.py", "def test_three(): pass\n")
        .file(
            "tests/test_bad.py",
            r#"import os
def test_fixed_later():
    assert os.path.exists(os.path.join(os.environ["PROJECT_ROOT"], "fixed")), "not fixed yet"
def test_fine(): pass
"#,
        );
    project
}

fn files_run(project: &Project) -> Vec<String> {
    let mut files: Vec<String> = project.summary()["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["file"].as_str().unwrap().to_string())
        .collect();
    files.dedup();
    files
}

fn attempts_of(project: &Project, id: &str) -> Vec<serde_json::Value> {
    let summary = project.summary();
    let test = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .cloned();
    test.unwrap_or_else(|| panic!("no {id}"))["attempts"]
        .as_array()
        .unwrap()
        .clone()
}

/// The id of the run `--rerun-failed` said it re-runs (the last word of its line).
fn first_run_id(run: &crate::harness::Run) -> String {
    let line = run.stdout.lines().find(|l| l.starts_with("--rerun-failed:")).unwrap();
    line.rsplit(' ').next().unwrap().to_string()
}

#[test]
fn only_what_failed_runs_again_until_nothing_is_left() {
    crate::harness::require_runner(&["python3", "-m", "pytest", "--version"]);
    let project = project();
    let first = project.run(&["run"]);
    assert_eq!(first.code, 1, "{}", first.describe());
    assert_eq!(
        first.last_line(),
        "4 passed, 1 failed, 0 skipped",
        "{}",
        first.describe()
    );

    let again = project.run(&["run", "--rerun-failed"]);
    assert_eq!(again.code, 1, "still failing\n{}", again.describe());
    assert!(
        again.stdout.contains(
            "running again 1 failed test(s) of 1 file(s), and 0 file(s) whole, that failed or did not run in"
        ),
        "{}",
        again.describe()
    );
    assert_eq!(files_run(&project), ["tests/test_bad.py"], "{}", again.describe());
    assert_eq!(
        again.last_line(),
        "0 passed, 1 failed, 0 skipped",
        "{}",
        again.describe()
    );
    let first_run = first_run_id(&again);
    let attempts = attempts_of(&project, "tests/test_bad.py::test_fixed_later");
    assert_eq!(
        attempts.len(),
        2,
        "the earlier attempt beside the new one: {attempts:#?}"
    );
    let carried = attempts[0]["message"].as_str().unwrap();
    assert!(carried.starts_with(&format!("earlier run {first_run}: ")), "{carried}");
    assert!(carried.contains("not fixed yet"), "{carried}");
    let ids: Vec<String> = project.summary()["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        ids,
        ["tests/test_bad.py::test_fixed_later"],
        "test_fine passed: it does not run again"
    );

    project.file("fixed", "");
    let fixed = project.run(&["run", "--last-failed"]);
    assert_eq!(fixed.code, 0, "{}", fixed.describe());
    assert_eq!(files_run(&project), ["tests/test_bad.py"]);
    let attempts = attempts_of(&project, "tests/test_bad.py::test_fixed_later");
    let outcomes: Vec<&str> = attempts.iter().map(|a| a["outcome"].as_str().unwrap()).collect();
    assert_eq!(outcomes, ["failed", "failed", "passed"], "both earlier runs, then now");
    assert!(
        attempts[0]["message"]
            .as_str()
            .unwrap()
            .starts_with(&format!("earlier run {first_run}: "))
    );
    assert_eq!(project.summary()["counts"]["passed"], 1, "the outcome is this run's");
    let junit = std::fs::read_to_string(project.latest("junit.xml")).unwrap();
    assert_eq!(junit.matches("earlier run ").count(), 2, "{junit}");
    let green_run = project.summary()["run_id"].clone();

    let nothing = project.run(&["run", "--rerun-failed"]);
    assert_eq!(nothing.code, 0, "{}", nothing.describe());
    assert!(
        nothing.stdout.contains("nothing failed in the latest run") && nothing.stdout.contains("ran nothing"),
        "{}",
        nothing.describe()
    );
    assert_eq!(project.summary()["run_id"], green_run, "no new run folder");
}

#[test]
fn with_no_earlier_run_it_says_so_and_runs_nothing() {
    let project = project();
    let run = project.run(&["run", "--rerun-failed"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert!(run.stdout.contains("no earlier run"), "{}", run.describe());
    assert!(!project.latest("summary.json").exists(), "nothing ran");
}

#[test]
fn a_file_that_fails_as_a_whole_runs_whole() {
    crate::harness::require_runner(&["python3", "-m", "pytest", "--version"]);
    let project = project();
    project.file("tests/test_broken.py", "import os\nif not os.path.exists(os.path.join(os.environ[\"PROJECT_ROOT\"], \"fixed\")):\n    raise ImportError(\"cannot import\")\ndef test_a(): pass\ndef test_b(): pass\n");
    let first = project.run(&["run"]);
    assert_eq!(first.code, 1, "{}", first.describe());
    project.file("fixed", "");
    let again = project.run(&["run", "--rerun-failed"]);
    assert_eq!(again.code, 0, "{}", again.describe());
    assert!(
        again
            .stdout
            .contains("running again 1 failed test(s) of 1 file(s), and 1 file(s) whole"),
        "{}",
        again.describe()
    );
    assert_eq!(
        files_run(&project),
        ["tests/test_bad.py", "tests/test_broken.py"],
        "{}",
        again.describe()
    );
    assert_eq!(
        again.last_line(),
        "3 passed, 0 failed, 0 skipped",
        "{}",
        again.describe()
    );
}

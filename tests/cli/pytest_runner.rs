//! The pytest adapter against real pytest: per-test retries, flaky tests, collection errors,
//! selection with `-m`, and big files split into tests across workers.

use crate::harness::Project;

fn pytest_project() -> Project {
    let project = Project::new();
    project
        .config("[run]\nworkers = 3\n\n[suite.py]\nrunner = \"pytest\"\nfiles = [\"tests/test_*.py\"]\nretries = 1\n")
        .file(
            "pytest.ini",
            "[pytest]\nmarkers =\n    priority_p0: runs on every pull request\n",
        )
        .file(
            "tests/test_basic.py",
            r#"import os, pytest
def test_ok(): pass
def test_fails(): assert 1 == 2
def test_flaky():
    marker = os.path.join(os.environ["PROJECT_ROOT"], "flaky.marker")
    if not os.path.exists(marker):
        open(marker, "w").close()
        assert False, "first attempt fails"
@pytest.mark.priority_p0
def test_p0(): pass
"#,
        )
        .file("tests/test_broken.py", "import no_such_module_for_flotilla\n");
    let mut slow = String::from("import time\n");
    for i in 0..9 {
        slow.push_str(&format!("def test_slow_{i}():\n    time.sleep(0.2)\n"));
    }
    project.file("tests/test_slow.py", &slow);
    project
}

#[test]
fn retries_only_failed_tests_and_keeps_collection_errors() {
    let project = pytest_project();
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "11 passed, 1 failed, 0 skipped, 1 flaky, 1 errors",
        "{}",
        run.describe()
    );
    let summary = project.summary();
    let retries: Vec<&serde_json::Value> = summary["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|j| j["attempt"] == 2)
        .collect();
    assert_eq!(retries.len(), 1, "one retry job");
    let mut retried: Vec<&str> = retries[0]["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    retried.sort_unstable();
    assert_eq!(
        retried,
        ["tests/test_basic.py::test_fails", "tests/test_basic.py::test_flaky"],
        "only the failed tests are retried"
    );
    let tests = summary["tests"].as_array().unwrap();
    let find = |id: &str| {
        tests
            .iter()
            .find(|t| t["id"] == id)
            .unwrap_or_else(|| panic!("no {id}"))
    };
    assert_eq!(find("tests/test_basic.py::test_flaky")["outcome"], "flaky");
    assert_eq!(
        find("tests/test_basic.py::test_fails")["attempts"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let broken = find("tests/test_broken.py::<outside tests>");
    assert_eq!(broken["outcome"], "error");
    assert_eq!(broken["outside_tests"], true);
    assert_eq!(
        broken["attempts"].as_array().unwrap().len(),
        1,
        "collection errors are never retried"
    );
    assert!(
        broken["attempts"][0]["message"]
            .as_str()
            .unwrap()
            .contains("collection")
    );
}

#[test]
fn big_files_are_split_into_tests_across_workers() {
    let project = pytest_project();
    // 27 s of tests: spread over 3 workers they gain 18 s, more than the two start-ups a split
    // costs even on a machine loaded as the whole test suite loads it (pytest's start-up was
    // measured at 1.8 s at load 4 and over 4.5 s at load 10), so the default `split = true`
    // splits it (compare `a_sub_second_big_file_is_not_split...`).
    let mut slow = String::from("import time\n");
    for i in 0..9 {
        slow.push_str(&format!("def test_slow_{i}():\n    time.sleep(3.0)\n"));
    }
    project.file("tests/test_slow.py", &slow);
    project.run(&["run"]);
    std::fs::remove_file(project.path("flaky.marker")).unwrap();
    let plan = project.run(&["plan"]);
    assert!(
        plan.stdout.contains("9 tests split out of big files"),
        "{}",
        plan.stdout
    );
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let summary = project.summary();
    let slow_workers: std::collections::BTreeSet<i64> = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["file"] == "tests/test_slow.py")
        .map(|t| t["attempts"][0]["worker"].as_i64().unwrap())
        .collect();
    assert!(
        slow_workers.len() > 1,
        "the slow file ran on one worker only: {slow_workers:?}"
    );
    let list = project.run(&["list"]);
    assert!(
        list.stdout.contains("tests/test_slow.py::test_slow_3\t"),
        "{}",
        list.stdout
    );
}

/// A big file whose split cannot pay for the start-ups it costs (a listing, and a job start-up
/// on each worker that takes a share) runs whole, and `plan` says why: a sub-second file is
/// never split across workers however uneven it leaves the plan.
#[test]
fn a_sub_second_big_file_is_not_split_the_start_ups_would_cost_more() {
    let project = Project::new();
    let mut quick = String::from("import time\n");
    for i in 0..6 {
        quick.push_str(&format!("def test_quick_{i}():\n    time.sleep(0.02)\n"));
    }
    project
        .config("[run]\nworkers = 3\n\n[suite.py]\nrunner = \"pytest\"\nfiles = [\"tests/test_*.py\"]\n")
        .file("tests/test_quick.py", &quick)
        .file("tests/test_tiny.py", "def test_tiny(): pass\n");
    let first = project.run(&["run"]);
    assert_eq!(first.code, 0, "{}", first.describe());
    let plan = project.run(&["plan"]);
    assert!(!plan.stdout.contains("split out of big files"), "{}", plan.stdout);
    assert!(
        plan.stdout
            .contains("1 big file runs whole (a split would cost more start-ups than it gains)"),
        "{}",
        plan.stdout
    );
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.last_line(), "7 passed, 0 failed, 0 skipped", "{}", run.describe());
    let workers = crate::harness::workers_of(&project.summary(), "tests/test_quick.py");
    assert_eq!(workers.len(), 1, "the quick file ran whole: {workers:?}");
}

#[test]
fn select_maps_to_pytest_markers() {
    let project = pytest_project();
    project.file("tests/test_broken.py", "def test_fine(): pass\n");
    let run = project.run(&["run", "--select", "priority_p0"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.last_line(), "1 passed, 0 failed, 0 skipped", "{}", run.describe());
}

/// The outcome, attempts' messages and quarantine mode of test `id` in the latest summary.
fn quarantined_result(project: &Project, id: &str) -> (String, Vec<String>, String) {
    let summary = project.summary();
    let test = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("{id} is missing from the summary: {summary}"))
        .clone();
    let messages = test["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["message"].as_str().unwrap_or_default().to_string())
        .collect();
    (
        test["outcome"].as_str().unwrap().to_string(),
        messages,
        test["quarantine"].as_str().unwrap_or_default().to_string(),
    )
}

#[test]
fn quarantined_tests_are_left_out_and_reported_skipped_whole_file_or_split() {
    let project = Project::new();
    let mut slow = String::from("import os, time\n");
    for i in 0..6 {
        slow.push_str(&format!("def test_slow_{i}():\n    time.sleep(0.3)\n"));
    }
    // Never finishes: if it ran, the run would hang until the job timeout fails it.
    slow.push_str("def test_hangs():\n    time.sleep(1000)\n");
    project
        .config(
            "[run]\nworkers = 3\n\n[suite.py]\nrunner = \"pytest\"\nfiles = [\"tests/test_*.py\"]\ntimeout = \"60s\"\nsplit = \"always\"\n\n[quarantine]\nskip = [\"tests/test_slow.py::test_hangs\"]\n",
        )
        .file("tests/test_slow.py", &slow)
        .file("tests/test_quick.py", "def test_quick(): pass\n");
    // First run: whole files, pytest deselects the test itself.
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.last_line(), "7 passed, 0 failed, 1 skipped", "{}", run.describe());
    let (outcome, messages, mode) = quarantined_result(&project, "tests/test_slow.py::test_hangs");
    assert_eq!((outcome.as_str(), mode.as_str()), ("skipped", "skip"));
    assert_eq!(messages, ["quarantined (skip): not run"]);
    // Second run: the measured big file is split into tests; the quarantined one is not planned.
    let plan = project.run(&["plan"]);
    assert!(plan.stdout.contains("split out of big files"), "{}", plan.stdout);
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.last_line(), "7 passed, 0 failed, 1 skipped", "{}", run.describe());
    let (outcome, messages, _) = quarantined_result(&project, "tests/test_slow.py::test_hangs");
    assert_eq!(outcome, "skipped");
    assert_eq!(messages, ["quarantined (skip): not run"]);
    let list = project.run(&["list"]);
    assert!(
        list.stdout
            .contains("tests/test_slow.py::test_hangs\tquarantined: skip"),
        "{}",
        list.stdout
    );
}

/// pytest's own counts (its terminal summary line) for the folder `root`.
fn pytest_counts(root: &std::path::Path) -> [usize; 3] {
    let output = std::process::Command::new("pytest")
        .args(["-q", "-p", "no:cacheprovider"])
        .current_dir(root)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let summary = stdout.lines().rev().find(|l| l.contains(" in ")).unwrap_or_default();
    let count = |word: &str| {
        summary
            .split([',', '='])
            .map(|part| part.split(" in ").next().unwrap_or_default().trim())
            .find_map(|part| part.strip_suffix(word).and_then(|n| n.trim().parse().ok()))
            .unwrap_or(0)
    };
    [count("passed"), count("failed"), count("skipped")]
}

/// Parametrized tests, test classes, every kind of skip, and a big file split into its tests on
/// the second run: flotilla's counts are pytest's own on every split.
#[test]
fn counts_are_pytests_own_on_every_split() {
    let project = Project::new();
    project
        .config("[run]\nworkers = 3\n\n[suite.py]\nrunner = \"pytest\"\nfiles = [\"tests/test_*.py\"]\nsplit = \"always\"\n")
        .file(
            "tests/test_kinds.py",
            r#"import sys, time, pytest

@pytest.mark.parametrize("n", range(12))
def test_param(n):
    time.sleep(0.05)
    assert n >= 0

@pytest.mark.parametrize("a,b", [(1, 1), (2, 2), pytest.param(3, 4, marks=pytest.mark.skip(reason="no"))])
def test_pairs(a, b):
    assert a == b

class TestGroup:
    def test_one(self): time.sleep(0.05)
    def test_two(self): time.sleep(0.05)
    @pytest.mark.skip(reason="not now")
    def test_marked(self): pass

@pytest.mark.skipif(sys.version_info > (2,), reason="python 3")
def test_skipif(): pass

def test_skip_inside():
    pytest.skip("decided at run time")

def test_fails():
    assert 1 == 2
"#,
        )
        .file("tests/test_small.py", "def test_a(): pass\ndef test_b(): pass\n");
    let expected = pytest_counts(&project.path(""));
    assert_eq!(expected, [18, 1, 4], "pytest's own counts");
    for round in 0..2 {
        let run = project.run(&["run"]);
        assert_eq!(run.code, 1, "{}", run.describe());
        let counts = &project.summary()["counts"];
        assert_eq!(
            [&counts["passed"], &counts["failed"], &counts["skipped"]].map(|c| c.as_u64().unwrap() as usize),
            expected,
            "round {round}: {}",
            run.describe()
        );
    }
    let plan = project.run(&["plan"]);
    assert!(
        plan.stdout.contains("split out of big files"),
        "the second run split: {}",
        plan.stdout
    );
}

#[test]
fn the_time_pytest_spends_importing_each_file_is_learned_per_file() {
    // Each module sleeps 0.4 s when imported, outside any test's time: a job of n files costs
    // pytest's start-up plus 0.4 s × n. The first run's batches shrink towards the tail, so
    // its jobs differ in size and the second cost can be told from the first.
    let project = Project::new();
    project.config("[run]\nworkers = 2\n\n[suite.py]\nrunner = \"pytest\"\nfiles = [\"tests/test_*.py\"]\n");
    for i in 0..10 {
        project.file(
            &format!("tests/test_import_{i}.py"),
            "import time\ntime.sleep(0.4)\ndef test_ok(): pass\n",
        );
    }
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let sizes: std::collections::BTreeSet<usize> = project.summary()["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|job| job["files"].as_array().unwrap().len())
        .collect();
    assert!(sizes.len() > 1, "jobs of different sizes: {sizes:?}");
    let plan = project.run(&["plan"]);
    assert_eq!(plan.code, 0, "{}", plan.describe());
    let per_file: f64 = plan
        .stdout
        .split_once(" per file")
        .and_then(|(before, _)| before.rsplit_once("+ "))
        .and_then(|(_, secs)| secs.trim_end_matches('s').parse().ok())
        .unwrap_or_else(|| panic!("no cost per file in the plan:\n{}", plan.describe()));
    assert!(
        (0.3..=1.0).contains(&per_file),
        "{per_file} s per file:\n{}",
        plan.stdout
    );
}

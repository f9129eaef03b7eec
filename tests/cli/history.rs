//! History: estimates come from past runs; corrupt files and concurrent runs never fail a run.

use crate::harness::Project;

const SUITE: &str = "[run]\nworkers = 2\n\n[suite.s]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\", \"{result}\"]\nfiles = [\"t/*.sh\"]\n";

#[test]
fn estimates_come_from_history_after_a_run() {
    let project = Project::new();
    project
        .config(SUITE)
        .file("t/a.sh", "exit 0\n")
        .file("t/b.sh", "exit 0\n");
    assert!(project.run(&["list"]).stdout.contains("fallback: default"));
    assert_eq!(project.run(&["run"]).code, 0);
    project.file("t/new.sh", "exit 0\n");
    let list = project.run(&["list"]);
    assert!(
        list.stdout.contains("t/a.sh\t") && list.stdout.contains("history (1 run)"),
        "{}",
        list.stdout
    );
    let new = list.stdout.lines().find(|l| l.contains("t/new.sh")).unwrap();
    assert!(new.contains("fallback: suite median"), "{new}");
    assert!(project.path(".flotilla/history.db").exists());
}

#[test]
fn startup_cost_is_learned_from_reporting_jobs() {
    let project = Project::new();
    let xml = "cat > \"$1\" <<'XML'\n<testsuite><testcase name=\"t\" time=\"0.001\"/></testsuite>\nXML\n";
    project.config(SUITE).file("t/a.sh", xml).file("t/b.sh", xml);
    assert_eq!(project.run(&["run"]).code, 0);
    let plan = project.run(&["plan"]);
    assert!(plan.stdout.contains("learned from 2 jobs"), "{}", plan.stdout);
}

#[test]
fn a_corrupt_history_warns_and_starts_fresh() {
    let project = Project::new();
    project.config(SUITE).file("t/a.sh", "exit 0\n");
    project.file(".flotilla/history.db", &"garbage ".repeat(2000));
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert!(
        run.stdout.contains("warning:") && run.stdout.contains("corrupt"),
        "{}",
        run.describe()
    );
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0);
    assert!(!run.stdout.contains("warning:"), "{}", run.describe());
    assert!(project.run(&["list"]).stdout.contains("history (2 runs)"));
}

#[test]
fn concurrent_runs_share_one_history_file() {
    let project = Project::new();
    project.config(SUITE);
    for i in 0..10 {
        project.file(&format!("t/f{i}.sh"), "exit 0\n");
    }
    let children: Vec<_> = (0..4).map(|_| project.spawn(&["run"])).collect();
    for child in children {
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(!stdout.contains("history `"), "no history problem: {stdout}");
    }
    let list = project.run(&["list"]);
    assert!(
        list.stdout.lines().all(|l| l.contains("history (4 runs)")),
        "{}",
        list.stdout
    );
}

#[test]
fn old_run_folders_are_pruned() {
    let project = Project::new();
    project
        .config(&SUITE.replace("[run]\n", "[run]\nkeep-runs = 2\n"))
        .file("t/a.sh", "exit 0\n");
    for _ in 0..4 {
        assert_eq!(project.run(&["run"]).code, 0);
    }
    let runs = std::fs::read_dir(project.path(".flotilla/runs"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_dir())
        .count();
    assert_eq!(runs, 2, "only the newest two run folders are kept");
    assert!(project.latest("summary.json").exists());
}

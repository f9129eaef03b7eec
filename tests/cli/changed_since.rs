//! `flotilla run --changed-since REF` in real git repositories: only the suites whose `inputs`
//! changed since REF (committed on the branch, or not committed yet) run; suites without
//! `inputs` always run; the others are named with why; no repository or an unknown ref is a
//! usage error (exit 2).

use std::process::Command;

use crate::harness::Project;

const CONFIG: &str = r#"[run]
workers = 2

[suite.api]
runner = "custom"
command = ["bash", "{file}"]
files = ["api/tests/*.sh"]
inputs = ["api/**"]

[suite.web]
runner = "custom"
command = ["bash", "{file}"]
files = ["web/tests/*.sh"]
inputs = ["web/**", "shared.txt"]

[suite.misc]
runner = "custom"
command = ["bash", "{file}"]
files = ["misc/*.sh"]
"#;

fn project() -> Project {
    let project = Project::new();
    project
        .config(CONFIG)
        .file(".gitignore", ".flotilla/\n")
        .file("api/src/app.txt", "v1\n")
        .file("api/tests/a.sh", "exit 0\n")
        .file("web/tests/w.sh", "exit 0\n")
        .file("shared.txt", "one\n")
        .file("misc/m.sh", "exit 0\n");
    project
}

fn git(project: &Project, args: &[&str]) {
    let output = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(&project.root)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .expect("git runs");
    assert!(
        output.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// A repository with everything committed on `main`, and a branch `feature` checked out.
fn repository() -> Project {
    let project = project();
    git(&project, &["init", "-q"]);
    git(&project, &["add", "-A"]);
    git(&project, &["commit", "-qm", "first"]);
    git(&project, &["checkout", "-qb", "feature"]);
    project
}

fn suites_run(project: &Project) -> Vec<String> {
    let mut suites: Vec<String> = project.summary()["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["suite"].as_str().unwrap().to_string())
        .collect();
    suites.dedup();
    suites
}

#[test]
fn only_suites_whose_inputs_changed_run_committed_or_not() {
    let project = repository();
    project.file("api/src/app.txt", "v2\n");
    git(&project, &["commit", "-qam", "change the api"]);

    let run = project.run(&["run", "--changed-since", "main"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(suites_run(&project), ["api", "misc"], "{}", run.describe());
    for line in [
        "--changed-since main: 1 file(s) changed since main",
        "suite api: runs (1 input file(s) changed: api/src/app.txt)",
        "suite misc: runs (it has no `inputs`, so it always runs)",
        "suite web: left out (no input changed since main)",
    ] {
        assert!(run.stdout.contains(line), "missing {line:?}\n{}", run.describe());
    }
    assert_eq!(run.last_line(), "2 passed, 0 failed, 0 skipped", "{}", run.describe());

    // Not committed: an untracked file in a folder, and a change to a shared input.
    project.file("web/src/new.txt", "new\n");
    project.file("shared.txt", "two\n");
    let run = project.run(&["run", "--changed-since", "main"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(suites_run(&project), ["api", "misc", "web"], "{}", run.describe());
    assert!(
        run.stdout
            .contains("suite web: runs (2 input file(s) changed: shared.txt, web/src/new.txt)"),
        "{}",
        run.describe()
    );
}

#[test]
fn nothing_changed_runs_only_the_suites_without_inputs() {
    let project = repository();
    let run = project.run(&["run", "--changed-since", "main"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(suites_run(&project), ["misc"], "{}", run.describe());
    assert!(run.stdout.contains("suite api: left out"), "{}", run.describe());

    // With nothing left to run, it says so and runs nothing.
    let only_inputs = CONFIG.split("[suite.misc]").next().unwrap();
    project.config(only_inputs);
    git(&project, &["commit", "-qam", "no misc"]);
    let run = project.run(&["run", "--changed-since", "HEAD"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert!(
        run.stdout
            .contains("--changed-since HEAD: no suite has anything to run; ran nothing"),
        "{}",
        run.describe()
    );
}

#[test]
fn no_repository_or_an_unknown_ref_is_a_usage_error() {
    let project = project();
    let run = project.run(&["run", "--changed-since", "main"]);
    assert_eq!(run.code, 2, "{}", run.describe());
    assert!(run.stderr.contains("needs a git repository"), "{}", run.describe());
    assert!(!project.path(".flotilla/runs").exists(), "nothing ran");

    let project = repository();
    let run = project.run(&["run", "--changed-since", "no-such-branch"]);
    assert_eq!(run.code, 2, "{}", run.describe());
    assert!(
        run.stderr
            .contains("--changed-since `no-such-branch`: no such branch, tag or commit"),
        "{}",
        run.describe()
    );
}

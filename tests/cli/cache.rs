//! The cache of suites with `inputs`: a suite whose inputs, command, selection and variables
//! are those of its last green run is reported `cached` from that run without running; a
//! changed input, a run that was not green, or `--no-cache` runs it.

use crate::harness::Project;

const CONFIG: &str = r#"[run]
workers = 2

[suite.api]
runner = "custom"
command = ["bash", "{file}"]
files = ["api/tests/*.sh"]
inputs = ["api/**"]

[suite.misc]
runner = "custom"
command = ["bash", "{file}"]
files = ["misc/*.sh"]
"#;

fn project() -> Project {
    let project = Project::new();
    project
        .config(CONFIG)
        .file("api/src/app.txt", "ok\n")
        // Fails while the app says so: a changed input, or a marker outside the inputs.
        .file(
            "api/tests/a.sh",
            "grep -q ok \"$PROJECT_ROOT/api/src/app.txt\" && ! test -e \"$PROJECT_ROOT/broken\"\n",
        )
        .file("api/tests/b.sh", "exit 0\n")
        .file("misc/m.sh", "exit 0\n");
    project
}

/// (suite, outcome) of every test of the latest run, and the message of each cached one.
fn outcomes(project: &Project) -> Vec<(String, String, Option<String>)> {
    project.summary()["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["suite"].as_str().unwrap().to_string(),
                t["outcome"].as_str().unwrap().to_string(),
                t["attempts"][0]["message"].as_str().map(ToString::to_string),
            )
        })
        .collect()
}

fn run_id(project: &Project) -> String {
    project.summary()["run_id"].as_str().unwrap().to_string()
}

#[test]
fn an_unchanged_suite_is_cached_from_its_green_run_and_a_changed_input_runs_it() {
    let project = project();
    let first = project.run(&["run"]);
    assert_eq!(first.code, 0, "{}", first.describe());
    assert!(
        first
            .stdout
            .contains("cache: suite api: runs (no earlier run with these inputs)"),
        "{}",
        first.describe()
    );
    let green = run_id(&project);

    let again = project.run(&["run"]);
    assert_eq!(again.code, 0, "{}", again.describe());
    assert_eq!(
        again.last_line(),
        "1 passed, 0 failed, 0 skipped, 2 cached",
        "{}",
        again.describe()
    );
    let from = format!("cached from run {green}");
    assert!(
        again.stdout.contains(&format!("cache: suite api: 2 test(s) {from}")),
        "{}",
        again.describe()
    );
    assert_eq!(
        outcomes(&project),
        [
            ("api".into(), "cached".into(), Some(from.clone())),
            ("api".into(), "cached".into(), Some(from.clone())),
            ("misc".into(), "passed".into(), None),
        ]
    );
    let summary = project.summary();
    assert_eq!(summary["counts"]["cached"], 2);
    assert_eq!(summary["passed"], true);
    let junit = std::fs::read_to_string(project.latest("junit.xml")).unwrap();
    assert!(
        junit.contains(&format!("<property name=\"flotilla-cached\" value=\"{from}\"/>")),
        "{junit}"
    );
    assert!(!junit.contains("<failure") && !junit.contains("<skipped"), "{junit}");
    let gate = project.run(&["gate", ".flotilla/runs/latest"]);
    assert_eq!(gate.code, 0, "cached counts as passing\n{}", gate.describe());

    // A third unchanged run still names the run the results come from.
    let third = project.run(&["run"]);
    assert!(third.stdout.contains(&from), "{}", third.describe());

    project.file("api/src/app.txt", "ok, changed\n");
    let changed = project.run(&["run"]);
    assert_eq!(changed.code, 0, "{}", changed.describe());
    assert!(
        changed.stdout.contains(
            "cache: suite api: runs (its inputs, command, selection or variables changed since its last run)"
        ),
        "{}",
        changed.describe()
    );
    assert_eq!(
        changed.last_line(),
        "3 passed, 0 failed, 0 skipped",
        "{}",
        changed.describe()
    );
}

#[test]
fn a_run_that_was_not_green_is_never_reused() {
    let project = project();
    project.file("broken", "");
    let failing = project.run(&["run"]);
    assert_eq!(failing.code, 1, "{}", failing.describe());

    // Same inputs (the marker is not one of them): the failure is not reused, the suite runs.
    let again = project.run(&["run"]);
    assert_eq!(again.code, 1, "{}", again.describe());
    assert!(
        again
            .stdout
            .contains("cache: suite api: runs (its last run was not green)"),
        "{}",
        again.describe()
    );
    assert_eq!(
        again.last_line(),
        "2 passed, 1 failed, 0 skipped",
        "{}",
        again.describe()
    );

    std::fs::remove_file(project.path("broken")).unwrap();
    let fixed = project.run(&["run"]);
    assert_eq!(fixed.code, 0, "{}", fixed.describe());
    assert_eq!(
        fixed.last_line(),
        "3 passed, 0 failed, 0 skipped",
        "{}",
        fixed.describe()
    );
    let cached = project.run(&["run"]);
    assert_eq!(
        cached.last_line(),
        "1 passed, 0 failed, 0 skipped, 2 cached",
        "{}",
        cached.describe()
    );
}

#[test]
fn no_cache_runs_everything_and_a_selection_of_other_files_runs() {
    let project = project();
    assert_eq!(project.run(&["run"]).code, 0);
    let forced = project.run(&["run", "--no-cache"]);
    assert_eq!(forced.code, 0, "{}", forced.describe());
    assert!(!forced.stdout.contains("cache:"), "{}", forced.describe());
    assert_eq!(
        forced.last_line(),
        "3 passed, 0 failed, 0 skipped",
        "{}",
        forced.describe()
    );

    // Another test file is another selection: the suite runs, and its new run is cached next.
    project.file("api/tests/c.sh", "exit 0\n");
    let more = project.run(&["run"]);
    assert_eq!(more.last_line(), "4 passed, 0 failed, 0 skipped", "{}", more.describe());
    let cached = project.run(&["run"]);
    assert_eq!(
        cached.last_line(),
        "1 passed, 0 failed, 0 skipped, 3 cached",
        "{}",
        cached.describe()
    );
}

#[test]
fn with_the_json_stream_the_cache_speaks_on_stderr_and_counts_cached() {
    let project = project();
    assert_eq!(project.run(&["run"]).code, 0);
    let json = project.run(&["run", "--message-format", "json"]);
    assert_eq!(json.code, 0, "{}", json.describe());
    for line in json.stdout.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
    }
    assert!(
        json.stderr.contains("cache: suite api: 2 test(s) cached from run"),
        "{}",
        json.describe()
    );
    let finished: serde_json::Value = serde_json::from_str(json.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(finished["event"], "run_finished");
    assert_eq!(finished["counts"]["cached"], 2);
    assert_eq!(finished["verdict"], "passed");
}

//! The go adapter against real `go test` (tests/fixtures/runners/go): package folders as
//! units, top-level tests retried with `-run`, a flaky test, a package that does not compile
//! (an error outside tests, never retried), `-run` selection, and a slow package split into
//! its tests across workers.

use crate::harness::{Project, require_runner, retried_tests, runner_fixture, tests_by_id, workers_of};

const CONFIG: &str = "[run]\nworkers = 3\n\n[suite.go]\nrunner = \"go\"\nretries = 1\n";

fn project() -> Project {
    require_runner(&["go", "version"]);
    let project = runner_fixture("go");
    project.config(CONFIG);
    project
}

#[test]
fn retries_failed_tests_and_reports_build_failures_once() {
    let project = project();
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "16 passed, 3 failed, 1 skipped, 1 flaky, 1 errors",
        "{}",
        run.describe()
    );
    let summary = project.summary();
    assert_eq!(
        retried_tests(&summary),
        [
            "fail::TestFailsP0",
            "fail::TestParent",
            "fail::TestParent/bad",
            "flaky::TestPassesOnRetryP1"
        ],
        "only the failed tests are retried"
    );
    let tests = tests_by_id(&summary);
    assert_eq!(tests["flaky::TestPassesOnRetryP1"]["outcome"], "flaky");
    assert_eq!(tests["fail::TestParent/bad"]["outcome"], "failed");
    assert_eq!(tests["pass::TestTable/with_space"]["outcome"], "passed");
    let broken = &tests["broken::<outside tests>"];
    assert_eq!(broken["outcome"], "error");
    assert_eq!(broken["outside_tests"], true);
    assert_eq!(broken["attempts"].as_array().unwrap().len(), 1, "never retried");
    assert!(
        broken["attempts"][0]["message"]
            .as_str()
            .unwrap()
            .contains("undefined: undefinedName"),
        "{broken}"
    );
}

#[test]
fn a_slow_package_is_split_into_tests_on_the_second_run() {
    let project = project();
    // Whether a split pays for its start-ups is `split_worth`'s (unit-tested, and
    // `pytest_runner::a_sub_second_big_file_is_not_split...`); this test is about the split.
    project.config(&CONFIG.replace("retries = 1", "retries = 1\nsplit = \"always\""));
    project.run(&["run"]);
    project.reset_flaky();
    let plan = project.run(&["plan"]);
    assert!(
        plan.stdout.contains("8 tests split out of big files"),
        "{}",
        plan.stdout
    );
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let summary = project.summary();
    let workers = workers_of(&summary, "slow");
    assert!(workers.len() > 1, "the slow package ran on one worker: {workers:?}");
    let tests = tests_by_id(&summary);
    assert_eq!(tests["slow::TestSlow7"]["attempts"].as_array().unwrap().len(), 1);
}

#[test]
fn select_maps_to_run() {
    let project = project();
    project.config(&CONFIG.replace("retries = 1", "retries = 1\nexclude = [\"broken/**\"]"));
    let run = project.run(&["run", "--select", "P0"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let tests = tests_by_id(&project.summary());
    let ran: Vec<&str> = tests.keys().map(String::as_str).collect();
    assert_eq!(ran, ["fail::TestFailsP0", "pass::TestAddP0"]);
}

/// A copy of Go's own source tree for a few standard packages (the rest linked to the real one),
/// so that `go test` sees them as the standard library: import paths with no module prefix.
fn go_source_tree(project: &Project, copied: &[&str]) -> std::path::PathBuf {
    let output = std::process::Command::new("go")
        .args(["env", "GOROOT"])
        .output()
        .unwrap();
    let real = std::path::PathBuf::from(String::from_utf8(output.stdout).unwrap().trim());
    let goroot = project.path("goroot");
    std::fs::create_dir_all(goroot.join("src")).unwrap();
    for entry in std::fs::read_dir(&real).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name() != "src" {
            std::os::unix::fs::symlink(entry.path(), goroot.join(entry.file_name())).unwrap();
        }
    }
    for entry in std::fs::read_dir(real.join("src")).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name();
        let target = goroot.join("src").join(&name);
        if copied.iter().any(|c| std::ffi::OsStr::new(c) == name) {
            let status = std::process::Command::new("cp")
                .arg("-r")
                .arg(entry.path())
                .arg(&target)
                .status()
                .unwrap();
            assert!(status.success());
        } else {
            std::os::unix::fs::symlink(entry.path(), target).unwrap();
        }
    }
    goroot
}

/// go's own counts of test events (tests, subtests and examples), from `go test -json`.
fn go_counts(dir: &std::path::Path, goroot: Option<&std::path::Path>, packages: &[&str]) -> [usize; 3] {
    let mut command = std::process::Command::new("go");
    command
        .args(["test", "-json", "-count=1"])
        .args(packages)
        .current_dir(dir);
    if let Some(goroot) = goroot {
        command.env("GOROOT", goroot);
    }
    let output = command.output().unwrap();
    let mut counts = [0; 3];
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let event: serde_json::Value = serde_json::from_str(line).unwrap();
        if event["Test"].is_string() {
            match event["Action"].as_str() {
                Some("pass") => counts[0] += 1,
                Some("fail") => counts[1] += 1,
                Some("skip") => counts[2] += 1,
                _ => {}
            }
        }
    }
    counts
}

/// Go's standard library (import paths without a module prefix, same-named tests in sibling
/// packages such as unicode/utf8 and unicode/utf16): flotilla counts what go counts, on every
/// split, gives each test its own package's id, and the warm run matches all of its history.
#[test]
fn the_standard_library_counts_as_go_counts_and_warm_runs_match() {
    require_runner(&["go", "version"]);
    let project = Project::new();
    let goroot = go_source_tree(&project, &["container", "unicode"]);
    project.file(
        "goroot/src/flotilla.toml",
        "[run]\nworkers = 2\n\n[suite.std]\nrunner = \"go\"\nsplit = \"always\"\nfiles = [\"container/**/*_test.go\", \"unicode/**/*_test.go\"]\n",
    );
    let expected = go_counts(
        &goroot.join("src"),
        Some(&goroot),
        &["./container/...", "./unicode/..."],
    );
    assert!(expected[0] > 100, "go itself ran {expected:?}");
    let summary_path = goroot.join("src/.flotilla/runs/latest/summary.json");
    let mut ids_per_run = Vec::new();
    for round in 0..2 {
        let mut command = project.command(&["-C", "goroot/src", "run"]);
        command.env("GOROOT", &goroot);
        let output = command.output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let summary: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&summary_path).unwrap()).unwrap();
        let counts = &summary["counts"];
        assert_eq!(
            [&counts["passed"], &counts["failed"], &counts["skipped"]].map(|c| c.as_u64().unwrap() as usize),
            expected,
            "round {round}: {stdout}"
        );
        let tests = tests_by_id(&summary);
        for (id, test) in &tests {
            assert_eq!(test["classname"], test["file"], "{id} is filed under another package");
        }
        if round == 1 {
            assert_eq!(summary["timing_match"], 1.0, "{stdout}");
            assert!(stdout.contains("timing history for 100% of tests"), "{stdout}");
        }
        ids_per_run.push(tests.into_keys().collect::<Vec<_>>());
    }
    assert_eq!(
        ids_per_run[0], ids_per_run[1],
        "the ids a run writes are the ids the next one reads"
    );
}

/// A generated module without a host prefix (`module gen`): packages with subtests, parallel
/// subtests, examples, skipped tests and subtests, and the same test names in every package;
/// one slow package is split into its tests on the second run. flotilla counts what go counts.
#[test]
fn a_generated_module_counts_as_go_counts_on_every_split() {
    require_runner(&["go", "version"]);
    let project = Project::new();
    project.file("go.mod", "module gen\n\ngo 1.19\n");
    for (index, package) in ["alpha", "beta", "gamma/inner", "slow"].iter().enumerate() {
        let name = package.rsplit('/').next().unwrap();
        let pause = if *package == "slow" {
            "time.Sleep(150 * time.Millisecond)"
        } else {
            "_ = time.Now()"
        };
        project.file(
            &format!("{package}/{name}.go"),
            &format!("package {name}\n\n// Add adds.\nfunc Add(a, b int) int {{ return a + b }}\n"),
        );
        project.file(
            &format!("{package}/{name}_test.go"),
            &format!(
                r#"package {name}

import (
	"fmt"
	"testing"
	"time"
)

func TestTable(t *testing.T) {{
	for _, c := range []struct{{ name string; a, b, want int }}{{{{"one", 1, 0, 1}}, {{"two", 1, 1, 2}}, {{"skipped", 0, 0, 0}}}} {{
		c := c
		t.Run(c.name, func(t *testing.T) {{
			if c.name == "skipped" {{
				t.Skip("not today")
			}}
			{pause}
			if Add(c.a, c.b) != c.want {{
				t.Fatal("wrong")
			}}
		}})
	}}
}}

func TestParallel(t *testing.T) {{
	for i := 0; i < 3; i++ {{
		i := i
		t.Run(fmt.Sprint("p", i), func(t *testing.T) {{
			t.Parallel()
			{pause}
			_ = Add(i, {index})
		}})
	}}
}}

func TestSkipped(t *testing.T) {{ t.Skip("skipped on purpose") }}

func TestPlain(t *testing.T) {{ {pause} }}

func ExampleAdd() {{
	fmt.Println(Add(1, 2))
	// Output: 3
}}
"#
            ),
        );
    }
    project.config("[run]\nworkers = 3\n\n[suite.gen]\nrunner = \"go\"\nsplit = \"always\"\n");
    let expected = go_counts(&project.path(""), None, &["./..."]);
    assert_eq!(expected, [36, 0, 8], "go's own counts of the generated module");
    let mut ids_per_run = Vec::new();
    for round in 0..3 {
        let run = project.run(&["run"]);
        assert_eq!(run.code, 0, "{}", run.describe());
        let summary = project.summary();
        let counts = &summary["counts"];
        assert_eq!(
            [&counts["passed"], &counts["failed"], &counts["skipped"]].map(|c| c.as_u64().unwrap() as usize),
            expected,
            "round {round}: {}",
            run.describe()
        );
        if round > 0 {
            assert_eq!(summary["timing_match"], 1.0, "round {round}: {}", run.describe());
        }
        ids_per_run.push(tests_by_id(&summary).into_keys().collect::<Vec<_>>());
    }
    assert_eq!(ids_per_run[0], ids_per_run[2]);
}

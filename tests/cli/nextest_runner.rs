//! The cargo-nextest adapter against real cargo-nextest (tests/fixtures/runners/nextest):
//! test binaries as units, tests retried with a filterset, a flaky test, a crate whose tests do
//! not compile (an error outside tests, never retried), `-E` selection, and a slow test binary
//! split into its tests across workers.
//!
//! Every test here shares one copy of the fixture workspace (and its target folder), so cargo
//! builds it once per run of this test binary: a copy per test would be rebuilt per test
//! (cargo's fingerprints include the source path). Each test has its own config file there,
//! pointing its run folder, history and flaky markers at its own temp folder.

use std::path::{Path, PathBuf};

use crate::harness::{MARKERS, Project, Run, require_runner, retried_tests, tests_by_id, workers_of};

struct Nextest {
    project: Project,
    config: PathBuf,
}

impl Nextest {
    fn new(extra: &str) -> Self {
        require_runner(&["cargo", "nextest", "--version"]);
        let workspace = shared_workspace();
        let project = Project::new();
        std::fs::create_dir_all(project.root.join(MARKERS)).unwrap();
        let name = project.root.file_name().unwrap().to_string_lossy().into_owned();
        let config = workspace.join(format!("flotilla-{name}.toml"));
        let runs = project.root.join(".flotilla/runs");
        let history = project.root.join(".flotilla/history.db");
        let target = workspace.join("target");
        std::fs::write(
            &config,
            format!(
                "[run]\nworkers = 3\nout-dir = {runs:?}\nhistory = {history:?}\n\n\
                 [suite.rust]\nrunner = \"cargo-nextest\"\nretries = 1\n\
                 env = {{ CARGO_TARGET_DIR = {target:?} }}\n{extra}"
            ),
        )
        .unwrap();
        Self { project, config }
    }

    fn run(&self, command: &str, args: &[&str]) -> Run {
        let config = self.config.to_str().unwrap();
        let mut argv = vec![command, "--config", config];
        argv.extend(args);
        self.project.run(&argv)
    }
}

impl Drop for Nextest {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.config);
    }
}

/// One copy of the fixture per content (a hash of its files in the folder name), made once:
/// the first test copies it to a private folder and renames that into place.
fn shared_workspace() -> PathBuf {
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/runners/nextest");
    let mut files = Vec::new();
    collect(&source, &source, &mut files);
    files.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (path, bytes) in &files {
        for byte in path.as_bytes().iter().chain(bytes) {
            hash = (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    let base = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let shared = base.join(format!("nextest-fixture-{hash:016x}"));
    if !shared.exists() {
        let private = base.join(format!("nextest-fixture-{hash:016x}.{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&private);
        for (path, bytes) in &files {
            let target = private.join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, bytes).unwrap();
        }
        // Another test may have won the race: its copy is the same.
        if std::fs::rename(&private, &shared).is_err() {
            let _ = std::fs::remove_dir_all(&private);
        }
    }
    shared
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if entry.file_name() == "target" {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, out);
        } else {
            let relative = path.strip_prefix(root).unwrap().to_string_lossy().into_owned();
            out.push((relative, std::fs::read(&path).unwrap()));
        }
    }
}

#[test]
fn retries_failed_tests_and_reports_build_failures_once() {
    let nextest = Nextest::new("");
    let run = nextest.run("run", &[]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "13 passed, 1 failed, 2 skipped, 1 flaky, 1 errors",
        "{}",
        run.describe()
    );
    let summary = nextest.project.summary();
    assert_eq!(
        retried_tests(&summary),
        [
            "suite/tests/fail.rs::fails_p0",
            "suite/tests/flaky.rs::passes_on_retry_p1"
        ],
        "only the failed tests are retried"
    );
    let tests = tests_by_id(&summary);
    assert_eq!(tests["suite/tests/flaky.rs::passes_on_retry_p1"]["outcome"], "flaky");
    // `cargo nextest run -p suite` counts the two `#[ignore]` tests as skipped; so does
    // flotilla, from nextest's SKIP lines (its JUnit leaves them out).
    let ignored = &tests["suite/tests/pass.rs::is_ignored"];
    assert_eq!(ignored["outcome"], "skipped", "{ignored}");
    assert_eq!(tests["suite/src/lib.rs::tests::unit_adds_p0"]["outcome"], "passed");
    assert_eq!(tests["suite/tests/pass.rs::strings::concatenates"]["outcome"], "passed");
    let broken = &tests["broken/tests/broken.rs::<outside tests>"];
    assert_eq!(broken["outcome"], "error");
    assert_eq!(broken["outside_tests"], true);
    assert_eq!(broken["attempts"].as_array().unwrap().len(), 1, "never retried");
    assert!(
        broken["attempts"][0]["message"]
            .as_str()
            .unwrap()
            .contains("could not compile `broken`"),
        "{broken}"
    );
}

#[test]
fn a_slow_test_binary_is_split_into_tests_on_the_second_run() {
    // Whether a split pays for its start-ups is `split_worth`'s (unit-tested, and
    // `pytest_runner::a_sub_second_big_file_is_not_split...`); this test is about the split.
    let nextest = Nextest::new("split = \"always\"\n");
    nextest.run("run", &[]);
    nextest.project.reset_flaky();
    let plan = nextest.run("plan", &[]);
    assert!(
        plan.stdout.contains("9 tests split out of big files"),
        "eight and the ignored one: {}",
        plan.describe()
    );
    let run = nextest.run("run", &[]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let summary = nextest.project.summary();
    let ignored = &tests_by_id(&summary)["suite/tests/slow.rs::slow_ignored"];
    assert_eq!(
        ignored["outcome"], "skipped",
        "a split binary's ignored test: {ignored}"
    );
    assert_eq!(
        summary["counts"]["skipped"], 2,
        "the two ignored tests, as cargo nextest counts them, split or not"
    );
    let workers = workers_of(&summary, "suite/tests/slow.rs");
    assert!(workers.len() > 1, "the slow binary ran on one worker: {workers:?}");
    assert_eq!(
        tests_by_id(&summary)["suite/tests/slow.rs::slow_7"]["attempts"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn select_maps_to_a_filterset() {
    let nextest = Nextest::new("exclude = [\"broken/**\"]\n");
    let run = nextest.run("run", &["--select", "test(/p0/)"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    let tests = tests_by_id(&nextest.project.summary());
    let ran: Vec<&str> = tests.keys().map(String::as_str).collect();
    assert_eq!(
        ran,
        [
            "suite/src/lib.rs::tests::unit_adds_p0",
            "suite/tests/fail.rs::fails_p0",
            "suite/tests/pass.rs::adds_p0"
        ]
    );
}

#[test]
fn quarantined_tests_are_left_out_by_the_filterset_and_reported_skipped() {
    let nextest = Nextest::new("\n[quarantine]\nskip = [\"suite/tests/fail.rs::fails_p0\"]\n");
    let run = nextest.run("run", &[]);
    assert_eq!(
        run.last_line(),
        "13 passed, 0 failed, 3 skipped, 1 flaky, 1 errors",
        "{}",
        run.describe()
    );
    let tests = tests_by_id(&nextest.project.summary());
    let skipped = &tests["suite/tests/fail.rs::fails_p0"];
    assert_eq!(skipped["outcome"], "skipped");
    assert_eq!(skipped["quarantine"], "skip");
    assert_eq!(
        skipped["attempts"][0]["message"], "quarantined (skip): not run",
        "{skipped}"
    );
}

/// A crate whose dev-dependency is the same crate at another version (here a path copy of a
/// "released" version; from crates.io the layout is the same): `-p NAME` is ambiguous to cargo,
/// so flotilla addresses the package by its folder and every test runs.
#[test]
fn a_package_whose_dependency_shares_its_name_is_addressed_by_its_folder() {
    require_runner(&["cargo", "nextest", "--version"]);
    let project = Project::new();
    project
        .config("[run]\nworkers = 2\n\n[suite.rust]\nrunner = \"cargo-nextest\"\nexclude = [\"released/**\"]\n")
        .file(
            "Cargo.toml",
            "[package]\nname = \"twin\"\nversion = \"0.0.1\"\nedition = \"2021\"\n\n[dev-dependencies]\nreleased = { package = \"twin\", path = \"released\" }\n\n[workspace]\nexclude = [\"released\"]\n",
        )
        .file("src/lib.rs", "pub fn answer() -> u8 { 42 }\n\n#[cfg(test)]\nmod tests {\n    #[test]\n    fn unit() { assert_eq!(super::answer(), 42); }\n}\n")
        .file(
            "tests/against_released.rs",
            "#[test]\nfn same_answer() { assert_eq!(twin::answer(), released::answer()); }\n",
        )
        .file("released/Cargo.toml", "[package]\nname = \"twin\"\nversion = \"1.0.0\"\nedition = \"2021\"\n")
        .file("released/src/lib.rs", "pub fn answer() -> u8 { 42 }\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(run.last_line(), "2 passed, 0 failed, 0 skipped", "{}", run.describe());
}

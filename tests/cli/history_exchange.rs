//! History that travels: `flotilla history export` on each node, `import` of every node's
//! export into the next build's history (its plan then knows every test), bad exports refused
//! with exit 2 naming the file, and `import --junit` seeding timings from other tools' reports.

use crate::harness::Project;

/// A node's (or the whole build's) config: its own history file and its share of the files.
fn config(history: &str, files: &str) -> String {
    format!(
        "[run]\nworkers = 2\nhistory = \"{history}\"\n\n[suite.s]\nrunner = \"custom\"\ncommand = [\"sh\", \"{{file}}\", \"{{result}}\"]\nfiles = [\"{files}\"]\n"
    )
}

/// A test file that reports two timed test cases in JUnit.
fn reporting(seconds: &str) -> String {
    format!(
        "cat > \"$1\" <<'XML'\n<testsuite><testcase name=\"one\" time=\"{seconds}\"/><testcase name=\"two\" time=\"0.01\"/></testsuite>\nXML\n"
    )
}

fn two_nodes() -> Project {
    let project = Project::new();
    project
        .config(&config(".flotilla/build.db", "t/*.sh"))
        .file("node-a.toml", &config(".flotilla/a.db", "t/a*.sh"))
        .file("node-b.toml", &config(".flotilla/b.db", "t/b*.sh"))
        .file("t/a1.sh", &reporting("0.2"))
        .file("t/a2.sh", "exit 0\n")
        .file("t/b1.sh", &reporting("0.3"))
        .file("t/b2.sh", "exit 0\n");
    for node in ["a", "b"] {
        let run = project.run(&["--config", &format!("node-{node}.toml"), "run"]);
        assert_eq!(run.code, 0, "{}", run.describe());
        let export = project.run(&[
            "--config",
            &format!("node-{node}.toml"),
            "history",
            "export",
            &format!("{node}.gz"),
        ]);
        assert_eq!(export.code, 0, "{}", export.describe());
        assert!(export.stdout.contains("exported 3 tests"), "{}", export.describe());
    }
    project
}

#[test]
fn every_nodes_export_merged_gives_the_next_plan_a_full_timing_match() {
    let project = two_nodes();
    let cold = project.run(&["plan"]);
    assert!(
        cold.stdout.contains("0 of 4 units estimated from history"),
        "{}",
        cold.describe()
    );
    let import = project.run(&["history", "import", "a.gz", "b.gz"]);
    assert_eq!(import.code, 0, "{}", import.describe());
    assert!(
        import.stdout.contains("merged `a.gz`: 3 tests"),
        "{}",
        import.describe()
    );
    let plan = project.run(&["plan"]);
    assert!(
        plan.stdout.contains("4 of 4 units estimated from history"),
        "{}",
        plan.describe()
    );
    assert!(!plan.stdout.contains("warning:"), "{}", plan.describe());
    assert!(
        plan.stdout.contains("learned from 2 jobs"),
        "start-up samples travel too: {}",
        plan.stdout
    );
    let list = project.run(&["list"]);
    let a1 = list.stdout.lines().find(|l| l.contains("t/a1.sh")).unwrap();
    assert!(a1.contains("0.210s") && a1.contains("history (1 run)"), "{a1}");

    // Importing the same exports again changes nothing.
    assert_eq!(project.run(&["history", "import", "b.gz", "a.gz"]).code, 0);
    assert_eq!(project.run(&["list"]).stdout, list.stdout);

    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    assert_eq!(project.summary()["timing_match"], 1.0, "{}", run.describe());
}

#[test]
fn a_bad_export_is_refused_naming_the_file_and_changes_nothing() {
    let project = two_nodes();
    let good = std::fs::read(project.path("a.gz")).unwrap();
    project.file("empty.gz", "");
    std::fs::write(project.path("cut.gz"), &good[..good.len() / 2]).unwrap();
    let mut damaged = good.clone();
    let middle = damaged.len() / 2;
    for byte in &mut damaged[middle..middle + 8] {
        *byte ^= 0x55;
    }
    std::fs::write(project.path("damaged.gz"), damaged).unwrap();
    let mut newer = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    std::io::Write::write_all(&mut newer, b"{\"format\":\"flotilla-history\",\"version\":7}\n").unwrap();
    std::fs::write(project.path("newer.gz"), newer.finish().unwrap()).unwrap();
    project.file("plain.json", "{\"format\":\"flotilla-history\"}\n");
    for (file, says) in [
        ("empty.gz", "not gzip"),
        ("cut.gz", "truncated"),
        ("damaged.gz", "damaged"),
        ("newer.gz", "format version 7"),
        ("plain.json", "not gzip"),
        ("missing.gz", "cannot read"),
    ] {
        let import = project.run(&["history", "import", "a.gz", file]);
        assert_eq!(import.code, 2, "{file}: {}", import.describe());
        assert!(
            import.stderr.contains(file) && import.stderr.contains(says),
            "{file}: {}",
            import.describe()
        );
        assert!(!import.stderr.contains("panicked"), "{}", import.describe());
    }
    let plan = project.run(&["plan"]);
    assert!(
        plan.stdout.contains("0 of 4 units estimated from history"),
        "a good export given with a bad one is not merged either: {}",
        plan.describe()
    );
}

#[test]
fn junit_from_other_tools_seeds_the_estimates_the_plan_uses() {
    let project = Project::new();
    project
        .config(
            "[run]\nworkers = 1\n\n[suite.sh]\nrunner = \"custom\"\ncommand = [\"sh\", \"{file}\"]\nfiles = [\"t/*.sh\"]\n\n[suite.py]\nrunner = \"pytest\"\nfiles = [\"tests/test_*.py\"]\n",
        )
        .file("t/a.sh", "exit 0\n")
        .file("t/b.sh", "exit 0\n")
        .file("tests/test_a.py", "def test_one(): pass\n")
        .file(
            "other.xml",
            concat!(
                "<testsuites><testsuite name=\"x\">",
                "<testcase classname=\"suite\" name=\"case1\" file=\"./t/a.sh\" time=\"2.5\"/>",
                "<testcase classname=\"suite\" name=\"case2\" file=\"/builds/elsewhere/t/b.sh\" time=\"1.25\"/>",
                "<testcase classname=\"tests.test_a\" name=\"test_one\" time=\"3.0\"/>",
                "<testcase classname=\"gone\" name=\"old\" file=\"lib/removed.py\" time=\"9\"/>",
                "</testsuite></testsuites>"
            ),
        )
        .file("broken.xml", "<testsuite><testcase name=\"x\"");
    let plan = project.run(&["plan"]);
    assert!(plan.stdout.contains("suite sh: 0 of 2 units"), "{}", plan.describe());

    let import = project.run(&["history", "import", "--junit", "other.xml"]);
    assert_eq!(import.code, 0, "{}", import.describe());
    assert!(
        import.stdout.contains(
            "3 of 4 tests matched (suite `py`: 1 tests in 1 files; suite `sh`: 2 tests in 2 files), 1 unassigned"
        ),
        "{}",
        import.describe()
    );
    assert!(import.stdout.contains("old (lib/removed.py)"), "{}", import.describe());
    let list = project.run(&["list"]);
    for (file, secs) in [
        ("t/a.sh", "2.500s"),
        ("t/b.sh", "1.250s"),
        ("tests/test_a.py", "3.000s"),
    ] {
        let line = list.stdout.lines().find(|l| l.contains(file)).unwrap();
        assert!(line.contains(secs) && line.contains("history (1 run)"), "{line}");
    }
    let plan = project.run(&["plan"]);
    assert!(
        plan.stdout.contains("suite sh: 2 of 2 units estimated from history"),
        "{}",
        plan.describe()
    );
    assert!(
        plan.stdout.contains("suite py: 1 of 1 units estimated from history"),
        "{}",
        plan.describe()
    );
    assert!(plan.stdout.contains("predicted makespan 6.75s"), "{}", plan.describe());

    // The same report again adds no second sample.
    assert_eq!(project.run(&["history", "import", "--junit", "other.xml"]).code, 0);
    assert_eq!(project.run(&["list"]).stdout, list.stdout);

    let only_py = project.run(&["history", "import", "--junit", "--suite", "py", "other.xml"]);
    assert!(
        only_py.stdout.contains("1 of 4 tests matched (suite `py`"),
        "{}",
        only_py.describe()
    );

    let broken = project.run(&["history", "import", "--junit", "broken.xml"]);
    assert_eq!(broken.code, 2, "{}", broken.describe());
    assert!(broken.stderr.contains("broken.xml"), "{}", broken.describe());
    project.file(
        "foreign.xml",
        "<testsuite><testcase name=\"x\" file=\"nowhere.rb\" time=\"1\"/></testsuite>",
    );
    let foreign = project.run(&["history", "import", "--junit", "foreign.xml"]);
    assert_eq!(foreign.code, 2, "nothing seeded is an error: {}", foreign.describe());
    assert!(foreign.stderr.contains("nothing was seeded"), "{}", foreign.describe());
}

//! The vitest adapter against a **stand-in** (`tests/fixtures/stand-ins/vitest`): Vitest cannot
//! be installed here. The stand-in writes the documentation-based report
//! (`tests/fixtures/formats/vitest/run.json`) where `--outputFile` says, filtered by the files
//! and `-t` pattern it gets. This checks flotilla's side: argv, report location, parsing, ids,
//! retries by name, files that fail outside their tests. Not Vitest itself.

use crate::harness::{retried_tests, stand_in_calls, stand_in_environment, stand_in_project, tests_by_id};

#[test]
fn runs_reads_and_retries_by_full_name() {
    let project = stand_in_project(
        "vitest",
        &["tests/math.test.ts", "tests/hooks.test.ts", "broken/broken.test.ts"],
    );
    project.config(&format!(
        "[run]\nworkers = 2\n\n[suite.web]\nrunner = \"vitest\"\nretries = 1\n{}",
        stand_in_environment(&project)
    ));
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "3 passed, 1 failed, 3 skipped, 2 errors",
        "{}",
        run.describe()
    );
    let summary = project.summary();
    assert_eq!(retried_tests(&summary), ["tests/math.test.ts::Calculator fails [p0]"]);
    let tests = tests_by_id(&summary);
    assert_eq!(
        tests["tests/math.test.ts::Calculator fails [p0]"]["attempts"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        tests["tests/math.test.ts::Calculator adds [p0]"]["attempts"]
            .as_array()
            .unwrap()
            .len(),
        1,
        "tests the retry's -t left out are not counted again"
    );
    for file in ["tests/hooks.test.ts", "broken/broken.test.ts"] {
        let error = &tests[&format!("{file}::<outside tests>")];
        assert_eq!(error["outside_tests"], true);
        assert_eq!(error["attempts"].as_array().unwrap().len(), 1, "never retried");
    }
    let retry = stand_in_calls(&project)
        .into_iter()
        .find(|argv| argv.iter().any(|a| a == "-t"))
        .expect("a retry with -t");
    assert_eq!(
        retry[retry.len() - 3..],
        ["-t", r"^(Calculator fails \[p0\])$", "tests/math.test.ts"]
    );
}

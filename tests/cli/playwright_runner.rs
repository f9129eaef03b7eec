//! The playwright adapter against a **stand-in** (`tests/fixtures/stand-ins/playwright`):
//! Playwright cannot be installed here. The stand-in writes the documentation-based report
//! (`tests/fixtures/formats/playwright/run.json`) to `$PLAYWRIGHT_JSON_OUTPUT_FILE`, filtered by
//! its file arguments read as Playwright reads them (regular expressions on absolute paths,
//! with `:line`) and `--project`. This checks flotilla's side: argv, escaping, report location,
//! parsing, `file:line [project]` ids, retries of single tests, errors outside tests. Not
//! Playwright itself.

use crate::harness::{retried_tests, stand_in_calls, stand_in_environment, stand_in_project, tests_by_id};

#[test]
fn runs_reads_and_retries_by_file_and_line() {
    let project = stand_in_project(
        "playwright",
        &[
            "tests/example.spec.ts",
            "tests/checkout.spec.ts",
            "tests/broken.spec.ts",
        ],
    );
    project.config(&format!(
        "[run]\nworkers = 2\n\n[suite.e2e]\nrunner = \"playwright\"\nretries = 1\n{}",
        stand_in_environment(&project)
    ));
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "5 passed, 2 failed, 1 skipped, 1 errors",
        "{}",
        run.describe()
    );
    let summary = project.summary();
    assert_eq!(
        retried_tests(&summary),
        [
            "tests/checkout.spec.ts:4 [chromium]",
            "tests/example.spec.ts:28 [chromium]"
        ]
    );
    let tests = tests_by_id(&summary);
    assert_eq!(tests["tests/example.spec.ts:3 [firefox]"]["outcome"], "passed");
    assert_eq!(tests["tests/example.spec.ts:20 [chromium]"]["outcome"], "skipped");
    let broken = &tests["tests/broken.spec.ts::<outside tests>"];
    assert_eq!(broken["outside_tests"], true);
    assert_eq!(broken["attempts"].as_array().unwrap().len(), 1, "never retried");
    let retries: Vec<Vec<String>> = stand_in_calls(&project)
        .into_iter()
        .filter(|argv| argv.iter().any(|a| a.contains("$:")))
        .collect();
    assert!(!retries.is_empty());
    for argv in retries {
        assert!(argv.contains(&"--project=chromium".to_string()), "{argv:?}");
        assert!(
            argv.iter().all(|a| !a.contains("spec")
                || a == r"/tests/example\.spec\.ts$:28"
                || a == r"/tests/checkout\.spec\.ts$:4"),
            "{argv:?}"
        );
    }
}

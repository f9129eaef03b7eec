//! The cypress adapter against a **stand-in** (`tests/fixtures/stand-ins/cypress`): Cypress
//! cannot be installed here. The stand-in copies the documentation-based mocha-junit-reporter
//! files (`tests/fixtures/formats/cypress/*.xml`, one per spec) into the `mochaFile` folder and
//! exits with the number of failures, as Cypress does. This checks flotilla's side: argv, the
//! report folder, parsing, ids, retries of whole specs, errors outside tests. Not Cypress
//! itself.

use crate::harness::{stand_in_environment, stand_in_project, tests_by_id};

#[test]
fn runs_reads_one_report_per_spec_and_retries_specs() {
    let project = stand_in_project(
        "cypress",
        &[
            "cypress/e2e/login.cy.js",
            "cypress/e2e/dashboard.cy.js",
            "cypress/e2e/broken.cy.js",
        ],
    );
    project.config(&format!(
        "[run]\nworkers = 1\n\n[suite.e2e]\nrunner = \"cypress\"\nretries = 1\n{}",
        stand_in_environment(&project)
    ));
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "2 passed, 1 failed, 0 skipped, 2 errors",
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
    assert_eq!(retries.len(), 1);
    assert_eq!(retries[0]["files"], serde_json::json!(["cypress/e2e/login.cy.js"]));
    assert!(retries[0].get("tests").is_none(), "Cypress re-runs whole specs");
    let tests = tests_by_id(&summary);
    assert_eq!(
        tests["cypress/e2e/login.cy.js::Login rejects a wrong password"]["attempts"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    for spec in ["cypress/e2e/dashboard.cy.js", "cypress/e2e/broken.cy.js"] {
        let error = &tests[&format!("{spec}::<outside tests>")];
        assert_eq!(error["outside_tests"], true);
        assert_eq!(error["attempts"].as_array().unwrap().len(), 1, "never retried");
    }
}

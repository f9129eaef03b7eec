//! Jobs that write JUnit XML: parsed results, broken reports, errors outside tests.

use crate::harness::Project;

const XML_SUITE: &str = r#"
[run]
workers = 2

[suite.x]
runner = "custom"
command = ["sh", "{file}", "{result}"]
files = ["t/*.sh"]
"#;

fn writes(xml: &str, exit: i32) -> String {
    format!("cat > \"$1\" <<'XML'\n{xml}\nXML\nexit {exit}\n")
}

const PYTEST_XML: &str = r#"<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" tests="4"><testcase classname="t.report" name="test_ok" time="0.010"/><testcase classname="t.report.TestGroup" name="test_also_ok" time="0.020"/><testcase classname="t.report" name="test_bad" time="0.030"><failure message="assert 1 == 2">assert 1 == 2</failure></testcase><testcase classname="t.report" name="test_skipped" time="0"><skipped message="not today"/></testcase></testsuite></testsuites>"#;

#[test]
fn junit_reports_give_per_test_results() {
    let project = Project::new();
    project.config(XML_SUITE).file("t/report.sh", &writes(PYTEST_XML, 1));
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(run.last_line(), "2 passed, 1 failed, 1 skipped", "{}", run.describe());
    let summary = project.summary();
    let ids: Vec<&str> = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"t/report.sh::test_bad"), "{ids:?}");
    assert!(ids.contains(&"t/report.sh::TestGroup::test_also_ok"), "{ids:?}");
    let bad = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "test_bad")
        .unwrap();
    assert_eq!(bad["attempts"][0]["message"], "assert 1 == 2");
    assert!(summary["jobs"][0]["report"].as_str().unwrap().ends_with(".xml"));
}

#[test]
fn malformed_xml_is_an_error_and_the_run_goes_on() {
    let project = Project::new();
    project
        .config(XML_SUITE)
        .file(
            "t/broken.sh",
            "printf '<testsuite><testcase name=\"a\">' > \"$1\"\nexit 0\n",
        )
        .file(
            "t/good.sh",
            &writes(
                PYTEST_XML
                    .replace("<failure message=\"assert 1 == 2\">assert 1 == 2</failure>", "")
                    .as_str(),
                0,
            ),
        )
        .file("t/plain.sh", "exit 0\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "4 passed, 0 failed, 1 skipped, 1 errors",
        "{}",
        run.describe()
    );
    assert!(run.stdout.contains("malformed JUnit report"), "{}", run.describe());
    let summary = project.summary();
    let broken = summary["tests"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["file"] == "t/broken.sh")
        .unwrap();
    assert_eq!(broken["outcome"], "error");
    let job = summary["jobs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["files"][0] == "t/broken.sh")
        .unwrap();
    assert!(job["error"].as_str().unwrap().contains("truncated"), "{job}");
}

#[test]
fn non_zero_exit_with_a_green_report_is_an_error_outside_tests() {
    let project = Project::new();
    let green = PYTEST_XML.replace("<failure message=\"assert 1 == 2\">assert 1 == 2</failure>", "");
    project.config(XML_SUITE).file("t/collect.sh", &writes(&green, 2));
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert!(run.last_line().ends_with("1 errors"), "{}", run.describe());
    assert!(run.stdout.contains("error outside tests"), "{}", run.describe());
}

#[test]
fn summary_json_has_the_documented_shape() {
    let project = Project::new();
    project.config(XML_SUITE).file("t/a.sh", "exit 0\n");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 0, "{}", run.describe());
    let summary = project.summary();
    assert_eq!(summary["schema_version"], 2);
    for key in [
        "run_id",
        "started_at",
        "duration_secs",
        "predicted_secs",
        "workers",
        "interrupted",
        "passed",
        "counts",
        "tests",
        "jobs",
        "not_run",
    ] {
        assert!(summary.get(key).is_some(), "missing {key}: {summary}");
    }
    let test = &summary["tests"][0];
    for key in ["suite", "id", "name", "file", "outcome", "attempts"] {
        assert!(test.get(key).is_some(), "missing tests[].{key}");
    }
    for key in ["attempt", "outcome", "duration_secs", "worker", "job"] {
        assert!(test["attempts"][0].get(key).is_some(), "missing attempts[].{key}");
    }
    let latest = std::fs::read_link(project.path(".flotilla/runs/latest")).unwrap();
    assert_eq!(latest.to_str().unwrap(), summary["run_id"].as_str().unwrap());
}

#[test]
fn a_built_in_runner_that_writes_no_report_is_an_error_never_a_pass() {
    let project = Project::new();
    project
        .config("[suite.specs]\nrunner = \"rspec\"\ncommand = [\"true\"]\n")
        .file("spec/a_spec.rb", "");
    let run = project.run(&["run"]);
    assert_eq!(run.code, 1, "{}", run.describe());
    assert_eq!(
        run.last_line(),
        "0 passed, 0 failed, 0 skipped, 1 errors",
        "{}",
        run.describe()
    );
    let summary = project.summary();
    assert!(
        summary["jobs"][0]["error"]
            .as_str()
            .unwrap()
            .contains("wrote no report"),
        "{summary}"
    );
}

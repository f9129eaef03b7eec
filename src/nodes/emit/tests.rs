//! Snapshot tests of every emitted configuration (the Kubernetes manifests are also checked
//! against the real schemas by `tests/cli/nodes.rs` with `kubernetes-validate --strict`).

use std::time::Duration;

use super::{EmitFormat, EmitInput, emit};
use crate::nodes::{NodePlan, NodeUnit, partition};

fn plan() -> NodePlan {
    let units: Vec<NodeUnit> = (0..6)
        .map(|i| NodeUnit {
            suite: "unit".into(),
            file: format!("tests/test_{i}.py"),
            test: None,
            estimate: Duration::from_millis(1000 * (i + 1)),
        })
        .collect();
    partition(&units, 3)
}

fn emitted(format: EmitFormat) -> String {
    let plan = plan();
    let json = serde_json::to_string_pretty(&plan).unwrap();
    emit(
        format,
        &EmitInput {
            plan: &plan,
            plan_file: "plan.json",
            plan_json: &json,
            image: Some("registry.example.com/app-tests:1.2.3"),
        },
    )
    .unwrap()
}

#[test]
fn buildkite_pipeline() {
    let text = emitted(EmitFormat::Buildkite);
    let value: serde_json::Value = serde_norway::from_str(&text).unwrap();
    assert_eq!(value["steps"][0]["parallelism"], 3);
    insta::assert_snapshot!(text);
}

#[test]
fn github_matrix() {
    let text = emitted(EmitFormat::Github);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(value["include"].as_array().unwrap().len(), 3);
    assert_eq!(value["include"][2]["partition"], "3/3");
    insta::assert_snapshot!(text);
}

#[test]
fn gitlab_child_pipeline() {
    let text = emitted(EmitFormat::Gitlab);
    let value: serde_json::Value = serde_norway::from_str(&text).unwrap();
    assert_eq!(value["flotilla-nodes"]["parallel"], 3);
    insta::assert_snapshot!(text);
}

#[test]
fn kubernetes_indexed_job_and_its_plan() {
    let text = emitted(EmitFormat::Kubernetes);
    let documents: Vec<serde_json::Value> = text
        .split("---\n")
        .filter(|d| !d.trim().is_empty())
        .map(|d| serde_norway::from_str(d).unwrap())
        .collect();
    assert_eq!(documents[0]["kind"], "ConfigMap");
    let plan: NodePlan = serde_json::from_str(documents[0]["data"]["plan.json"].as_str().unwrap()).unwrap();
    assert_eq!(plan, self::plan(), "the ConfigMap carries the plan itself");
    let spec = &documents[1]["spec"];
    assert_eq!(spec["completionMode"], "Indexed");
    assert_eq!(spec["completions"], 3);
    assert_eq!(spec["podFailurePolicy"]["rules"][1]["onExitCodes"]["values"][0], 1);
    insta::assert_snapshot!(text);
}

#[test]
fn kubernetes_needs_an_image() {
    let plan = plan();
    let error = emit(
        EmitFormat::Kubernetes,
        &EmitInput {
            plan: &plan,
            plan_file: "plan.json",
            plan_json: "{}",
            image: None,
        },
    )
    .unwrap_err();
    assert!(error.to_string().contains("--image"), "{error}");
}

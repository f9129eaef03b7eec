//! A GitLab child pipeline (trigger it with `trigger: include: artifact:`): a job with
//! `parallel: N` (GitLab names its jobs `flotilla-nodes i/N` and sets `CI_NODE_INDEX`, 1-based,
//! which flotilla trusts only for such names), taking the plan from the parent pipeline's plan
//! job, and a merge job in `.post` that runs whatever the nodes did.

use serde_json::{Value, json};

use super::{EmitInput, short_hash};

pub(super) fn child_pipeline(input: &EmitInput<'_>) -> Value {
    let plan = input.plan;
    let file = input.plan_file;
    json!({
        "variables": { "FLOTILLA_PLAN_HASH": plan.plan_hash },
        "flotilla-nodes": {
            "stage": "test",
            "parallel": plan.nodes,
            "needs": [{ "pipeline": "$PARENT_PIPELINE_ID", "job": "flotilla-plan" }],
            "script": [format!("flotilla run --plan {file}")],
            "artifacts": {
                "when": "always",
                "paths": [".flotilla/runs/"],
                "reports": { "junit": ".flotilla/runs/latest/junit.xml" },
            },
        },
        "flotilla-merge": {
            "stage": ".post",
            "when": "always",
            "needs": [{ "job": "flotilla-nodes", "artifacts": true }],
            "script": [format!("flotilla merge .flotilla/runs --out merged  # plan {}", short_hash(plan))],
            "artifacts": { "when": "always", "paths": ["merged/"] },
        },
    })
}

//! A Kubernetes Indexed Job and a ConfigMap with the plan: one pod per node index
//! (`JOB_COMPLETION_INDEX`, 0-based, read as the node index), the node total injected as
//! `FLOTILLA_NODE_TOTAL` (Kubernetes does not expose `completions` to the pod), a retry budget
//! per index whose failure count becomes `FLOTILLA_RETRY_COUNT` (so a replacement pod replays
//! its share of the pinned plan), disruptions ignored, the tests-failed exit code failing its
//! index at once (no pointless retry), and garbage collection after a day.

use serde_json::json;

use super::{EmitError, EmitInput, TESTS_FAILED_EXIT, short_hash};

const MOUNT: &str = "/etc/flotilla";

pub(super) fn manifests(input: &EmitInput<'_>) -> Result<String, EmitError> {
    let image = input.image.ok_or(EmitError::NoImage)?;
    let plan = input.plan;
    let name = format!("flotilla-{}", short_hash(plan));
    let labels = json!({ "app.kubernetes.io/name": "flotilla", "flotilla.dev/plan-hash": plan.plan_hash });
    let config_map = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": { "name": format!("{name}-plan"), "labels": labels },
        "data": { "plan.json": input.plan_json },
    });
    let job = json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": { "name": name, "labels": labels },
        "spec": {
            "completionMode": "Indexed",
            "completions": plan.nodes,
            "parallelism": plan.nodes,
            "backoffLimitPerIndex": 1,
            "maxFailedIndexes": plan.nodes,
            "podReplacementPolicy": "Failed",
            "ttlSecondsAfterFinished": 86_400,
            "podFailurePolicy": {
                "rules": [
                    { "action": "Ignore", "onPodConditions": [{ "type": "DisruptionTarget", "status": "True" }] },
                    {
                        "action": "FailIndex",
                        "onExitCodes": { "containerName": "flotilla", "operator": "In", "values": [TESTS_FAILED_EXIT] },
                    },
                ]
            },
            "template": {
                "metadata": { "labels": labels },
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{
                        "name": "flotilla",
                        "image": image,
                        "command": ["flotilla", "run", "--plan", format!("{MOUNT}/plan.json")],
                        "env": [
                            { "name": "FLOTILLA_NODE_TOTAL", "value": plan.nodes.to_string() },
                            {
                                "name": "FLOTILLA_RETRY_COUNT",
                                "valueFrom": { "fieldRef": {
                                    "fieldPath": "metadata.annotations['batch.kubernetes.io/job-index-failure-count']"
                                } },
                            },
                        ],
                        "volumeMounts": [{ "name": "plan", "mountPath": MOUNT, "readOnly": true }],
                    }],
                    "volumes": [{ "name": "plan", "configMap": { "name": format!("{name}-plan") } }],
                }
            },
        }
    });
    let mut text = String::new();
    for document in [config_map, job] {
        text.push_str("---\n");
        text.push_str(&serde_norway::to_string(&document).map_err(|source| EmitError::Yaml {
            format: "Kubernetes",
            source,
        })?);
    }
    Ok(text)
}

//! A Buildkite pipeline (`buildkite-agent pipeline upload`): the test step with `parallelism`
//! (Buildkite sets `BUILDKITE_PARALLEL_JOB`, 0-based, on each job), each job fetching the plan
//! artifact and running its share, then a merge step that runs even when a node failed.

use serde_json::{Value, json};

use super::{EmitInput, short_hash};

pub(super) fn pipeline(input: &EmitInput<'_>) -> Value {
    let plan = input.plan;
    let file = input.plan_file;
    json!({
        "steps": [
            {
                "label": format!(":test_tube: flotilla node %n of {} (plan {})", plan.nodes, short_hash(plan)),
                "key": "flotilla-nodes",
                "parallelism": plan.nodes,
                "command": format!("buildkite-agent artifact download {file} . && flotilla run --plan {file}"),
                "artifact_paths": [".flotilla/runs/**/*"],
            },
            {
                "label": ":white_check_mark: flotilla merge",
                "key": "flotilla-merge",
                "depends_on": [{"step": "flotilla-nodes", "allow_failure": true}],
                "command": "buildkite-agent artifact download '.flotilla/runs/**/*' nodes && flotilla merge nodes --out merged",
                "artifact_paths": ["merged/*"],
            }
        ]
    })
}

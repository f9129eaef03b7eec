//! A GitHub Actions matrix, JSON for `strategy.matrix: ${{ fromJSON(...) }}`. GitHub exports no
//! node index, so each leg carries its own `partition` (`I/N`, counting from 1) for
//! `flotilla run --plan plan.json --partition ${{ matrix.partition }}`.

use serde_json::json;

use super::EmitInput;

pub(super) fn matrix(input: &EmitInput<'_>) -> String {
    let nodes = input.plan.nodes;
    let include: Vec<serde_json::Value> = (0..nodes)
        .map(|index| {
            json!({
                "node": index,
                "partition": format!("{}/{nodes}", index + 1),
                "plan_hash": input.plan.plan_hash,
            })
        })
        .collect();
    json!({ "include": include }).to_string()
}

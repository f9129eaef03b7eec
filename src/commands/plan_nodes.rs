//! `flotilla plan --nodes N` / `--target-time T --max-nodes M`: the split of the selection
//! across CI nodes, each node's predicted load, and optionally the plan file (`--out`) and a CI
//! configuration that runs it (`--emit`, on stdout; the human text then goes to stderr).

use std::io::Write;
use std::time::Duration;

use serde_json::json;

use crate::error::Error;
use crate::exit_code;
use crate::nodes::emit::{EmitInput, emit};
use crate::nodes::{
    NodeCount, NodeError, NodeIdentity, NodePlan, NodeRequest, NodeUnit, ShareSource, choose_nodes, predicted_time,
};
use crate::prepare::load_and_prepare_node;
use crate::settings::PlanCommand;

pub(super) fn plan_nodes(command: &PlanCommand) -> Result<u8, Error> {
    let args = &command.nodes;
    // Big files are split against the most nodes the plan may use.
    let most = args.nodes.or(args.max_nodes).unwrap_or(1);
    let request = NodeRequest {
        identity: NodeIdentity {
            index: 0,
            total: most,
            retry: 0,
            source: "flotilla plan".to_string(),
        },
        source: ShareSource::History,
    };
    let prepared = load_and_prepare_node(&command.global.config_path, &command.overrides, Some(request))?;
    let workers = prepared.config.run.workers.max(1);
    let whole = prepared.node.as_ref().expect("a node was requested").plan.clone();
    let mut notes = Vec::new();
    let plan = match args.target_time {
        None => whole,
        Some(target) => {
            let units: Vec<NodeUnit> = whole
                .units
                .iter()
                .map(|u| NodeUnit {
                    suite: u.suite.clone(),
                    file: u.file.clone(),
                    test: u.test.clone(),
                    estimate: Duration::from_micros(u.estimate_us),
                })
                .collect();
            match choose_nodes(&units, workers, target, most) {
                NodeCount::Meets { plan, predicted } => {
                    notes.push(format!(
                        "{} node(s) meet the target {}: predicted {}",
                        plan.nodes,
                        humantime::format_duration(target),
                        secs(predicted)
                    ));
                    plan
                }
                NodeCount::TooFewNodes { plan, predicted } => {
                    eprintln!(
                        "error: the target {} cannot be met with at most {} nodes: {} nodes are predicted to take {}; raise --max-nodes or the target",
                        humantime::format_duration(target),
                        plan.nodes,
                        plan.nodes,
                        secs(predicted)
                    );
                    return Ok(exit_code::USAGE);
                }
                NodeCount::LongestUnitExceeds { unit, estimate } => {
                    eprintln!(
                        "error: the target {} cannot be met with any number of nodes: `{unit}` alone is predicted to take {}; split it, or raise the target",
                        humantime::format_duration(target),
                        secs(estimate)
                    );
                    return Ok(exit_code::USAGE);
                }
            }
        }
    };
    if let Some(out) = &args.out {
        plan.write(out).map_err(NodeError::from)?;
        notes.push(format!(
            "plan written to {out}: run `flotilla run --plan {out}` on every node"
        ));
    }
    if let Some(format) = args.emit {
        let plan_file = args.out.as_ref().map_or("plan.json", |p| p.as_str());
        let plan_json = serde_json::to_string_pretty(&plan).unwrap_or_default();
        let text = emit(
            format,
            &EmitInput {
                plan: &plan,
                plan_file,
                plan_json: &plan_json,
                image: args.image.as_deref(),
            },
        )
        .map_err(NodeError::from)?;
        print!("{text}");
        if !text.ends_with('\n') {
            println!();
        }
        let mut err = std::io::stderr().lock();
        render(&mut err, &plan, workers, &notes);
        return Ok(exit_code::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    if command.json {
        let _ = writeln!(out, "{}", plan_json(&plan, workers));
    } else {
        render(&mut out, &plan, workers, &notes);
        for warning in &prepared.warnings {
            let _ = writeln!(out, "warning: {warning}");
        }
    }
    Ok(exit_code::SUCCESS)
}

/// Each node's predicted load, the makespan and its lower bound.
fn render(out: &mut impl Write, plan: &NodePlan, workers: usize, notes: &[String]) {
    let _ = writeln!(
        out,
        "node plan {} ({}): {} units on {} nodes × {workers} workers",
        plan.plan_hash,
        plan.algorithm,
        plan.units.len(),
        plan.nodes
    );
    for node in 0..plan.nodes {
        let share = plan.share(node);
        let load: u64 = share.iter().map(|u| u.estimate_us).sum();
        let one = NodePlan {
            nodes: 1,
            units: share
                .into_iter()
                .cloned()
                .map(|mut u| {
                    u.node = 0;
                    u
                })
                .collect(),
            ..plan.clone()
        };
        let _ = writeln!(
            out,
            "  node {:>3} (index {node}): predicted {:>9}  ({} of work in {} units)",
            node + 1,
            secs(predicted_time(&one, workers)),
            secs(Duration::from_micros(load)),
            one.units.len()
        );
    }
    let total: u64 = plan.units.iter().map(|u| u.estimate_us).sum();
    let longest = plan.units.iter().map(|u| u.estimate_us).max().unwrap_or(0);
    let slots = u64::from(plan.nodes) * workers as u64;
    let bound = Duration::from_micros((total / slots.max(1)).max(longest));
    let _ = writeln!(
        out,
        "predicted makespan {}; lower bound {} (total {} / ({} nodes × {workers} workers), longest unit {})",
        secs(predicted_time(plan, workers)),
        secs(bound),
        secs(Duration::from_micros(total)),
        plan.nodes,
        secs(Duration::from_micros(longest))
    );
    for note in notes {
        let _ = writeln!(out, "{note}");
    }
}

fn plan_json(plan: &NodePlan, workers: usize) -> serde_json::Value {
    json!({
        "plan_hash": plan.plan_hash,
        "algorithm": plan.algorithm,
        "nodes": (0..plan.nodes).map(|node| {
            let share = plan.share(node);
            json!({
                "node": node,
                "load_secs": share.iter().map(|u| u.estimate_us).sum::<u64>() as f64 / 1e6,
                "units": share.iter().map(|u| u.key().id).collect::<Vec<_>>(),
            })
        }).collect::<Vec<_>>(),
        "workers": workers,
        "makespan_secs": predicted_time(plan, workers).as_secs_f64(),
    })
}

fn secs(duration: Duration) -> String {
    format!("{:.2}s", duration.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nodes::partition;

    #[test]
    fn each_nodes_predicted_load_and_the_bound() {
        let units: Vec<NodeUnit> = [9_000, 4_000, 3_500, 3_000, 2_500, 2_000, 1_500, 1_000, 500, 500]
            .iter()
            .enumerate()
            .map(|(i, &ms)| NodeUnit {
                suite: "api".into(),
                file: format!("tests/test_{i}.py"),
                test: None,
                estimate: Duration::from_millis(ms),
            })
            .collect();
        let mut text = Vec::new();
        render(
            &mut text,
            &partition(&units, 3),
            2,
            &["plan written to plan.json".to_string()],
        );
        insta::assert_snapshot!(String::from_utf8(text).unwrap());
    }
}

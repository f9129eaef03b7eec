//! `flotilla plan`: the predicted per-worker load of each test step, without running anything.
//! Test steps run one after the other, so the run's prediction is the sum of theirs (the same
//! figure `flotilla run` writes to summary.json as `predicted_secs`).

use std::fmt::Write as _;
use std::io::Write;
use std::time::Duration;

use serde_json::json;

use crate::error::Error;
use crate::exit_code;
use crate::history::EstimateSource;
use crate::prepare::{Prepared, StepPlan, load_and_prepare};
use crate::settings::PlanCommand;
use crate::suite_index::SuiteIndex;

pub(super) fn plan(command: &PlanCommand) -> Result<u8, Error> {
    if command.nodes.nodes.is_some() || command.nodes.target_time.is_some() {
        return super::plan_nodes::plan_nodes(command);
    }
    if command.nodes.out.is_some() || command.nodes.emit.is_some() {
        return Err(Error::Usage {
            message:
                "`--out` and `--emit` write a plan across CI nodes: add `--nodes N` or `--target-time T --max-nodes M`"
                    .to_string(),
        });
    }
    let prepared = load_and_prepare(&command.global.config_path, &command.overrides)?;
    let mut out = std::io::stdout().lock();
    if command.json {
        let _ = writeln!(out, "{}", plan_json(&prepared));
        return Ok(exit_code::SUCCESS);
    }
    if let Some(auto) = &prepared.auto_workers {
        let _ = writeln!(out, "workers: {}", auto.reason);
    }
    let several = prepared.plans.len() > 1;
    for step in &prepared.plans {
        if several {
            let _ = writeln!(out, "step `{}`:", step.name);
        }
        render_step(&mut out, &prepared, step);
    }
    if several {
        let bound: Duration = prepared.plans.iter().map(|step| lower_bound(&prepared, step)).sum();
        let _ = writeln!(
            out,
            "predicted total {} over {} test steps (they run one after the other); lower bound {}",
            secs(prepared.predicted()),
            prepared.plans.len(),
            secs(bound)
        );
    }
    let suites = SuiteIndex::all(prepared.config.suites.len());
    for (index, (suite, startup)) in suites.zip(prepared.config.suites.iter().zip(&prepared.startups)) {
        let startup = if startup.jobs > 0 {
            let per_file = if startup.per_file.is_zero() {
                String::new()
            } else {
                format!(" + {} per file", secs(startup.per_file))
            };
            format!(
                "start-up {}{per_file} learned from {} jobs",
                secs(startup.duration),
                startup.jobs
            )
        } else {
            "start-up not learned yet".to_string()
        };
        let units: Vec<_> = prepared.units.iter().filter(|u| u.suite == index).collect();
        let known = units
            .iter()
            .filter(|u| matches!(u.estimate.source, EstimateSource::History { .. }))
            .count();
        let split = units.iter().filter(|u| u.target.test.is_some()).count();
        let mut split = if split > 0 {
            format!("; {split} tests split out of big files")
        } else {
            String::new()
        };
        if let Some(&whole) = prepared.kept_whole.get(index.get()).filter(|&&n| n > 0) {
            let files = if whole == 1 { "big file runs" } else { "big files run" };
            let _ = write!(
                split,
                "; {whole} {files} whole (a split would cost more start-ups than it gains)"
            );
        }
        let _ = writeln!(
            out,
            "suite {}: {known} of {} units estimated from history{split}; {startup}",
            suite.name,
            units.len()
        );
    }
    for warning in &prepared.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    Ok(exit_code::SUCCESS)
}

/// How many distinct files (per suite) the units of `batches` are in.
fn distinct_files(prepared: &Prepared, batches: &[&crate::plan::Batch]) -> usize {
    let mut files: Vec<(SuiteIndex, &str)> = batches
        .iter()
        .flat_map(|b| {
            b.units
                .iter()
                .map(|&u| (b.suite, prepared.units[u].target.file.as_str()))
        })
        .collect();
    files.sort_unstable();
    files.dedup();
    files.len()
}

/// One test step's plan: its per-worker loads, prediction and lower bound.
fn render_step(out: &mut impl Write, prepared: &Prepared, step: &StepPlan) {
    let plan = &step.plan;
    let workers = plan.workers.len();
    let files = distinct_files(prepared, &plan.batches.iter().collect::<Vec<_>>());
    let _ = writeln!(
        out,
        "plan {:016x}: {files} files in {} jobs on {workers} workers",
        plan.hash,
        plan.batches.len()
    );
    for (slot, worker) in plan.loads() {
        let units: usize = worker.batches.iter().map(|&b| plan.batches[b].units.len()).sum();
        let _ = writeln!(
            out,
            "  worker {:>3}: {:>9}  ({} jobs, {units} units)",
            slot.get(),
            secs(worker.load),
            worker.batches.len(),
        );
    }
    for group in group_figures(prepared, step) {
        let _ = writeln!(
            out,
            "  group {}: max-concurrency {}, {} jobs, {} files, {} of work",
            group.name,
            group.max_concurrency,
            group.jobs,
            group.files,
            secs(group.work)
        );
    }
    let longest = plan.batches.iter().map(|b| b.estimate).max().unwrap_or_default();
    let pinned = pinned_bound(prepared, step);
    let grouped = group_bound(prepared, step);
    let _ = writeln!(
        out,
        "predicted makespan {}; lower bound {} (total {} / {workers} workers, longest job {}{}{})",
        secs(plan.makespan),
        secs(lower_bound(prepared, step)),
        secs(plan.total),
        secs(longest),
        if pinned.is_zero() {
            String::new()
        } else {
            format!(", pinned suites {}", secs(pinned))
        },
        if grouped.is_zero() {
            String::new()
        } else {
            format!(", groups {}", secs(grouped))
        }
    );
}

/// One test group as a step's plan has it.
struct GroupFigures<'a> {
    name: &'a str,
    max_concurrency: usize,
    jobs: usize,
    files: usize,
    /// The estimates of its jobs, summed.
    work: Duration,
}

/// The groups that hold jobs of `step`, in name order.
fn group_figures<'a>(prepared: &'a Prepared, step: &StepPlan) -> Vec<GroupFigures<'a>> {
    let batches = &step.plan.batches;
    prepared
        .config
        .groups
        .iter()
        .enumerate()
        .filter_map(|(index, group)| {
            let mine: Vec<&crate::plan::Batch> = batches.iter().filter(|b| b.groups.contains(&index)).collect();
            let files = distinct_files(prepared, &mine);
            (!mine.is_empty()).then(|| GroupFigures {
                name: &group.name,
                max_concurrency: group.max_concurrency,
                jobs: mine.len(),
                files,
                work: mine.iter().map(|b| b.estimate).sum(),
            })
        })
        .collect()
}

/// A group cannot finish before its work over its `max-concurrency`.
fn group_bound(prepared: &Prepared, step: &StepPlan) -> Duration {
    group_figures(prepared, step)
        .iter()
        .map(|g| g.work / u32::try_from(g.max_concurrency.max(1)).unwrap_or(u32::MAX))
        .max()
        .unwrap_or_default()
}

/// No schedule of the step can finish sooner: its work over the workers, its longest job,
/// each pinned suite's work over its own slots, and each test group's work over its
/// `max-concurrency`.
fn lower_bound(prepared: &Prepared, step: &StepPlan) -> Duration {
    let plan = &step.plan;
    let workers = u32::try_from(plan.workers.len().max(1)).unwrap_or(u32::MAX);
    let longest = plan.batches.iter().map(|b| b.estimate).max().unwrap_or_default();
    (plan.total / workers)
        .max(longest)
        .max(pinned_bound(prepared, step))
        .max(group_bound(prepared, step))
}

/// A suite pinned to k slots (`on-workers`) cannot finish before its own work / k.
fn pinned_bound(prepared: &Prepared, step: &StepPlan) -> Duration {
    prepared
        .config
        .suites
        .iter()
        .zip(SuiteIndex::all(prepared.config.suites.len()))
        .filter_map(|(suite, index)| {
            let slots = suite.on_workers.as_ref()?.len().max(1);
            let work: Duration = step
                .plan
                .batches
                .iter()
                .filter(|b| b.suite == index)
                .map(|b| b.estimate)
                .sum();
            Some(work / u32::try_from(slots).unwrap_or(u32::MAX))
        })
        .max()
        .unwrap_or_default()
}

fn step_json(prepared: &Prepared, step: &StepPlan) -> serde_json::Value {
    let plan = &step.plan;
    json!({
        "name": step.name,
        "plan_hash": format!("{:016x}", plan.hash),
        "workers": plan.loads().map(|(slot, w)| json!({
            "worker": slot,
            "load_secs": w.load.as_secs_f64(),
            "jobs": w.batches.iter().map(|&b| json!({
                "suite": prepared.config.suites[plan.batches[b].suite].name,
                "targets": plan.batches[b].units.iter().map(|&u| prepared.units[u].target.id()).collect::<Vec<_>>(),
                "estimate_secs": plan.batches[b].estimate.as_secs_f64(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "makespan_secs": plan.makespan.as_secs_f64(),
        "total_secs": plan.total.as_secs_f64(),
        "lower_bound_secs": lower_bound(prepared, step).as_secs_f64(),
        "groups": group_figures(prepared, step).iter().map(|g| json!({
            "name": g.name,
            "max_concurrency": g.max_concurrency,
            "jobs": g.jobs,
            "files": g.files,
            "work_secs": g.work.as_secs_f64(),
        })).collect::<Vec<_>>(),
    })
}

/// The whole plan: each test step, and the run's figures (sums over the steps). With one test
/// step the top level is that step's plan, as before steps were planned apart.
fn plan_json(prepared: &Prepared) -> serde_json::Value {
    let steps: Vec<serde_json::Value> = prepared.plans.iter().map(|step| step_json(prepared, step)).collect();
    let workers = prepared.config.run.workers.max(1);
    let per_worker: Vec<serde_json::Value> = crate::worker_slot::WorkerSlot::all(workers)
        .map(|slot| {
            let w = slot.index();
            let load: f64 = steps
                .iter()
                .map(|s| s["workers"][w]["load_secs"].as_f64().unwrap_or(0.0))
                .sum();
            let jobs: Vec<serde_json::Value> = steps
                .iter()
                .flat_map(|s| s["workers"][w]["jobs"].as_array().cloned().unwrap_or_default())
                .collect();
            json!({ "worker": slot, "load_secs": load, "jobs": jobs })
        })
        .collect();
    let sum = |key: &str| -> f64 { steps.iter().map(|s| s[key].as_f64().unwrap_or(0.0)).sum() };
    json!({
        "plan_hash": format!("{:016x}", prepared.plan_hash()),
        "workers": per_worker,
        "makespan_secs": prepared.predicted().as_secs_f64(),
        "total_secs": sum("total_secs"),
        "lower_bound_secs": sum("lower_bound_secs"),
        "steps": steps,
    })
}

fn secs(duration: Duration) -> String {
    format!("{:.2}s", duration.as_secs_f64())
}

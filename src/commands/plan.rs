//! `flotilla plan`: the predicted per-worker load, without running anything.

use std::io::Write;
use std::time::Duration;

use serde_json::json;

use crate::cli::{GlobalArgs, MessageFormat, PlanArgs};
use crate::config::Overrides;
use crate::error::Error;
use crate::exit_code;
use crate::history::EstimateSource;
use crate::prepare::prepare;

pub(super) fn plan(global: &GlobalArgs, args: &PlanArgs) -> Result<u8, Error> {
    let overrides = Overrides {
        suites: args.select.suites.clone(),
        workers: args.workers.map(|w| w.0),
        select: args.select.select.clone(),
        profile: args.select.profile.clone(),
        ..Overrides::default()
    };
    let prepared = prepare(global, &overrides)?;
    let plan = &prepared.plan;
    let workers = plan.workers.len();
    let longest = plan.batches.iter().map(|b| b.estimate).max().unwrap_or_default();
    // A suite pinned to k slots (`on-workers`) cannot finish before its own work / k.
    let pinned = prepared
        .config
        .suites
        .iter()
        .enumerate()
        .filter_map(|(index, suite)| {
            let slots = suite.on_workers.as_ref()?.len().max(1);
            let work: Duration = plan
                .batches
                .iter()
                .filter(|b| b.suite == index)
                .map(|b| b.estimate)
                .sum();
            Some(work / u32::try_from(slots).unwrap_or(u32::MAX))
        })
        .max()
        .unwrap_or_default();
    let bound = (plan.total / u32::try_from(workers).unwrap_or(1))
        .max(longest)
        .max(pinned);
    let files = prepared.file_count();
    let mut out = std::io::stdout().lock();
    if args.select.message_format == MessageFormat::Json {
        let value = json!({
            "plan_hash": format!("{:016x}", plan.hash),
            "workers": plan.workers.iter().enumerate().map(|(i, w)| json!({
                "worker": i + 1,
                "load_secs": w.load.as_secs_f64(),
                "jobs": w.batches.iter().map(|&b| json!({
                    "suite": prepared.config.suites[plan.batches[b].suite].name,
                    "targets": plan.batches[b].units.iter().map(|&u| prepared.units[u].target.id()).collect::<Vec<_>>(),
                    "estimate_secs": plan.batches[b].estimate.as_secs_f64(),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "makespan_secs": plan.makespan.as_secs_f64(),
            "total_secs": plan.total.as_secs_f64(),
            "lower_bound_secs": bound.as_secs_f64(),
        });
        let _ = writeln!(out, "{value}");
        return Ok(exit_code::SUCCESS);
    }
    let _ = writeln!(
        out,
        "plan {:016x}: {files} files in {} jobs on {workers} workers",
        plan.hash,
        plan.batches.len()
    );
    for (index, worker) in plan.workers.iter().enumerate() {
        let worker_files: usize = worker.batches.iter().map(|&b| plan.batches[b].units.len()).sum();
        let _ = writeln!(
            out,
            "  worker {:>3}: {:>9}  ({} jobs, {} units)",
            index + 1,
            secs(worker.load),
            worker.batches.len(),
            worker_files
        );
    }
    let _ = writeln!(
        out,
        "predicted makespan {}; lower bound {} (total {} / {workers} workers, longest job {}{})",
        secs(plan.makespan),
        secs(bound),
        secs(plan.total),
        secs(longest),
        if pinned.is_zero() {
            String::new()
        } else {
            format!(", pinned suites {}", secs(pinned))
        }
    );
    for (index, (suite, startup)) in prepared.config.suites.iter().zip(&prepared.startups).enumerate() {
        let startup = if startup.jobs > 0 {
            format!("start-up {} learned from {} jobs", secs(startup.duration), startup.jobs)
        } else {
            "start-up not learned yet".to_string()
        };
        let units: Vec<_> = prepared.units.iter().filter(|u| u.suite == index).collect();
        let known = units
            .iter()
            .filter(|u| matches!(u.estimate.source, EstimateSource::History { .. }))
            .count();
        let split = units.iter().filter(|u| u.target.test.is_some()).count();
        let split = if split > 0 {
            format!("; {split} tests split out of big files")
        } else {
            String::new()
        };
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

fn secs(duration: Duration) -> String {
    format!("{:.2}s", duration.as_secs_f64())
}

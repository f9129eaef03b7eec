//! `flotilla run`: resolve the settings, build the runner and the reporters, execute, exit.

use std::io::IsTerminal;

use crate::cache::{CachePlan, ChangedFiles, SuiteChange, input_files};
use crate::error::Error;
use crate::exit_code;
use crate::nodes::{NodeError, NodeIdentity, NodePlan, NodeRequest, ShareSource, node_identity};
use crate::prepare::{Loaded, RerunFailed, check_programs, choose_workers, load};
use crate::report::{HtmlOptions, JsonStream, ReportFiles, Reporter, RerunCommands, Terminal, TerminalOptions};
use crate::runner::{QueueMode, RunDir, Runner};
use crate::settings::RunCommand;
use crate::styles::Styles;

pub(super) fn run(command: &RunCommand) -> Result<u8, Error> {
    // Before anything can spawn (test listing included): an interrupt at any moment must stop
    // what runs and still write the reports.
    let shutdown = crate::signal::install().map_err(Error::Runtime)?;
    let mut loaded = load(&command.global.config_path, &command.overrides)?;
    choose_workers(&mut loaded);
    loaded.node = node_request(command, &loaded)?;
    if command.explain {
        print!("{}", explain(&loaded));
        return Ok(exit_code::SUCCESS);
    }
    let rerun_of = match command.rerun_failed {
        true => match rerun_failed(&mut loaded)? {
            Some(earlier) => Some(earlier),
            None => return Ok(exit_code::SUCCESS),
        },
        false => None,
    };
    // One thread starts every job and reaps it, as xargs does: the jobs are separate processes,
    // so more threads only add wake-ups between them (2,000 no-op jobs took 12% longer on the
    // 2-thread runtime, docs/benchmarks.md). Signals are read on a thread of their own.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    if let Some(reference) = &command.changed_since {
        let mut shutdown = shutdown.clone();
        let skip = never_inputs(&loaded.config);
        let changed = runtime.block_on(ChangedFiles::since(
            &loaded.config.root,
            reference,
            &skip,
            &mut shutdown,
        ))?;
        if changed_since(&changed, &mut loaded, command.json) == 0 {
            say(
                command.json,
                &format!("--changed-since {reference}: no suite has anything to run; ran nothing"),
            );
            return Ok(exit_code::SUCCESS);
        }
    }
    let cache = match command.no_cache || command.queue.is_some() || loaded.node.is_some() || rerun_of.is_some() {
        // A node's share, a queue's batches and a re-run of failures are not a suite's whole
        // selection: they neither use nor feed the cache.
        true => None,
        false => cache_plan(&mut loaded, command.json)?,
    };
    let queue = queue_mode(command, &loaded.ci)?;
    check_programs(&loaded.config)?;
    let run_dir = RunDir::create(&loaded.config.run.out_dir)?;
    run_dir.prune(loaded.config.run.keep_runs);
    let json = command.json;
    let reruns = RerunCommands::from_config(&loaded.config);
    let terminal = Terminal::new(TerminalOptions {
        progress: !json && !command.in_ci && std::io::stderr().is_terminal(),
        quiet: command.quiet,
        styles: if command.global.colored(!json) {
            Styles::colored()
        } else {
            Styles::default()
        },
        to_stderr: json,
    })
    .with_reruns(reruns.clone());
    let ci_summary = &command.ci_summary;
    let report_path = run_dir.path.join(crate::report::html::REPORT_FILE);
    let mut reporter = Reporter::new(
        terminal,
        json.then(JsonStream::stdout),
        Some(ReportFiles::new(
            run_dir.clone(),
            HtmlOptions { reruns: reruns.clone() },
        )),
    );
    let runner = Runner::new(loaded, run_dir, shutdown)
        .queue(queue)
        .rerun_of(rerun_of)
        .cache(cache);
    let outcome = runtime.block_on(runner.execute(&mut |event| reporter.report(event)));
    if let Some(target) = ci_summary {
        let report = report_path.is_file().then_some(report_path.as_path());
        // The run's result stands whatever happens here; the closing line stays the last on
        // stdout, so a problem goes to stderr.
        if let Err(error) = runtime.block_on(target.publish(&outcome.summary, &reruns, report)) {
            let cause = std::error::Error::source(&error)
                .map(|s| format!(": {s}"))
                .unwrap_or_default();
            eprintln!("warning: the CI job summary was not written: {error}{cause}");
        }
    }
    // Leave the runtime without waiting for tasks that may still be reading a pipe held open by
    // a process that escaped its group.
    runtime.shutdown_background();
    reporter.finish()?;
    match outcome.error {
        // The environment could not be set up: the cleanup steps ran and the reports are written.
        Some(error) => Err(error),
        None => Ok(outcome.exit_code),
    }
}

/// Which node this is and where its share comes from; `None` runs the whole selection (or, with
/// `--queue`, what the queue hands out). A retried node of a split step must replay its share:
/// from a plan file, or not at all unless `--allow-new-split`.
fn node_request(command: &RunCommand, loaded: &Loaded) -> Result<Option<NodeRequest>, Error> {
    if command.queue.is_some() {
        // The queue is the work source: the whole selection is seeded once and nodes take
        // batches from it (with its own static fallback and retry rule, docs/queue.md).
        if command.node.plan.is_some() || command.node.partition.is_some() {
            return Err(Error::Usage {
                message:
                    "--queue takes the place of --plan and --partition: the queue hands out the work; drop one of them"
                        .into(),
            });
        }
        return Ok(None);
    }
    let identity = node_identity(command.node.partition, &loaded.ci);
    let Some(path) = &command.node.plan else {
        let Some(identity) = identity else {
            return Ok(None);
        };
        if identity.total > 1 && identity.retry > 0 && !command.node.allow_new_split {
            let retry_reason = loaded
                .ci
                .retry
                .as_ref()
                .map_or_else(|| "retry count".to_string(), |r| r.reason.to_string());
            return Err(NodeError::RetryNeedsPlan {
                retry: identity.retry,
                number: identity.index + 1,
                total: identity.total,
                retry_reason,
            }
            .into());
        }
        return Ok(Some(NodeRequest {
            identity,
            source: ShareSource::History,
        }));
    };
    let plan = NodePlan::read(path).map_err(NodeError::from)?;
    let identity = match identity {
        Some(identity) if identity.total != plan.nodes => {
            return Err(NodeError::PlanNodeCount {
                path: path.clone(),
                plan_nodes: plan.nodes,
                total: identity.total,
                identified_by: identity.source,
            }
            .into());
        }
        Some(identity) => identity,
        None if plan.nodes == 1 => NodeIdentity {
            index: 0,
            total: 1,
            retry: loaded.ci.retry.as_ref().map_or(0, |r| r.value),
            source: "a plan for one node".to_string(),
        },
        None => {
            return Err(NodeError::WhichNode {
                path: path.clone(),
                plan_nodes: plan.nodes,
            }
            .into());
        }
    };
    Ok(Some(NodeRequest {
        identity,
        source: ShareSource::PlanFile {
            path: path.clone(),
            plan,
        },
    }))
}

/// `run --queue`: who this node is, from the CI context (build id, node, retry count).
fn queue_mode(command: &RunCommand, ci: &crate::ci::CiContext) -> Result<Option<QueueMode>, Error> {
    let Some(queue) = &command.queue else {
        return Ok(None);
    };
    let Some(build) = ci.build_id.as_ref() else {
        return Err(Error::Usage {
            message: "--queue needs a build id shared by every node of the build (and kept when one is retried); this CI gives none: set FLOTILLA_BUILD_ID".into(),
        });
    };
    let (index, total) = ci
        .node
        .as_ref()
        .map_or((0, 1), |node| (node.index.value, node.total.value));
    let retry = ci.retry.as_ref().map_or(0, |retry| retry.value);
    Ok(Some(QueueMode {
        url: queue.url.clone(),
        build: build.value.clone(),
        step: queue.step.clone(),
        node: crate::queue::NodeId::new(index, total, retry),
        options: crate::queue::QueueOptions {
            lease: queue.lease,
            max_deliveries: queue.max_deliveries.max(1),
            ..crate::queue::QueueOptions::default()
        },
    }))
}

/// `run --explain`: the CI context, the profile chosen and why, which node this is, and every
/// setting in effect with where it came from.
fn explain(loaded: &Loaded) -> String {
    use std::fmt::Write;
    let config = &loaded.config;
    let mut text = String::new();
    let _ = writeln!(text, "CI context:");
    for line in loaded.ci.to_string().lines() {
        let _ = writeln!(text, "  {line}");
    }
    let _ = writeln!(text, "profile: {}", config.profile.as_deref().unwrap_or("none"));
    let _ = writeln!(text, "  {}", config.profile_reason);
    match &loaded.node {
        Some(node) => {
            let source = match &node.source {
                ShareSource::History => "its share of a split computed here from the history".to_string(),
                ShareSource::PlanFile { path, plan } => format!("its share of plan {} from `{path}`", plan.plan_hash),
            };
            let _ = writeln!(text, "{}: runs {source}", node.identity);
        }
        None => {
            let _ = writeln!(text, "nodes: not split across CI nodes (runs the whole selection)");
        }
    }
    let _ = writeln!(text, "settings ({}):", config.path);
    let key_width = config.settings.iter().map(|s| s.key.len()).max().unwrap_or(0);
    let value_width = config.settings.iter().map(|s| s.value.len()).max().unwrap_or(0);
    for setting in &config.settings {
        let _ = writeln!(
            text,
            "  {:key_width$}  {:value_width$}  {}",
            setting.key, setting.value, setting.source
        );
    }
    for suite in &config.suites {
        let _ = writeln!(text, "suite {}: runner {}", suite.name, suite.command.kind().name(),);
    }
    for warning in &loaded.warnings {
        let _ = writeln!(text, "warning: {warning}");
    }
    text
}

/// `--rerun-failed`: narrows `loaded` to what the latest run left failed or unrun, and returns
/// that run; `None` (having said why) when there is nothing to run.
fn rerun_failed(loaded: &mut Loaded) -> Result<Option<crate::results::RunSummary>, Error> {
    let out_dir = &loaded.config.run.out_dir;
    let Some(latest) = RerunFailed::latest_run(out_dir)? else {
        println!(
            "--rerun-failed: no earlier run in {out_dir}, so nothing to run again; ran nothing (run without --rerun-failed first)"
        );
        return Ok(None);
    };
    let (run_id, files, tests) = match RerunFailed::of(&latest) {
        RerunFailed::NothingFailed { run_id } => {
            println!("--rerun-failed: nothing failed in the latest run ({run_id}); ran nothing");
            return Ok(None);
        }
        RerunFailed::Files { run_id, files, tests } => (run_id, files, tests),
    };
    // On a CI node the latest run in its out dir was its own share: it runs those failures
    // itself rather than splitting them again across the nodes.
    loaded.node = None;
    let left = RerunFailed::narrow(&files, &tests, loaded);
    if left == 0 {
        println!(
            "--rerun-failed: none of the {} file(s) that failed or did not run in {run_id} is in this selection any more; ran nothing",
            files.len()
        );
        return Ok(None);
    }
    let failed_tests: usize = loaded.only_tests.values().map(Vec::len).sum();
    println!(
        "--rerun-failed: running again {failed_tests} failed test(s) of {} file(s), and {} file(s) whole, that failed or did not run in {run_id}",
        loaded.only_tests.len(),
        left - loaded.only_tests.len()
    );
    Ok(Some(latest))
}

/// `--changed-since`: leaves out the suites none of whose inputs changed, saying for each suite
/// whether it runs and why; how many units are left.
fn changed_since(changed: &ChangedFiles, loaded: &mut Loaded, json: bool) -> usize {
    let reference = &changed.reference;
    say(
        json,
        &format!(
            "--changed-since {reference}: {} file(s) changed since {reference}",
            changed.files.len()
        ),
    );
    for (suite, units) in loaded.config.suites.iter().zip(&mut loaded.discovered) {
        let change = SuiteChange::of(suite, changed);
        say(json, &format!("  {}", change.describe(&suite.name, reference)));
        if !change.runs() {
            units.clear();
        }
    }
    loaded.discovered.iter().map(Vec::len).sum()
}

/// A line about what the run leaves out, before it starts: on stdout, or on stderr when stdout
/// is the JSON event stream.
fn say(json: bool, line: &str) {
    if json {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
}

/// What is never an input: the run folders and the history change with every run.
fn never_inputs(config: &crate::config::Config) -> Vec<camino::Utf8PathBuf> {
    let history = &config.run.history;
    vec![
        config.run.out_dir.clone(),
        history.clone(),
        format!("{history}-wal").into(),
        format!("{history}-shm").into(),
    ]
}

/// The cache's decisions for the suites with `inputs` (`None` when no suite has any): the
/// cached suites are left out of `loaded`, their tests reported from their last green run.
fn cache_plan(loaded: &mut Loaded, json: bool) -> Result<Option<CachePlan>, Error> {
    let config = &loaded.config;
    if config.suites.iter().all(|suite| suite.inputs.is_none()) {
        return Ok(None);
    }
    let inputs = input_files(&config.root, &config.suites, &never_inputs(config))?;
    // Read and closed before the run opens the history again; its warnings come again then.
    let mut history = crate::history::History::open(&config.run.history);
    let plan = CachePlan::decide(&config.suites, &loaded.discovered, &inputs, &mut |suite| {
        history.last_suite_run(suite)
    });
    drop(history);
    for line in plan.lines() {
        say(json, &line);
    }
    for (suite, units) in loaded.config.suites.iter().zip(&mut loaded.discovered) {
        if plan.is_cached(&suite.name) {
            units.clear();
        }
    }
    Ok(Some(plan))
}

//! [`Runner`]: one whole `flotilla run`, from `RunStarted` to `RunFinished`.
//!
//! It prepares the run (history, estimates, the listing of big files, one plan per test step),
//! runs the pipeline (steps, environments up and down, test steps, cleanup steps), records the
//! history (and the cache's last run of each suite with `inputs`; the cached suites' tests join
//! the results there), and ends with the whole run's counts, verdict and exit code. Every event goes to
//! one sink, stamped with the time since the run started. Signals must be installed before
//! [`Runner::execute`] is called: an interrupt at any moment, listing included, stops what runs
//! and still ends in `RunFinished` (so the reports are written).

use tokio::sync::watch;

use super::RunDir;
use super::event::{Clock, Event, PlannedStep, TimedEvent, Verdict};
use super::first_failure::FirstFailureWatch;
use super::pipeline::run_pipeline;
use super::queue_source::QueueMode;
use crate::cache::CachePlan;
use crate::error::Error;
use crate::exec::Shutdown;
use crate::prepare::{ListingNews, Loaded, prepare};
use crate::results::RunSummary;

/// One run, ready to execute.
pub struct Runner {
    loaded: Loaded,
    run_dir: RunDir,
    shutdown: watch::Receiver<Shutdown>,
    queue: Option<QueueMode>,
    earlier: Option<RunSummary>,
    cache: Option<CachePlan>,
}

/// How a run ended.
pub struct RunOutcome {
    /// Everything that happened (also carried by `RunFinished`).
    pub summary: RunSummary,
    /// The verdict's exit code.
    pub exit_code: u8,
    /// A compose environment that could not be set up (the verdict is then exit 3).
    pub error: Option<Error>,
}

impl Runner {
    /// A run of `loaded` into `run_dir`, stopped by `shutdown`.
    #[must_use]
    pub fn new(loaded: Loaded, run_dir: RunDir, shutdown: watch::Receiver<Shutdown>) -> Self {
        Self {
            loaded,
            run_dir,
            shutdown,
            queue: None,
            earlier: None,
            cache: None,
        }
    }

    /// The suites taken from their last green run (reported `cached`), and the fingerprints
    /// of those that run, recorded after the run as their last run.
    #[must_use]
    pub fn cache(mut self, cache: Option<CachePlan>) -> Self {
        self.cache = cache;
        self
    }

    /// `--rerun-failed`: the run being re-run, whose attempts the report shows beside the new ones.
    #[must_use]
    pub fn rerun_of(mut self, earlier: Option<RunSummary>) -> Self {
        self.earlier = earlier;
        self
    }

    /// Takes each test step's work from the queue across CI nodes instead of this node's plan.
    #[must_use]
    pub fn queue(mut self, queue: Option<QueueMode>) -> Self {
        self.queue = queue;
        self
    }

    /// Runs everything; every event goes to `sink`, `RunStarted` first and `RunFinished` last.
    pub async fn execute(self, sink: &mut dyn FnMut(&TimedEvent<'_, '_>)) -> RunOutcome {
        let Self {
            loaded,
            run_dir,
            shutdown,
            queue,
            earlier,
            cache,
        } = self;
        let clock = Clock::start();
        let first_failure = std::cell::RefCell::new(FirstFailureWatch::default());
        let mut emit = |event: &Event<'_>| {
            sink(&clock.stamp(event));
            if let Some(first) = first_failure.borrow_mut().after(event) {
                sink(&clock.stamp(&first));
            }
        };
        emit(&Event::RunStarted {
            run_id: &run_dir.run_id,
            run_dir: &run_dir.path,
            workers: loaded.config.run.workers,
        });
        let mut prepared = prepare(loaded, &shutdown, &mut |news| match news {
            ListingNews::Started { suite, files } => emit(&Event::ListingStarted { suite, files }),
            ListingNews::Finished {
                suite,
                tests,
                duration,
                failed,
            } => emit(&Event::ListingFinished {
                suite,
                tests,
                duration,
                failed,
            }),
        })
        .await;
        first_failure.borrow_mut().mute_by(prepared.config.quarantine.clone());
        let warnings: Vec<String> = prepared
            .history
            .take_warnings()
            .into_iter()
            .chain(std::mem::take(&mut prepared.warnings))
            .collect();
        for message in &warnings {
            emit(&Event::Warning { message });
        }
        if let Some(node) = &prepared.node {
            // The whole plan goes next to summary.json: `flotilla merge` names the tests of a
            // node that never reported from any other node's copy.
            let path = run_dir.path.join("plan.json");
            if let Err(error) = node.plan.write(&path) {
                let message = format!("{error}: `flotilla merge` will need `--plan`");
                emit(&Event::Warning { message: &message });
            }
            let load: u64 = node.share.run.iter().map(|u| u.estimate_us).sum();
            emit(&Event::NodeShare {
                index: node.identity.index,
                total: node.identity.total,
                retry: node.identity.retry,
                identified_by: &node.identity.source,
                plan_hash: &node.plan.plan_hash,
                source: node.source.name(),
                units: node.share.run.len(),
                planned: node.plan.units.len(),
                load: std::time::Duration::from_micros(load),
            });
        }
        let steps: Vec<PlannedStep<'_>> = prepared
            .plans
            .iter()
            .map(|plan| PlannedStep {
                name: &plan.name,
                jobs: plan.plan.batches.len(),
                predicted: plan.plan.makespan,
            })
            .collect();
        emit(&Event::Planned {
            jobs: prepared.job_count(),
            files: prepared.file_count(),
            predicted: prepared.predicted(),
            plan_hash: prepared.plan_hash(),
            timing_match: prepared.timing_match,
            steps: &steps,
        });
        drop(steps);
        let outcome = run_pipeline(&mut prepared, &run_dir, shutdown, queue.as_ref(), &mut emit).await;
        let mut summary = outcome.summary;
        summary.duration = clock.elapsed();
        summary.started_at = clock.started_at();
        prepared.history.record(&summary);
        if let Some(cache) = &cache {
            // After the history: cached tests did not run and teach it no durations.
            prepared.history.record_suite_runs(&cache.suite_runs(&summary));
            let cached = cache.cached_results();
            if !cached.is_empty() {
                summary.tests.extend(cached);
                summary
                    .tests
                    .sort_by(|a, b| (&*a.suite, &*a.id).cmp(&(&*b.suite, &*b.id)));
            }
        }
        if let Some(earlier) = &earlier {
            super::earlier::carry_earlier_attempts(&mut summary, earlier);
        }
        // After the history: results of units that never ran teach it nothing.
        if let Some(node) = &prepared.node {
            super::missing::add_missing_results(&mut summary, &node.share.missing, &node.plan);
            summary.node = Some(node.summary());
        }
        for message in prepared.history.take_warnings() {
            emit(&Event::Warning { message: &message });
        }
        let verdict = if outcome.setup_error.is_some() {
            Verdict::EnvironmentFailed
        } else if summary.interrupted {
            Verdict::Interrupted
        } else if summary.passed() {
            Verdict::Passed
        } else {
            Verdict::Failed
        };
        emit(&Event::RunFinished {
            counts: summary.counts(),
            verdict,
            exit_code: verdict.exit_code(),
            duration: summary.duration,
            interrupted: summary.interrupted,
            summary: &summary,
        });
        RunOutcome {
            summary,
            exit_code: verdict.exit_code(),
            error: outcome.setup_error,
        }
    }
}

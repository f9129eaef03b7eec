//! Bringing the suites' compose environments up around a run, and always down again.
//!
//! One [`EnvSet`] per `[env.NAME]` used by the selected suites, each with one copy per worker,
//! brought up concurrently; an interrupt during `up` cancels it. Teardown runs on every path
//! that gets this far (the next run's sweep removes what a SIGKILL left behind).

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::future::join_all;
use tokio::sync::watch;

use crate::config::Config;
use crate::envs::{Compose, EnvSet, Owner, RunInfo};
use crate::error::Error;
use crate::run::{Event, JobEnvironment, RunDir};
use crate::signal::Shutdown;

/// The environments of one run, by `[env.NAME]`.
#[derive(Default)]
pub(super) struct Environments {
    sets: BTreeMap<String, Arc<EnvSet>>,
}

impl Environments {
    /// Per suite (config order), per worker (index 0 = worker 1): the worker's environment.
    pub(super) fn per_suite(&self, config: &Config) -> Vec<Option<Vec<JobEnvironment>>> {
        config
            .suites
            .iter()
            .map(|suite| {
                let set = self.sets.get(suite.env.as_ref()?)?;
                let exec = set.config().exec.is_some();
                Some(
                    set.workers()
                        .iter()
                        .map(|worker| JobEnvironment {
                            worker: Arc::clone(worker),
                            exec,
                            diagnosed: Arc::default(),
                        })
                        .collect(),
                )
            })
            .collect()
    }

    /// Brings every used environment up; `Ok(None)` if an interrupt came first (everything
    /// started is torn down again).
    pub(super) async fn up(
        config: &Config,
        run_dir: &RunDir,
        workers: usize,
        shutdown: &mut watch::Receiver<Shutdown>,
        emit: &mut dyn FnMut(&Event),
    ) -> Result<Option<Self>, Error> {
        let mut used: Vec<&str> = config.suites.iter().filter_map(|s| s.env.as_deref()).collect();
        used.sort_unstable();
        used.dedup();
        if used.is_empty() {
            return Ok(Some(Self::default()));
        }
        let compose = Compose::detect(std::ffi::OsStr::new("docker"))
            .await
            .map_err(Error::environment)?;
        let mut environments = Self::default();
        for name in used {
            let run = RunInfo {
                run_id: run_dir.run_id.clone(),
                run_dir: run_dir.path.clone(),
                owner: Owner::current(),
            };
            let set = EnvSet::new(config.envs[name].clone(), &compose, run, workers).map_err(Error::environment)?;
            emit(&Event::Environment {
                env: name.to_string(),
                message: format!(
                    "bringing up {workers} cop{} with {}",
                    if workers == 1 { "y" } else { "ies" },
                    compose.version()
                ),
            });
            environments.sets.insert(name.to_string(), Arc::new(set));
        }
        let ups = join_all(environments.sets.values().map(|set| {
            let set = Arc::clone(set);
            async move { set.up().await }
        }));
        let outcome = tokio::select! {
            results = ups => Some(results),
            () = interrupted(shutdown) => None,
        };
        let Some(results) = outcome else {
            environments.down(emit).await;
            return Ok(None);
        };
        for ((name, _), result) in environments.sets.iter().zip(&results) {
            match result {
                Ok(summary) => emit(&Event::Environment {
                    env: name.clone(),
                    message: format!("ready in {:.1}s", summary.duration.as_secs_f64()),
                }),
                Err(error) => emit(&Event::Environment {
                    env: name.clone(),
                    message: format!("failed: {error}"),
                }),
            }
        }
        if let Some(error) = results.into_iter().find_map(Result::err) {
            environments.down(emit).await;
            return Err(Error::environment(error));
        }
        Ok(Some(environments))
    }

    /// Tears every environment down (never fails; problems become warnings).
    pub(super) async fn down(&self, emit: &mut dyn FnMut(&Event)) {
        let reports = join_all(self.sets.values().map(|set| {
            let set = Arc::clone(set);
            async move { set.teardown().await }
        }))
        .await;
        for ((name, _), report) in self.sets.iter().zip(reports) {
            let message = if report.is_clean() {
                format!("torn down in {:.1}s", report.duration.as_secs_f64())
            } else {
                let problems: Vec<String> = report.workers.iter().filter_map(|w| w.sweep_error.clone()).collect();
                format!(
                    "teardown left something behind: {}; `flotilla gc` will retry",
                    problems.join("; ")
                )
            };
            emit(&Event::Environment {
                env: name.clone(),
                message,
            });
        }
    }
}

async fn interrupted(shutdown: &mut watch::Receiver<Shutdown>) {
    loop {
        if *shutdown.borrow() != Shutdown::Running {
            return;
        }
        if shutdown.changed().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

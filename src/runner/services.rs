//! Bringing the suites' compose environments up around a run, and always down again.
//!
//! One [`EnvSet`] per `[env.NAME]` used by the selected suites, each with one copy per worker,
//! brought up concurrently; an interrupt during `up` cancels it. Teardown runs on every path
//! that gets this far (the next run's sweep removes what a SIGKILL left behind).

use std::collections::BTreeMap;
use std::sync::Arc;

use futures_util::future::join_all;
use tokio::sync::watch;

use super::{Event, JobEnvironment, RunDir};
use crate::config::Config;
use crate::envs::{Compose, EnvSet, Owner, RunInfo};
use crate::error::Error;
use crate::exec::Shutdown;

/// The environments of one run, by `[env.NAME]`.
#[derive(Default)]
pub(super) struct Environments {
    sets: BTreeMap<String, Arc<EnvSet>>,
    /// Per environment, what jobs see of each worker's copy: made once, so that its count of
    /// diagnosed failures (and so the cap on diagnostics) holds for every test step of the run.
    job_views: BTreeMap<String, Vec<JobEnvironment>>,
    compose: Option<Compose>,
}

impl Environments {
    /// Per suite (config order), per worker (index 0 = worker 1): the worker's environment.
    pub(super) fn per_suite(&self, config: &Config) -> Vec<Option<Vec<JobEnvironment>>> {
        config
            .suites
            .iter()
            .map(|suite| self.workers(suite.services.as_ref()?))
            .collect()
    }

    /// The per-worker environments of `name`, once it is up.
    pub(super) fn workers(&self, name: &str) -> Option<Vec<JobEnvironment>> {
        self.job_views.get(name).cloned()
    }

    /// Brings up those of `names` that are not up yet; `Ok(false)` if an interrupt came first
    /// (whatever was starting is torn down again by [`Self::down`]).
    pub(super) async fn ensure(
        &mut self,
        names: &[String],
        config: &Config,
        run_dir: &RunDir,
        workers: usize,
        shutdown: &mut watch::Receiver<Shutdown>,
        emit: &mut dyn FnMut(&Event),
    ) -> Result<bool, Error> {
        let mut new: Vec<&String> = names.iter().filter(|name| !self.sets.contains_key(*name)).collect();
        new.sort_unstable();
        new.dedup();
        if new.is_empty() {
            return Ok(true);
        }
        if self.compose.is_none() {
            self.compose = Some(
                Compose::detect(std::ffi::OsStr::new("docker"))
                    .await
                    .map_err(Error::environment)?,
            );
        }
        let compose = self.compose.as_ref().expect("just detected");
        let mut starting = Vec::new();
        for name in new {
            let run = RunInfo {
                run_id: run_dir.run_id.clone(),
                run_dir: run_dir.path.clone(),
                owner: Owner::current(),
            };
            let set = Arc::new(
                EnvSet::new(config.services[name].clone(), compose, run, workers).map_err(Error::environment)?,
            );
            emit(&Event::EnvironmentStarting {
                name,
                copies: workers,
                compose: &compose.version().to_string(),
            });
            for host in set.hosts() {
                // If a second Ctrl-C makes flotilla exit at once, this sweep still removes the run.
                let filter = format!("label={}={}", crate::envs::LABEL_RUN_ID, run_dir.run_id);
                let script = "docker ps -aq --filter \"$1\" | xargs -r docker rm -f -v; docker network ls -q --filter \"$1\" | xargs -r docker network rm; docker volume ls -q --filter \"$1\" | xargs -r docker volume rm -f";
                crate::signal::on_immediate_exit(
                    ["sh", "-c", script, "sh", filter.as_str()].map(String::from).to_vec(),
                    host.env(),
                );
            }
            let exec = set.config().exec.is_some();
            let views = set
                .workers()
                .iter()
                .map(|worker| JobEnvironment {
                    worker: Arc::clone(worker),
                    exec,
                    diagnosed: Arc::default(),
                })
                .collect();
            self.job_views.insert(name.clone(), views);
            self.sets.insert(name.clone(), Arc::clone(&set));
            starting.push((name.clone(), set));
        }
        let ups = join_all(starting.iter().map(|(_, set)| {
            let set = Arc::clone(set);
            async move { set.up().await }
        }));
        let results = tokio::select! {
            results = ups => results,
            () = interrupted(shutdown) => return Ok(false),
        };
        for ((name, _), result) in starting.iter().zip(&results) {
            match result {
                Ok(summary) => emit(&Event::EnvironmentReady {
                    name,
                    duration: summary.duration,
                }),
                Err(error) => emit(&Event::EnvironmentFailed {
                    name,
                    error: &error.to_string(),
                    diagnostics: error.diagnostics().map(camino::Utf8PathBuf::as_path),
                }),
            }
        }
        match results.into_iter().find_map(Result::err) {
            Some(error) => Err(Error::environment(error)),
            None => Ok(true),
        }
    }

    /// Tears every environment down (never fails; problems become warnings).
    pub(super) async fn down(&self, emit: &mut dyn FnMut(&Event)) {
        let reports = join_all(self.sets.values().map(|set| {
            let set = Arc::clone(set);
            async move { set.teardown().await }
        }))
        .await;
        for ((name, _), report) in self.sets.iter().zip(reports) {
            let problems: Vec<String> = report.workers.iter().filter_map(|w| w.sweep_error.clone()).collect();
            emit(&Event::EnvironmentDown {
                name,
                duration: report.duration,
                problems: &problems,
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

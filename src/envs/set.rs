//! [`EnvSet`]: every worker's copy of one `[env.NAME]` for one run. It places workers on Docker
//! hosts (round-robin), sweeps stale environments of dead runs, builds the image once per host,
//! brings all copies up concurrently, and tears them all down (also while `up` is still running).

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::task::JoinSet;

use super::command::{Cancel, CancelSource};
use super::compose::Compose;
use super::docker::Docker;
use super::error::EnvError;
use super::gc::{GcReport, gc};
use super::hosts::{DockerHost, place};
use super::image::{Built, build_image_cancellable};
use super::model::EnvConfig;
use super::naming::LABEL_RUN_ID;
use super::sweep::{Swept, sweep_label, sweep_project};
use super::worker::{RunInfo, Sweep, WorkerEnv, WorkerTeardown};

/// What `up` did besides starting the projects.
#[derive(Clone, Debug, Default)]
pub struct UpSummary {
    /// Stale environments removed first, per host.
    pub gc: Vec<(DockerHost, GcReport)>,
    /// Images built, per host.
    pub built: Vec<(DockerHost, Built)>,
    /// Wall time of the whole `up`.
    pub duration: Duration,
}

/// What tearing the set down did.
#[derive(Clone, Debug, Default)]
pub struct TeardownReport {
    /// One entry per worker, in worker order.
    pub workers: Vec<WorkerTeardown>,
    /// What the run-wide label sweep found after every `down` (normally nothing).
    pub swept: Swept,
    /// Images removed (the run's tags; layers stay cached).
    pub images_removed: Vec<String>,
    /// Wall time.
    pub duration: Duration,
}

impl TeardownReport {
    /// Whether every project is known to be gone (no sweep failed).
    #[must_use]
    pub fn is_clean(&self) -> bool {
        self.workers.iter().all(|w| w.sweep_error.is_none())
    }
}

/// All worker environments of one `[env.NAME]` in one run.
#[derive(Debug)]
pub struct EnvSet {
    config: Arc<EnvConfig>,
    run: Arc<RunInfo>,
    docker_program: OsString,
    image: Option<String>,
    workers: Vec<Arc<WorkerEnv>>,
    cancel_source: CancelSource,
    cancel: Cancel,
    built: std::sync::Mutex<Vec<(DockerHost, String)>>,
}

impl EnvSet {
    /// Plans `workers` copies of `config` (no Docker call yet). Fails if a project name would be
    /// invalid.
    pub fn new(config: EnvConfig, compose: &Compose, run: RunInfo, workers: usize) -> Result<Self, EnvError> {
        Self::with_docker(config, compose, run, workers, "docker")
    }

    /// [`Self::new`] with another docker CLI (a path, or a wrapper).
    pub fn with_docker(
        config: EnvConfig,
        compose: &Compose,
        run: RunInfo,
        workers: usize,
        docker_program: impl Into<OsString>,
    ) -> Result<Self, EnvError> {
        if workers == 0 {
            return Err(EnvError::Usage("an environment set needs at least one worker".into()));
        }
        let docker_program = docker_program.into();
        let config = Arc::new(config);
        let run = Arc::new(run);
        let image = config
            .build
            .as_ref()
            .map(|build| format!("{}:{}", build.repository, run.run_id));
        let workers = (1..=workers)
            .map(|worker| {
                let spec = place(&config.docker_hosts, worker);
                let docker = Docker::new(docker_program.clone(), spec.host);
                WorkerEnv::new(
                    worker,
                    spec.publish_ip,
                    Arc::clone(&config),
                    Arc::clone(&run),
                    compose.clone(),
                    docker,
                    image.clone(),
                )
                .map(Arc::new)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let (cancel_source, cancel) = CancelSource::new();
        Ok(Self {
            config,
            run,
            docker_program,
            image,
            workers,
            cancel_source,
            cancel,
            built: std::sync::Mutex::new(Vec::new()),
        })
    }

    /// The environment's configuration.
    #[must_use]
    pub fn config(&self) -> &EnvConfig {
        &self.config
    }

    /// The run.
    #[must_use]
    pub fn run(&self) -> &RunInfo {
        &self.run
    }

    /// Every worker's environment, worker 1 first.
    #[must_use]
    pub fn workers(&self) -> &[Arc<WorkerEnv>] {
        &self.workers
    }

    /// The environment of 1-based `worker`.
    #[must_use]
    pub fn worker(&self, worker: usize) -> Option<&Arc<WorkerEnv>> {
        worker.checked_sub(1).and_then(|i| self.workers.get(i))
    }

    /// The distinct hosts the workers were placed on.
    #[must_use]
    pub fn hosts(&self) -> Vec<DockerHost> {
        self.workers
            .iter()
            .map(|w| w.host().clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }

    /// Sweeps stale environments, builds the image once per host, then brings every worker's
    /// copy up concurrently and waits until all are ready. On the first failure the other
    /// workers are cancelled; the failing worker's diagnostics are already written and named in
    /// the error. Call [`Self::teardown`] afterwards in every case.
    pub async fn up(&self) -> Result<UpSummary, EnvError> {
        let started = Instant::now();
        let mut summary = UpSummary::default();
        // One `compose config` for all workers (with stand-ins for their number and project),
        // while the stale environments of dead runs are removed.
        let shared_config = async {
            if self.workers.len() > 1 {
                self.workers[0].shared_config().await.map(Arc::<str>::from)
            } else {
                None
            }
        };
        let stale = async {
            let mut reports = Vec::new();
            for host in self.hosts() {
                let docker = Docker::new(self.docker_program.clone(), host.clone());
                // A stale sweep that fails must not stop this run: the label sweep at teardown
                // and the next run's gc get another chance.
                if let Ok(report) = gc(&docker).await {
                    reports.push((host, report));
                }
            }
            reports
        };
        let (shared, stale) = tokio::join!(shared_config, stale);
        summary.gc = stale;
        for host in self.hosts() {
            let docker = Docker::new(self.docker_program.clone(), host.clone());
            if let (Some(build), Some(tag)) = (&self.config.build, &self.image) {
                let built = build_image_cancellable(&docker, build, tag, Some(&self.cancel)).await?;
                self.built
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push((host.clone(), tag.clone()));
                summary.built.push((host, built));
            }
        }
        let mut tasks = JoinSet::new();
        for worker in &self.workers {
            let worker = Arc::clone(worker);
            let shared = shared.clone();
            tasks.spawn(async move { (worker.worker(), worker.up_with(shared.as_deref()).await) });
        }
        let mut failure: Option<(usize, EnvError)> = None;
        while let Some(joined) = tasks.join_next().await {
            let (worker, result) = match joined {
                Ok(done) => done,
                Err(error) => (
                    0,
                    Err(EnvError::Usage(format!("an environment task panicked: {error}"))),
                ),
            };
            if let Err(error) = result {
                let is_cancel = matches!(error, EnvError::Cancelled { .. });
                let replace = match &failure {
                    None => true,
                    Some((_, EnvError::Cancelled { .. })) => !is_cancel,
                    Some(_) => false,
                };
                if !is_cancel {
                    // One copy cannot start: the run cannot proceed, so stop starting the others.
                    for other in &self.workers {
                        if other.worker() != worker {
                            other.cancel_up();
                        }
                    }
                }
                if replace {
                    failure = Some((worker, error));
                }
            }
        }
        summary.duration = started.elapsed();
        match failure {
            Some((_, error)) => Err(error),
            None => Ok(summary),
        }
    }

    /// Tears every worker down concurrently (cancelling any `up` in progress), then removes the
    /// run's image tags. Safe to call on every exit path, from another task while `up` runs, and
    /// more than once.
    pub async fn teardown(&self) -> TeardownReport {
        let started = Instant::now();
        self.cancel_source.cancel();
        let mut tasks = JoinSet::new();
        for worker in &self.workers {
            let worker = Arc::clone(worker);
            tasks.spawn(async move { worker.teardown_with(Sweep::Caller).await });
        }
        let mut workers = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            if let Ok(report) = joined {
                workers.push(report);
            }
        }
        workers.sort_by_key(|w| w.worker);
        let mut swept = Swept::default();
        // One sweep per host for the whole run: everything flotilla's resolved files created
        // carries `flotilla.run-id`. A sweep that fails falls back to sweeping each project.
        for host in self.hosts() {
            let docker = Docker::new(self.docker_program.clone(), host.clone());
            let result = sweep_label(&docker, LABEL_RUN_ID, &self.run.run_id).await;
            for report in workers
                .iter_mut()
                .filter(|w| self.worker(w.worker).is_some_and(|e| *e.host() == host))
            {
                match &result {
                    Ok(_) => {}
                    Err(_) => match sweep_project(&docker, &report.project).await {
                        Ok(swept) => report.swept = swept,
                        Err(error) => report.sweep_error = Some(error.to_string()),
                    },
                }
            }
            if let Ok(found) = result {
                swept.containers += found.containers;
                swept.networks += found.networks;
                swept.volumes += found.volumes;
            }
        }
        let built: Vec<(DockerHost, String)> =
            std::mem::take(&mut *self.built.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        let mut images_removed = Vec::new();
        for (host, tag) in built {
            let docker = Docker::new(self.docker_program.clone(), host);
            let removed = docker
                .invocation(["image", "rm", tag.as_str()], Duration::from_secs(60))
                .run(None)
                .await;
            if removed.is_ok() {
                images_removed.push(tag);
            }
        }
        TeardownReport {
            workers,
            swept,
            images_removed,
            duration: started.elapsed(),
        }
    }
}

impl WorkerEnv {
    /// Cancels this worker's `up` in progress (the environment stays until teardown).
    pub(crate) fn cancel_up(&self) {
        self.cancel_now();
    }
}

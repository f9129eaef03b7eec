//! [`WorkerEnv`]: one worker's isolated copy of an environment, the compose project
//! `<prefix>-<run>-<worker>`: resolve the files, `up`, wait until ready, hand jobs their
//! variables or an `exec` command line, kill a job's processes inside the containers, collect
//! diagnostics, and tear down.
//!
//! Over 400 lines: it is the life cycle of one compose project, each step a short method over
//! the same state (project name, resolved file, cached container ids, cancellation); split by
//! step, every file would need that whole state.
//!
//! Every compose call of a worker uses the same resolved file, project folder and environment
//! (v1 needs that even for `down`); they live in `<run-dir>/envs/<project>/` until teardown.
//! Jobs inside a service do not go through compose: readiness already saw every container, so
//! the first replica's id of each running service is kept and a job is a plain `docker exec` on
//! it (a compose client start costs about a second with v1, `docker exec` about a tenth).
//! `up` and `teardown` of one worker never overlap: teardown first cancels an `up` in progress
//! (its compose process group is killed and reaped), then runs `down`, then sweeps by label.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use camino::Utf8PathBuf;

use super::command::{Cancel, CancelSource, Invocation};
use super::compose::{Compose, ProjectArgs};
use super::container::Container;
use super::diagnostics::{Collector, Diagnostics, next_dir};
use super::docker::Docker;
use super::error::{EnvError, ServiceDown};
use super::hosts::DockerHost;
use super::model::EnvConfig;
use super::naming::{self, LABEL_COMPOSE_PROJECT, LABEL_COMPOSE_SERVICE, LABEL_PROJECT, LABEL_RUN_ID, LABEL_WORKER};
use super::owner::Owner;
use super::readiness::{ReadyCheck, wait_ready};
use super::resolved_file::{self, ComposeFileError, Rewrite, rewrite};
use super::sweep::{Swept, sweep_project};

/// The run an environment set belongs to.
#[derive(Clone, Debug)]
pub struct RunInfo {
    /// The run id (`20261122-015821-bb68`): part of every project name.
    pub run_id: String,
    /// The run folder: generated files and diagnostics go under `<run_dir>/envs/`.
    pub run_dir: Utf8PathBuf,
    /// The process that owns the environments (normally [`Owner::current`]).
    pub owner: Owner,
}

/// A job command that runs inside a service, from [`WorkerEnv::exec_command`].
#[derive(Clone, Debug)]
pub struct ExecCommand {
    /// The client's argv: `docker exec -i -e … CONTAINER ARGV…`, or `docker compose … exec -T
    /// -e … SERVICE ARGV…` for a service that had no running container when the worker came up.
    pub argv: Vec<OsString>,
    /// Environment for the client process (DOCKER_HOST, COMPOSE_PROJECT_NAME, …).
    pub env: Vec<(String, String)>,
    /// Tag that marks the job's processes inside the container, for [`WorkerEnv::kill_job`].
    pub tag: String,
}

/// How [`WorkerEnv::kill_job`] stopped a job's processes inside the containers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KillOutcome {
    /// This many processes carrying the job's tag were SIGKILLed.
    Killed(usize),
    /// The container had no shell to find them with, so it was restarted (and re-checked).
    Restarted,
}

/// What tearing down one worker did.
#[derive(Clone, Debug, Default)]
pub struct WorkerTeardown {
    /// The 1-based worker.
    pub worker: usize,
    /// The project.
    pub project: String,
    /// `down` failed or was skipped (advisory: the sweep follows).
    pub down_error: Option<String>,
    /// What the label sweep still found and removed after `down`.
    pub swept: Swept,
    /// The sweep itself failed: resources may remain (run `flotilla gc`).
    pub sweep_error: Option<String>,
}

/// Who sweeps after `down`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Sweep {
    /// The worker sweeps its own project.
    Project,
    /// The caller sweeps the whole run afterwards.
    Caller,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    New,
    Up,
    TornDown,
}

#[derive(Debug)]
struct State {
    phase: Phase,
    resolved: Option<Resolved>,
    ports: Vec<(String, String)>,
    /// Service → id of its first running replica, as readiness last saw them.
    exec_ids: BTreeMap<String, String>,
}

#[derive(Clone, Debug)]
struct Resolved {
    file: Utf8PathBuf,
}

/// One worker's compose project.
#[derive(Debug)]
pub struct WorkerEnv {
    worker: usize,
    project: String,
    config: Arc<EnvConfig>,
    run: Arc<RunInfo>,
    compose: Compose,
    docker: Docker,
    dir: Utf8PathBuf,
    image: Option<String>,
    publish_ip: std::net::IpAddr,
    cancel_source: CancelSource,
    cancel: Cancel,
    op: tokio::sync::Mutex<()>,
    state: std::sync::Mutex<State>,
    jobs: AtomicU64,
}

const CONFIG_TIMEOUT: Duration = Duration::from_secs(120);

/// Stand-ins for the worker number and project name in a `compose config` shared by all
/// workers (one call instead of N: each v1 call costs ~0.5 s of CPU). Not numbers, so that a
/// file using them where a number is required fails validation and each worker resolves alone.
const SENTINEL_WORKER: &str = "flotillasentinelworker";
const SENTINEL_PROJECT: &str = "flotillasentinelproject";
const DOWN_TIMEOUT: Duration = Duration::from_secs(180);

impl WorkerEnv {
    pub(crate) fn new(
        worker: usize,
        publish_ip: std::net::IpAddr,
        config: Arc<EnvConfig>,
        run: Arc<RunInfo>,
        compose: Compose,
        docker: Docker,
        image: Option<String>,
    ) -> Result<Self, EnvError> {
        let project = naming::project_name(&config.project_prefix, &run.run_id, worker)?;
        let dir = run.run_dir.join("envs").join(&project);
        let (cancel_source, cancel) = CancelSource::new();
        Ok(Self {
            worker,
            project,
            config,
            run,
            compose,
            docker,
            dir,
            image,
            publish_ip,
            cancel_source,
            cancel,
            op: tokio::sync::Mutex::new(()),
            state: std::sync::Mutex::new(State {
                phase: Phase::New,
                resolved: None,
                ports: Vec::new(),
                exec_ids: BTreeMap::new(),
            }),
            jobs: AtomicU64::new(0),
        })
    }

    /// The 1-based worker number.
    #[must_use]
    pub fn worker(&self) -> usize {
        self.worker
    }

    /// The compose project name.
    #[must_use]
    pub fn project(&self) -> &str {
        &self.project
    }

    /// The Docker host this worker's environment lives on.
    #[must_use]
    pub fn host(&self) -> &DockerHost {
        self.docker.host()
    }

    /// `<run-dir>/envs/<project>`: the resolved file, raw `config` output, diagnostics.
    #[must_use]
    pub fn dir(&self) -> &Utf8PathBuf {
        &self.dir
    }

    /// The resolved compose file every call uses (exists after `config` ran during `up`).
    #[must_use]
    pub fn compose_file(&self) -> Utf8PathBuf {
        self.dir.join("compose.yml")
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The variables that identify this worker (seed-compatible), without ports.
    fn identity_env(&self) -> Vec<(String, String)> {
        self.identity_env_as(&self.worker.to_string(), &self.project)
    }

    fn identity_env_as(&self, worker: &str, project: &str) -> Vec<(String, String)> {
        let mut env = vec![
            ("FLOTILLA_WORKER".to_string(), worker.to_string()),
            ("CI_COMMAND_NUMBER".to_string(), worker.to_string()),
            ("PROJECT_NAME".to_string(), project.to_string()),
            ("COMPOSE_PROJECT_NAME".to_string(), project.to_string()),
            ("FLOTILLA_RUN_ID".to_string(), self.run.run_id.clone()),
        ];
        if let (Some(image), Some(build)) = (&self.image, &self.config.build) {
            env.push((build.variable.clone(), image.clone()));
        }
        env
    }

    /// Environment of every docker/compose call for this worker.
    fn call_env(&self) -> Vec<(String, String)> {
        let mut env = self.identity_env();
        env.extend(self.docker.host().env());
        env.extend(self.compose.call_env());
        env
    }

    /// Variables for a job that runs on this machine against this worker's environment:
    /// `FLOTILLA_WORKER` (1-based), `CI_COMMAND_NUMBER`, `PROJECT_NAME`, `COMPOSE_PROJECT_NAME`,
    /// `FLOTILLA_RUN_ID`, `FLOTILLA_COMPOSE_FILE`, the image variable, `DOCKER_HOST` when explicit,
    /// and one `FLOTILLA_<SERVICE>_<PORT>=127.0.0.1:NNNNN` per published port (after `up`).
    #[must_use]
    pub fn job_env(&self) -> Vec<(String, String)> {
        let mut env = self.identity_env();
        env.push(("FLOTILLA_COMPOSE_FILE".into(), self.compose_file().to_string()));
        env.extend(self.docker.host().env());
        env.extend(self.lock().ports.iter().cloned());
        env
    }

    fn original_project(&self) -> ProjectArgs {
        ProjectArgs {
            name: self.project.clone(),
            dir: self.config.project_dir.clone(),
            files: self.config.compose_files.clone(),
        }
    }

    fn resolved_project(&self) -> Option<ProjectArgs> {
        let resolved = self.lock().resolved.clone()?;
        Some(ProjectArgs {
            name: self.project.clone(),
            dir: self.config.project_dir.clone(),
            files: vec![resolved.file],
        })
    }

    fn compose_call(&self, argv: Vec<OsString>, timeout: Duration) -> Invocation {
        Invocation {
            argv,
            env: self.call_env(),
            cwd: Some(self.config.project_dir.clone()),
            timeout,
            host: self.docker.host().url().map(str::to_string),
        }
    }

    fn labels(&self) -> BTreeMap<String, String> {
        let mut labels = self.run.owner.labels();
        labels.insert(LABEL_RUN_ID.into(), self.run.run_id.clone());
        labels.insert(LABEL_WORKER.into(), self.worker.to_string());
        labels.insert(LABEL_PROJECT.into(), self.project.clone());
        labels
    }

    /// Whether the run folder can be bind-mounted into the `exec` service (daemon on this machine).
    fn host_is_local(&self) -> bool {
        match self.docker.host() {
            DockerHost::Default => std::env::var("DOCKER_HOST").map_or(true, |h| h.starts_with("unix://")),
            DockerHost::Url(url) => url.starts_with("unix://"),
        }
    }

    /// Resolves the files, starts the project, and waits until it is ready. On failure the
    /// diagnostics are collected before returning (the error carries their folder).
    pub async fn up(&self) -> Result<(), EnvError> {
        self.up_with(None).await
    }

    /// `compose config` with stand-ins for the worker number and project name, for
    /// [`Self::up_with`] of every worker; `None` if it fails (each worker then runs its own).
    pub(crate) async fn shared_config(&self) -> Option<String> {
        let mut env = self.identity_env_as(SENTINEL_WORKER, SENTINEL_PROJECT);
        env.extend(self.docker.host().env());
        env.extend(self.compose.call_env());
        let project = ProjectArgs {
            name: SENTINEL_PROJECT.to_string(),
            ..self.original_project()
        };
        let call = Invocation {
            argv: self.compose.config_args(&project),
            env,
            cwd: Some(self.config.project_dir.clone()),
            timeout: CONFIG_TIMEOUT,
            host: self.docker.host().url().map(str::to_string),
        };
        call.run(Some(&self.cancel)).await.ok().map(|out| out.stdout)
    }

    /// [`Self::up`], starting from a shared `compose config` output when given.
    pub(crate) async fn up_with(&self, shared_config: Option<&str>) -> Result<(), EnvError> {
        let _op = self.op.lock().await;
        if self.lock().phase == Phase::TornDown || self.cancel.is_cancelled() {
            return Err(EnvError::Cancelled {
                project: self.project.clone(),
            });
        }
        match self.up_locked(shared_config).await {
            Ok(()) => {
                self.lock().phase = Phase::Up;
                Ok(())
            }
            Err(error @ EnvError::Cancelled { .. }) => Err(error),
            Err(error) if self.cancel.is_cancelled() => Err(EnvError::Cancelled {
                project: format!("{} ({error})", self.project),
            }),
            Err(error) => {
                let reason = format!("environment of worker {} did not come up: {error}", self.worker);
                match self.collect_diagnostics(&reason).await {
                    Ok(diagnostics) => Err(error.with_diagnostics(diagnostics.dir)),
                    Err(_) => Err(error),
                }
            }
        }
    }

    async fn up_locked(&self, shared_config: Option<&str>) -> Result<(), EnvError> {
        fs_err::create_dir_all(&self.dir).map_err(|e| EnvError::io("create the environment folder", &self.dir, e))?;
        // 1. The merged, interpolated model, with this worker's variables.
        let worker = self.worker.to_string();
        let shared = shared_config.and_then(|text| {
            resolved_file::substitute(text, &[(SENTINEL_WORKER, &worker), (SENTINEL_PROJECT, &self.project)]).ok()
        });
        let model = match shared {
            Some(model) => model,
            None => {
                let config_call = self.compose_call(self.compose.config_args(&self.original_project()), CONFIG_TIMEOUT);
                config_call.run(Some(&self.cancel)).await?.stdout
            }
        };
        let raw_path = self.dir.join("config-output.yml");
        fs_err::write(&raw_path, &model).map_err(|e| EnvError::io("write", &raw_path, e))?;
        let required: Vec<(String, u16)> = self
            .config
            .ready
            .iter()
            .filter_map(|p| p.port().map(|port| (p.service().to_string(), port)))
            .collect();
        let labels = self.labels();
        let publish_ip = self.publish_ip.to_string();
        let bind = self
            .config
            .exec
            .as_deref()
            .filter(|_| self.host_is_local())
            .map(|service| (service, self.run.run_dir.as_path()));
        let resolved = rewrite(
            &model,
            &Rewrite {
                labels: &labels,
                publish_ip: &publish_ip,
                required_ports: &required,
                bind_mount: bind,
                built_image: self.image.as_deref(),
            },
        )
        .map_err(|problem| EnvError::compose_file(&self.config.name, problem))?;
        if let Some(probe) = self
            .config
            .ready
            .iter()
            .find(|p| !resolved.services.iter().any(|s| s == p.service()))
        {
            return Err(EnvError::compose_file(
                &self.config.name,
                ComposeFileError::UnknownProbeService {
                    probe: probe.to_string(),
                    service: probe.service().to_string(),
                    services: resolved.services.clone(),
                },
            ));
        }
        if let Some(service) = &self.config.exec
            && !resolved.services.contains(service)
        {
            return Err(EnvError::compose_file(
                &self.config.name,
                ComposeFileError::UnknownExecService {
                    service: service.clone(),
                    services: resolved.services.clone(),
                },
            ));
        }
        let file = self.compose_file();
        fs_err::write(&file, &resolved.yaml).map_err(|e| EnvError::io("write", &file, e))?;
        self.lock().resolved = Some(Resolved { file });
        let project = self
            .resolved_project()
            .ok_or_else(|| EnvError::Usage("resolved file missing".into()))?;

        // 2. Start it. `up -d` exits 0 even when a service crashed: readiness checks that.
        let up = self.compose_call(self.compose.up_args(&project), self.config.up_timeout);
        up.run(Some(&self.cancel)).await?;

        // 3. Containers, health and probes, before one deadline.
        let (containers, ports) = wait_ready(&ReadyCheck {
            docker: &self.docker,
            project: &self.project,
            started_services: &resolved.started_services,
            probes: &self.config.ready,
            health: self.config.health,
            timeout: self.config.ready_timeout,
            cancel: &self.cancel,
        })
        .await?;
        let vars = ports
            .iter()
            .map(|((service, port, proto), addr)| (naming::port_variable(service, *port, proto), addr.to_string()))
            .collect();
        let exec_ids = first_replicas(&containers);
        let mut state = self.lock();
        state.ports = vars;
        state.exec_ids = exec_ids;
        Ok(())
    }

    /// The command line that runs `argv` inside `service` (no TTY, stdin attached, as `exec -T`),
    /// with `env` set inside the container plus the worker's identity variables and a job tag.
    /// Port variables are not passed in: inside the project, services are reached by name
    /// (`db:5432`). It is `docker exec` on the container readiness saw for `service`, run with the
    /// worker's `DOCKER_HOST`; the service's `working_dir` and `user` apply, as with compose.
    ///
    /// When the daemon is on this machine, the run folder is bind-mounted at the same path into
    /// the `exec` service, so `{result}` paths written inside land in the run folder.
    pub fn exec_command_in(
        &self,
        service: &str,
        argv: &[OsString],
        env: &[(String, String)],
    ) -> Result<ExecCommand, EnvError> {
        let Some(project) = self.resolved_project() else {
            return Err(EnvError::Usage(format!(
                "`exec` on `{}` before `up`: bring the environment up first",
                self.project
            )));
        };
        let n = self.jobs.fetch_add(1, Ordering::Relaxed) + 1;
        let tag = format!("{}-job{n}", self.project);
        let mut inside = self.identity_env();
        inside.extend(env.iter().cloned());
        inside.push(("FLOTILLA_JOB_TAG".into(), tag.clone()));
        let cached = self.lock().exec_ids.get(service).cloned();
        let argv = match cached {
            Some(id) => self.docker.exec_args(&id, &inside, argv),
            // No running container of `service` when the worker came up (a service `up` does
            // not start, or one that had exited): compose looks the container up at call time,
            // so one started since (by a step) is still found, and one that is missing gets
            // compose's own error. Slower (a compose client start), but never wrong.
            None => self.compose.exec_args(&project, service, &inside, argv),
        };
        Ok(ExecCommand {
            argv,
            env: self.call_env(),
            tag,
        })
    }

    /// [`Self::exec_command_in`] the environment's `exec` service.
    pub fn exec_command(&self, argv: &[OsString], env: &[(String, String)]) -> Result<ExecCommand, EnvError> {
        let service = self.config.exec.clone().ok_or_else(|| {
            EnvError::Usage(format!(
                "environment `{}` has no `exec` service; add `exec = \"SERVICE\"` to [env.{}]",
                self.config.name, self.config.name
            ))
        })?;
        self.exec_command_in(&service, argv, env)
    }

    /// Kills, inside the containers, every process started by the job tagged `tag` (killing the
    /// `exec` client does not stop them). Call it after a job timed out or was cancelled.
    pub async fn kill_job(&self, tag: &str) -> Result<KillOutcome, EnvError> {
        const SCRIPT: &str = r#"n=0; for d in /proc/[0-9]*; do if tr '\0' '\n' < "$d/environ" 2>/dev/null | grep -qx "FLOTILLA_JOB_TAG=$1"; then kill -9 "${d#/proc/}" 2>/dev/null && n=$((n+1)); fi; done; echo "$n""#;
        let containers = self
            .docker
            .containers(&[(LABEL_COMPOSE_PROJECT, &self.project)], None)
            .await?;
        let mut killed = 0;
        let mut restarted = false;
        for container in containers.iter().filter(|c| c.is_running()) {
            let argv = ["sh", "-c", SCRIPT, "sh", tag].map(str::to_string);
            let out = self
                .docker
                .exec(&container.id, &argv, Duration::from_secs(30), None)
                .await?;
            if out.success() {
                killed += out.stdout.trim().parse::<usize>().unwrap_or(0);
            } else if container.service() == self.config.exec.as_deref() {
                // No shell to look with: restarting the container kills everything in it.
                self.docker
                    .invocation(["restart", "-t", "0", container.id.as_str()], Duration::from_secs(60))
                    .run(None)
                    .await?;
                restarted = true;
            }
        }
        Ok(if restarted {
            KillOutcome::Restarted
        } else {
            KillOutcome::Killed(killed)
        })
    }

    /// Saves `ps`, `logs` and `inspect` of unhealthy or stopped containers into a new
    /// `diagnostics-N` folder of this worker, with `reason` in `reason.txt`. Call it before
    /// teardown: afterwards there is nothing left to look at.
    pub async fn collect_diagnostics(&self, reason: &str) -> Result<Diagnostics, EnvError> {
        let project = self.resolved_project().unwrap_or_else(|| self.original_project());
        let env = self.call_env();
        Collector {
            docker: &self.docker,
            compose: &self.compose,
            project: &project,
            env: &env,
            tail: self.config.logs_tail,
            dir: next_dir(&self.dir),
        }
        .collect(reason)
        .await
    }

    /// Removes the project: cancels an `up` in progress, `down -v --remove-orphans -t N`, then a
    /// label sweep of containers, networks and volumes. Safe to call on every exit path and more
    /// than once; never fails (problems are reported in the result).
    pub async fn teardown(&self) -> WorkerTeardown {
        self.teardown_with(Sweep::Project).await
    }

    /// Teardown; `sweep` says whether this worker sweeps its project or the caller sweeps the
    /// whole run at once (fewer docker calls for a set).
    pub(crate) async fn teardown_with(&self, sweep: Sweep) -> WorkerTeardown {
        self.cancel_source.cancel();
        let _op = self.op.lock().await;
        let first = {
            let mut state = self.lock();
            let first = state.phase != Phase::TornDown;
            state.phase = Phase::TornDown;
            state.ports.clear();
            state.exec_ids.clear();
            first
        };
        let mut report = WorkerTeardown {
            worker: self.worker,
            project: self.project.clone(),
            ..WorkerTeardown::default()
        };
        if first {
            match self.resolved_project() {
                Some(project) => {
                    let down =
                        self.compose_call(self.compose.down_args(&project, self.config.stop_timeout), DOWN_TIMEOUT);
                    if let Err(error) = down.run(None).await {
                        report.down_error = Some(error.to_string());
                    }
                }
                None => report.down_error = Some("skipped: the compose files were never resolved".into()),
            }
        }
        if sweep == Sweep::Project {
            match sweep_project(&self.docker, &self.project).await {
                Ok(swept) => report.swept = swept,
                Err(error) => report.sweep_error = Some(error.to_string()),
            }
        }
        report
    }

    /// Cancels whatever this worker is doing (`up`, readiness); used when a sibling failed.
    pub(crate) fn cancel_now(&self) {
        self.cancel_source.cancel();
    }

    /// The running containers of `service`, by id (first replica first).
    pub async fn container_ids(&self, service: &str) -> Result<Vec<String>, EnvError> {
        let mut containers = self
            .docker
            .containers(
                &[(LABEL_COMPOSE_PROJECT, &self.project), (LABEL_COMPOSE_SERVICE, service)],
                None,
            )
            .await?;
        containers.retain(|c| c.is_running() && !c.is_oneoff());
        containers.sort_by_key(Container::number);
        Ok(containers.into_iter().map(|c| c.id).collect())
    }

    /// Copies `path` out of the first container of `service` into `dest` (`docker cp`): the way
    /// to get result files back when the daemon is remote and the run folder is not mounted.
    pub async fn copy_from(&self, service: &str, path: &str, dest: &camino::Utf8Path) -> Result<(), EnvError> {
        let id = self.container_ids(service).await?.into_iter().next().ok_or_else(|| {
            EnvError::ServiceDown(Box::new(ServiceDown {
                project: self.project.clone(),
                service: service.to_string(),
                state: "has no running container".into(),
                last_logs: String::new(),
                diagnostics: None,
            }))
        })?;
        self.docker
            .invocation(
                ["cp".to_string(), format!("{id}:{path}"), dest.to_string()],
                Duration::from_secs(300),
            )
            .run(None)
            .await?;
        Ok(())
    }
}

/// Service → id of its first running replica (the one `compose exec` picks by default,
/// `--index 1`). One-off `compose run` containers are not the service.
fn first_replicas(containers: &[Container]) -> BTreeMap<String, String> {
    let mut running: Vec<&Container> = containers.iter().filter(|c| c.is_running() && !c.is_oneoff()).collect();
    running.sort_by_key(|c| c.number());
    let mut ids = BTreeMap::new();
    for container in running {
        if let Some(service) = container.service() {
            ids.entry(service.to_string()).or_insert_with(|| container.id.clone());
        }
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::super::compose::ComposeVersion;
    use super::super::model::HealthPolicy;
    use super::*;

    const WEB_ID: &str = "fe070f99c521aa5fd1c37c4c4b1bb1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1b1";

    /// Worker 2 of `app` on a remote host, as `up` leaves it: resolved, `web` seen running.
    fn worker_after_up(exec_ids: &[(&str, &str)]) -> WorkerEnv {
        let config = EnvConfig {
            name: "app".into(),
            compose_files: vec!["/src/docker-compose.yml".into()],
            project_dir: "/src".into(),
            project_prefix: "app".into(),
            ready: Vec::new(),
            ready_timeout: Duration::from_secs(60),
            up_timeout: Duration::from_secs(60),
            health: HealthPolicy::Wait,
            exec: Some("web".into()),
            docker_hosts: Vec::new(),
            build: None,
            stop_timeout: Duration::from_secs(1),
            logs_tail: 10,
        };
        let run = RunInfo {
            run_id: "20261122-015821-bb68".into(),
            run_dir: "/runs/r".into(),
            owner: Owner::current(),
        };
        let compose = Compose::new(vec!["docker-compose".into()], ComposeVersion::new(1, 29, 2)).unwrap();
        let docker = Docker::new("docker", DockerHost::Url("tcp://10.0.0.7:2375".into()));
        let worker = WorkerEnv::new(
            2,
            "10.0.0.7".parse().unwrap(),
            Arc::new(config),
            Arc::new(run),
            compose,
            docker,
            None,
        )
        .unwrap();
        {
            let mut state = worker.lock();
            state.phase = Phase::Up;
            state.resolved = Some(Resolved {
                file: worker.compose_file(),
            });
            state.exec_ids = exec_ids
                .iter()
                .map(|(service, id)| ((*service).to_string(), (*id).to_string()))
                .collect();
        }
        worker
    }

    fn words(argv: &[OsString]) -> Vec<String> {
        argv.iter().map(|a| a.to_string_lossy().into_owned()).collect()
    }

    #[test]
    fn a_job_is_a_docker_exec_on_the_cached_container_with_its_variables() {
        let worker = worker_after_up(&[("web", WEB_ID)]);
        let argv = ["sh".into(), "-c".into(), "echo $SUITE_VAR".into()];
        let cmd = worker
            .exec_command(&argv, &[("SUITE_VAR".into(), "x y".into())])
            .unwrap();
        let project = "app-20261122-015821-bb68-2";
        assert_eq!(cmd.tag, format!("{project}-job1"));
        let expected: Vec<String> = [
            "docker",
            "exec",
            "-i",
            "-e",
            "FLOTILLA_WORKER=2",
            "-e",
            "CI_COMMAND_NUMBER=2",
            "-e",
            &format!("PROJECT_NAME={project}"),
            "-e",
            &format!("COMPOSE_PROJECT_NAME={project}"),
            "-e",
            "FLOTILLA_RUN_ID=20261122-015821-bb68",
            "-e",
            "SUITE_VAR=x y",
            "-e",
            &format!("FLOTILLA_JOB_TAG={project}-job1"),
            WEB_ID,
            "sh",
            "-c",
            "echo $SUITE_VAR",
        ]
        .map(str::to_string)
        .into();
        assert_eq!(words(&cmd.argv), expected);
        assert!(!cmd.argv.iter().any(|a| a == "-t" || a == "--tty"), "never a TTY");
        // The client talks to the worker's daemon.
        assert!(
            cmd.env
                .contains(&("DOCKER_HOST".to_string(), "tcp://10.0.0.7:2375".to_string())),
            "{:?}",
            cmd.env
        );
        // Every job gets a tag of its own, for kill_job.
        let second = worker.exec_command(&argv, &[]).unwrap();
        assert_eq!(second.tag, format!("{project}-job2"));
        assert!(words(&second.argv).contains(&format!("FLOTILLA_JOB_TAG={project}-job2")));
    }

    #[test]
    fn a_service_without_a_known_container_goes_through_compose_exec() {
        let worker = worker_after_up(&[("web", WEB_ID)]);
        let cmd = worker
            .exec_command_in("db", &["true".into()], &[("A".into(), "1".into())])
            .unwrap();
        let line = words(&cmd.argv).join(" ");
        assert!(
            line.starts_with("docker-compose --ansi never -p app-20261122-015821-bb68-2"),
            "{line}"
        );
        assert!(
            line.ends_with(&format!(
                "exec -T -e FLOTILLA_WORKER=2 -e CI_COMMAND_NUMBER=2 -e PROJECT_NAME=app-20261122-015821-bb68-2 -e COMPOSE_PROJECT_NAME=app-20261122-015821-bb68-2 -e FLOTILLA_RUN_ID=20261122-015821-bb68 -e A=1 -e FLOTILLA_JOB_TAG={} db true",
                cmd.tag
            )),
            "{line}"
        );
        assert!(!line.contains(WEB_ID), "{line}");
    }

    #[test]
    fn exec_before_up_is_a_usage_error() {
        let worker = worker_after_up(&[]);
        worker.lock().resolved = None;
        let error = worker.exec_command(&["true".into()], &[]).unwrap_err();
        assert!(matches!(error, EnvError::Usage(_)), "{error}");
    }

    #[test]
    fn the_first_running_replica_of_each_service_is_kept() {
        let container = |id: &str, service: &str, number: &str, status: &str, oneoff: &str| Container {
            id: id.into(),
            name: format!("p-{service}-{number}"),
            labels: [
                (LABEL_COMPOSE_SERVICE.to_string(), service.to_string()),
                (naming::LABEL_COMPOSE_NUMBER.to_string(), number.to_string()),
                (naming::LABEL_COMPOSE_ONEOFF.to_string(), oneoff.to_string()),
            ]
            .into(),
            status: status.into(),
            exit_code: 0,
            health: None,
            ports: Vec::new(),
        };
        let ids = first_replicas(&[
            container("web2", "web", "2", "running", "False"),
            container("web-run", "web", "1", "running", "True"),
            container("web1", "web", "1", "running", "False"),
            container("init", "migrate", "1", "exited", "False"),
            container("db1", "db", "1", "running", "False"),
        ]);
        let ids: Vec<(&str, &str)> = ids.iter().map(|(s, i)| (s.as_str(), i.as_str())).collect();
        assert_eq!(ids, [("db", "db1"), ("web", "web1")]);
    }
}

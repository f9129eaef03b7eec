//! Compose environments: every worker gets its own isolated copy of the services its tests need
//! (one compose project per worker, `<prefix>-<run>-<worker>`), brought up concurrently, checked
//! for readiness, reused by all of that worker's jobs, and always torn down. The main type is
//! [`EnvSet`]; user documentation is `docs/environments.md`.
//!
//! # How the run loop uses it
//!
//! ```text
//! let env: EnvConfig = config.services["app"].clone();            // [services.app], validated by config/
//! let compose = envs::Compose::detect("docker".as_ref()).await?;    // once per flotilla run
//! let run = envs::RunInfo { run_id, run_dir, owner: envs::Owner::current() };
//! let set = Arc::new(envs::EnvSet::new(env, &compose, run, workers)?);
//! // On SIGINT/SIGTERM, from any task: set.teardown().await (it cancels an `up` in progress).
//! let summary = set.up().await;   // gc of dead runs, image build per host, N × (config, up, readiness)
//! //   Err(e): e.diagnostics() is the folder already written; exit code 3 after teardown.
//! for each job on worker w (1-based), with ws = set.worker(w).unwrap():
//!     ws.job_env()                                  // FLOTILLA_WORKER, PROJECT_NAME, FLOTILLA_DB_5432, …
//!     // or, to run the job inside the env's `exec` service:
//!     let cmd = ws.exec_command(&argv, &suite_vars)?;   // `docker exec` argv + client env + tag
//!     // job timed out: kill the client's process group, then ws.kill_job(&cmd.tag).await
//!     // job failed: ws.collect_diagnostics("job 12 failed").await → Diagnostics { dir, files, summary }
//! let report = set.teardown().await;   // per worker down -v --remove-orphans -t N, then a run-wide label sweep
//! ```
//!
//! `flotilla gc` is [`gc`] on each host ([`Docker::new`] with a [`DockerHost`]).
//!
//! Public API at a glance: [`EnvConfig`] (resolved by `config/`); [`Compose::detect`] → [`Compose`]
//! ([`Capabilities`], [`Flavor`]); [`EnvSet::new`], [`EnvSet::up`] → [`UpSummary`],
//! [`EnvSet::worker`] → [`WorkerEnv`] ([`WorkerEnv::job_env`], [`WorkerEnv::exec_command`],
//! [`WorkerEnv::kill_job`], [`WorkerEnv::collect_diagnostics`]), [`EnvSet::teardown`] →
//! [`TeardownReport`]; [`gc`] → [`GcReport`]; [`build_image`] → [`Built`]; errors are [`EnvError`]
//! (`[services.NAME]` validation errors are `config/`'s).
//!
//! # Guarantees
//!
//! - Compose v1 (1.27+) and v2 both work; the flavour is detected once from `version --short`
//!   and every flag is gated on the version ([`Capabilities`]); no flag is probed by exit code.
//! - Each worker's compose calls use one resolved file (`<run>/envs/<project>/compose.yml`):
//!   host ports become `127.0.0.1::<port>` (ephemeral), `container_name` is dropped, and labels
//!   `flotilla.run-id`, `flotilla.worker`, `flotilla.project`, `flotilla.owner-{pid,start,host}`
//!   go on every container, network and volume.
//! - Teardown never fails and can run at any time: it cancels an `up` in progress (its compose
//!   process group is killed and reaped first), runs `down`, then sweeps by label.
//! - A job inside a service is `docker exec` on the container readiness saw (no compose client
//!   per job), with what `compose exec -T` would give it: the same variables, working directory
//!   and user, no TTY.
//! - Environments of a run that was SIGKILLed are removed by the next run's `up` (or `gc`),
//!   which checks the owner's pid *and* start time on this machine.

mod command;
mod compose;
mod container;
mod diagnostics;
mod docker;
mod error;
mod gc;
mod hosts;
mod image;
mod model;
mod naming;
mod owner;
mod ps_output;
mod readiness;
mod resolved_file;
mod set;
mod sweep;
mod worker;

pub use compose::{AnsiFlag, Capabilities, Compose, ComposeVersion, Flavor, PsFormat};
pub use container::{Container, Health, InspectError, PortBinding, parse_inspect};
pub use diagnostics::Diagnostics;
pub use docker::Docker;
pub use error::{ComposeFileFailure, EnvError, NotReady, ParseFailure, ServiceDown};
pub use gc::{GcReport, gc};
pub use hosts::{DockerHost, HostError, HostSpec, place};
pub use image::{BuildFailure, Built, build_image, classify};
pub use model::{
    Builder, DEFAULT_READY_TIMEOUT, DEFAULT_STOP_TIMEOUT, DEFAULT_UP_TIMEOUT, EnvConfig, HealthPolicy, ImageBuild,
    Probe,
};
pub use naming::{
    LABEL_OWNER_HOST, LABEL_OWNER_PID, LABEL_OWNER_START, LABEL_PROJECT, LABEL_RUN_ID, LABEL_WORKER, default_prefix,
    port_variable, project_name, validate_project_name,
};
pub use owner::{Liveness, Owner};
pub use ps_output::{PsEntry, PsError, parse_ps_json};
pub use readiness::ProbeError;
pub use resolved_file::ComposeFileError;
pub use set::{EnvSet, TeardownReport, UpSummary};
pub use sweep::{Swept, sweep_label, sweep_project};
pub use worker::{ExecCommand, KillOutcome, RunInfo, WorkerEnv, WorkerTeardown};

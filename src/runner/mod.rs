//! The runner: owns one whole `flotilla run`, from the first step to the last teardown.
//!
//! [`Runner`] prepares the run and emits `RunStarted` first and `RunFinished` last.
//! [`pipeline`] sequences the `[[step]]`s (a plain run is one implicit test step), brings the
//! compose environments up just before the first step that needs them ([`services`]), runs
//! every `[[cleanup]]` step whatever happened, and tears the environments down. A test step is
//! [`test_run`] around the pure [`dispatcher`]: workers pull jobs from one queue, longest first,
//! fed by a [`WorkSource`]: the step's plan, or a remote source such as the Redis queue across
//! CI nodes ([`queue_source`], `run --queue`).
//! [`job`] starts one job through the [`executor`] (which also runs step commands), and the pure
//! [`interpret`] turns what it left, its exit and its report, into per-test attempts;
//! [`command_step`] runs a command step. Every part emits [`Event`]s through a callback and
//! never imports a reporter. [`RunDir`] lays out `<out-dir>/<run-id>/`.

mod command_step;
mod dispatcher;
mod earlier;
mod event;
mod execute;
mod executor;
mod fail_budget;
mod first_failure;
mod interpret;
mod job;
mod job_id;
mod missing;
mod pipeline;
mod planned_jobs;
mod queue_source;
mod run_dir;
mod services;
mod slow_jobs;
mod test_run;
mod work_source;

pub use event::{Clock, Event, OutputStream, PlannedStep, TimedEvent, Verdict};
pub use execute::{RunOutcome, Runner};
pub(crate) use interpret::{SuiteUnits, place_case};
pub use job::{Job, JobEnvironment};
pub use job_id::JobId;
pub use queue_source::QueueMode;
pub use run_dir::{RunDir, is_run_id};
pub use test_run::{RunInput, execute};
pub use work_source::{FromSource, RemoteBatch, RemoteWork, ToSource, WorkSource};

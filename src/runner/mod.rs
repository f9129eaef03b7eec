//! The runner: owns one whole `flotilla run`, from the first step to the last teardown.
//!
//! [`pipeline`] sequences the `[[step]]`s (a plain run is one implicit test step), brings the
//! compose environments up just before the first step that needs them ([`services`]), runs
//! every `[[cleanup]]` step whatever happened, and tears the environments down. A test step is
//! [`test_run`]: workers pull jobs from one queue, longest first; [`job`] runs one job and turns
//! its exit code or report into per-test attempts; [`command_step`] runs a command step. Every
//! part emits [`Event`]s through a callback and never imports a reporter. [`RunDir`] lays out
//! `<out-dir>/<run-id>/`.

mod command_step;
mod event;
mod interpret;
mod job;
mod pipeline;
mod run_dir;
mod services;
mod test_run;

pub use event::{Event, OutputStream};
pub use job::{Job, JobEnvironment};
pub use pipeline::{PipelineOutcome, run_pipeline};
pub use run_dir::RunDir;
pub use test_run::{RunInput, execute};

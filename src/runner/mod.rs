//! The run loop: workers pull jobs from one queue, longest first; results become events.
//!
//! [`execute`] owns scheduling, retries and cancellation and emits [`Event`]s through a
//! callback; it never imports a reporter. [`job`] runs one job and turns its exit code or JUnit
//! report into per-test attempts. [`RunDir`] lays out `<out-dir>/<run-id>/`.

mod event;
mod job;
mod orchestrator;
mod run_dir;

pub use event::{Event, OutputStream};
pub use job::{Job, JobEnvironment};
pub use orchestrator::{RunInput, execute};
pub use run_dir::RunDir;

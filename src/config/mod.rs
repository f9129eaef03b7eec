//! `flotilla.toml`: reading, validating and resolving the configuration.
//!
//! Parsing happens in two passes, as in uv and nextest: [`raw`] mirrors the TOML file with
//! serde (unknown keys are errors), then [`resolve`] turns it into the validated [`Config`]
//! that the rest of flotilla consumes. Nothing outside this module reads TOML. Every error is a
//! [`ConfigError`] that points at the file, line and column and says how to fix it.

#![allow(
    clippy::result_large_err,
    reason = "config errors are built once per run; boxing them would only add noise"
)]

mod diagnostic;
mod duration;
pub mod profile;
mod raw;
mod resolve;
mod retry;
mod step;
mod step_model;
mod workers;

pub use diagnostic::ConfigError;
pub use resolve::{Config, Overrides, RunSettings, Suite};
pub use retry::RetryPolicy;
pub use step_model::{OutputMode, Step, StepAction, StepCommand};
pub use workers::Workers;

/// The file name `flotilla run` looks for in the working directory.
pub const DEFAULT_FILE_NAME: &str = "flotilla.toml";

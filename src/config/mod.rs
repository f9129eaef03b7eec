//! `flotilla.toml`: reading, validating and resolving the configuration.
//!
//! Parsing happens in two passes, as in uv and nextest: [`file`] is the one serde mirror of the
//! file, read and parsed once ([`ConfigFile`]; unknown keys are errors, renamed keys say what
//! replaced them), then [`resolve`] turns it, with the command line's [`Overrides`] and the
//! chosen profile, into the validated [`Config`] that the rest of flotilla consumes. [`layers`]
//! is how the command line, the variables, the profile and the file combine (first set wins)
//! and where each value came from. Every error is a [`ConfigError`] that points at the file,
//! line and column of the bad key and says how to fix it.

#![allow(
    clippy::result_large_err,
    reason = "config errors are built once per run; boxing them would only add noise"
)]

mod diagnostic;
mod duration;
mod file;
mod groups;
mod inputs;
mod layers;
mod max_fail;
pub mod profile;
mod resolve;
mod retry;
mod split;
mod step_model;
mod workers;

pub use diagnostic::ConfigError;
pub use duration::DurationError;
pub use file::ConfigFile;
pub use groups::{SuiteGroups, TestGroup};
pub use inputs::Inputs;
pub use layers::{Combine, Layer, Setting, Source, Sourced};
pub use max_fail::{MaxFail, MaxFailError, OnMaxFail};
pub use resolve::{Config, Overrides, ProbeConfigError, RunSettings, ServicesError, ServicesKeyError, Suite};
pub use retry::RetryPolicy;
pub use split::Split;
pub use step_model::{OutputMode, Step, StepAction, StepCommand};
pub use workers::Workers;

/// The file name `flotilla run` looks for in the working directory.
pub const DEFAULT_FILE_NAME: &str = "flotilla.toml";

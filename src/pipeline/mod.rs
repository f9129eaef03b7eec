//! Pipelines: `[[step]]` entries run in order, `[[cleanup]]` steps always run afterwards.
//!
//! A [`Step`] is one command, several commands in parallel (one per worker, with `{worker}` and
//! that worker's environment variables, as the seed runner builds commands from the worker
//! number), or a test run of named suites. [`run_command_step`] runs the command kinds: each
//! command in its own process group, output captured to files and relayed live line by line,
//! per-command timeout (the work inside containers is killed too when it runs in a service),
//! retries with back-off for the commands that failed.

mod command_step;
mod model;

pub use crate::results::{CommandRecord, StepOutcome, StepRecord};
pub use command_step::{StepContext, run_command_step};
pub use model::{OutputMode, Step, StepAction, StepCommand};

//! Test-runner adapters: how a suite's jobs are invoked.
//!
//! Today there is the `custom` runner, whose [`CommandTemplate`] is an argv template; the
//! built-in framework adapters (pytest, jest, …) build on the same template.

mod kind;
mod template;

pub use kind::RunnerKind;
pub use template::{BatchMode, CommandTemplate, JobContext};

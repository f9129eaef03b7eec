//! Test-runner adapters: how a suite's jobs are invoked and what their results look like.
//!
//! [`RunnerKind`] is the closed set of runners; each has an [`Adapter`] in a file of its own
//! (mostly data: default globs, the batch argv, the result format, how one test is addressed
//! and listed). [`SuiteCommand`] is a suite's resolved invocation; [`CommandTemplate`] is the
//! argv template of the `custom` runner.

mod adapter;
mod command;
mod custom;
mod kind;
mod pytest;
mod template;

pub use adapter::{Adapter, Invocation, ListedTest, ReportFormat, ReportSource, Target};
pub use command::SuiteCommand;
pub use kind::RunnerKind;
pub use template::{BatchMode, CommandTemplate, JobContext};

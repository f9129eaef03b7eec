//! Test-runner adapters: how a suite's jobs are invoked and what their results look like.
//!
//! [`RunnerKind`] is the closed set of runners; each has an [`Adapter`] in a file of its own
//! (mostly data: default globs, the batch argv, where the report is and in which format, how
//! one test is addressed and listed, which failures are outside tests): `pytest.rs`, `jest.rs`,
//! `vitest.rs`, `rspec.rs`, `cucumber.rs`, `go.rs`, `nextest.rs`, `node.rs`, `playwright.rs`,
//! `cypress.rs` and `custom.rs`. [`SuiteCommand`] is a suite's resolved invocation;
//! [`CommandTemplate`] is the argv template of the `custom` runner. `docs/runners.md` has the
//! exact commands and what was verified against each real runner.

mod adapter;
mod capabilities;
mod command;
mod common;
mod cucumber;
mod custom;
mod cypress;
mod go;
mod jest;
mod kind;
mod list_error;
mod nextest;
mod node;
mod playwright;
mod pytest;
mod rspec;
mod template;
mod vitest;

pub use adapter::{
    Adapter, Invocation, ListedTest, Project, ReportFormat, ReportSource, Target, blame_by_mention, distinct_files,
};
pub use capabilities::Capabilities;
pub use command::SuiteCommand;
pub use common::project_file;
pub use kind::RunnerKind;
pub use list_error::ListError;
pub use template::{BatchMode, CommandTemplate, JobContext, TemplateError};

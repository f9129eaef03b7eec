//! Integration tests: the real `flotilla` binary against fixture projects built per test.

mod config_errors;
mod environments;
mod examples;
mod gate;
mod harness;
mod history;
mod interrupt;
mod pipeline;
mod policies;
mod profiles;
mod pytest_runner;
mod reports;
mod run_basics;

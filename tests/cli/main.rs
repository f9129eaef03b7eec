//! Integration tests: the real `flotilla` binary against fixture projects built per test.

mod config_errors;
mod cucumber_runner;
mod gate;
mod harness;
mod history;
mod interrupt;
mod policies;
mod profiles;
mod pytest_runner;
mod reports;
mod rspec_runner;
mod run_basics;

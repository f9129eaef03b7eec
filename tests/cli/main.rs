//! Integration tests: the real `flotilla` binary against fixture projects built per test.

mod architecture;
mod config_errors;
mod cucumber_runner;
mod cypress_runner;
mod environments;
mod examples;
mod gate;
mod go_runner;
mod harness;
mod history;
mod interrupt;
mod jest_runner;
mod nextest_runner;
mod node_runner;
mod nodes;
mod pipeline;
mod playwright_runner;
mod policies;
mod profiles;
mod pytest_runner;
mod reports;
mod rspec_runner;
mod run_basics;
mod test_scripts;
mod vitest_runner;
mod whole_run;

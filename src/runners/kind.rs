//! [`RunnerKind`]: the closed set of runners a suite may name, and their adapters.

use super::adapter::Adapter;
use super::cucumber::Cucumber;
use super::custom::Custom;
use super::cypress::Cypress;
use super::go::GoTest;
use super::jest::Jest;
use super::nextest::Nextest;
use super::node::NodeTest;
use super::playwright::Playwright;
use super::pytest::Pytest;
use super::rspec::Rspec;
use super::vitest::Vitest;

/// Which adapter runs a suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunnerKind {
    /// A user-supplied `command` template.
    Custom,
    /// pytest.
    Pytest,
    /// Jest.
    Jest,
    /// Vitest.
    Vitest,
    /// RSpec.
    Rspec,
    /// Cucumber (cucumber-ruby).
    Cucumber,
    /// `go test`.
    Go,
    /// cargo-nextest.
    Nextest,
    /// `node --test`.
    Node,
    /// Playwright Test.
    Playwright,
    /// Cypress.
    Cypress,
}

impl RunnerKind {
    /// Every runner, in the order of [`RunnerKind::NAMES`].
    pub const ALL: &'static [RunnerKind] = &[
        Self::Custom,
        Self::Pytest,
        Self::Jest,
        Self::Vitest,
        Self::Rspec,
        Self::Cucumber,
        Self::Go,
        Self::Nextest,
        Self::Node,
        Self::Playwright,
        Self::Cypress,
    ];

    /// Every runner name accepted in `runner = "..."`.
    pub const NAMES: &'static [&'static str] = &[
        "custom",
        "pytest",
        "jest",
        "vitest",
        "rspec",
        "cucumber",
        "go",
        "cargo-nextest",
        "node",
        "playwright",
        "cypress",
    ];

    /// The runner called `name`, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|kind| kind.name() == name)
    }

    /// The name used in `runner = "..."`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Custom => "custom",
            Self::Pytest => "pytest",
            Self::Jest => "jest",
            Self::Vitest => "vitest",
            Self::Rspec => "rspec",
            Self::Cucumber => "cucumber",
            Self::Go => "go",
            Self::Nextest => "cargo-nextest",
            Self::Node => "node",
            Self::Playwright => "playwright",
            Self::Cypress => "cypress",
        }
    }

    /// The adapter.
    #[must_use]
    pub fn adapter(self) -> &'static dyn Adapter {
        match self {
            Self::Custom => &Custom,
            Self::Pytest => &Pytest,
            Self::Jest => &Jest,
            Self::Vitest => &Vitest,
            Self::Rspec => &Rspec,
            Self::Cucumber => &Cucumber,
            Self::Go => &GoTest,
            Self::Nextest => &Nextest,
            Self::Node => &NodeTest,
            Self::Playwright => &Playwright,
            Self::Cypress => &Cypress,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        assert_eq!(RunnerKind::ALL.len(), RunnerKind::NAMES.len());
        for (kind, name) in RunnerKind::ALL.iter().zip(RunnerKind::NAMES) {
            assert_eq!(kind.name(), *name);
            assert_eq!(RunnerKind::from_name(name), Some(*kind));
        }
        assert_eq!(RunnerKind::from_name("nextest"), None);
    }
}

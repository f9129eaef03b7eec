//! [`RunnerKind`]: the closed set of runners a suite may name, and their adapters.

use super::adapter::Adapter;
use super::custom::Custom;
use super::pytest::Pytest;

/// Which adapter runs a suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunnerKind {
    /// A user-supplied `command` template.
    Custom,
    /// pytest.
    Pytest,
}

impl RunnerKind {
    /// Every runner name accepted in `runner = "..."`.
    pub const NAMES: &'static [&'static str] = &["custom", "pytest"];

    /// The runner called `name`, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "custom" => Some(Self::Custom),
            "pytest" => Some(Self::Pytest),
            _ => None,
        }
    }

    /// The name used in `runner = "..."`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Custom => "custom",
            Self::Pytest => "pytest",
        }
    }

    /// The adapter.
    #[must_use]
    pub fn adapter(self) -> &'static dyn Adapter {
        match self {
            Self::Custom => &Custom,
            Self::Pytest => &Pytest,
        }
    }
}

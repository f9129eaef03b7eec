//! [`RunnerKind`]: the closed set of runners a suite may name.

/// Which adapter runs a suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunnerKind {
    /// A user-supplied `command` template.
    Custom,
}

impl RunnerKind {
    /// Every runner name accepted in `runner = "..."`.
    pub const NAMES: &'static [&'static str] = &["custom"];

    /// The runner called `name`, if any.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "custom" => Some(Self::Custom),
            _ => None,
        }
    }

    /// The name used in `runner = "..."`.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Custom => "custom",
        }
    }
}

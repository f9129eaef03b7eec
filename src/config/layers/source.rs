//! [`Source`]: where a setting's value came from; [`Sourced`]: a value with its source.

use std::fmt;

/// Where a setting's value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// A command-line flag, e.g. `--workers`.
    Flag(&'static str),
    /// An environment variable, e.g. `FLOTILLA_WORKERS`.
    Variable(&'static str),
    /// The chosen `[profile.NAME]`, at this line of the configuration file.
    Profile {
        /// NAME.
        name: String,
        /// 1-based line of the value.
        line: usize,
    },
    /// The configuration file, at this line.
    File {
        /// 1-based line of the value.
        line: usize,
    },
    /// Nothing set it: flotilla's default.
    Default,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Flag(flag) => write!(f, "flag {flag}"),
            Self::Variable(name) => write!(f, "variable {name}"),
            Self::Profile { name, line } => write!(f, "profile {name} (line {line})"),
            Self::File { line } => write!(f, "file (line {line})"),
            Self::Default => f.write_str("default"),
        }
    }
}

/// A value and where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub source: Source,
}

impl<T> Sourced<T> {
    /// `value` from `source`.
    pub fn new(value: T, source: Source) -> Self {
        Self { value, source }
    }

    /// The same source with the value mapped.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Sourced<U> {
        Sourced {
            value: f(self.value),
            source: self.source,
        }
    }
}

//! The top-level error: everything that stops flotilla from doing its job.
//!
//! Test failures are outcomes, not errors; an [`Error`] means flotilla itself could not run,
//! and [`Error::exit_code`] maps it to a documented exit code.

use camino::Utf8PathBuf;

use crate::config::ConfigError;
use crate::exit_code;

/// Why flotilla could not do its job.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration is invalid; rendered with its source span.
    #[error(transparent)]
    Config(#[from] Box<ConfigError>),

    /// Bad command-line usage that clap could not catch.
    #[error("{message}")]
    Usage { message: String },

    /// A runner's executable is not installed.
    #[error("command `{program}` of suite `{suite}` was not found; install it or fix `command` in {config}")]
    MissingProgram {
        program: String,
        suite: String,
        config: Utf8PathBuf,
    },

    /// A file or directory flotilla needs could not be read or written.
    #[error("{action} `{path}`")]
    Io {
        action: &'static str,
        path: Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Discovery failed for a reason other than a bad pattern.
    #[error("failed to discover test files under `{root}`")]
    Discover {
        root: Utf8PathBuf,
        #[source]
        source: ignore::Error,
    },

    /// Writing a report failed.
    #[error("failed to write {what} `{path}`")]
    Report {
        what: &'static str,
        path: Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A compose environment could not be set up (compose missing, `up` failed, never ready).
    #[error("a compose environment could not be set up")]
    Environment {
        #[source]
        source: crate::envs::EnvError,
        diagnostics: Option<Utf8PathBuf>,
    },

    /// A node of a parallel step cannot run its share (or a plan cannot be written).
    #[error(transparent)]
    Node(#[from] crate::nodes::NodeError),

    /// `flotilla merge` could not read what it was given.
    #[error("{message}")]
    Merge {
        message: String,
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },

    /// The work queue across nodes (`run --queue`) could not be used.
    #[error(transparent)]
    Queue(#[from] crate::queue::QueueError),

    /// `run --changed-since` could not learn what changed.
    #[error(transparent)]
    ChangedSince(#[from] crate::cache::ChangedSinceError),

    /// The suites' input files could not be read to fingerprint them.
    #[error(transparent)]
    InputFiles(#[from] crate::cache::InputFilesError),

    /// SIGINT or SIGTERM stopped a command before it was done.
    #[error("interrupted")]
    Interrupted,

    /// A history export could not be read (truncated, damaged, foreign, newer) or written.
    #[error(transparent)]
    HistoryExchange(#[from] crate::history::ExchangeError),

    /// A JUnit report given to `history import --junit` does not parse.
    #[error("cannot seed timings from `{path}`")]
    JunitSeed {
        path: Utf8PathBuf,
        #[source]
        source: crate::results::formats::JunitError,
    },

    /// The history file cannot be opened for writing.
    #[error("history `{path}` is not usable: {message}")]
    HistoryStore { path: Utf8PathBuf, message: String },

    /// Reading or writing the history file failed.
    #[error("history `{path}` could not be read or written")]
    HistoryDatabase {
        path: Utf8PathBuf,
        #[source]
        source: rusqlite::Error,
    },

    /// The async runtime could not start.
    #[error("failed to start the async runtime")]
    Runtime(#[source] std::io::Error),
}

impl Error {
    /// The documented exit code for this error.
    #[must_use]
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Config(_) | Self::Usage { .. } | Self::JunitSeed { .. } | Self::Merge { .. } => exit_code::USAGE,
            Self::HistoryExchange(error) => match error {
                crate::history::ExchangeError::Write { .. } => exit_code::ENVIRONMENT,
                _ => exit_code::USAGE,
            },
            Self::HistoryStore { .. } | Self::HistoryDatabase { .. } => exit_code::ENVIRONMENT,
            Self::Node(crate::nodes::NodeError::PlanFile(crate::nodes::PlanFileError::Write { .. })) => {
                exit_code::ENVIRONMENT
            }
            Self::Node(_) => exit_code::USAGE,
            Self::Interrupted => exit_code::INTERRUPTED,
            Self::Queue(error) if error.is_usage() => exit_code::USAGE,
            Self::Queue(_) => exit_code::ENVIRONMENT,
            Self::ChangedSince(error) if error.is_usage() => exit_code::USAGE,
            Self::ChangedSince(_) | Self::InputFiles(_) => exit_code::ENVIRONMENT,
            Self::MissingProgram { .. }
            | Self::Io { .. }
            | Self::Discover { .. }
            | Self::Report { .. }
            | Self::Environment { .. }
            | Self::Runtime(_) => exit_code::ENVIRONMENT,
        }
    }

    pub(crate) fn environment(source: crate::envs::EnvError) -> Self {
        let diagnostics = source.diagnostics().cloned();
        Self::Environment { source, diagnostics }
    }

    pub(crate) fn history(history: &crate::history::History, source: rusqlite::Error) -> Self {
        Self::HistoryDatabase {
            path: history.path().to_path_buf(),
            source,
        }
    }

    pub(crate) fn io(action: &'static str, path: impl Into<Utf8PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

impl From<ConfigError> for Error {
    fn from(error: ConfigError) -> Self {
        Self::Config(Box::new(error))
    }
}

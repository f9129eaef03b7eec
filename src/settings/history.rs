//! [`HistoryCommand`]: what `flotilla history export|import|prune` acts on, resolved from its
//! arguments and the variables.

use camino::Utf8PathBuf;

use super::{Global, Variables};
use crate::cli::{GlobalArgs, HistoryArgs, HistoryExportArgs, HistoryImportArgs};
use crate::config::{Layer, Overrides, Source, Sourced};

/// What to do with the history.
#[derive(Clone, Debug)]
pub enum HistoryAction {
    /// Write the history to this file.
    Export(Utf8PathBuf),
    /// Merge these exports into the history.
    Import(Vec<Utf8PathBuf>),
    /// Seed timings from these JUnit reports, into this suite (else the suite whose files each
    /// test's file is one of).
    SeedJunit {
        /// The reports.
        files: Vec<Utf8PathBuf>,
        /// `--suite NAME`.
        suite: Option<String>,
    },
    /// Drop what the bounds no longer keep and compact the file.
    Prune,
}

/// `flotilla history`, resolved.
#[derive(Clone, Debug)]
pub struct HistoryCommand {
    /// The global options.
    pub global: Global,
    /// What the configuration is resolved with (`--suite` of `import --junit`).
    pub overrides: Overrides,
    /// What to do.
    pub action: HistoryAction,
}

impl HistoryCommand {
    /// Resolves `flotilla history`'s arguments.
    #[must_use]
    pub fn resolve(global: &GlobalArgs, args: &HistoryArgs, variables: &Variables) -> Self {
        let HistoryArgs { command } = args;
        let action = match command {
            crate::cli::HistoryCommand::Export(HistoryExportArgs { file }) => HistoryAction::Export(file.clone()),
            crate::cli::HistoryCommand::Import(HistoryImportArgs { files, junit, suite }) => {
                if *junit {
                    HistoryAction::SeedJunit {
                        files: files.clone(),
                        suite: suite.clone(),
                    }
                } else {
                    HistoryAction::Import(files.clone())
                }
            }
            crate::cli::HistoryCommand::Prune => HistoryAction::Prune,
        };
        let suites = match &action {
            HistoryAction::SeedJunit { suite: Some(suite), .. } => {
                Some(Sourced::new(vec![suite.clone()], Source::Flag("--suite")))
            }
            _ => None,
        };
        Self {
            global: Global::resolve(global, variables),
            overrides: Overrides {
                layer: Layer {
                    suites,
                    ..Layer::default()
                },
                ..Overrides::default()
            },
            action,
        }
    }
}

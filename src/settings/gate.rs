//! [`GateCommand`] (`flotilla gate`), [`ReportCommand`] (`flotilla report`) and [`GcCommand`] (`flotilla gc`), resolved from their arguments and the variables. They read only part of the
//! file (`ConfigFile::gate`, `ConfigFile::docker_hosts`) or none, so they work in a folder
//! without suites.

use camino::Utf8PathBuf;

use super::{Global, Variables};
use crate::cli::{GateArgs, GlobalArgs, ReportArgs};
use crate::gate::SuitePattern;

/// `flotilla gate`, resolved.
#[derive(Clone, Debug)]
pub struct GateCommand {
    /// The global options.
    pub global: Global,
    /// The folders (or summary.json files) to search, relative to `-C DIR`.
    pub roots: Vec<Utf8PathBuf>,
    /// `--require` globs.
    pub require: Vec<SuitePattern>,
}

impl GateCommand {
    /// Resolves `flotilla gate`'s arguments.
    #[must_use]
    pub fn resolve(global: &GlobalArgs, args: &GateArgs, variables: &Variables) -> Self {
        // Destructured without `..`: a new flag must be handled here.
        let GateArgs { dirs, require } = args;
        let global = Global::resolve(global, variables);
        let roots = dirs
            .iter()
            .map(|dir| match &global.directory {
                Some(base) if dir.is_relative() => base.join(dir),
                _ => dir.clone(),
            })
            .collect();
        Self {
            global,
            roots,
            require: require.clone(),
        }
    }
}

/// `flotilla gc`, resolved.
#[derive(Clone, Debug)]
pub struct GcCommand {
    /// The global options.
    pub global: Global,
}

impl GcCommand {
    /// Resolves `flotilla gc` (it has no arguments of its own).
    #[must_use]
    pub fn resolve(global: &GlobalArgs, variables: &Variables) -> Self {
        Self {
            global: Global::resolve(global, variables),
        }
    }
}

/// `flotilla report`, resolved.
#[derive(Clone, Debug)]
pub struct ReportCommand {
    /// The global options.
    pub global: Global,
    /// The run folders to render, relative to `-C DIR`.
    pub dirs: Vec<Utf8PathBuf>,
    /// `-o FILE`, relative to `-C DIR`.
    pub output: Option<Utf8PathBuf>,
    /// `--open`: print the report's file:// URL.
    pub open: bool,
}

impl ReportCommand {
    /// Resolves `flotilla report`'s arguments.
    #[must_use]
    pub fn resolve(global: &GlobalArgs, args: &ReportArgs, variables: &Variables) -> Self {
        // Destructured without `..`: a new flag must be handled here.
        let ReportArgs { dirs, output, open } = args;
        let global = Global::resolve(global, variables);
        let under = |path: &Utf8PathBuf| match &global.directory {
            Some(base) if path.is_relative() => base.join(path),
            _ => path.clone(),
        };
        Self {
            dirs: dirs.iter().map(under).collect(),
            output: output.as_ref().map(under),
            open: *open,
            global,
        }
    }
}

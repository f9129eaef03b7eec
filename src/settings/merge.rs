//! [`MergeCommand`] (`flotilla merge`): node run folders, or a build's work queue
//! ([`MergeQueue`], with the build id read from the CI variables as the nodes read it).

use camino::Utf8PathBuf;

use super::{Global, Variables};
use crate::cli::{GlobalArgs, MergeArgs};
use crate::error::Error;

/// `flotilla merge`, resolved.
#[derive(Clone, Debug)]
pub struct MergeCommand {
    /// The global options.
    pub global: Global,
    /// The node run folders (or artifacts) to merge, relative to `-C DIR`.
    pub roots: Vec<Utf8PathBuf>,
    /// Where the merged result goes, relative to `-C DIR`.
    pub out: Utf8PathBuf,
    /// `--plan FILE`, relative to `-C DIR`.
    pub plan: Option<Utf8PathBuf>,
    /// `--queue URL`: merge the build's work queue.
    pub queue: Option<MergeQueue>,
}

/// `merge --queue URL [--queue-step STEP]`, with the build the queue belongs to.
#[derive(Clone, Debug)]
pub struct MergeQueue {
    /// The Redis URL.
    pub url: String,
    /// The CI build id (`FLOTILLA_BUILD_ID` or the CI's own), as the nodes computed it.
    pub build: String,
    /// Only this step's queues.
    pub step: Option<String>,
}

impl MergeCommand {
    /// Resolves `flotilla merge`'s arguments.
    ///
    /// # Errors
    /// With `--queue`, when the CI variables cannot be read or give no build id.
    pub fn resolve(global: &GlobalArgs, args: &MergeArgs, variables: &Variables) -> Result<Self, Error> {
        // Destructured without `..`: a new flag must be handled here.
        let MergeArgs {
            dirs,
            out,
            plan,
            queue,
            queue_step,
        } = args;
        let global = Global::resolve(global, variables);
        let queue = match queue {
            None => None,
            Some(url) => {
                let ci = crate::ci::detect(&variables.lookup()).map_err(|error| Error::Usage {
                    message: error.to_string(),
                })?;
                let Some(build) = ci.build_id else {
                    return Err(Error::Usage {
                        message: "merge --queue needs the build id the nodes used: run it as a step of the same CI build, or set FLOTILLA_BUILD_ID to the nodes' build id".into(),
                    });
                };
                Some(MergeQueue {
                    url: url.clone(),
                    build: build.value,
                    step: queue_step.clone(),
                })
            }
        };
        let under = |path: &Utf8PathBuf| match &global.directory {
            Some(base) if path.is_relative() => base.join(path),
            _ => path.clone(),
        };
        Ok(Self {
            roots: dirs.iter().map(under).collect(),
            out: under(out),
            plan: plan.as_ref().map(under),
            queue,
            global,
        })
    }
}

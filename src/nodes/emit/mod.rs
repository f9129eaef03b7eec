//! CI configurations that run a node plan on its nodes (`flotilla plan --emit FORMAT`): one
//! file per CI, each a pure function of [`EmitInput`] to text.
//!
//! Every format runs `flotilla run --plan <file>` on each node, reading the node index from the
//! CI's own variable (Buildkite `BUILDKITE_PARALLEL_JOB`, GitLab `CI_NODE_INDEX`, Kubernetes
//! `JOB_COMPLETION_INDEX`) or from the matrix (GitHub Actions, through `--partition`), then
//! merges the node folders with `flotilla merge`.

mod buildkite;
mod github;
mod gitlab;
mod kubernetes;

use crate::nodes::NodePlan;

/// A CI configuration format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum EmitFormat {
    /// A Buildkite pipeline for `buildkite-agent pipeline upload`.
    Buildkite,
    /// A GitHub Actions matrix, JSON for `fromJSON`.
    Github,
    /// A GitLab child pipeline with `parallel: N`.
    Gitlab,
    /// A Kubernetes Indexed Job and the ConfigMap holding the plan.
    Kubernetes,
}

/// What an emitter needs.
#[derive(Clone, Copy, Debug)]
pub struct EmitInput<'a> {
    /// The plan (its node count is the parallelism).
    pub plan: &'a NodePlan,
    /// The plan file's path as the nodes see it (relative to the project).
    pub plan_file: &'a str,
    /// The plan file's content (the Kubernetes ConfigMap carries it).
    pub plan_json: &'a str,
    /// The container image (Kubernetes).
    pub image: Option<&'a str>,
}

/// Why a configuration could not be written.
#[derive(Debug, thiserror::Error)]
pub enum EmitError {
    /// Kubernetes needs an image.
    #[error("`--emit kubernetes` needs `--image IMAGE`: the image with flotilla and your tests in it")]
    NoImage,
    /// The YAML writer failed.
    #[error("could not write the {format} configuration")]
    Yaml {
        format: &'static str,
        #[source]
        source: serde_norway::Error,
    },
}

/// The exit code of a node whose tests failed (the Kubernetes Job fails that index at once).
pub const TESTS_FAILED_EXIT: u8 = crate::exit_code::TESTS_FAILED;

/// The configuration in `format` for `input`.
pub fn emit(format: EmitFormat, input: &EmitInput<'_>) -> Result<String, EmitError> {
    match format {
        EmitFormat::Buildkite => yaml("Buildkite", &buildkite::pipeline(input)),
        EmitFormat::Github => Ok(github::matrix(input)),
        EmitFormat::Gitlab => yaml("GitLab", &gitlab::child_pipeline(input)),
        EmitFormat::Kubernetes => kubernetes::manifests(input),
    }
}

fn yaml(format: &'static str, value: &serde_json::Value) -> Result<String, EmitError> {
    serde_norway::to_string(value).map_err(|source| EmitError::Yaml { format, source })
}

/// A short form of the plan hash for names and labels.
fn short_hash(plan: &NodePlan) -> &str {
    plan.plan_hash.get(..8).unwrap_or(&plan.plan_hash)
}

#[cfg(test)]
mod tests;

//! [`CiSummary`]: the run's summary where the CI shows it. On GitHub Actions, markdown appended
//! to the file `$GITHUB_STEP_SUMMARY` names; on Buildkite, when `buildkite-agent` is on the
//! PATH, an annotation (`buildkite-agent annotate --style error|success --context flotilla`,
//! the body on stdin). Both cap the body at 1 MiB, each CI's limit. Which CI this is comes
//! from the CI context (`crate::ci`). The markdown itself is `markdown.rs`.

mod markdown;

use std::time::Duration;

use camino::{Utf8Path, Utf8PathBuf};

pub use markdown::{Links, markdown};

use crate::ci::Vendor;
use crate::exec::{CapturedSpec, ProcessEnd, Shutdown};
use crate::report::rerun::RerunCommands;
use crate::results::RunSummary;

/// GitHub's limit for one step's summary, and Buildkite's for one annotation.
pub const LIMIT: usize = 1024 * 1024;
/// How long `buildkite-agent annotate` may take.
const AGENT_TIMEOUT: Duration = Duration::from_secs(60);

/// Where this CI shows a job summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CiSummary {
    /// GitHub Actions' step summary file.
    GitHub {
        /// `$GITHUB_STEP_SUMMARY`.
        path: Utf8PathBuf,
        /// The run's page (`$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID`).
        build_url: Option<String>,
    },
    /// A Buildkite annotation through the agent.
    Buildkite {
        /// The `buildkite-agent` found on the PATH.
        agent: Utf8PathBuf,
    },
}

/// Why the CI's summary could not be written (the run's result stands).
#[derive(Debug, thiserror::Error)]
pub enum CiSummaryError {
    /// `$GITHUB_STEP_SUMMARY` could not be appended to.
    #[error("cannot append to the GitHub step summary `{path}`")]
    Write {
        path: Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `buildkite-agent` could not be started.
    #[error("cannot start `{agent}`")]
    Spawn {
        agent: Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `buildkite-agent annotate` failed.
    #[error("`buildkite-agent annotate` {end}: {stderr}")]
    Annotate { end: String, stderr: String },
}

impl CiSummary {
    /// The summary target of the CI `vendor`, reading variables through `env`; `None` when this
    /// CI has none (or it is not set up: no `$GITHUB_STEP_SUMMARY`, no agent on the PATH).
    pub fn detect(vendor: Vendor, env: &impl Fn(&str) -> Option<String>) -> Option<Self> {
        let set = |name: &str| env(name).filter(|v| !v.is_empty());
        match vendor {
            Vendor::GitHubActions => {
                let path = Utf8PathBuf::from(set("GITHUB_STEP_SUMMARY")?);
                let build_url = match (set("GITHUB_SERVER_URL"), set("GITHUB_REPOSITORY"), set("GITHUB_RUN_ID")) {
                    (Some(server), Some(repo), Some(run)) => Some(format!("{server}/{repo}/actions/runs/{run}")),
                    _ => None,
                };
                Some(Self::GitHub { path, build_url })
            }
            Vendor::Buildkite => {
                let path = set("PATH")?;
                let agent = path
                    .split(':')
                    .filter(|dir| !dir.is_empty())
                    .map(|dir| Utf8Path::new(dir).join("buildkite-agent"))
                    .find(|candidate| is_executable(candidate))?;
                Some(Self::Buildkite { agent })
            }
            _ => None,
        }
    }

    /// Writes the summary of `summary` (whose HTML report is at `report`, if written).
    pub async fn publish(
        &self,
        summary: &RunSummary,
        reruns: &RerunCommands,
        report: Option<&Utf8Path>,
    ) -> Result<(), CiSummaryError> {
        match self {
            Self::GitHub { path, build_url } => {
                let links = Links {
                    build: build_url.clone(),
                };
                let body = markdown(summary, reruns, report, &links, LIMIT);
                append(path, &body).map_err(|source| CiSummaryError::Write {
                    path: path.clone(),
                    source,
                })
            }
            Self::Buildkite { agent } => {
                let body = markdown(summary, reruns, report, &Links::default(), LIMIT);
                let style = if summary.passed() { "success" } else { "error" };
                let spec = CapturedSpec {
                    timeout: Some(AGENT_TIMEOUT),
                    stdin: Some(body.into_bytes()),
                    ..CapturedSpec::new(
                        [agent.as_str(), "annotate", "--style", style, "--context", "flotilla"]
                            .into_iter()
                            .map(Into::into)
                            .collect(),
                    )
                };
                let (_keep, mut running) = tokio::sync::watch::channel(Shutdown::Running);
                let captured =
                    crate::exec::run_captured(&spec, &mut running)
                        .await
                        .map_err(|error| CiSummaryError::Spawn {
                            agent: agent.clone(),
                            source: error.into_io_error(),
                        })?;
                match captured.end {
                    ProcessEnd::Exited(0) => Ok(()),
                    end => Err(CiSummaryError::Annotate {
                        end: format!("{end:?}"),
                        stderr: String::from_utf8_lossy(&captured.stderr).trim().to_string(),
                    }),
                }
            }
        }
    }
}

fn is_executable(path: &Utf8Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Appends `body` after what earlier steps of the job wrote, a blank line apart.
fn append(path: &Utf8Path, body: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = fs_err::OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(body.as_bytes())?;
    file.write_all(b"\n")
}

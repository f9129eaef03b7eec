//! [`Vendor`]: the closed set of CI systems flotilla recognises, and the variable that marks
//! each one.

use std::fmt;

/// Which CI system runs this build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Vendor {
    /// Buildkite (`BUILDKITE=true`).
    Buildkite,
    /// GitHub Actions (`GITHUB_ACTIONS=true`).
    GitHubActions,
    /// GitLab CI/CD (`GITLAB_CI=true`).
    GitLab,
    /// CircleCI (`CIRCLECI=true`).
    CircleCi,
    /// Azure Pipelines (`TF_BUILD=True`).
    AzurePipelines,
    /// Jenkins (`JENKINS_URL` set).
    Jenkins,
    /// A pod of a Kubernetes Indexed Job (`JOB_COMPLETION_INDEX` set).
    KubernetesIndexedJob,
    /// Some other CI that sets the conventional `CI=true`.
    Generic,
    /// Not a CI build (a developer's machine).
    None,
}

impl Vendor {
    /// Detection order: the first vendor whose marker is set wins. GitLab comes first, as in
    /// the Knapsack Pro client, because its `CI_*` names are generic enough to be mistaken for
    /// (or exported next to) other systems' variables; the generic `CI` comes last.
    pub const DETECTION_ORDER: [Self; 8] = [
        Self::GitLab,
        Self::Buildkite,
        Self::GitHubActions,
        Self::CircleCi,
        Self::AzurePipelines,
        Self::Jenkins,
        Self::KubernetesIndexedJob,
        Self::Generic,
    ];

    /// The variable whose presence identifies this vendor (`None` for [`Vendor::None`]).
    #[must_use]
    pub fn marker(self) -> Option<&'static str> {
        Some(match self {
            Self::Buildkite => "BUILDKITE",
            Self::GitHubActions => "GITHUB_ACTIONS",
            Self::GitLab => "GITLAB_CI",
            Self::CircleCi => "CIRCLECI",
            Self::AzurePipelines => "TF_BUILD",
            Self::Jenkins => "JENKINS_URL",
            Self::KubernetesIndexedJob => "JOB_COMPLETION_INDEX",
            Self::Generic => "CI",
            Self::None => return None,
        })
    }

    /// Whether the marker is a boolean (`true`/`false`) rather than a value whose mere presence
    /// counts (`JENKINS_URL`, `JOB_COMPLETION_INDEX`, which is legitimately `0`).
    #[must_use]
    pub fn marker_is_boolean(self) -> bool {
        !matches!(self, Self::Jenkins | Self::KubernetesIndexedJob)
    }

    /// The product's name, for people.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Buildkite => "Buildkite",
            Self::GitHubActions => "GitHub Actions",
            Self::GitLab => "GitLab CI",
            Self::CircleCi => "CircleCI",
            Self::AzurePipelines => "Azure Pipelines",
            Self::Jenkins => "Jenkins",
            Self::KubernetesIndexedJob => "Kubernetes Indexed Job",
            Self::Generic => "an unrecognised CI",
            Self::None => "no CI",
        }
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

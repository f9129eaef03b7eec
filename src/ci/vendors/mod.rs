//! One reader per CI system: each turns that system's documented variables into [`Facts`].
//! The variable table with its sources is in `docs/ci.md`; `shared/notes/distributed.md` §1
//! has the research behind it.

mod azure;
mod buildkite;
mod circleci;
mod github;
mod gitlab;
mod jenkins;
mod kubernetes;

use super::derived::{Derived, Reason};
use super::env::Env;
use super::error::{CiError, CiWarning};
use super::facts::Facts;
use super::vendor::Vendor;

/// The first vendor (in [`Vendor::DETECTION_ORDER`]) whose marker variable is set.
pub(crate) fn which(env: Env<'_>) -> Derived<Vendor> {
    for vendor in Vendor::DETECTION_ORDER {
        let Some(marker) = vendor.marker() else { continue };
        let value = if vendor.marker_is_boolean() {
            env.flag(marker)
        } else {
            env.get(marker)
        };
        if let Some(value) = value {
            return Derived::var(vendor, marker, value);
        }
    }
    Derived::new(Vendor::None, Reason::rule("no CI variable is set"))
}

/// Reads `vendor`'s variables.
pub(crate) fn read(vendor: Derived<Vendor>, env: Env<'_>, warnings: &mut Vec<CiWarning>) -> Result<Facts, CiError> {
    let facts = Facts::new(vendor.clone());
    match vendor.value {
        Vendor::Buildkite => buildkite::read(facts, env, warnings),
        Vendor::GitHubActions => Ok(github::read(facts, env, warnings)),
        Vendor::GitLab => gitlab::read(facts, env, warnings),
        Vendor::CircleCi => circleci::read(facts, env, warnings),
        Vendor::AzurePipelines => azure::read(facts, env, warnings),
        Vendor::Jenkins => Ok(jenkins::read(facts, env, warnings)),
        Vendor::KubernetesIndexedJob => kubernetes::read(facts, env),
        Vendor::Generic | Vendor::None => Ok(facts),
    }
}

//! [`ProfileError`]: `--profile` named a profile the configuration does not define.

/// A profile could not be chosen.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ProfileError {
    /// `--profile NAME` names no `[profile.NAME]`.
    #[error("there is no profile `{name}`{}; {}", did_you_mean(suggestion.as_deref()), listing(name, available))]
    Unknown {
        /// The name asked for.
        name: String,
        /// The closest defined name, when it looks like a typo.
        suggestion: Option<String>,
        /// Every defined profile, in file order.
        available: Vec<String>,
    },
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

fn listing(name: &str, available: &[String]) -> String {
    if available.is_empty() {
        format!("the configuration defines no profiles: add a [profile.{name}] table to flotilla.toml")
    } else {
        format!("the profiles are: {}", available.join(", "))
    }
}

pub(super) use crate::suggest::closest;

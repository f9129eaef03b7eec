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

/// The name in `candidates` closest to `name`, if close enough to be a typo.
pub(super) fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|candidate| (strsim::jaro_winkler(name, candidate), candidate))
        .filter(|(score, _)| *score > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, candidate)| candidate)
}

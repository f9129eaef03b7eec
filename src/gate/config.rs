//! [`RawGate`]: the `[gate]` table as written; [`GateConfig`]: resolved; [`requirements`]:
//! the union of `--require` flags and `[gate] require`, each [`Requirement`] with its
//! [`Origin`].

use serde::Deserialize;

use super::pattern::SuitePattern;

/// `[gate]` in `flotilla.toml`, for the main configuration's raw struct to embed as
/// `gate: Option<RawGate>`.
///
/// ```toml
/// [gate]
/// require = ["api", "e2e-*"]
/// ```
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RawGate {
    /// Suites (globs) that must be present and green.
    #[serde(default)]
    pub require: Vec<SuitePattern>,
}

impl RawGate {
    /// Every key of the table, for "did you mean" suggestions.
    pub const KEYS: &'static [&'static str] = &["require"];
}

/// The resolved `[gate]` table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GateConfig {
    /// Suites (globs) that must be present and green.
    pub require: Vec<SuitePattern>,
}

impl GateConfig {
    /// Resolves the raw table (the globs were compiled while parsing).
    #[must_use]
    pub fn from_raw(raw: RawGate) -> Self {
        Self { require: raw.require }
    }
}

/// Where a requirement was written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// `--require GLOB`.
    Flag,
    /// `[gate] require` in the configuration.
    Config,
}

/// A suite glob that must match at least one suite found in the summaries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Requirement {
    /// The glob.
    pub pattern: SuitePattern,
    /// Where it came from.
    pub origin: Origin,
}

/// `--require` flags and `[gate] require` together (flags first, duplicates dropped).
#[must_use]
pub fn requirements(flags: Vec<SuitePattern>, config: Option<&GateConfig>) -> Vec<Requirement> {
    let configured = config.map(|c| c.require.clone()).unwrap_or_default();
    let mut all: Vec<Requirement> = Vec::new();
    let tagged = flags
        .into_iter()
        .map(|p| (p, Origin::Flag))
        .chain(configured.into_iter().map(|p| (p, Origin::Config)));
    for (pattern, origin) in tagged {
        if !all.iter().any(|r| r.pattern == pattern) {
            all.push(Requirement { pattern, origin });
        }
    }
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Doc {
        gate: RawGate,
    }

    #[test]
    fn the_table_parses_and_merges_with_flags() {
        let doc: Doc = toml::from_str("[gate]\nrequire = [\"api\", \"e2e-*\"]\n").unwrap();
        let config = GateConfig::from_raw(doc.gate);
        let all = requirements(vec!["smoke".parse().unwrap(), "api".parse().unwrap()], Some(&config));
        let listed: Vec<(&str, Origin)> = all.iter().map(|r| (r.pattern.as_str(), r.origin)).collect();
        assert_eq!(
            listed,
            [
                ("smoke", Origin::Flag),
                ("api", Origin::Flag),
                ("e2e-*", Origin::Config)
            ]
        );
    }

    #[test]
    fn bad_globs_and_keys_are_errors_with_a_location() {
        let error = toml::from_str::<Doc>("[gate]\nrequire = [\"api\", \"[\"]\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("line 2"), "{error}");
        assert!(error.contains("invalid suite glob `[`"), "{error}");
        let error = toml::from_str::<Doc>("[gate]\nrequires = []\n")
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("unknown field `requires`, expected `require`"),
            "{error}"
        );
    }
}

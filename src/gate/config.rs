//! [`GateConfig`]: the `[gate]` table, resolved (by `config/`, which reads the file);
//! [`requirements`]: the union of `--require` flags and `[gate] require`, each
//! [`Requirement`] with its [`Origin`].

use super::pattern::SuitePattern;

/// The resolved `[gate]` table.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GateConfig {
    /// Suites (globs) that must be present and green.
    pub require: Vec<SuitePattern>,
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

    #[test]
    fn flags_come_first_and_duplicates_are_dropped() {
        let config = GateConfig {
            require: vec!["api".parse().unwrap(), "e2e-*".parse().unwrap()],
        };
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
}

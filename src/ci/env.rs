//! [`Env`]: read-only access to environment variables through a lookup function, with the
//! parsing rules every vendor shares (empty means unset, 0- and 1-based indexes, counts).
//!
//! [`process_env`] is the only place in this module that touches the real environment.

use super::derived::{Derived, Reason};
use super::error::{CiError, CiWarning};

/// Looks `name` up in the process environment (non-UTF-8 values count as unset).
/// Pass it to [`detect`](super::detect): `ci::detect(&ci::process_env)`.
#[must_use]
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The environment, as a lookup function.
#[derive(Clone, Copy)]
pub(crate) struct Env<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
}

impl<'a> Env<'a> {
    pub(crate) fn new(lookup: &'a dyn Fn(&str) -> Option<String>) -> Self {
        Self { lookup }
    }

    /// The value of `name`, if set and not empty (CIs export empty strings for "none", e.g.
    /// `BUILDKITE_PULL_REQUEST_BASE_BRANCH=""`).
    pub(crate) fn get(&self, name: &str) -> Option<String> {
        (self.lookup)(name).filter(|value| !value.trim().is_empty())
    }

    /// Whether a marker variable is set to something other than `false` or `0`.
    pub(crate) fn flag(&self, name: &str) -> Option<String> {
        self.get(name)
            .filter(|value| !matches!(value.trim().to_ascii_lowercase().as_str(), "false" | "0" | "no"))
    }

    /// `name` as a string value with its reason.
    pub(crate) fn text(&self, name: &'static str) -> Option<Derived<String>> {
        self.get(name).map(|value| Derived::var(value.clone(), name, value))
    }

    /// `name` with `prefix` removed when present (`refs/heads/main` → `main`).
    pub(crate) fn stripped(&self, name: &'static str, prefix: &'static str) -> Option<Derived<String>> {
        let value = self.get(name)?;
        Some(match value.strip_prefix(prefix) {
            Some(rest) => Derived::new(
                rest.to_string(),
                Reason::var(name, &value).because(format!("`{prefix}` removed")),
            ),
            None => Derived::var(value.clone(), name, value),
        })
    }

    /// A node index that the CI counts from `base` (0 or 1), converted to 0-based.
    /// A present but invalid value is an error: guessing the node's share is never safe.
    pub(crate) fn node_index(&self, name: &'static str, base: u32) -> Result<Option<Derived<u32>>, CiError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let invalid = || CiError::InvalidVariable {
            variable: name,
            value: value.clone(),
            expected: if base == 0 {
                "a 0-based node index (0, 1, 2, …)"
            } else {
                "a 1-based node index (1, 2, 3, …)"
            },
        };
        let number: u32 = value.trim().parse().map_err(|_| invalid())?;
        let index = number.checked_sub(base).ok_or_else(invalid)?;
        let reason = Reason::var(name, &value);
        Ok(Some(Derived::new(
            index,
            if base == 0 {
                reason
            } else {
                reason.because("1-based, so minus one")
            },
        )))
    }

    /// A node total: a positive whole number, or an error.
    pub(crate) fn node_total(&self, name: &'static str) -> Result<Option<Derived<u32>>, CiError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        match value.trim().parse::<u32>() {
            Ok(total) if total > 0 => Ok(Some(Derived::var(total, name, value))),
            _ => Err(CiError::InvalidVariable {
                variable: name,
                value,
                expected: "a positive number of nodes",
            }),
        }
    }

    /// A whole number that only informs (retry counts, PR numbers): an invalid value is
    /// ignored with a warning.
    pub(crate) fn number<T: std::str::FromStr>(
        &self,
        name: &'static str,
        expected: &'static str,
        warnings: &mut Vec<CiWarning>,
    ) -> Option<Derived<T>> {
        let value = self.get(name)?;
        match value.trim().parse::<T>() {
            Ok(number) => Some(Derived::var(number, name, value)),
            Err(_) => {
                warnings.push(CiWarning::Ignored {
                    variable: name,
                    value,
                    expected,
                });
                None
            }
        }
    }

    /// A 1-based attempt number (`GITHUB_RUN_ATTEMPT`, `SYSTEM_JOBATTEMPT`) as a retry count.
    pub(crate) fn attempt_as_retries(&self, name: &'static str, warnings: &mut Vec<CiWarning>) -> Option<Derived<u32>> {
        let attempt = self.number::<u32>(name, "a 1-based attempt number", warnings)?;
        match attempt.value.checked_sub(1) {
            Some(retries) => Some(Derived::new(
                retries,
                attempt.reason.because("1-based attempt, so minus one"),
            )),
            None => {
                warnings.push(CiWarning::Ignored {
                    variable: name,
                    value: "0".to_string(),
                    expected: "a 1-based attempt number",
                });
                None
            }
        }
    }
}

/// The trailing number of a ref or URL: `refs/pull/12/merge` → 12, `…/pull/34` → 34.
pub(crate) fn pull_number(text: &str) -> Option<u64> {
    text.split('/')
        .rev()
        .find(|part| !part.is_empty() && part.chars().all(|c| c.is_ascii_digit()))
        .and_then(|part| part.parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_string())
    }

    #[test]
    fn empty_values_are_unset_and_false_flags_are_off() {
        let lookup = with(&[("A", ""), ("B", "false"), ("C", "True"), ("D", "0")]);
        let env = Env::new(&lookup);
        assert_eq!(env.get("A"), None);
        assert_eq!(env.flag("B"), None);
        assert_eq!(env.flag("C").as_deref(), Some("True"));
        assert_eq!(env.flag("D"), None);
        assert_eq!(env.get("MISSING"), None);
    }

    #[test]
    fn one_based_indexes_become_zero_based_and_zero_is_rejected() {
        let lookup = with(&[("ONE", "1"), ("ZERO", "0"), ("BAD", "x")]);
        let env = Env::new(&lookup);
        assert_eq!(env.node_index("ONE", 1).unwrap().unwrap().value, 0);
        assert_eq!(env.node_index("ZERO", 0).unwrap().unwrap().value, 0);
        assert!(env.node_index("ZERO", 1).is_err());
        assert!(env.node_index("BAD", 0).is_err());
        assert!(env.node_total("ZERO").is_err());
    }

    #[test]
    fn pull_numbers_come_from_refs_and_urls() {
        assert_eq!(pull_number("refs/pull/12/merge"), Some(12));
        assert_eq!(pull_number("https://github.com/o/r/pull/34"), Some(34));
        assert_eq!(pull_number("main"), None);
    }
}

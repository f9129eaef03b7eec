//! [`Derived`]: a value together with the [`Reason`] it was derived for, so every decision
//! flotilla takes from the CI environment can be explained ("`CI_NODE_INDEX=2` (1-based)").

use std::borrow::Cow;
use std::fmt;

/// A value and why flotilla believes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Derived<T> {
    /// The value.
    pub value: T,
    /// Where it came from.
    pub reason: Reason,
}

impl<T> Derived<T> {
    /// `value`, read from `variable` whose text was `raw`.
    pub(crate) fn var(value: T, variable: &'static str, raw: impl Into<String>) -> Self {
        Self {
            value,
            reason: Reason::var(variable, raw),
        }
    }

    /// `value` for `reason`.
    pub(crate) fn new(value: T, reason: Reason) -> Self {
        Self { value, reason }
    }
}

/// One environment variable as it was read: `NAME=value`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// The variable's name.
    pub variable: &'static str,
    /// Its value, as set.
    pub value: String,
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.variable, self.value)
    }
}

/// Why a value was derived: the variables that were read and, when a rule beyond "this
/// variable says so" was applied, that rule in words.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reason {
    /// The variables read, in the order they mattered. Empty for pure rules ("no CI variable").
    pub evidence: Vec<Evidence>,
    /// The rule applied, e.g. "1-based, so minus one".
    pub rule: Option<Cow<'static, str>>,
}

impl Reason {
    /// Read from one variable.
    pub(crate) fn var(variable: &'static str, value: impl Into<String>) -> Self {
        Self {
            evidence: vec![Evidence {
                variable,
                value: value.into(),
            }],
            rule: None,
        }
    }

    /// A rule that reads no variable.
    pub(crate) fn rule(rule: impl Into<Cow<'static, str>>) -> Self {
        Self {
            evidence: Vec::new(),
            rule: Some(rule.into()),
        }
    }

    /// Adds another variable.
    pub(crate) fn and(mut self, variable: &'static str, value: impl Into<String>) -> Self {
        self.evidence.push(Evidence {
            variable,
            value: value.into(),
        });
        self
    }

    /// Adds (or extends) the rule.
    pub(crate) fn because(mut self, rule: impl Into<Cow<'static, str>>) -> Self {
        let rule = rule.into();
        self.rule = Some(match self.rule.take() {
            Some(first) => Cow::Owned(format!("{first}; {rule}")),
            None => rule,
        });
        self
    }

    /// Whether `variable` is part of the evidence.
    #[must_use]
    pub fn mentions(&self, variable: &str) -> bool {
        self.evidence.iter().any(|e| e.variable == variable)
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, evidence) in self.evidence.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{evidence}")?;
        }
        match (&self.rule, self.evidence.is_empty()) {
            (Some(rule), true) => f.write_str(rule),
            (Some(rule), false) => write!(f, " ({rule})"),
            (None, _) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_read_as_variables_then_rule() {
        assert_eq!(Reason::var("A", "1").to_string(), "A=1");
        assert_eq!(
            Reason::var("A", "1").and("B", "x").because("1-based").to_string(),
            "A=1, B=x (1-based)"
        );
        assert_eq!(
            Reason::rule("no CI variable is set").to_string(),
            "no CI variable is set"
        );
        assert_eq!(Reason::rule("first").because("second").to_string(), "first; second");
    }
}

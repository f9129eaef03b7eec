//! [`Condition`]: one entry of a profile's `when`, and [`When`], the list of them.
//!
//! In TOML a condition is a trigger name or a branch glob table:
//! `when = ["pull-request"]`, `when = "schedule"`,
//! `when = ["schedule", { branch = "release/*" }]`. A profile matches when **any** of its
//! conditions holds. Deserialization uses hand-written visitors (no `untagged`), so an unknown
//! value gets an error listing the valid ones and the closest match.

use std::fmt;

use globset::{GlobBuilder, GlobMatcher};
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::error::closest;
use crate::ci::{CiContext, Trigger};

/// When a profile applies.
#[derive(Clone, Debug)]
pub enum Condition {
    /// A pull-request (merge-request, change-request, merge-queue) build.
    PullRequest,
    /// A build of the default branch.
    DefaultBranch,
    /// A build of any other branch.
    OtherBranch,
    /// A scheduled build.
    Schedule,
    /// A tag build.
    Tag,
    /// The branch built (a pull request's source branch) matches a glob, whatever the trigger.
    Branch(BranchGlob),
}

/// The trigger conditions, by their TOML names.
const NAMED: [(&str, Condition); 5] = [
    ("pull-request", Condition::PullRequest),
    ("default-branch", Condition::DefaultBranch),
    ("other-branch", Condition::OtherBranch),
    ("schedule", Condition::Schedule),
    ("tag", Condition::Tag),
];

const EXPECTING: &str = "a condition: \"pull-request\", \"default-branch\", \"other-branch\", \"schedule\", \"tag\" \
                         or { branch = \"GLOB\" }";

/// What is wrong with a condition of a profile's `when`.
#[derive(Debug, thiserror::Error)]
pub enum ConditionError {
    /// `"branch"` alone: the branch condition is a table with a glob.
    #[error("`branch` needs a pattern: write {{ branch = \"release/*\" }}")]
    BranchWithoutPattern,
    /// A name that is not a condition.
    #[error("unknown condition `{name}`{}; expected {EXPECTING}", did_you_mean(*.suggestion))]
    Unknown {
        /// The name as written.
        name: String,
        /// The closest valid name, if one is close.
        suggestion: Option<&'static str>,
    },
    /// `{ branch = "..." }` with a pattern that is not a valid glob.
    #[error("invalid branch glob `{pattern}`: {}", .source.kind())]
    BranchGlob {
        /// The pattern as written.
        pattern: String,
        /// What globset said.
        #[source]
        source: globset::Error,
    },
}

fn did_you_mean(suggestion: Option<&str>) -> String {
    suggestion
        .map(|name| format!(" (did you mean `{name}`?)"))
        .unwrap_or_default()
}

impl Condition {
    /// Whether the build described by `ci` satisfies this condition.
    #[must_use]
    pub fn matches(&self, ci: &CiContext) -> bool {
        let trigger = ci.trigger.value;
        match self {
            Self::PullRequest => trigger == Trigger::PullRequest,
            Self::DefaultBranch => trigger == Trigger::DefaultBranch,
            Self::OtherBranch => trigger == Trigger::OtherBranch,
            Self::Schedule => trigger == Trigger::Schedule,
            Self::Tag => trigger == Trigger::Tag,
            Self::Branch(glob) => ci.branch.as_ref().is_some_and(|branch| glob.is_match(&branch.value)),
        }
    }

    /// The condition parsed from its name (`pull-request`, …), or an error that names the
    /// closest valid name.
    fn from_name(name: &str) -> Result<Self, ConditionError> {
        if let Some((_, condition)) = NAMED.iter().find(|(n, _)| *n == name) {
            return Ok(condition.clone());
        }
        if name == "branch" {
            return Err(ConditionError::BranchWithoutPattern);
        }
        Err(ConditionError::Unknown {
            name: name.to_string(),
            suggestion: closest(name, NAMED.iter().map(|(n, _)| *n).chain(["branch"])),
        })
    }

    /// A condition from a table: `{ branch = "GLOB" }`.
    fn from_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
        let Some(key) = map.next_key::<String>()? else {
            return Err(de::Error::custom(format!("empty table; expected {EXPECTING}")));
        };
        if key != "branch" {
            return Err(de::Error::custom(format!(
                "unknown condition key `{key}`; the only table condition is {{ branch = \"GLOB\" }}"
            )));
        }
        let pattern: String = map.next_value()?;
        if let Some(extra) = map.next_key::<String>()? {
            return Err(de::Error::custom(format!(
                "unexpected key `{extra}`: write one condition per table, e.g. [{{ branch = \"a/*\" }}, {{ branch = \"b/*\" }}]"
            )));
        }
        BranchGlob::new(&pattern).map(Self::Branch).map_err(de::Error::custom)
    }
}

impl fmt::Display for Condition {
    /// As written in TOML: `pull-request`, `branch = "release/*"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::PullRequest => "pull-request",
            Self::DefaultBranch => "default-branch",
            Self::OtherBranch => "other-branch",
            Self::Schedule => "schedule",
            Self::Tag => "tag",
            Self::Branch(glob) => return write!(f, "branch = \"{}\"", glob.pattern()),
        })
    }
}

/// A branch glob: `*` and `?` stay within one `/`-separated segment, `**` crosses them
/// (`release/*` matches `release/1.2`, not `release/1.2/hotfix`).
#[derive(Clone, Debug)]
pub struct BranchGlob {
    pattern: String,
    matcher: GlobMatcher,
}

impl BranchGlob {
    /// Compiles `pattern`.
    ///
    /// # Errors
    ///
    /// [`ConditionError::BranchGlob`] when `pattern` is not a valid glob.
    pub fn new(pattern: &str) -> Result<Self, ConditionError> {
        GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            .map(|glob| Self {
                pattern: pattern.to_string(),
                matcher: glob.compile_matcher(),
            })
            .map_err(|source| ConditionError::BranchGlob {
                pattern: pattern.to_string(),
                source,
            })
    }

    /// The glob as written.
    #[must_use]
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    /// Whether `branch` matches.
    #[must_use]
    pub fn is_match(&self, branch: &str) -> bool {
        self.matcher.is_match(branch)
    }
}

impl<'de> serde::Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ConditionVisitor;
        impl<'de> Visitor<'de> for ConditionVisitor {
            type Value = Condition;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(EXPECTING)
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Condition, E> {
                Condition::from_name(name).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Condition, A::Error> {
                Condition::from_map(map)
            }
        }
        deserializer.deserialize_any(ConditionVisitor)
    }
}

/// A profile's `when`: the conditions under which it is chosen automatically (any of them).
/// Empty when the profile has no `when` and is only chosen with `--profile`.
#[derive(Clone, Debug, Default)]
pub struct When(pub Vec<Condition>);

impl<'de> serde::Deserialize<'de> for When {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct WhenVisitor;
        impl<'de> Visitor<'de> for WhenVisitor {
            type Value = When;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{EXPECTING}, or a list of them")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<When, E> {
                Condition::from_name(name).map(|c| When(vec![c])).map_err(E::custom)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<When, A::Error> {
                Condition::from_map(map).map(|c| When(vec![c]))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<When, A::Error> {
                let mut conditions = Vec::new();
                while let Some(condition) = seq.next_element::<Condition>()? {
                    conditions.push(condition);
                }
                if conditions.is_empty() {
                    return Err(de::Error::custom(
                        "`when = []` never matches; remove `when` to choose this profile only with --profile",
                    ));
                }
                Ok(When(conditions))
            }
        }
        deserializer.deserialize_any(WhenVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Doc {
        when: When,
    }

    fn parse(toml_text: &str) -> Result<Vec<String>, toml::de::Error> {
        toml::from_str::<Doc>(toml_text).map(|doc| doc.when.0.iter().map(ToString::to_string).collect())
    }

    /// The message of the error `toml_text` is rejected with.
    fn rejection(toml_text: &str) -> String {
        parse(toml_text).unwrap_err().to_string()
    }

    #[test]
    fn conditions_are_names_tables_or_lists_of_both() {
        assert_eq!(parse(r#"when = "schedule""#).unwrap(), ["schedule"]);
        assert_eq!(
            parse(r#"when = { branch = "release/*" }"#).unwrap(),
            [r#"branch = "release/*""#]
        );
        assert_eq!(
            parse(r#"when = ["pull-request", "tag", { branch = "hotfix/**" }]"#).unwrap(),
            ["pull-request", "tag", r#"branch = "hotfix/**""#]
        );
    }

    #[test]
    fn unknown_values_say_what_is_valid_and_where() {
        let error = rejection("\nwhen = [\"pull_request\"]");
        assert!(error.contains("line 2"), "{error}");
        assert!(
            error.contains("unknown condition `pull_request` (did you mean `pull-request`?)"),
            "{error}"
        );
        assert!(error.contains("\"default-branch\""), "{error}");
        let error = rejection(r#"when = "nightly""#);
        assert!(error.contains("unknown condition `nightly`; expected"), "{error}");
        let error = rejection(r#"when = ["branch"]"#);
        assert!(error.contains(r#"write { branch = "release/*" }"#), "{error}");
        let error = rejection(r#"when = { tag = "v*" }"#);
        assert!(error.contains("unknown condition key `tag`"), "{error}");
        let error = rejection(r#"when = { branch = "[" }"#);
        assert!(error.contains("invalid branch glob `[`"), "{error}");
        let error = rejection("when = []");
        assert!(error.contains("never matches"), "{error}");
        let error = rejection("when = 3");
        assert!(error.contains("or a list of them"), "{error}");
    }

    #[test]
    fn branch_globs_stay_within_a_segment_unless_doubled() {
        let glob = BranchGlob::new("release/*").unwrap();
        assert!(glob.is_match("release/1.2"));
        assert!(!glob.is_match("release/1.2/hotfix"));
        assert!(!glob.is_match("prerelease/1.2"));
        assert!(BranchGlob::new("release/**").unwrap().is_match("release/1.2/hotfix"));
    }
}

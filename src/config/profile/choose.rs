//! [`choose`]: which profile applies to this build, and [`Choice`], the answer together with
//! the explanation `flotilla run --explain` prints.
//!
//! Order of precedence: an explicit `--profile NAME` wins; otherwise the **first** profile, in
//! the order of the slice (file order, see [`resolve`](super::resolve)), with a `when`
//! condition that holds for the build; otherwise none.

use std::fmt;

use super::condition::Condition;
use super::error::{ProfileError, closest};
use super::model::Profile;
use crate::ci::CiContext;

/// The chosen profile, if any, and why.
#[derive(Clone, Debug)]
pub struct Choice<'p> {
    /// The profile to apply; `None` = run with the configuration as written.
    pub profile: Option<&'p Profile>,
    /// Why this profile (or none).
    pub why: Why,
}

/// Why [`choose`] decided what it did. Its [`Display`](fmt::Display) (through [`Choice`]) is the
/// sentence shown to people.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// `--profile NAME`.
    Explicit,
    /// The profile's `when` matched the build.
    Matched {
        /// The condition that matched, as written (`pull-request`, `branch = "release/*"`).
        condition: String,
        /// What in the CI environment made it match, in words.
        evidence: String,
        /// Later profiles that also matched and were passed over.
        also: Vec<String>,
    },
    /// Profiles exist but no `when` matched.
    NoMatch {
        /// What the build is, in words.
        evidence: String,
        /// Each profile's name and its conditions, for the explanation.
        profiles: Vec<(String, String)>,
    },
    /// The configuration defines no profiles.
    NoProfiles,
}

/// Chooses the profile for a build.
///
/// # Errors
///
/// [`ProfileError::Unknown`] when `explicit` names no profile; the error lists the profiles and
/// suggests the closest name.
pub fn choose<'p>(profiles: &'p [Profile], explicit: Option<&str>, ci: &CiContext) -> Result<Choice<'p>, ProfileError> {
    if let Some(name) = explicit {
        return match profiles.iter().find(|p| p.name == name) {
            Some(profile) => Ok(Choice {
                profile: Some(profile),
                why: Why::Explicit,
            }),
            None => Err(ProfileError::Unknown {
                name: name.to_string(),
                suggestion: closest(name, profiles.iter().map(|p| p.name.as_str())).map(str::to_string),
                available: profiles.iter().map(|p| p.name.clone()).collect(),
            }),
        };
    }
    if profiles.is_empty() {
        return Ok(Choice {
            profile: None,
            why: Why::NoProfiles,
        });
    }
    let mut matching = profiles
        .iter()
        .filter_map(|profile| profile.when.iter().find(|c| c.matches(ci)).map(|c| (profile, c)));
    let Some((profile, condition)) = matching.next() else {
        return Ok(Choice {
            profile: None,
            why: Why::NoMatch {
                evidence: describe_build(ci),
                profiles: profiles.iter().map(|p| (p.name.clone(), conditions(&p.when))).collect(),
            },
        });
    };
    Ok(Choice {
        profile: Some(profile),
        why: Why::Matched {
            condition: condition.to_string(),
            evidence: evidence(condition, ci),
            also: matching.map(|(p, _)| p.name.clone()).collect(),
        },
    })
}

/// Why `condition` holds for `ci`, in words.
fn evidence(condition: &Condition, ci: &CiContext) -> String {
    match (condition, &ci.branch) {
        (Condition::Branch(glob), Some(branch)) => format!(
            "the branch `{}` ({}) matches `{}`",
            branch.value,
            branch.reason,
            glob.pattern()
        ),
        _ => ci.explain_trigger(),
    }
}

/// The trigger explanation plus the branch, for "nothing matched".
fn describe_build(ci: &CiContext) -> String {
    let mut text = ci.explain_trigger();
    if let Some(branch) = &ci.branch {
        text.push_str(&format!(" (branch `{}`)", branch.value));
    }
    text
}

fn conditions(when: &[Condition]) -> String {
    if when.is_empty() {
        "only with --profile".to_string()
    } else {
        when.iter().map(ToString::to_string).collect::<Vec<_>>().join(" or ")
    }
}

impl fmt::Display for Choice<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = self.profile.map_or("", |p| p.name.as_str());
        match &self.why {
            Why::Explicit => write!(f, "profile `{name}` chosen by --profile"),
            Why::Matched { evidence, also, .. } => {
                write!(f, "profile `{name}` chosen because {evidence}")?;
                if !also.is_empty() {
                    let also = also.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
                    write!(f, " ({also} also matched; the first matching profile in the file wins)")?;
                }
                Ok(())
            }
            Why::NoMatch { evidence, profiles } => {
                let listing = profiles
                    .iter()
                    .map(|(name, when)| format!("`{name}`: {when}"))
                    .collect::<Vec<_>>()
                    .join("; ");
                write!(
                    f,
                    "no profile chosen: {evidence}, and no profile's `when` matches it ({listing})"
                )
            }
            Why::NoProfiles => f.write_str("no profile chosen: the configuration defines none"),
        }
    }
}

//! [`Trigger`]: what kind of build this is (pull request, default branch, schedule, …), the
//! fact that profiles are chosen by.

use std::fmt;
use std::str::FromStr;

/// What started this build.
///
/// Manual and API-triggered builds are classified by what they build: a manual build of the
/// default branch is a [`Trigger::DefaultBranch`] build. Set `FLOTILLA_TRIGGER` to say
/// otherwise.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Trigger {
    /// A pull request (merge request, change request), including merge-queue builds.
    PullRequest,
    /// A push to (or a build of) the repository's default branch.
    DefaultBranch,
    /// A build of any other branch.
    OtherBranch,
    /// A scheduled (nightly, cron) build.
    Schedule,
    /// A build of a tag.
    Tag,
    /// Not known: no CI, or the CI did not say (no branch, no event).
    Unknown,
}

impl Trigger {
    /// Every trigger, in documentation order.
    pub const ALL: [Self; 6] = [
        Self::PullRequest,
        Self::DefaultBranch,
        Self::OtherBranch,
        Self::Schedule,
        Self::Tag,
        Self::Unknown,
    ];

    /// The kebab-case name used by `FLOTILLA_TRIGGER` and by profiles' `when`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PullRequest => "pull-request",
            Self::DefaultBranch => "default-branch",
            Self::OtherBranch => "other-branch",
            Self::Schedule => "schedule",
            Self::Tag => "tag",
            Self::Unknown => "unknown",
        }
    }

    /// "a pull-request build", for explanations.
    #[must_use]
    pub fn describe(self) -> &'static str {
        match self {
            Self::PullRequest => "a pull-request build",
            Self::DefaultBranch => "a default-branch build",
            Self::OtherBranch => "a build of a branch other than the default",
            Self::Schedule => "a scheduled build",
            Self::Tag => "a tag build",
            Self::Unknown => "a build whose trigger is unknown",
        }
    }
}

impl fmt::Display for Trigger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A trigger name that is not one of [`Trigger::ALL`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownTrigger {
    /// The closest valid name, when the input looks like a typo.
    pub suggestion: Option<&'static str>,
}

impl FromStr for Trigger {
    type Err = UnknownTrigger;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let text = text.trim();
        Self::ALL
            .into_iter()
            .find(|trigger| trigger.as_str() == text)
            .ok_or_else(|| UnknownTrigger {
                suggestion: crate::suggest::closest(text, Self::ALL.into_iter().map(Self::as_str)),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_typos_get_suggestions() {
        for trigger in Trigger::ALL {
            assert_eq!(trigger.as_str().parse::<Trigger>(), Ok(trigger));
        }
        assert_eq!(
            "pull_request".parse::<Trigger>(),
            Err(UnknownTrigger {
                suggestion: Some("pull-request")
            })
        );
        assert_eq!("zzz".parse::<Trigger>(), Err(UnknownTrigger { suggestion: None }));
    }
}

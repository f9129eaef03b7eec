//! [`detect`]: the environment → [`CiContext`]. Reads the vendor's variables, applies the
//! `FLOTILLA_*` overrides, checks the node index against the total, and classifies the build.

use super::context::{CiContext, Node};
use super::derived::{Derived, Reason};
use super::env::Env;
use super::error::{CiError, CiWarning};
use super::facts::{Event, Facts};
use super::overrides;
use super::trigger::Trigger;
use super::vendor::Vendor;
use super::vendors;

/// Branch names taken to be the default branch when the CI does not say which one it is.
const USUAL_DEFAULT_BRANCHES: [&str; 2] = ["main", "master"];

/// Works out which CI this is and what it is building, from an environment lookup function
/// (`ci::process_env` for the real environment, a table in tests).
///
/// # Errors
///
/// When a node variable (the CI's or `FLOTILLA_NODE_*`) or another `FLOTILLA_*` override is
/// set to something unusable. Unusable informative values (a malformed PR number) only give
/// [`CiContext::warnings`].
pub fn detect(env: &impl Fn(&str) -> Option<String>) -> Result<CiContext, CiError> {
    let env = Env::new(env);
    let mut warnings = Vec::new();
    let vendor = vendors::which(env);
    let mut facts = vendors::read(vendor, env, &mut warnings)?;
    let forced = overrides::apply(&mut facts, env)?;
    if env.get(overrides::NODE_INDEX).is_some() {
        warnings.retain(|warning| !warning.is_about_node());
    }
    let node = node(facts.node_index.take(), facts.node_total.take(), &mut warnings)?;
    let trigger = forced.unwrap_or_else(|| classify(&facts));
    let Facts {
        vendor,
        branch,
        default_branch,
        commit,
        pull_request,
        build_id,
        retry,
        ..
    } = facts;
    Ok(CiContext {
        vendor,
        trigger,
        branch,
        default_branch,
        commit,
        pull_request,
        node,
        build_id,
        retry,
        warnings,
    })
}

/// Pairs the index with the total, or says what is missing.
fn node(
    index: Option<Derived<u32>>,
    total: Option<Derived<u32>>,
    warnings: &mut Vec<CiWarning>,
) -> Result<Option<Node>, CiError> {
    match (index, total) {
        (None, None) => Ok(None),
        (Some(index), Some(total)) if index.value < total.value => Ok(Some(Node { index, total })),
        (Some(index), Some(total)) => Err(CiError::IndexOutOfRange {
            index: index.value,
            index_reason: index.reason,
            total: total.value,
            total_reason: total.reason,
        }),
        (Some(index), None) if index.reason.mentions("JOB_COMPLETION_INDEX") => {
            warnings.push(CiWarning::KubernetesWithoutTotal {
                index: index.value.to_string(),
            });
            Ok(None)
        }
        (Some(index), None) => Err(CiError::IndexWithoutTotal { index: index.reason }),
        (None, Some(total)) if total.value == 1 => Ok(Some(Node {
            index: Derived::new(0, Reason::rule("the only node")),
            total,
        })),
        (None, Some(total)) => Err(CiError::TotalWithoutIndex { total: total.reason }),
    }
}

/// The trigger from the vendor's event, comparing the branch with the default branch for
/// branch builds.
fn classify(facts: &Facts) -> Derived<Trigger> {
    let vendor = facts.vendor.value;
    if let Some(event) = &facts.event {
        let direct = match event.value {
            Event::PullRequest => Some(Trigger::PullRequest),
            Event::Schedule => Some(Trigger::Schedule),
            Event::Tag => Some(Trigger::Tag),
            Event::Branch => None,
        };
        if let Some(trigger) = direct {
            return Derived::new(trigger, event.reason.clone());
        }
    }
    let mut reason = facts.event.as_ref().map(|e| e.reason.clone()).unwrap_or_default();
    let Some(branch) = &facts.branch else {
        return Derived::new(
            Trigger::Unknown,
            if vendor == Vendor::None {
                Reason::rule("no CI variable is set and neither is FLOTILLA_TRIGGER")
            } else {
                reason.because(format!(
                    "{vendor} sets no variable that tells the trigger or the branch; set FLOTILLA_TRIGGER"
                ))
            },
        );
    };
    reason.evidence.extend(branch.reason.evidence.iter().cloned());
    let is_default = match &facts.default_branch {
        Some(default) => {
            reason.evidence.extend(default.reason.evidence.iter().cloned());
            let same = branch.value == default.value;
            reason = reason.because(if same {
                "the branch is the default branch"
            } else {
                "the branch is not the default branch"
            });
            same
        }
        None => {
            let who = match vendor {
                Vendor::None | Vendor::Generic => "nothing says".to_string(),
                vendor => format!("{vendor} does not say"),
            };
            reason = reason.because(format!(
                "{who} which branch is the default, so `main` and `master` are taken to be it; set FLOTILLA_DEFAULT_BRANCH to say otherwise"
            ));
            USUAL_DEFAULT_BRANCHES.contains(&branch.value.as_str())
        }
    };
    let trigger = if is_default {
        Trigger::DefaultBranch
    } else {
        Trigger::OtherBranch
    };
    Derived::new(trigger, reason)
}

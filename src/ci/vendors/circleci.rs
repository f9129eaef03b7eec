//! CircleCI: `CIRCLECI=true`.
//!
//! Gotchas: CircleCI builds pushes, and `CIRCLE_PULL_REQUEST` (a URL) is set when the pushed
//! branch has an open pull request, so such builds are pull-request builds; `CIRCLE_PR_NUMBER`
//! exists only for forks. **No variable marks a scheduled pipeline** (`pipeline.trigger_source`
//! is a pipeline value, not an environment variable): a scheduled build looks like a build of
//! its branch unless the scheduled workflow sets `FLOTILLA_TRIGGER: schedule`. There is no
//! default-branch variable and no retry counter. `CIRCLE_NODE_INDEX` is 0-based.

use crate::ci::derived::{Derived, Reason};
use crate::ci::env::{Env, pull_number};
use crate::ci::error::{CiError, CiWarning};
use crate::ci::facts::{Event, Facts};

pub(super) fn read(mut facts: Facts, env: Env<'_>, warnings: &mut Vec<CiWarning>) -> Result<Facts, CiError> {
    facts.event = if let Some(url) = env.get("CIRCLE_PULL_REQUEST") {
        facts.pull_request = env
            .number("CIRCLE_PR_NUMBER", "a pull request number", warnings)
            .or_else(|| pull_number(&url).map(|n| Derived::new(n, Reason::var("CIRCLE_PULL_REQUEST", &url))));
        Some(Derived::var(Event::PullRequest, "CIRCLE_PULL_REQUEST", url))
    } else if let Some(tag) = env.get("CIRCLE_TAG") {
        Some(Derived::var(Event::Tag, "CIRCLE_TAG", tag))
    } else {
        env.get("CIRCLE_BRANCH")
            .map(|_| Derived::new(Event::Branch, Reason::default()))
    };
    if facts.event.as_ref().is_none_or(|e| e.value != Event::Tag) {
        facts.branch = env.text("CIRCLE_BRANCH");
    }
    facts.commit = env.text("CIRCLE_SHA1");
    facts.node_index = env.node_index("CIRCLE_NODE_INDEX", 0)?;
    facts.node_total = env.node_total("CIRCLE_NODE_TOTAL")?;
    facts.build_id = env.text("CIRCLE_WORKFLOW_ID").or_else(|| env.text("CIRCLE_BUILD_NUM"));
    Ok(facts)
}

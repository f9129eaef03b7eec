//! Jenkins: `JENKINS_URL` set.
//!
//! Gotchas: a multibranch pull-request build sets `CHANGE_ID` (the PR number) and names the
//! branch `PR-N` in `BRANCH_NAME`, the real source branch being `CHANGE_BRANCH`; tag builds set
//! `TAG_NAME`; outside multibranch pipelines only the git plugin's `GIT_BRANCH` (`origin/main`)
//! exists. **No variable marks a timer-triggered build** (the cause is only visible to the
//! Pipeline script, `currentBuild.getBuildCauses('hudson.triggers.TimerTrigger$TimerTriggerCause')`),
//! so a nightly build looks like a build of its branch unless the Jenkinsfile wraps it in
//! `withEnv(["FLOTILLA_TRIGGER=schedule"])`. There is no node index (`EXECUTOR_NUMBER` is the
//! agent's executor slot, not a shard), no default-branch variable and no retry counter.

use crate::ci::derived::{Derived, Reason};
use crate::ci::env::Env;
use crate::ci::error::CiWarning;
use crate::ci::facts::{Event, Facts};

pub(super) fn read(mut facts: Facts, env: Env<'_>, warnings: &mut Vec<CiWarning>) -> Facts {
    facts.event = if let Some(change) = env.get("CHANGE_ID") {
        facts.pull_request = env.number("CHANGE_ID", "a change request number", warnings);
        facts.branch = env.text("CHANGE_BRANCH");
        Some(Derived::var(Event::PullRequest, "CHANGE_ID", change))
    } else if let Some(tag) = env.get("TAG_NAME") {
        Some(Derived::var(Event::Tag, "TAG_NAME", tag))
    } else {
        facts.branch = env
            .text("BRANCH_NAME")
            .or_else(|| env.stripped("GIT_BRANCH", "origin/"));
        facts
            .branch
            .as_ref()
            .map(|_| Derived::new(Event::Branch, Reason::default()))
    };
    facts.commit = env.text("GIT_COMMIT");
    facts.build_id = env.text("BUILD_TAG");
    facts
}

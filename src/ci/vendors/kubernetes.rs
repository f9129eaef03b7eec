//! Kubernetes Indexed Jobs: `JOB_COMPLETION_INDEX` set (0-based).
//!
//! Kubernetes knows nothing about git: the branch, commit, trigger and even the number of
//! completions must be injected by whoever submits the Job, as `FLOTILLA_NODE_TOTAL`,
//! `FLOTILLA_TRIGGER`, `FLOTILLA_BRANCH`, `FLOTILLA_COMMIT` and `FLOTILLA_BUILD_ID`.

use crate::ci::env::Env;
use crate::ci::error::CiError;
use crate::ci::facts::Facts;

pub(super) fn read(mut facts: Facts, env: Env<'_>) -> Result<Facts, CiError> {
    facts.node_index = env.node_index("JOB_COMPLETION_INDEX", 0)?;
    Ok(facts)
}

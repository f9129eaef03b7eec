//! [`step_id`]: which step (parallel job) of the build this node belongs to, so that two
//! parallel steps of one build never share a work queue (bktec's README warns of exactly that).

/// The step's id: `FLOTILLA_STEP_ID`, else the CI's own (Buildkite `BUILDKITE_STEP_ID`, GitHub
/// Actions `GITHUB_WORKFLOW`/`GITHUB_JOB`, GitLab `CI_JOB_NAME` without its ` i/N` suffix,
/// CircleCI `CIRCLE_JOB`), else `default`. Identical on every node of the step.
#[must_use]
pub fn step_id(env: &impl Fn(&str) -> Option<String>) -> String {
    let get = |name: &str| env(name).filter(|v| !v.trim().is_empty());
    if let Some(step) = get("FLOTILLA_STEP_ID").or_else(|| get("BUILDKITE_STEP_ID")) {
        return step;
    }
    if let Some(job) = get("GITHUB_JOB") {
        return match get("GITHUB_WORKFLOW") {
            Some(workflow) => format!("{workflow}/{job}"),
            None => job,
        };
    }
    if let Some(name) = get("CI_JOB_NAME") {
        // `parallel: N` jobs are named `rspec 2/4`: the step is `rspec`.
        let base = match name.rsplit_once(' ') {
            Some((base, counter))
                if counter
                    .split_once('/')
                    .is_some_and(|(i, n)| i.parse::<u32>().is_ok() && n.parse::<u32>().is_ok()) =>
            {
                base.to_string()
            }
            _ => name,
        };
        return base;
    }
    get("CIRCLE_JOB").unwrap_or_else(|| "default".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(pairs: &[(&str, &str)]) -> String {
        step_id(&|name: &str| pairs.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_string()))
    }

    #[test]
    fn every_node_of_a_step_gets_the_same_id() {
        assert_eq!(with(&[("CI_JOB_NAME", "rspec 2/4")]), "rspec");
        assert_eq!(with(&[("CI_JOB_NAME", "rspec 4/4")]), "rspec");
        assert_eq!(with(&[("CI_JOB_NAME", "lint")]), "lint");
        assert_eq!(with(&[("GITHUB_JOB", "test"), ("GITHUB_WORKFLOW", "ci")]), "ci/test");
        assert_eq!(with(&[("BUILDKITE_STEP_ID", "0190-ab")]), "0190-ab");
        assert_eq!(
            with(&[("FLOTILLA_STEP_ID", "mine"), ("BUILDKITE_STEP_ID", "x")]),
            "mine"
        );
        assert_eq!(with(&[]), "default");
    }
}

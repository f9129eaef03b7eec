//! The seeds' uses, expressed as profiles and checked end to end (TOML → profiles → CI context
//! from real variable sets → choice): a mock LLM on pull requests and the real one on main;
//! `priority_p0` on pull requests, p0 + p1 on merge to main, everything nightly.

use std::sync::Arc;

use super::*;
use crate::ci::{CiContext, detect};
use crate::config::ConfigFile;

const SEEDS: &str = r#"
[profile.pr]
when = "pull-request"
select = "priority_p0"
env = { LLM_MODE = "mock" }

[profile.main]
when = ["default-branch"]
select = "priority_p0 or priority_p1"
env = { LLM_MODE = "real" }

[profile.nightly]
when = "schedule"
env = { LLM_MODE = "real" }
retries = 0

[profile.real-llm]
env = { LLM_MODE = "real" }
"#;

fn file(text: &str) -> Result<ConfigFile, crate::config::ConfigError> {
    ConfigFile::parse(camino::Utf8Path::new("/p/flotilla.toml"), Arc::new(text.to_string()))
}

fn profiles(text: &str) -> Vec<Profile> {
    crate::config::resolve::profiles::profiles(&file(text).expect("valid profiles").raw.profile)
}

fn ci(vars: &[(&str, &str)]) -> CiContext {
    let vars: Vec<(String, String)> = vars.iter().map(|(k, v)| ((*k).to_string(), (*v).to_string())).collect();
    detect(&move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())).expect("valid CI env")
}

fn github_pr() -> CiContext {
    ci(&[
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_EVENT_NAME", "pull_request"),
        ("GITHUB_REF", "refs/pull/7/merge"),
        ("GITHUB_HEAD_REF", "release/1.2"),
    ])
}

fn env_of<'p>(choice: &Choice<'p>) -> Option<&'p str> {
    choice.profile?.overrides.env.get("LLM_MODE").map(String::as_str)
}

fn select_of<'a>(choice: &'a Choice<'_>) -> Option<&'a str> {
    choice.profile?.overrides.select.as_deref()
}

#[test]
fn pull_requests_get_p0_and_the_mock_llm() {
    let profiles = profiles(SEEDS);
    let choice = choose(&profiles, None, &github_pr()).unwrap();
    assert_eq!(choice.profile.unwrap().name, "pr");
    assert_eq!(select_of(&choice), Some("priority_p0"));
    assert_eq!(env_of(&choice), Some("mock"));
    assert_eq!(
        choice.to_string(),
        "profile `pr` chosen because GitHub Actions GITHUB_EVENT_NAME=pull_request means a pull-request build"
    );
}

#[test]
fn merges_to_main_get_p0_p1_and_the_real_llm() {
    let profiles = profiles(SEEDS);
    let build = ci(&[
        ("BUILDKITE", "true"),
        ("BUILDKITE_PULL_REQUEST", "false"),
        ("BUILDKITE_BRANCH", "main"),
        ("BUILDKITE_PIPELINE_DEFAULT_BRANCH", "main"),
    ]);
    let choice = choose(&profiles, None, &build).unwrap();
    assert_eq!(choice.profile.unwrap().name, "main");
    assert_eq!(select_of(&choice), Some("priority_p0 or priority_p1"));
    assert_eq!(env_of(&choice), Some("real"));
    assert!(choice.to_string().contains("means a default-branch build"), "{choice}");
}

#[test]
fn nightly_runs_everything_with_the_real_llm() {
    let profiles = profiles(SEEDS);
    let build = ci(&[
        ("GITLAB_CI", "true"),
        ("CI_PIPELINE_SOURCE", "schedule"),
        ("CI_COMMIT_BRANCH", "main"),
        ("CI_DEFAULT_BRANCH", "main"),
    ]);
    let choice = choose(&profiles, None, &build).unwrap();
    let nightly = choice.profile.unwrap();
    assert_eq!(nightly.name, "nightly");
    assert_eq!(nightly.overrides.select, None, "no selection = every test");
    assert_eq!(nightly.overrides.retries, Some(0));
    assert_eq!(env_of(&choice), Some("real"));
    assert_eq!(
        choice.to_string(),
        "profile `nightly` chosen because GitLab CI CI_PIPELINE_SOURCE=schedule means a scheduled build"
    );
}

#[test]
fn other_branches_get_no_profile_and_are_told_why() {
    let profiles = profiles(SEEDS);
    let build = ci(&[("CIRCLECI", "true"), ("CIRCLE_BRANCH", "feature/x")]);
    let choice = choose(&profiles, None, &build).unwrap();
    assert!(choice.profile.is_none());
    let text = choice.to_string();
    assert!(
        text.starts_with("no profile chosen: CircleCI CIRCLE_BRANCH=feature/x"),
        "{text}"
    );
    assert!(
        text.ends_with(
            "means a build of a branch other than the default (branch `feature/x`), and no profile's `when` matches it \
             (`pr`: pull-request; `main`: default-branch; `nightly`: schedule; `real-llm`: only with --profile)"
        ),
        "{text}"
    );
}

#[test]
fn an_explicit_profile_wins_over_the_trigger() {
    let profiles = profiles(SEEDS);
    let choice = choose(&profiles, Some("real-llm"), &github_pr()).unwrap();
    assert_eq!(choice.profile.unwrap().name, "real-llm");
    assert_eq!(env_of(&choice), Some("real"));
    assert_eq!(choice.why, Why::Explicit);
    assert_eq!(choice.to_string(), "profile `real-llm` chosen by --profile");
}

#[test]
fn an_unknown_profile_lists_the_profiles_and_suggests_one() {
    let profiles = profiles(SEEDS);
    let error = choose(&profiles, Some("nigthly"), &github_pr()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "there is no profile `nigthly` (did you mean `nightly`?); the profiles are: pr, main, nightly, real-llm"
    );
    let error = choose(&[], Some("pr"), &github_pr()).unwrap_err();
    assert_eq!(
        error.to_string(),
        "there is no profile `pr`; the configuration defines no profiles: add a [profile.pr] table to flotilla.toml"
    );
    assert_eq!(choose(&[], None, &github_pr()).unwrap().why, Why::NoProfiles);
}

#[test]
fn the_first_matching_profile_in_file_order_wins() {
    let profiles = profiles(
        r#"
[profile.release]
when = [{ branch = "release/*" }]
select = "release"

[profile.pr]
when = "pull-request"
"#,
    );
    assert_eq!(
        profiles.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["release", "pr"],
        "file order, not name order"
    );
    let choice = choose(&profiles, None, &github_pr()).unwrap();
    assert_eq!(choice.profile.unwrap().name, "release");
    assert_eq!(
        choice.to_string(),
        "profile `release` chosen because the branch `release/1.2` (GITHUB_HEAD_REF=release/1.2) matches `release/*` \
         (`pr` also matched; the first matching profile in the file wins)"
    );
}

#[test]
fn unknown_keys_in_a_profile_are_errors() {
    let error = file("[profile.pr]\nselct = \"p0\"\n").unwrap_err();
    assert!(error.message.contains("unknown field `selct`"), "{}", error.message);
    assert_eq!(error.location, Some((2, 1)));
    assert_eq!(error.help.as_deref(), Some("did you mean `select`?"));
}

//! Profiles: named sets of overrides (`[profile.NAME]`) chosen with `--profile NAME` or
//! automatically from the CI trigger: mock the LLM on pull requests, run only `priority_p0`,
//! run everything nightly.
//!
//! The main types are [`Profile`] (a resolved profile: its [`Condition`]s and its
//! [`ProfileOverrides`]) and [`Choice`], returned by [`choose`] with the explanation that
//! `flotilla run --explain` prints. The serde mirror of `[profile.NAME]` is in `config/file/`,
//! and `config/resolve/profiles.rs` turns those tables into profiles in file order, the order in
//! which [`choose`] tries them. Nothing here reads a file.

mod choose;
mod condition;
mod error;
mod model;
#[cfg(test)]
mod seed_tests;

pub use choose::{Choice, Why, choose};
pub use condition::{BranchGlob, Condition, ConditionError, When};
pub use error::ProfileError;
pub use model::{Profile, ProfileOverrides};

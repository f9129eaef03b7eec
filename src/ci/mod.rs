//! Which CI is this, which node of how many, is it a retry, and what triggered the build.
//!
//! The main type is [`CiContext`], produced by [`detect`] from an environment *lookup function*
//! rather than from `std::env` directly, so every CI's variables can be tested row by row
//! (`table_tests.rs`). Pass [`process_env`] to read the real environment.
//!
//! Detection reads one vendor's variables (`vendors/`), giving `Facts`, then applies
//! flotilla's own `FLOTILLA_*` overrides and classifies branch builds as default-branch or
//! other-branch builds (`detect.rs`). Every value carries the [`Reason`] it was derived from,
//! so `flotilla run --explain` can say which variable decided what. The variable table and its
//! gotchas are documented for users in `docs/ci.md`.

mod context;
mod derived;
mod detect;
mod env;
mod error;
mod facts;
mod overrides;
mod step;
#[cfg(test)]
mod table_tests;
mod trigger;
mod vendor;
mod vendors;

pub use context::{CiContext, Node};
pub use derived::{Derived, Evidence, Reason};
pub use detect::detect;
pub use env::process_env;
pub use error::{CiError, CiWarning};
pub use step::step_id;
pub use trigger::{Trigger, UnknownTrigger};
pub use vendor::Vendor;

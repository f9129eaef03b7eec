//! `flotilla gate`: pass only if every expected `summary.json` is present and green.
//!
//! [`find_summaries`] walks the given folders for `summary.json` files (from several steps,
//! suites, CI nodes, downloaded artifacts) and reads each into a [`Found`]; [`evaluate`] is the
//! pure rule set that turns them plus the [`Requirement`]s into a [`Verdict`], one [`Row`] per
//! suite, missing requirement or bad file; [`render`] prints the verdict as a table.
//! [`GateConfig`] is the resolved `[gate]` table (its serde mirror is `config/`'s).

mod config;
mod discover;
mod evaluate;
mod pattern;
mod summary;
mod table;
mod verdict;

pub use config::{GateConfig, Origin, Requirement, requirements};
pub use discover::{GateError, find_summaries};
pub use evaluate::evaluate;
pub use pattern::SuitePattern;
pub use summary::{Found, SuiteRef, SummaryDoc, SummaryError, SummaryTest, TestOutcome};
pub use table::render;
pub use verdict::{Row, Status, Subject, SuiteCounts, Verdict};

//! Skipping what did not change: a suite that declares `inputs` gets a [`SuiteFingerprint`]
//! over its input files' content, its command, its selection and its variables
//! (`fingerprint.rs`), computed from the files [`input_files`] finds. `changed_since.rs` is
//! `run --changed-since REF`: [`ChangedFiles`] from git, and [`SuiteChange`], whether a suite
//! runs. `reuse.rs` is [`CachePlan`]: which suites are taken from their last green run.

mod changed_since;
mod fingerprint;
mod input_files;
mod reuse;

pub use changed_since::{ChangedFiles, ChangedSinceError, SuiteChange};
pub use fingerprint::{FingerprintParts, InputFile, SuiteFingerprint};
pub use input_files::{InputFilesError, input_files};
pub use reuse::{CacheDecision, CachePlan, SuiteCache};

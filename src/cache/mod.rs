//! Skipping what did not change: a suite that declares `inputs` gets a [`SuiteFingerprint`]
//! over its input files' content, its command, its selection and its variables
//! (`fingerprint.rs`), computed from the files [`input_files`] finds.

mod fingerprint;
mod input_files;

pub use fingerprint::{FingerprintParts, InputFile, SuiteFingerprint};
pub use input_files::input_files;

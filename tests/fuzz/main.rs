//! Fuzzing of every parser of outside input, as property tests (no coverage guidance: cargo-fuzz
//! needs a nightly toolchain; see `docs/fuzzing.md`). Each input is fed to the parser's public
//! API on its own thread with a deadline ([`harness::DEADLINE`]) and a per-thread allocation
//! count; the call must return `Ok` or an `Err` that says what it is about, without panicking,
//! hanging or allocating more than a bound linear in the input.
//!
//! The default run is bounded (about a minute on two cores); `FLOTILLA_FUZZ_CASES=N` sets the
//! cases of every property for a long run.

mod compose;
mod config;
mod formats;
mod gate;
mod harness;
mod history;
mod regressions;

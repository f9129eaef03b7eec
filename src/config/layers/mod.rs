//! Settings in layers, combined one way. The command line, the environment's variables, the
//! chosen profile and the file's `[run]` table each give a [`Layer`] of the same shape; they are
//! merged by one [`Combine`] rule, first set wins, in that order, and defaults fill what no layer
//! set. Every value keeps its [`Source`] ([`Sourced`]), which `flotilla run --explain` prints
//! next to each [`Setting`] in effect.

mod combine;
mod layer;
mod setting;
mod source;

pub use combine::Combine;
pub use layer::Layer;
pub use setting::Setting;
pub use source::{Source, Sourced};

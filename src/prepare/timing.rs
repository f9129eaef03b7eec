//! How well a run is measured: the share of units estimated from their own history (the
//! timing match, with a warning that says why when it is low), and whether a suite is measured
//! well enough for the planner's "first wave".

use super::{FIRST_WAVE, Unit};
use crate::history::History;

/// The first-wave share for a suite: only when nearly all its estimates are measured.
pub(super) fn first_wave(units: &[Unit], suite: crate::suite_index::SuiteIndex) -> f64 {
    let suite_units: Vec<&Unit> = units.iter().filter(|u| u.suite == suite).collect();
    let known = suite_units.iter().filter(|u| u.estimate.source.is_measured()).count();
    if !suite_units.is_empty() && known as f64 >= 0.9 * suite_units.len() as f64 {
        FIRST_WAVE
    } else {
        0.0
    }
}

pub(super) fn timing_match(units: &[Unit]) -> f64 {
    if units.is_empty() {
        return 1.0;
    }
    let known = units.iter().filter(|u| u.estimate.source.is_measured()).count();
    known as f64 / units.len() as f64
}

pub(super) fn timing_warning(units: &[Unit], ratio: f64, history: &History) -> String {
    let unknown: Vec<&str> = units
        .iter()
        .filter(|u| !u.estimate.source.is_measured())
        .map(|u| u.target.id())
        .collect();
    let reason = if units.iter().all(|u| !u.estimate.source.is_measured()) {
        if history.is_persistent() {
            "no history for these tests yet (first run, or history file not carried over between CI runs)".to_string()
        } else {
            "the history file could not be opened".to_string()
        }
    } else {
        format!(
            "new or renamed tests, e.g. {}; ids are paths relative to the config folder",
            unknown
                .iter()
                .take(3)
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    format!(
        "only {:.0}% of tests have timing history ({} of {} estimated by fallback): {reason}; the split may be uneven",
        ratio * 100.0,
        unknown.len(),
        units.len()
    )
}

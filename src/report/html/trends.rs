//! [`Trends`]: the runs before this one, read from the sibling run folders that `keep-runs`
//! keeps next to it (their summary.json): the suite's duration and failures over the last runs,
//! and each failing test's recent outcomes. Cheap by construction: at most [`MAX_RUNS`]
//! folders, and a summary larger than [`MAX_SUMMARY`] is left out (reading it would cost more
//! than the trend is worth).

use std::collections::{HashMap, HashSet};

use camino::Utf8Path;
use serde::{Deserialize, Serialize};

use super::input::{Counts, RunInput};

const MAX_RUNS: usize = 10;
const MAX_SUMMARY: u64 = 8 * 1024 * 1024;

/// One run on the trend line.
#[derive(Clone, Debug, Serialize)]
pub(super) struct TrendPoint {
    pub run_id: String,
    pub duration: f64,
    pub failed: usize,
    pub total: usize,
    pub passed: bool,
}

/// The previous runs of one run folder.
#[derive(Debug, Default)]
pub(super) struct Trends {
    /// Oldest first, this run last.
    pub points: Vec<TrendPoint>,
    /// Per (suite, id) of a wanted test, its outcome in each previous run ("" = absent).
    outcomes: HashMap<(String, String), Vec<String>>,
    /// How many previous runs were read.
    previous: usize,
}

#[derive(Deserialize)]
struct Past {
    run_id: String,
    #[serde(default)]
    started_at: String,
    #[serde(default)]
    duration_secs: f64,
    #[serde(default)]
    passed: bool,
    #[serde(default)]
    counts: Counts,
    #[serde(default)]
    tests: Vec<PastTest>,
}

#[derive(Deserialize)]
struct PastTest {
    suite: String,
    id: String,
    outcome: String,
}

fn point(run_id: &str, duration: f64, passed: bool, counts: &Counts) -> TrendPoint {
    TrendPoint {
        run_id: run_id.to_string(),
        duration,
        failed: counts.failed + counts.error + counts.timed_out,
        total: counts.total,
        passed,
    }
}

impl Trends {
    /// The runs before `run` in its out folder, with the outcomes of the `wanted` tests.
    pub fn read(run: &RunInput) -> Self {
        let wanted: HashSet<(&str, &str)> = run
            .summary
            .tests
            .details
            .iter()
            .map(|(_, t)| (t.suite.as_str(), t.id.as_str()))
            .collect();
        let mut trends = Self::default();
        let here = &run.summary.run_id;
        let previous = run.dir.parent().map(|out| previous_runs(out, here)).unwrap_or_default();
        let started = |text: &str| chrono::DateTime::parse_from_rfc3339(text).ok();
        let here_started = started(&run.summary.started_at);
        let mut pasts = Vec::new();
        for dir in previous {
            let path = dir.join("summary.json");
            if std::fs::metadata(&path).map_or(true, |m| m.len() > MAX_SUMMARY) {
                continue;
            }
            let Ok(text) = std::fs::read(&path) else { continue };
            let Ok(past) = serde_json::from_slice::<Past>(&text) else {
                continue;
            };
            pasts.push(past);
        }
        // Run ids order runs by the second they started; within a second, the start time does.
        pasts.retain(|p| match (started(&p.started_at), here_started) {
            (Some(past), Some(here)) => past < here,
            _ => true,
        });
        pasts.sort_by_key(|p| started(&p.started_at));
        let skip = pasts.len().saturating_sub(MAX_RUNS);
        pasts.drain(..skip);
        for (i, past) in pasts.iter().enumerate() {
            trends
                .points
                .push(point(&past.run_id, past.duration_secs, past.passed, &past.counts));
            for test in &past.tests {
                if wanted.contains(&(test.suite.as_str(), test.id.as_str())) {
                    let outcomes = trends
                        .outcomes
                        .entry((test.suite.clone(), test.id.clone()))
                        .or_insert_with(|| vec![String::new(); pasts.len()]);
                    outcomes[i].clone_from(&test.outcome);
                }
            }
        }
        let s = &run.summary;
        trends.points.push(point(here, s.duration_secs, s.passed, &s.counts));
        trends.previous = pasts.len();
        trends
    }

    /// The outcomes of test `id` of `suite` in the previous runs, oldest first.
    pub fn recent(&self, suite: &str, id: &str) -> Vec<String> {
        self.outcomes
            .get(&(suite.to_string(), id.to_string()))
            .cloned()
            .unwrap_or_else(|| vec![String::new(); self.previous])
    }
}

/// The other run folders under `out` that started no later than `here`'s second, oldest first,
/// the last [`MAX_RUNS`] and those of `here`'s own second.
fn previous_runs(out: &Utf8Path, here: &str) -> Vec<camino::Utf8PathBuf> {
    let Ok(entries) = out.read_dir_utf8() else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .flatten()
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.file_name().to_string())
        .filter(|name| crate::runner::is_run_id(name) && name != here && name[..15] <= here[..here.len().min(15)])
        .collect();
    names.sort_unstable();
    let same_second = names.iter().filter(|n| n[..15] == here[..here.len().min(15)]).count();
    let skip = names.len().saturating_sub(MAX_RUNS + same_second);
    names.into_iter().skip(skip).map(|name| out.join(name)).collect()
}

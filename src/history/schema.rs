//! The store's schema ([`SCHEMA_VERSION`] 5) and [`migrate_v1`], which turns a version 1
//! store (a row per test per run, 11 MB a run at 100,000 tests) into the compact one, keeping
//! each test's newest samples.
//!
//! Version 2 keeps only what estimates and flakiness statistics read: per test its newest
//! samples packed in one row ([`super::sample`]) with counts and when it was last seen; per
//! run its totals (the newest [`KEEP_RUNS`]); per suite the newest [`RECENT_JOBS`] start-up
//! samples. Its size depends on the number of tests, not on the number of runs. Version 3
//! adds two tables: `suite_runs`, per suite that declares `inputs` its last run (fingerprint,
//! green or not, run id, tests) for the cache; and `cpu`, per suite the CPU and wall time of
//! its newest [`RECENT_JOBS`] jobs, for `workers = "auto"`. A version 2 store gets both, empty,
//! when opened (nothing older measured CPU time or fingerprints). Version 4 adds `cpu.max_rss_kb`,
//! each job's peak memory (a version 3 store gets the column, empty). Version 5 adds
//! `startup.files`, how many files each sampled job ran, from which a suite's cost per file
//! is learned beside its cost per job (older samples keep it empty).

use std::collections::HashMap;

use rusqlite::{Transaction, params};

use super::sample::{RECENT_SAMPLES, Sample, SampleOutcome, key_of, normalize, pack};
use crate::results::Outcome;

/// Version of the schema this build writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 5;
/// Run totals older than the newest this many are deleted.
pub const KEEP_RUNS: usize = 200;
/// How many recent jobs per suite feed the start-up cost.
pub const RECENT_JOBS: usize = 50;

pub(super) const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS run_totals (
    run_id TEXT PRIMARY KEY,
    time INTEGER NOT NULL,
    started_at TEXT NOT NULL,
    duration_secs REAL NOT NULL,
    workers INTEGER NOT NULL,
    interrupted INTEGER NOT NULL,
    tests INTEGER,
    passed INTEGER,
    failed INTEGER,
    skipped INTEGER,
    flaky INTEGER,
    timed_out INTEGER,
    errors INTEGER,
    predicted_secs REAL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS run_totals_by_time ON run_totals(time);
CREATE TABLE IF NOT EXISTS tests (
    suite TEXT NOT NULL,
    file TEXT NOT NULL,
    test_id TEXT NOT NULL,
    runs INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    flaky INTEGER NOT NULL,
    last_seen INTEGER NOT NULL,
    samples BLOB NOT NULL,
    PRIMARY KEY (suite, file, test_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS suite_runs (
    suite TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    green INTEGER NOT NULL,
    run_id TEXT NOT NULL,
    tests TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS startup (
    suite TEXT NOT NULL,
    time INTEGER NOT NULL,
    key INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    secs REAL NOT NULL,
    files INTEGER,
    PRIMARY KEY (suite, key, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cpu (
    suite TEXT NOT NULL,
    time INTEGER NOT NULL,
    key INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    cpu_secs REAL NOT NULL,
    wall_secs REAL NOT NULL,
    workers INTEGER NOT NULL,
    cores INTEGER NOT NULL,
    max_rss_kb INTEGER,
    PRIMARY KEY (suite, key, seq)
) WITHOUT ROWID;
";

/// Keeps the newest [`KEEP_RUNS`] run totals, the newest [`RECENT_JOBS`] start-up and CPU
/// samples of each suite, and the tests seen since the oldest run kept (once [`KEEP_RUNS`] runs are kept:
/// tests deleted or renamed long ago go).
pub(super) fn prune(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM run_totals WHERE run_id NOT IN (SELECT run_id FROM run_totals ORDER BY time DESC, run_id DESC LIMIT ?1)",
        params![KEEP_RUNS as i64],
    )?;
    tx.execute(
        "DELETE FROM startup WHERE (suite, key, seq) NOT IN (
             SELECT suite, key, seq FROM (
                 SELECT suite, key, seq,
                        ROW_NUMBER() OVER (PARTITION BY suite ORDER BY time DESC, key DESC, seq DESC) AS recent
                 FROM startup)
             WHERE recent <= ?1)",
        params![RECENT_JOBS as i64],
    )?;
    tx.execute(
        "DELETE FROM cpu WHERE (suite, key, seq) NOT IN (
             SELECT suite, key, seq FROM (
                 SELECT suite, key, seq,
                        ROW_NUMBER() OVER (PARTITION BY suite ORDER BY time DESC, key DESC, seq DESC) AS recent
                 FROM cpu)
             WHERE recent <= ?1)",
        params![RECENT_JOBS as i64],
    )?;
    tx.execute(
        "DELETE FROM tests WHERE (SELECT COUNT(*) FROM run_totals) >= ?1
                             AND last_seen < (SELECT MIN(time) FROM run_totals)",
        params![KEEP_RUNS as i64],
    )?;
    Ok(())
}

fn unix_secs(rfc3339: &str) -> u32 {
    chrono::DateTime::parse_from_rfc3339(rfc3339)
        .ok()
        .and_then(|t| u32::try_from(t.timestamp()).ok())
        .unwrap_or(0)
}

fn outcome(name: &str) -> Option<Outcome> {
    Some(match name {
        "passed" => Outcome::Passed,
        "failed" => Outcome::Failed,
        "error" => Outcome::Error,
        "skipped" => Outcome::Skipped,
        "flaky" => Outcome::Flaky,
        "timed_out" => Outcome::TimedOut,
        _ => return None,
    })
}

/// One test's attempts in one run of a version 1 store, folded as they are read.
struct RunOfTest {
    run: i64,
    time: u32,
    key: u32,
    first: (u32, Outcome, f64),
    last: Outcome,
    failed_before_last: bool,
}

impl RunOfTest {
    fn sample(&self) -> Sample {
        let flaky = self.last == Outcome::Passed && self.failed_before_last;
        let last = if flaky { Outcome::Flaky } else { self.last };
        Sample {
            time: self.time,
            key: self.key,
            secs: self.first.2 as f32,
            outcome: SampleOutcome::new(self.first.1, last),
        }
    }
}

#[derive(Default)]
struct TestRow {
    file: String,
    runs: u32,
    failures: u32,
    flaky: u32,
    last_seen: u32,
    samples: Vec<Sample>,
}

impl TestRow {
    fn add(&mut self, run: &RunOfTest) {
        let sample = run.sample();
        self.runs += 1;
        self.failures += u32::from(sample.outcome.failed());
        self.flaky += u32::from(sample.outcome.flaky());
        self.last_seen = self.last_seen.max(run.time);
        self.samples.push(sample);
        if self.samples.len() > 4 * RECENT_SAMPLES {
            normalize(&mut self.samples, RECENT_SAMPLES);
        }
    }
}

/// Moves a version 1 store's data into the version 2 tables (created by the caller) and drops
/// the old tables: each test's newest samples and its counts, the newest run totals and
/// start-up samples.
pub(super) fn migrate_v1(tx: &Transaction<'_>) -> rusqlite::Result<()> {
    let mut runs: HashMap<i64, (u32, u32)> = HashMap::new();
    {
        let mut insert = tx.prepare(
            "INSERT OR REPLACE INTO run_totals (run_id, time, started_at, duration_secs, workers, interrupted) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        let mut select = tx.prepare("SELECT id, run_id, started_at, duration_secs, workers, interrupted FROM runs")?;
        let mut rows = select.query([])?;
        while let Some(row) = rows.next()? {
            let id: i64 = row.get(0)?;
            let run_id: String = row.get(1)?;
            let started_at: String = row.get(2)?;
            let time = unix_secs(&started_at);
            runs.insert(id, (time, key_of(&run_id)));
            insert.execute(params![
                run_id,
                time,
                started_at,
                row.get::<_, f64>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, bool>(5)?
            ])?;
        }
    }
    let mut tests: HashMap<(String, String), TestRow> = HashMap::new();
    {
        let mut select = tx.prepare(
            "SELECT suite, test_id, file, run, attempt, outcome, duration_secs FROM results ORDER BY suite, test_id, run, attempt",
        )?;
        let mut rows = select.query([])?;
        let mut current: Option<((String, String), String, RunOfTest)> = None;
        let mut finish = |current: Option<((String, String), String, RunOfTest)>| {
            if let Some((key, file, run)) = current {
                let row = tests.entry(key).or_default();
                row.file = file;
                row.add(&run);
            }
        };
        while let Some(row) = rows.next()? {
            let suite: String = row.get(0)?;
            let test_id: String = row.get(1)?;
            let file: String = row.get(2)?;
            let run: i64 = row.get(3)?;
            let attempt: u32 = row.get(4)?;
            let Some(outcome) = outcome(&row.get::<_, String>(5)?) else {
                continue;
            };
            let secs: f64 = row.get(6)?;
            let same = current
                .as_ref()
                .is_some_and(|((s, t), _, r)| *s == suite && *t == test_id && r.run == run);
            if same {
                let (_, _, folded) = current.as_mut().expect("checked above");
                folded.failed_before_last |= folded.last.is_failure();
                folded.last = outcome;
                if attempt < folded.first.0 {
                    folded.first = (attempt, outcome, secs);
                }
            } else {
                let (time, key) = runs.get(&run).copied().unwrap_or((0, 0));
                finish(current.take());
                current = Some((
                    (suite, test_id),
                    file,
                    RunOfTest {
                        run,
                        time,
                        key,
                        first: (attempt, outcome, secs),
                        last: outcome,
                        failed_before_last: false,
                    },
                ));
            }
        }
        finish(current);
    }
    {
        let mut insert = tx.prepare(
            "INSERT OR REPLACE INTO tests (suite, file, test_id, runs, failures, flaky, last_seen, samples) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        )?;
        for ((suite, test_id), mut row) in tests {
            normalize(&mut row.samples, RECENT_SAMPLES);
            insert.execute(params![
                suite,
                row.file,
                test_id,
                row.runs,
                row.failures,
                row.flaky,
                row.last_seen,
                pack(&row.samples)
            ])?;
        }
    }
    {
        let mut insert =
            tx.prepare("INSERT OR REPLACE INTO startup (suite, time, key, seq, secs) VALUES (?1, ?2, ?3, ?4, ?5)")?;
        let mut select = tx.prepare(
            "SELECT suite, run, rowid, wall_secs - reported_secs FROM jobs WHERE reported_secs IS NOT NULL ORDER BY rowid DESC",
        )?;
        let mut rows = select.query([])?;
        let mut per_suite: HashMap<String, usize> = HashMap::new();
        while let Some(row) = rows.next()? {
            let suite: String = row.get(0)?;
            let seen = per_suite.entry(suite.clone()).or_default();
            if *seen >= RECENT_JOBS {
                continue;
            }
            *seen += 1;
            let (time, key) = runs.get(&row.get::<_, i64>(1)?).copied().unwrap_or((0, 0));
            insert.execute(params![suite, time, key, row.get::<_, i64>(2)?, row.get::<_, f64>(3)?])?;
        }
    }
    tx.execute_batch("DROP TABLE IF EXISTS results; DROP TABLE IF EXISTS jobs; DROP TABLE IF EXISTS runs;")?;
    prune(tx)
}

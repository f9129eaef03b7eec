//! [`History`]: the SQLite store of each test's recent samples and counts, run totals and
//! start-up samples (schema in [`super::schema`]).

use std::collections::HashMap;
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use rusqlite::{Connection, ErrorCode, OptionalExtension, Transaction, params};

use super::cpu_share::CpuShare;
use super::exchange::{HistoryData, RunCounts, RunRecord, StartupRecord, TestRecord};
use super::sample::{RECENT_SAMPLES, Sample, SampleOutcome, key_of, merge, pack, unpack};
use super::schema::{RECENT_JOBS, SCHEMA, SCHEMA_VERSION, migrate_v1, prune};
use super::startup_cost::StartupSample;
use super::subtests::Family;
use super::suite_run::SuiteRun;
use crate::results::RunSummary;

/// How many recent runs of a file feed its estimate.
const RECENT_RUNS: usize = RECENT_SAMPLES;
/// A test that failed or was flaky in one of its newest this-many runs starts early.
pub const RECENT_FAILURE_RUNS: usize = 3;

/// The history store. Reads and writes degrade to warnings, never to a failed run.
pub struct History {
    conn: Connection,
    path: Utf8PathBuf,
    persistent: bool,
    warnings: Vec<String>,
    /// The key of this run's samples when the CI build is known (see [`Self::set_build`]).
    build_key: Option<u32>,
}

impl History {
    /// Opens (or creates) the store at `path`. Problems become [`Self::take_warnings`].
    #[must_use]
    pub fn open(path: &Utf8Path) -> Self {
        let mut warnings = Vec::new();
        match open_file(path) {
            Ok(conn) => return Self::new(conn, path, true, warnings),
            Err(error) if is_corruption(&error) => {
                let aside = Utf8PathBuf::from(format!("{path}.corrupt-{}", chrono::Local::now().format("%Y%m%d-%H%M%S")));
                let moved = std::fs::rename(path, &aside).is_ok();
                for suffix in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{path}{suffix}"));
                }
                warnings.push(if moved {
                    format!("history file `{path}` is corrupt ({error}); moved it to `{aside}` and started a fresh history")
                } else {
                    format!("history file `{path}` is corrupt ({error}) and could not be moved aside; durations of this run will not be saved")
                });
                if moved {
                    match open_file(path) {
                        Ok(conn) => return Self::new(conn, path, true, warnings),
                        Err(error) => warnings.push(format!("could not create a fresh history at `{path}`: {error}")),
                    }
                }
            }
            Err(error) => warnings.push(format!(
                "could not open history `{path}` ({error}); estimates fall back to defaults and this run's durations will not be saved"
            )),
        }
        let conn = Connection::open_in_memory().expect("an in-memory SQLite database always opens");
        conn.execute_batch(SCHEMA).expect("the schema is valid SQL");
        Self::new(conn, path, false, warnings)
    }

    fn new(conn: Connection, path: &Utf8Path, persistent: bool, warnings: Vec<String>) -> Self {
        Self {
            conn,
            path: path.to_path_buf(),
            persistent,
            warnings,
            build_key: None,
        }
    }

    /// Warnings gathered so far (each returned once).
    pub fn take_warnings(&mut self) -> Vec<String> {
        std::mem::take(&mut self.warnings)
    }

    /// Whether results are saved to disk.
    #[must_use]
    pub fn is_persistent(&self) -> bool {
        self.persistent
    }

    /// The file it reads and writes.
    #[must_use]
    pub fn path(&self) -> &Utf8Path {
        &self.path
    }

    /// Keys this run's test samples by the CI build (`build` is its id) instead of the run:
    /// the nodes of one build then share the key, so that when their histories are merged the
    /// parts of a file that ran on different nodes add up to one sample of the whole file, and
    /// a retried node's samples replace its first attempt's.
    pub fn set_build(&mut self, build: Option<&str>) {
        self.build_key = build.map(|id| key_of(&format!("build:{id}")));
    }

    fn warn_read(&mut self, error: &rusqlite::Error) {
        self.warnings.push(format!(
            "could not read history `{}`: {error}; using default estimates",
            self.path
        ));
    }

    /// Recent first-attempt durations of each file of `suite`, newest first, in seconds: per
    /// run, the sum of its tests' samples, a test and its subtests counted once
    /// ([`Family`]).
    pub fn file_samples(&mut self, suite: &str) -> HashMap<String, Vec<f64>> {
        match self.try_file_samples(suite) {
            Ok(samples) => samples,
            Err(error) => {
                self.warn_read(&error);
                HashMap::new()
            }
        }
    }

    fn try_file_samples(&mut self, suite: &str) -> rusqlite::Result<HashMap<String, Vec<f64>>> {
        // Streamed row by row (no copy of the rows): a plan of 100,000 tests reads them all.
        let mut runs: HashMap<String, Vec<(u32, u32, f64)>> = HashMap::new();
        // In primary key order (free: it is the table's order), so a test's subtests follow it.
        let mut statement = self
            .conn
            .prepare_cached("SELECT file, test_id, samples FROM tests WHERE suite = ?1 ORDER BY file, test_id")?;
        let mut rows = statement.query(params![suite])?;
        let mut family: Option<(String, Family)> = None;
        while let Some(row) = rows.next()? {
            let file = row.get_ref(0)?.as_str()?;
            let id = row.get_ref(1)?.as_str()?;
            let samples = unpack(row.get_ref(2)?.as_blob()?);
            match &mut family {
                Some((of, head)) if of == file && head.adopts(id) => head.adopt(samples),
                _ => {
                    if let Some((of, head)) = family.take() {
                        add_family(&mut runs, of, &head);
                    }
                    family = Some((file.to_string(), Family::new(id, samples)));
                }
            }
        }
        if let Some((of, head)) = family {
            add_family(&mut runs, of, &head);
        }
        Ok(runs
            .into_iter()
            .map(|(file, mut per_run)| {
                per_run.sort_by_key(|run| std::cmp::Reverse((run.0, run.1)));
                per_run.truncate(RECENT_RUNS);
                (file, per_run.into_iter().map(|(_, _, secs)| secs).collect())
            })
            .collect())
    }

    /// Recent first-attempt durations of each test in `file` of `suite`, newest first, in seconds;
    /// a test with subtests as its family ([`Family`]).
    pub fn test_samples(&mut self, suite: &str, file: &str) -> HashMap<String, Vec<f64>> {
        let rows = self
            .conn
            .prepare_cached(
                "SELECT test_id, samples FROM tests WHERE suite = ?1 AND file = ?2 AND test_id != file ORDER BY test_id",
            )
            .and_then(|mut statement| {
                let rows = statement.query_map(params![suite, file], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, Vec<u8>>(1)?))
                })?;
                rows.collect::<Result<Vec<_>, _>>()
            });
        match rows {
            Ok(rows) => {
                // A test with subtests is estimated as its family ([`Family`]): it is what one
                // job of it runs. Its subtests keep their own samples.
                let usable = |samples: &[u8]| unpack(samples).into_iter().filter(|s| !s.outcome.first_was_error());
                let mut families: Vec<Family> = Vec::new();
                let mut estimates = HashMap::new();
                for (test, samples) in &rows {
                    match families.last_mut() {
                        Some(head) if head.adopts(test) => {
                            head.adopt(usable(samples));
                            let own: Vec<f64> = usable(samples).take(RECENT_RUNS).map(|s| f64::from(s.secs)).collect();
                            if !own.is_empty() {
                                estimates.insert(test.clone(), own);
                            }
                        }
                        _ => families.push(Family::new(test, usable(samples))),
                    }
                }
                for head in &families {
                    let mut runs: Vec<(u32, u32, f64)> = head.runs().collect();
                    runs.sort_by_key(|run| std::cmp::Reverse((run.0, run.1)));
                    let secs: Vec<f64> = runs.into_iter().take(RECENT_RUNS).map(|run| run.2).collect();
                    if !secs.is_empty() {
                        estimates.insert(head.top().to_string(), secs);
                    }
                }
                estimates
            }
            Err(error) => {
                self.warn_read(&error);
                HashMap::new()
            }
        }
    }

    /// How many runs each test of `suite` was flaky in (failed, then passed on a retry).
    pub fn flake_counts(&mut self, suite: &str) -> HashMap<String, usize> {
        let rows = self
            .conn
            .prepare_cached("SELECT test_id, flaky FROM tests WHERE suite = ?1 AND flaky > 0")
            .and_then(|mut statement| {
                let rows = statement.query_map(params![suite], |row| {
                    Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
                })?;
                rows.collect::<Result<Vec<_>, _>>()
            });
        rows.map(|rows| {
            rows.into_iter()
                .map(|(id, n)| (id, usize::try_from(n).unwrap_or(0)))
                .collect()
        })
        .unwrap_or_default()
    }

    /// `(file, test id)` of each test of `suite` that failed or was flaky in one of its newest
    /// [`RECENT_FAILURE_RUNS`] runs.
    pub fn recent_failures(&mut self, suite: &str) -> Vec<(String, String)> {
        let rows = self
            .conn
            .prepare_cached("SELECT file, test_id, samples FROM tests WHERE suite = ?1 AND (failures > 0 OR flaky > 0)")
            .and_then(|mut statement| {
                let rows = statement.query_map(params![suite], |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, Vec<u8>>(2)?,
                    ))
                })?;
                rows.collect::<Result<Vec<_>, _>>()
            });
        match rows {
            Ok(rows) => rows
                .into_iter()
                .filter(|(_, _, samples)| {
                    unpack(samples)
                        .iter()
                        .take(RECENT_FAILURE_RUNS)
                        .any(|s| s.outcome.failed() || s.outcome.flaky())
                })
                .map(|(file, test, _)| (file, test))
                .collect(),
            Err(error) => {
                self.warn_read(&error);
                Vec::new()
            }
        }
    }

    /// Recent `wall − reported` gaps of jobs of `suite` that reported test times, each with
    /// how many files its job ran (unknown for samples older than schema 5).
    pub fn startup_samples(&mut self, suite: &str) -> Vec<StartupSample> {
        let query = "SELECT secs, files FROM startup WHERE suite = ?1 ORDER BY time DESC, key DESC, seq DESC LIMIT ?2";
        let rows = self.conn.prepare_cached(query).and_then(|mut statement| {
            let rows = statement.query_map(params![suite, RECENT_JOBS as i64], |row| {
                Ok(StartupSample {
                    gap_secs: row.get(0)?,
                    files: row.get::<_, Option<i64>>(1)?.and_then(|n| usize::try_from(n).ok()),
                })
            })?;
            rows.collect::<Result<Vec<_>, _>>()
        });
        rows.unwrap_or_else(|error| {
            self.warn_read(&error);
            Vec::new()
        })
    }

    /// The last run of `suite` recorded by [`Self::record_suite_runs`] (`None`: none, or it
    /// cannot be read, which is a warning).
    pub fn last_suite_run(&mut self, suite: &str) -> Option<SuiteRun> {
        let row = self
            .conn
            .query_row(
                "SELECT fingerprint, green, run_id, tests FROM suite_runs WHERE suite = ?1",
                params![suite],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        row.get::<_, bool>(1)?,
                        row.get::<_, String>(2)?,
                        row.get::<_, String>(3)?,
                    ))
                },
            )
            .optional();
        match row {
            Ok(Some((fingerprint, green, run_id, tests))) => match serde_json::from_str(&tests) {
                Ok(tests) => Some(SuiteRun {
                    suite: suite.to_string(),
                    fingerprint,
                    green,
                    run_id,
                    tests,
                }),
                Err(error) => {
                    self.warnings.push(format!(
                        "the cached tests of suite `{suite}` in history `{}` are unreadable ({error}); the suite runs",
                        self.path
                    ));
                    None
                }
            },
            Ok(None) => None,
            Err(error) => {
                self.warn_read(&error);
                None
            }
        }
    }

    /// Recent jobs of `suite` whose CPU time is known: their CPU and wall time summed, and the
    /// largest peak memory among them.
    pub fn cpu_share(&mut self, suite: &str) -> Option<CpuShare> {
        let query = "SELECT COUNT(*), SUM(cpu_secs), SUM(wall_secs),
                            AVG(MIN(1.0, CAST(cores AS REAL) / MAX(workers, 1))), MAX(max_rss_kb) FROM (
                         SELECT cpu_secs, wall_secs, workers, cores, max_rss_kb FROM cpu WHERE suite = ?1
                         ORDER BY time DESC, key DESC, seq DESC LIMIT ?2)";
        let row = self.conn.prepare_cached(query).and_then(|mut statement| {
            statement.query_row(params![suite, RECENT_JOBS as i64], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, Option<f64>>(1)?,
                    row.get::<_, Option<f64>>(2)?,
                    row.get::<_, Option<f64>>(3)?,
                    row.get::<_, Option<i64>>(4)?,
                ))
            })
        });
        let last_run = "SELECT SUM(wall_secs) FROM cpu WHERE suite = ?1 AND key =
                            (SELECT key FROM cpu WHERE suite = ?1 ORDER BY time DESC, key DESC LIMIT 1)";
        let last_run_wall = self
            .conn
            .prepare_cached(last_run)
            .and_then(|mut statement| statement.query_row(params![suite], |row| row.get::<_, Option<f64>>(0)));
        match row.and_then(|row| Ok((row, last_run_wall?))) {
            Ok(((jobs, Some(cpu), Some(wall), fair, max_rss_kb), last_run_wall)) if jobs > 0 && wall > 0.0 => {
                Some(CpuShare {
                    jobs: usize::try_from(jobs).unwrap_or(0),
                    cpu_secs: cpu,
                    wall_secs: wall,
                    fair_share: fair.unwrap_or(1.0),
                    last_run_wall_secs: last_run_wall.unwrap_or(0.0),
                    max_rss: max_rss_kb.and_then(|kb| u64::try_from(kb).ok()).map(|kb| kb * 1024),
                })
            }
            Ok(_) => None,
            Err(error) => {
                self.warn_read(&error);
                None
            }
        }
    }

    /// Replaces the last run of each suite in `runs`, in one transaction.
    pub fn record_suite_runs(&mut self, runs: &[SuiteRun]) {
        if runs.is_empty() {
            return;
        }
        let result = (|| -> rusqlite::Result<()> {
            let tx = self
                .conn
                .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT OR REPLACE INTO suite_runs (suite, fingerprint, green, run_id, tests) VALUES (?1, ?2, ?3, ?4, ?5)",
                )?;
                for run in runs {
                    let tests = serde_json::to_string(&run.tests).expect("cached tests serialize");
                    insert.execute(params![run.suite, run.fingerprint, run.green, run.run_id, tests])?;
                }
            }
            tx.commit()
        })();
        if let Err(error) = result {
            self.warnings.push(format!(
                "could not save the suites' fingerprints to history `{}`: {error}; the next run runs them",
                self.path
            ));
        }
    }

    /// Saves `summary` in one transaction: each test's sample and counts, the run's totals,
    /// its jobs' start-up and CPU samples.
    pub fn record(&mut self, summary: &RunSummary) {
        if let Err(error) = self.try_record(summary) {
            self.warnings
                .push(format!("could not save this run to history `{}`: {error}", self.path));
        }
    }

    fn try_record(&mut self, summary: &RunSummary) -> rusqlite::Result<()> {
        let time = u32::try_from(summary.started_at.timestamp()).unwrap_or(0);
        let run_key = key_of(&summary.run_id);
        let key = self.build_key.unwrap_or(run_key);
        let counts = summary.counts();
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        insert_run(
            &tx,
            &RunRecord {
                run_id: summary.run_id.clone(),
                time,
                started_at: summary.started_at.to_rfc3339(),
                duration_secs: summary.duration.as_secs_f64(),
                workers: u32::try_from(summary.workers).unwrap_or(u32::MAX),
                interrupted: summary.interrupted,
                counts: Some(RunCounts {
                    tests: count(counts.total),
                    passed: count(counts.passed),
                    failed: count(counts.failed),
                    skipped: count(counts.skipped),
                    flaky: count(counts.flaky),
                    timed_out: count(counts.timed_out),
                    errors: count(counts.error),
                }),
                predicted_secs: Some(summary.predicted.as_secs_f64()),
            },
        )?;
        {
            let mut tests = TestRows::new(&tx)?;
            for test in &summary.tests {
                let Some(first) = test.attempts.iter().min_by_key(|a| a.attempt) else {
                    continue;
                };
                let outcome = SampleOutcome::new(first.outcome, test.outcome);
                let sample = Sample {
                    time,
                    key,
                    secs: Sample::secs_of(first.duration.as_secs_f64()),
                    outcome,
                };
                tests.add(&test.suite, &test.file, &test.id, sample)?;
            }
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO startup (suite, time, key, seq, secs, files) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for job in &summary.jobs {
                let (crate::results::JobExit::Exited { .. }, Some(reported)) = (&job.exit, job.reported) else {
                    continue;
                };
                insert.execute(params![
                    job.suite,
                    time,
                    run_key,
                    job.id as i64,
                    job.duration.as_secs_f64() - reported.as_secs_f64(),
                    i64::try_from(job.files.len()).unwrap_or(i64::MAX)
                ])?;
            }
            let mut insert = tx.prepare_cached(
                "INSERT OR REPLACE INTO cpu (suite, time, key, seq, cpu_secs, wall_secs, workers, cores, max_rss_kb) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?;
            // How much CPU a job could get when every worker was busy: a CPU-bound suite run on
            // more workers than cores shows a low ratio that is the machine's limit, not its own.
            let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
            for job in &summary.jobs {
                // Only jobs that ended on their own: a timed-out or interrupted job was cut short.
                let (crate::results::JobExit::Exited { .. }, Some(cpu)) = (&job.exit, job.cpu) else {
                    continue;
                };
                if job.duration.is_zero() {
                    continue;
                }
                insert.execute(params![
                    job.suite,
                    time,
                    run_key,
                    job.id as i64,
                    cpu.as_secs_f64(),
                    job.duration.as_secs_f64(),
                    summary.workers as i64,
                    cores as i64,
                    job.max_rss.map(|bytes| i64::try_from(bytes / 1024).unwrap_or(i64::MAX))
                ])?;
            }
        }
        prune(&tx)?;
        tx.commit()
    }

    /// Everything the store holds, for an export.
    pub fn snapshot(&mut self) -> rusqlite::Result<HistoryData> {
        let mut data = HistoryData::default();
        let mut statement = self.conn.prepare(
            "SELECT run_id, time, started_at, duration_secs, workers, interrupted, tests, passed, failed, skipped, flaky, timed_out, errors, predicted_secs
             FROM run_totals ORDER BY time, run_id",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            let counts = match row.get::<_, Option<u32>>(6)? {
                Some(tests) => Some(RunCounts {
                    tests,
                    passed: row.get(7)?,
                    failed: row.get(8)?,
                    skipped: row.get(9)?,
                    flaky: row.get(10)?,
                    timed_out: row.get(11)?,
                    errors: row.get(12)?,
                }),
                None => None,
            };
            data.runs.push(RunRecord {
                run_id: row.get(0)?,
                time: row.get(1)?,
                started_at: row.get(2)?,
                duration_secs: row.get(3)?,
                workers: row.get(4)?,
                interrupted: row.get(5)?,
                counts,
                predicted_secs: row.get(13)?,
            });
        }
        drop(rows);
        drop(statement);
        let mut statement = self.conn.prepare(
            "SELECT suite, file, test_id, runs, failures, flaky, last_seen, samples FROM tests ORDER BY suite, file, test_id",
        )?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            data.tests.push(TestRecord {
                suite: row.get(0)?,
                file: row.get(1)?,
                id: row.get(2)?,
                runs: row.get(3)?,
                failures: row.get(4)?,
                flaky: row.get(5)?,
                last_seen: row.get(6)?,
                samples: unpack(&row.get::<_, Vec<u8>>(7)?),
            });
        }
        drop(rows);
        drop(statement);
        let mut statement = self
            .conn
            .prepare("SELECT suite, time, key, seq, secs, files FROM startup ORDER BY suite, time, key, seq")?;
        let mut rows = statement.query([])?;
        while let Some(row) = rows.next()? {
            data.startup.push(StartupRecord {
                suite: row.get(0)?,
                time: row.get(1)?,
                key: row.get(2)?,
                seq: row.get(3)?,
                secs: row.get(4)?,
                files: row.get(5)?,
            });
        }
        Ok(data)
    }

    /// Merges `data` (an export, or samples seeded from reports) into the store in one
    /// transaction: samples by run key, newest kept, capped; counts by their maximum (an
    /// export carries the counts it has seen, not where they came from, so sums could count a
    /// run twice); runs and start-up samples by their ids. Importing the same data twice
    /// changes nothing.
    pub fn import(&mut self, data: &HistoryData) -> rusqlite::Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        for run in &data.runs {
            insert_run(&tx, run)?;
        }
        {
            let mut tests = TestRows::new(&tx)?;
            for test in &data.tests {
                tests.merge(test)?;
            }
            let mut insert = tx.prepare_cached(
                "INSERT OR IGNORE INTO startup (suite, time, key, seq, secs, files) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for startup in &data.startup {
                insert.execute(params![
                    startup.suite,
                    startup.time,
                    startup.key,
                    startup.seq,
                    startup.secs,
                    startup.files
                ])?;
            }
        }
        prune(&tx)?;
        tx.commit()
    }

    /// Compacts the file (after a migration or a prune).
    pub fn vacuum(&mut self) -> rusqlite::Result<()> {
        self.conn.execute_batch("VACUUM")
    }
}

/// Reads and writes rows of `tests` inside one transaction.
struct TestRows<'a> {
    select: rusqlite::CachedStatement<'a>,
    write: rusqlite::CachedStatement<'a>,
}

/// A row of `tests` as stored.
struct Row {
    runs: u32,
    failures: u32,
    flaky: u32,
    last_seen: u32,
    samples: Vec<Sample>,
}

impl<'a> TestRows<'a> {
    fn new(tx: &'a Transaction<'_>) -> rusqlite::Result<Self> {
        Ok(Self {
            select: tx.prepare_cached(
                "SELECT runs, failures, flaky, last_seen, samples FROM tests WHERE suite = ?1 AND file = ?2 AND test_id = ?3",
            )?,
            write: tx.prepare_cached(
                "INSERT OR REPLACE INTO tests (suite, file, test_id, runs, failures, flaky, last_seen, samples) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?,
        })
    }

    fn get(&mut self, suite: &str, file: &str, id: &str) -> rusqlite::Result<Option<Row>> {
        self.select
            .query_row(params![suite, file, id], |row| {
                Ok(Row {
                    runs: row.get(0)?,
                    failures: row.get(1)?,
                    flaky: row.get(2)?,
                    last_seen: row.get(3)?,
                    samples: unpack(&row.get::<_, Vec<u8>>(4)?),
                })
            })
            .optional()
    }

    fn put(&mut self, suite: &str, file: &str, id: &str, row: &Row) -> rusqlite::Result<()> {
        self.write.execute(params![
            suite,
            file,
            id,
            row.runs,
            row.failures,
            row.flaky,
            row.last_seen,
            pack(&row.samples)
        ])?;
        Ok(())
    }

    /// One run's sample of a test.
    fn add(&mut self, suite: &str, file: &str, id: &str, sample: Sample) -> rusqlite::Result<()> {
        let mut row = self.get(suite, file, id)?.unwrap_or(Row {
            runs: 0,
            failures: 0,
            flaky: 0,
            last_seen: 0,
            samples: Vec::new(),
        });
        let known = row.samples.iter().any(|s| s.key == sample.key);
        if !known {
            row.runs = row.runs.saturating_add(1);
            row.failures = row.failures.saturating_add(u32::from(sample.outcome.failed()));
            row.flaky = row.flaky.saturating_add(u32::from(sample.outcome.flaky()));
        }
        row.last_seen = row.last_seen.max(sample.time);
        row.samples = merge(&row.samples, &[sample], RECENT_SAMPLES);
        self.put(suite, file, id, &row)
    }

    /// A test's record from an export.
    fn merge(&mut self, test: &TestRecord) -> rusqlite::Result<()> {
        let row = match self.get(&test.suite, &test.file, &test.id)? {
            Some(row) => Row {
                runs: row.runs.max(test.runs),
                failures: row.failures.max(test.failures),
                flaky: row.flaky.max(test.flaky),
                last_seen: row.last_seen.max(test.last_seen),
                samples: merge(&row.samples, &test.samples, RECENT_SAMPLES),
            },
            None => Row {
                runs: test.runs,
                failures: test.failures,
                flaky: test.flaky,
                last_seen: test.last_seen,
                samples: merge(&test.samples, &[], RECENT_SAMPLES),
            },
        };
        self.put(&test.suite, &test.file, &test.id, &row)
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn insert_run(tx: &Transaction<'_>, run: &RunRecord) -> rusqlite::Result<()> {
    let counts = run.counts.as_ref();
    tx.prepare_cached(
        "INSERT OR IGNORE INTO run_totals (run_id, time, started_at, duration_secs, workers, interrupted, tests, passed, failed, skipped, flaky, timed_out, errors, predicted_secs)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
    )?
    .execute(params![
        run.run_id,
        run.time,
        run.started_at,
        run.duration_secs,
        run.workers,
        run.interrupted,
        counts.map(|c| c.tests),
        counts.map(|c| c.passed),
        counts.map(|c| c.failed),
        counts.map(|c| c.skipped),
        counts.map(|c| c.flaky),
        counts.map(|c| c.timed_out),
        counts.map(|c| c.errors),
        run.predicted_secs
    ])?;
    Ok(())
}

fn open_file(path: &Utf8Path) -> rusqlite::Result<Connection> {
    if let Some(parent) = path.parent().filter(|p| !p.as_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
    }
    // Several flotilla runs may open one file at once: retry briefly on lock contention that
    // SQLite reports without waiting (switching journal mode, creating the schema).
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match try_open(path) {
            Err(error) if is_busy(&error) && Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
            result => return result,
        }
    }
}

/// The 16 bytes every SQLite database file starts with.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// A file that is not empty must start with SQLite's header. SQLite itself takes a file shorter
/// than its header for a new, empty database and writes over it (the fuzz tests found a history
/// cut to one byte that opened without a word): such a file is corrupt, not new.
fn check_header(path: &Utf8Path) -> rusqlite::Result<()> {
    use std::io::Read as _;
    let Ok(mut file) = std::fs::File::open(path) else {
        // Missing (a new history) or unreadable: SQLite says which.
        return Ok(());
    };
    let mut head = Vec::with_capacity(SQLITE_HEADER.len());
    let _ = file.by_ref().take(SQLITE_HEADER.len() as u64).read_to_end(&mut head);
    if head.is_empty() || head == SQLITE_HEADER {
        return Ok(());
    }
    Err(rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_NOTADB),
        Some("it does not start with SQLite's header".into()),
    ))
}

fn try_open(path: &Utf8Path) -> rusqlite::Result<Connection> {
    check_header(path)?;
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(Duration::from_secs(30))?;
    let mode: String = conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    let _ = mode;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", true)?;
    let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    let version: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version > SCHEMA_VERSION {
        return Err(rusqlite::Error::InvalidParameterName(format!(
            "schema version {version} is newer than this flotilla understands ({SCHEMA_VERSION}); upgrade flotilla"
        )));
    }
    if version < SCHEMA_VERSION {
        tx.execute_batch(SCHEMA)?;
        if version == 1 {
            migrate_v1(&tx)?;
        }
        // Tables an older version made lack the newer columns (`CREATE TABLE IF NOT EXISTS`
        // kept them as they were): version 3's `cpu` has no `max_rss_kb`, the `startup` of
        // versions 2 to 4 no `files`.
        add_column(&tx, "cpu", "max_rss_kb INTEGER")?;
        add_column(&tx, "startup", "files INTEGER")?;
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    }
    tx.commit()?;
    if version == 1 {
        // The old rows are gone: give their pages back (a version 1 file could be gigabytes).
        conn.execute_batch("VACUUM")?;
    }
    // A quick read proves the file really is a database (a garbage file fails here, not later).
    conn.query_row("SELECT COUNT(*) FROM tests", [], |row| row.get::<_, i64>(0))?;
    Ok(conn)
}

/// Adds `column` (its name and type) to `table` unless the table has it.
fn add_column(tx: &Transaction<'_>, table: &str, column: &str) -> rusqlite::Result<()> {
    let name = column.split_whitespace().next().unwrap_or(column);
    let present: bool = tx.query_row(
        &format!("SELECT COUNT(*) > 0 FROM pragma_table_info('{table}') WHERE name = ?1"),
        [name],
        |row| row.get(0),
    )?;
    if !present {
        tx.execute_batch(&format!("ALTER TABLE {table} ADD COLUMN {column}"))?;
    }
    Ok(())
}

/// Adds a family's time per run to its file's runs.
fn add_family(runs: &mut HashMap<String, Vec<(u32, u32, f64)>>, file: String, family: &Family) {
    let per_run = runs.entry(file).or_default();
    for (time, key, secs) in family.runs() {
        match per_run.iter_mut().find(|(_, k, _)| *k == key) {
            Some(run) => {
                run.0 = run.0.max(time);
                run.2 += secs;
            }
            None => per_run.push((time, key, secs)),
        }
    }
}

fn code(error: &rusqlite::Error) -> Option<ErrorCode> {
    match error {
        rusqlite::Error::SqliteFailure(failure, _) => Some(failure.code),
        _ => None,
    }
}

fn is_busy(error: &rusqlite::Error) -> bool {
    matches!(code(error), Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked))
}

fn is_corruption(error: &rusqlite::Error) -> bool {
    matches!(code(error), Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::KEEP_RUNS;

    #[test]
    fn a_file_cut_shorter_than_the_header_is_corrupt_not_new() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("history.db")).unwrap();
        std::fs::write(&path, b"S").unwrap();
        let mut history = History::open(&path);
        let warnings = history.take_warnings();
        assert!(
            warnings
                .iter()
                .any(|w| w.contains("is corrupt") && w.contains("moved it to")),
            "{warnings:?}"
        );
        assert!(history.is_persistent(), "a fresh history replaces it");
    }

    #[test]
    fn corrupt_file_gives_a_warning_and_a_fresh_store() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("h.db")).unwrap();
        std::fs::write(&path, vec![0x5a; 8192]).unwrap();
        let mut history = History::open(&path);
        let warnings = history.take_warnings();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].contains("corrupt"), "{warnings:?}");
        assert!(history.is_persistent());
        assert!(history.file_samples("s").is_empty());
        let moved: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_name().to_string_lossy().contains("corrupt"))
            .collect();
        assert_eq!(moved.len(), 1);
    }

    #[test]
    fn unreadable_location_degrades_to_memory() {
        let dir = tempfile::tempdir().unwrap();
        let blocker = dir.path().join("file");
        std::fs::write(&blocker, "x").unwrap();
        let path = Utf8PathBuf::from_path_buf(blocker.join("h.db")).unwrap();
        let mut history = History::open(&path);
        assert!(!history.is_persistent());
        assert_eq!(history.take_warnings().len(), 1);
    }

    fn summary(run: usize, secs: f64) -> RunSummary {
        use crate::results::{Attempt, FlakyResult, Outcome, TestResult};
        RunSummary {
            run_id: format!("run-{run}"),
            run_dir: Utf8PathBuf::from("/tmp"),
            started_at: chrono::DateTime::from_timestamp(1_700_000_000 + run as i64, 0)
                .unwrap()
                .into(),
            duration: Duration::ZERO,
            workers: 1,
            interrupted: false,
            tests: vec![TestResult {
                suite: "s".into(),
                id: "a.sh".into(),
                name: "a.sh".into(),
                classname: None,
                file: "a.sh".into(),
                outcome: Outcome::Passed,
                outside_tests: false,
                quarantine: None,
                attempts: vec![Attempt {
                    attempt: 1,
                    outcome: Outcome::Passed,
                    duration: Duration::from_secs_f64(secs),
                    worker: 1,
                    job: 0,
                    message: None,
                    output: None,
                }],
            }],
            jobs: Vec::new(),
            not_run: Vec::new(),
            predicted: Duration::ZERO,
            flaky_result: FlakyResult::Pass,
            timing_match: 1.0,
            steps: Vec::new(),
            node: None,
            merge: None,
        }
    }

    #[test]
    fn a_failure_is_recent_for_three_runs_of_its_test() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("h.db")).unwrap();
        let mut history = History::open(&path);
        history.record(&summary(0, 1.0));
        assert!(history.recent_failures("s").is_empty());
        let mut failed = summary(1, 1.0);
        failed.tests[0].outcome = crate::results::Outcome::Failed;
        failed.tests[0].attempts[0].outcome = crate::results::Outcome::Failed;
        history.record(&failed);
        for run in 2..2 + RECENT_FAILURE_RUNS {
            assert_eq!(
                history.recent_failures("s"),
                vec![("a.sh".to_string(), "a.sh".to_string())]
            );
            history.record(&summary(run, 1.0));
        }
        assert!(
            history.recent_failures("s").is_empty(),
            "three green runs later it is not recent"
        );
        assert!(history.recent_failures("other").is_empty());
    }

    #[test]
    fn old_runs_are_pruned_and_estimates_read_only_recent_ones() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("h.db")).unwrap();
        let mut history = History::open(&path);
        for run in 0..(KEEP_RUNS + 5) {
            history.record(&summary(run, run as f64));
        }
        assert!(history.take_warnings().is_empty());
        let runs: i64 = history
            .conn
            .query_row("SELECT COUNT(*) FROM run_totals", [], |row| row.get(0))
            .unwrap();
        assert_eq!(runs, KEEP_RUNS as i64);
        let (tests, bytes): (i64, i64) = history
            .conn
            .query_row("SELECT COUNT(*), SUM(LENGTH(samples)) FROM tests", [], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })
            .unwrap();
        assert_eq!(tests, 1, "one row per test, whatever the number of runs");
        assert_eq!(bytes, (RECENT_SAMPLES * Sample::PACKED) as i64, "samples are capped");
        let samples = history.file_samples("s");
        let newest = (KEEP_RUNS + 4) as f64;
        assert_eq!(samples["a.sh"].len(), RECENT_RUNS);
        assert!(
            (samples["a.sh"][0] - newest).abs() < 1e-9,
            "newest first: {:?}",
            samples["a.sh"]
        );
    }

    const SCHEMA_V1: &str = "
        CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL UNIQUE, started_at TEXT NOT NULL,
                           duration_secs REAL NOT NULL, workers INTEGER NOT NULL, interrupted INTEGER NOT NULL);
        CREATE TABLE results (run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, suite TEXT NOT NULL,
                              test_id TEXT NOT NULL, file TEXT NOT NULL, attempt INTEGER NOT NULL, outcome TEXT NOT NULL,
                              duration_secs REAL NOT NULL, worker INTEGER NOT NULL);
        CREATE TABLE jobs (run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, suite TEXT NOT NULL,
                           files INTEGER NOT NULL, wall_secs REAL NOT NULL, reported_secs REAL);
        PRAGMA user_version = 1;";

    #[test]
    fn a_version_1_store_is_migrated_keeping_recent_samples_and_counts() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("h.db")).unwrap();
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(SCHEMA_V1).unwrap();
            for run in 1..=15_i64 {
                conn.execute(
                    "INSERT INTO runs (run_id, started_at, duration_secs, workers, interrupted) VALUES (?1, ?2, 1.0, 2, 0)",
                    params![format!("run-{run}"), format!("2026-01-01T00:00:{run:02}+00:00")],
                )
                .unwrap();
                for (test, attempt, outcome) in [
                    ("t.py::a", 1, "passed"),
                    ("t.py::b", 1, "failed"),
                    ("t.py::b", 2, "passed"),
                ] {
                    conn.execute(
                        "INSERT INTO results VALUES (?1, 's', ?2, 't.py', ?3, ?4, ?5, 1)",
                        params![run, test, attempt, outcome, run as f64],
                    )
                    .unwrap();
                }
                conn.execute("INSERT INTO jobs VALUES (?1, 's', 1, 3.0, 2.5)", params![run])
                    .unwrap();
            }
        }
        let mut history = History::open(&path);
        assert!(history.take_warnings().is_empty());
        let version: i64 = history.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let files = history.file_samples("s");
        assert_eq!(files["t.py"].len(), RECENT_RUNS);
        assert!(
            (files["t.py"][0] - 30.0).abs() < 1e-6,
            "newest run's first attempts summed: {files:?}"
        );
        let tests = history.test_samples("s", "t.py");
        assert_eq!(tests["t.py::a"].len(), RECENT_RUNS);
        assert_eq!(
            history.flake_counts("s").get("t.py::b"),
            Some(&15),
            "flaky in every run"
        );
        assert_eq!(history.startup_samples("s").len(), 15);
        assert_eq!(history.snapshot().unwrap().runs.len(), 15);
        let old: i64 = history
            .conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('results', 'jobs', 'runs')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(old, 0, "the old tables are gone");
    }

    #[test]
    fn recording_a_run_twice_counts_it_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("h.db")).unwrap();
        let mut history = History::open(&path);
        history.record(&summary(1, 2.0));
        history.record(&summary(1, 2.0));
        let data = history.snapshot().unwrap();
        assert_eq!(data.tests[0].runs, 1);
        assert_eq!(data.tests[0].samples.len(), 1);
    }

    #[test]
    fn nodes_of_one_build_add_up_to_one_sample_per_file() {
        let dir = tempfile::tempdir().unwrap();
        let mut merged = History::open(&Utf8PathBuf::from_path_buf(dir.path().join("all.db")).unwrap());
        for (node, test) in ["a.sh::x", "a.sh::y"].into_iter().enumerate() {
            let path = Utf8PathBuf::from_path_buf(dir.path().join(format!("{node}.db"))).unwrap();
            let mut history = History::open(&path);
            history.set_build(Some("build-7"));
            let mut run = summary(node, 1.5);
            run.tests[0].id = test.into();
            history.record(&run);
            merged.import(&history.snapshot().unwrap()).unwrap();
        }
        assert_eq!(merged.file_samples("s")["a.sh"], vec![3.0]);
    }

    #[test]
    fn a_version_2_store_gets_the_suite_runs_and_keeps_the_last_of_each_suite() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("h.db")).unwrap();
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(&SCHEMA.replace("suite_runs", "unused_v2")).unwrap();
            conn.pragma_update(None, "user_version", 2).unwrap();
        }
        let mut history = History::open(&path);
        assert!(history.is_persistent(), "{:?}", history.take_warnings());
        assert_eq!(history.last_suite_run("api"), None);
        let run = |run_id: &str, green: bool| SuiteRun {
            suite: "api".into(),
            fingerprint: "f1".into(),
            green,
            run_id: run_id.into(),
            tests: vec![crate::history::CachedTest {
                id: "t.py::a".into(),
                name: "a".into(),
                classname: None,
                file: "t.py".into(),
                outcome: crate::results::Outcome::Passed,
                secs: 0.5,
            }],
        };
        history.record_suite_runs(&[run("r1", true)]);
        history.record_suite_runs(&[run("r2", false)]);
        drop(history);
        let mut history = History::open(&path);
        assert_eq!(history.last_suite_run("api"), Some(run("r2", false)));
        assert!(history.take_warnings().is_empty());
    }

    #[test]
    fn cpu_and_wall_of_recent_jobs_that_ended_on_their_own_are_summed_per_suite() {
        use crate::results::{JobExit, JobRecord};
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("h.db")).unwrap();
        let mut history = History::open(&path);
        assert_eq!(history.cpu_share("s"), None, "nothing measured yet");
        let job = |id: usize, exit: JobExit, cpu: Option<f64>| {
            let mut job = JobRecord::never_started(id, "s", String::new(), String::new());
            job.exit = exit;
            job.duration = Duration::from_secs(2);
            job.cpu = cpu.map(Duration::from_secs_f64);
            job
        };
        for run in 0..(RECENT_JOBS + 5) {
            let mut summary = summary(run, 1.0);
            summary.jobs = vec![
                job(0, JobExit::Exited { code: 0 }, Some(0.5)),
                job(1, JobExit::Exited { code: 1 }, Some(0.5)),
                job(2, JobExit::TimedOut, Some(2.0)),
                job(3, JobExit::Exited { code: 0 }, None),
            ];
            history.record(&summary);
        }
        let share = history.cpu_share("s").unwrap();
        assert_eq!(share.jobs, RECENT_JOBS, "only the newest jobs");
        assert!((share.ratio() - 0.25).abs() < 1e-9, "{share:?}");
        assert!(
            (share.last_run_wall_secs - 4.0).abs() < 1e-9,
            "two measured jobs of 2 s: {share:?}"
        );
        let kept: i64 = history
            .conn
            .query_row("SELECT COUNT(*) FROM cpu", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, RECENT_JOBS as i64, "pruned to the newest");
        assert_eq!(history.cpu_share("other"), None);
    }

    #[test]
    fn a_version_2_store_gets_the_cpu_table_and_keeps_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("h.db")).unwrap();
        History::open(&path).record(&summary(1, 2.0));
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("DROP TABLE cpu; PRAGMA user_version = 2;").unwrap();
        }
        let mut history = History::open(&path);
        assert!(history.take_warnings().is_empty());
        let version: i64 = history.conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        assert_eq!(history.file_samples("s")["a.sh"], vec![2.0]);
        assert_eq!(history.cpu_share("s"), None);
    }

    #[test]
    fn a_version_3_store_gets_the_peak_memory_column_and_keeps_its_cpu_samples() {
        use crate::results::{JobExit, JobRecord};
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("h.db")).unwrap();
        let job = |max_rss: Option<u64>| {
            let mut job = JobRecord::never_started(0, "s", String::new(), String::new());
            job.exit = JobExit::Exited { code: 0 };
            job.duration = Duration::from_secs(2);
            job.cpu = Some(Duration::from_secs(1));
            job.max_rss = max_rss;
            job
        };
        // A version 3 store: the `cpu` table without `max_rss_kb`, one sample in it.
        older_store(
            &path,
            3,
            "    max_rss_kb INTEGER,\n",
            "INSERT INTO cpu (suite, time, key, seq, cpu_secs, wall_secs, workers, cores) VALUES ('s', 1, 1, 0, 1.0, 2.0, 2, 2)",
        );
        let mut history = History::open(&path);
        assert!(history.take_warnings().is_empty());
        let share = history.cpu_share("s").unwrap();
        assert_eq!((share.jobs, share.max_rss), (1, None), "kept, no peak known");
        let mut later = summary(2, 1.0);
        later.jobs = vec![job(Some(300 * 1024 * 1024)), job(None)];
        later.jobs[1].id = 1;
        history.record(&later);
        let share = history.cpu_share("s").unwrap();
        assert_eq!(share.jobs, 3);
        assert_eq!(
            share.max_rss,
            Some(300 * 1024 * 1024),
            "the largest peak of the recent jobs"
        );
    }

    /// Writes a store of schema `version`: today's schema without the column line `missing`
    /// (which that version did not have yet), with one row from `insert`.
    fn older_store(path: &Utf8Path, version: i64, missing: &str, insert: &str) {
        let conn = Connection::open(path).unwrap();
        conn.execute_batch(&SCHEMA.replace(missing, "")).unwrap();
        conn.execute(insert, []).unwrap();
        conn.pragma_update(None, "user_version", version).unwrap();
    }

    #[test]
    fn a_version_4_store_gets_the_file_count_and_keeps_its_start_up_samples() {
        use crate::results::{JobExit, JobRecord};
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("h.db")).unwrap();
        // A version 4 store: the `startup` table without `files`, one sample in it.
        older_store(
            &path,
            4,
            "    files INTEGER,\n",
            "INSERT INTO startup (suite, time, key, seq, secs) VALUES ('s', 1, 1, 0, 0.5)",
        );
        let mut history = History::open(&path);
        assert!(history.take_warnings().is_empty());
        assert_eq!(
            history.startup_samples("s"),
            vec![StartupSample {
                gap_secs: 0.5,
                files: None
            }]
        );
        let mut later = summary(2, 1.0);
        let mut job = JobRecord::never_started(0, "s", String::new(), String::new());
        job.exit = JobExit::Exited { code: 0 };
        job.duration = Duration::from_secs(3);
        job.reported = Some(Duration::from_secs(1));
        job.files = vec!["a.sh".into(), "b.sh".into()];
        later.jobs = vec![job];
        history.record(&later);
        assert_eq!(
            history.startup_samples("s"),
            vec![
                StartupSample {
                    gap_secs: 2.0,
                    files: Some(2)
                },
                StartupSample {
                    gap_secs: 0.5,
                    files: None
                }
            ],
            "newest first, with how many files the job ran"
        );
        let exported = history.snapshot().unwrap();
        assert_eq!(
            exported.startup.iter().map(|s| s.files).collect::<Vec<_>>(),
            [None, Some(2)]
        );
    }

    #[test]
    fn a_test_and_its_subtests_count_once_in_their_file_and_as_the_test() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("h.db")).unwrap();
        let mut history = History::open(&path);
        let mut run = summary(1, 0.0);
        let template = run.tests[0].clone();
        let test = |file: &str, id: &str, secs: f64| {
            let mut test = template.clone();
            test.file = file.into();
            test.id = id.into();
            test.attempts[0].duration = Duration::from_secs_f64(secs);
            test
        };
        run.tests = vec![
            // go's t.Parallel parent of two parallel subtests reports none of their time.
            test("zip", "zip::TestLarge", 0.0),
            test("zip", "zip::TestLarge/a", 47.0),
            test("zip", "zip::TestLarge/b", 46.0),
            // A parent that holds its sequential subtests' time.
            test("zip", "zip::TestSeq", 3.0),
            test("zip", "zip::TestSeq/x", 1.0),
            test("zip", "zip::TestSeq/y", 2.0),
            test("zip", "zip::TestSmall", 1.0),
            // pytest ids with a `/` in a parameter are tests of their own.
            test("t.py", "t.py::test_path", 1.0),
            test("t.py", "t.py::test_path[a/b]", 2.0),
        ];
        history.record(&run);
        let files = history.file_samples("s");
        assert_eq!(files["zip"], vec![47.0 + 3.0 + 1.0]);
        assert_eq!(files["t.py"], vec![3.0]);
        let tests = history.test_samples("s", "zip");
        assert_eq!(tests["zip::TestLarge"], vec![47.0], "as long as its longest subtest");
        assert_eq!(tests["zip::TestSeq"], vec![3.0]);
        assert_eq!(tests["zip::TestLarge/b"], vec![46.0], "subtests keep their own");
        assert_eq!(history.test_samples("s", "t.py")["t.py::test_path"], vec![1.0]);
    }

    #[test]
    fn newer_schema_is_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = Utf8PathBuf::from_path_buf(dir.path().join("h.db")).unwrap();
        Connection::open(&path)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let mut history = History::open(&path);
        assert!(!history.is_persistent());
        assert!(history.take_warnings()[0].contains("newer"));
        assert!(path.exists());
    }
}

#[cfg(test)]
mod merge_tests {
    //! Import and export: round trip, idempotence, commutativity (proptest over generated
    //! exports whose runs and start-up samples are functions of their ids, as real ones are).

    use proptest::prelude::*;

    use super::*;

    fn sample() -> impl Strategy<Value = Sample> {
        (0u32..30, 0u32..12, 0u32..5000, 0u8..32).prop_map(|(time, key, millis, outcome)| Sample {
            time,
            key,
            secs: millis as f32 / 1000.0,
            outcome: SampleOutcome(outcome),
        })
    }

    fn test_record() -> impl Strategy<Value = TestRecord> {
        (
            0usize..2,
            0usize..3,
            0usize..4,
            0u32..9,
            0u32..3,
            0u32..3,
            proptest::collection::vec(sample(), 0..14),
        )
            .prop_map(|(suite, file, test, runs, failures, flaky, samples)| {
                let samples = merge(&samples, &[], RECENT_SAMPLES);
                let file = format!("f{file}.py");
                TestRecord {
                    suite: format!("s{suite}"),
                    id: if test == 0 {
                        file.clone()
                    } else {
                        format!("{file}::t{test}")
                    },
                    file,
                    runs,
                    failures,
                    flaky,
                    last_seen: samples.first().map_or(0, |s| s.time),
                    samples,
                }
            })
    }

    fn run(n: u32) -> RunRecord {
        RunRecord {
            run_id: format!("run-{n}"),
            time: n,
            started_at: format!("t{n}"),
            duration_secs: f64::from(n) / 4.0,
            workers: n % 3 + 1,
            interrupted: n.is_multiple_of(5),
            counts: n.is_multiple_of(2).then_some(RunCounts {
                tests: n,
                passed: n / 2,
                ..RunCounts::default()
            }),
            predicted_secs: Some(f64::from(n)),
        }
    }

    fn export() -> impl Strategy<Value = HistoryData> {
        (
            proptest::collection::vec(0u32..40, 0..5),
            proptest::collection::vec(test_record(), 0..12),
            proptest::collection::vec((0usize..2, 0u32..12, 0i64..4), 0..6),
        )
            .prop_map(|(runs, tests, startup)| {
                let mut unique = std::collections::HashSet::new();
                let tests = tests
                    .into_iter()
                    .filter(|t| unique.insert((t.suite.clone(), t.file.clone(), t.id.clone())))
                    .collect();
                let mut runs_seen = std::collections::HashSet::new();
                let mut unique = std::collections::HashSet::new();
                HistoryData {
                    runs: runs.into_iter().filter(|n| runs_seen.insert(*n)).map(run).collect(),
                    tests,
                    startup: startup
                        .into_iter()
                        .map(|(suite, key, seq)| StartupRecord {
                            suite: format!("s{suite}"),
                            time: key,
                            key,
                            seq,
                            secs: f64::from(key) + seq as f64 / 8.0,
                            files: (seq % 3 != 0).then(|| u32::try_from(seq % 7).unwrap_or(0)),
                        })
                        .filter(|s| unique.insert((s.suite.clone(), s.key, s.seq)))
                        .collect(),
                }
            })
    }

    fn canonical(mut data: HistoryData) -> HistoryData {
        data.runs.sort_by(|a, b| (a.time, &a.run_id).cmp(&(b.time, &b.run_id)));
        data.tests
            .sort_by(|a, b| (&a.suite, &a.file, &a.id).cmp(&(&b.suite, &b.file, &b.id)));
        data.startup
            .sort_by(|a, b| (&a.suite, a.time, a.key, a.seq).cmp(&(&b.suite, b.time, b.key, b.seq)));
        data
    }

    fn store() -> (tempfile::TempDir, History) {
        let dir = tempfile::tempdir().unwrap();
        let history = History::open(&Utf8PathBuf::from_path_buf(dir.path().join("h.db")).unwrap());
        (dir, history)
    }

    fn imported(exports: &[&HistoryData]) -> HistoryData {
        let (_dir, mut history) = store();
        for export in exports {
            history.import(export).unwrap();
        }
        history.snapshot().unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        #[test]
        fn an_export_imported_into_an_empty_store_exports_the_same(data in export()) {
            prop_assert_eq!(imported(&[&data]), canonical(data));
        }

        #[test]
        fn importing_twice_changes_nothing(a in export(), b in export()) {
            prop_assert_eq!(imported(&[&a, &b, &b]), imported(&[&a, &b]));
        }

        #[test]
        fn import_order_does_not_matter(a in export(), b in export(), c in export()) {
            let abc = imported(&[&a, &b, &c]);
            prop_assert_eq!(&abc, &imported(&[&c, &a, &b]));
            prop_assert_eq!(&abc, &imported(&[&b, &c, &a]));
        }

        #[test]
        fn the_export_file_round_trips(data in export()) {
            let mut bytes = Vec::new();
            crate::history::write_export(&data, &mut bytes).unwrap();
            let read = crate::history::read_export(bytes.as_slice(), Utf8Path::new("x")).unwrap();
            prop_assert_eq!(read, data);
        }
    }
}

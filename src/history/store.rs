//! [`History`]: the SQLite store of every test's duration and outcome, per run.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use rusqlite::{Connection, ErrorCode, params};

use crate::results::RunSummary;

/// Version of the schema this build writes (`PRAGMA user_version`).
pub const SCHEMA_VERSION: i64 = 1;

/// How many recent runs of a file feed its estimate.
const RECENT_RUNS: usize = 10;
/// Estimates look at most this many runs back.
const WINDOW_RUNS: usize = 50;
/// Runs older than the newest this many are deleted when a run is recorded.
const KEEP_RUNS: usize = 200;
/// How many recent jobs feed the start-up cost.
const RECENT_JOBS: usize = 50;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id TEXT NOT NULL UNIQUE,
    started_at TEXT NOT NULL,
    duration_secs REAL NOT NULL,
    workers INTEGER NOT NULL,
    interrupted INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS results (
    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    suite TEXT NOT NULL,
    test_id TEXT NOT NULL,
    file TEXT NOT NULL,
    attempt INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    duration_secs REAL NOT NULL,
    worker INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS results_by_file ON results(suite, file, run);
CREATE INDEX IF NOT EXISTS results_by_test ON results(suite, test_id, run);
CREATE TABLE IF NOT EXISTS jobs (
    run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    suite TEXT NOT NULL,
    files INTEGER NOT NULL,
    wall_secs REAL NOT NULL,
    reported_secs REAL
);
CREATE INDEX IF NOT EXISTS jobs_by_suite ON jobs(suite);
";

/// The history store. Reads and writes degrade to warnings, never to a failed run.
pub struct History {
    conn: Connection,
    path: Utf8PathBuf,
    persistent: bool,
    warnings: Vec<String>,
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

    /// Recent first-attempt durations of each file of `suite`, newest first, in seconds.
    pub fn file_samples(&mut self, suite: &str) -> HashMap<String, Vec<f64>> {
        // Only recent runs, and at most RECENT_RUNS per file: reading must not grow with history.
        let query = "SELECT file, run, secs FROM (
                         SELECT file, run, SUM(duration_secs) AS secs,
                                ROW_NUMBER() OVER (PARTITION BY file ORDER BY run DESC) AS recent
                         FROM results
                         WHERE suite = ?1 AND attempt = 1
                           AND outcome IN ('passed', 'failed', 'error', 'skipped', 'timed_out')
                           AND run >= (SELECT COALESCE(MIN(id), 0) FROM (SELECT id FROM runs ORDER BY id DESC LIMIT ?2))
                         GROUP BY file, run)
                     WHERE recent <= ?3 ORDER BY file, run DESC";
        let rows = self.conn.prepare_cached(query).and_then(|mut statement| {
            let rows = statement.query_map(params![suite, WINDOW_RUNS as i64, RECENT_RUNS as i64], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, f64>(2)?))
            })?;
            rows.collect::<Result<Vec<_>, _>>()
        });
        let mut samples: HashMap<String, Vec<f64>> = HashMap::new();
        match rows {
            Ok(rows) => {
                // The query already keeps at most RECENT_RUNS per file, newest first.
                for (file, secs) in rows {
                    samples.entry(file).or_default().push(secs);
                }
            }
            Err(error) => self.warnings.push(format!(
                "could not read history `{}`: {error}; using default estimates",
                self.path
            )),
        }
        samples
    }

    /// Recent first-attempt durations of each test in `file` of `suite`, newest first, in seconds.
    pub fn test_samples(&mut self, suite: &str, file: &str) -> HashMap<String, Vec<f64>> {
        let query = "SELECT test_id, duration_secs FROM results
                     WHERE suite = ?1 AND file = ?2 AND attempt = 1 AND test_id != file
                       AND outcome IN ('passed', 'failed', 'skipped', 'timed_out')
                     ORDER BY test_id, run DESC";
        let rows = self.conn.prepare_cached(query).and_then(|mut statement| {
            let rows = statement.query_map(params![suite, file], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, f64>(1)?))
            })?;
            rows.collect::<Result<Vec<_>, _>>()
        });
        let mut samples: HashMap<String, Vec<f64>> = HashMap::new();
        match rows {
            Ok(rows) => {
                for (test, secs) in rows {
                    let list = samples.entry(test).or_default();
                    if list.len() < RECENT_RUNS {
                        list.push(secs);
                    }
                }
            }
            Err(error) => self
                .warnings
                .push(format!("could not read history `{}`: {error}", self.path)),
        }
        samples
    }

    /// How many runs each test of `suite` was flaky in (failed, then passed on a retry).
    pub fn flake_counts(&mut self, suite: &str) -> HashMap<String, usize> {
        let query = "SELECT test_id, COUNT(DISTINCT run) FROM results AS passed
                     WHERE suite = ?1 AND attempt > 1 AND outcome = 'passed'
                       AND EXISTS (SELECT 1 FROM results AS failed WHERE failed.run = passed.run
                                   AND failed.suite = passed.suite AND failed.test_id = passed.test_id
                                   AND failed.outcome IN ('failed', 'error', 'timed_out'))
                     GROUP BY test_id";
        let rows = self.conn.prepare_cached(query).and_then(|mut statement| {
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

    /// Recent `wall − reported` gaps of jobs of `suite` that reported test times, in seconds.
    pub fn startup_samples(&mut self, suite: &str) -> Vec<f64> {
        let query = "SELECT wall_secs - reported_secs FROM jobs WHERE suite = ?1 AND reported_secs IS NOT NULL ORDER BY rowid DESC LIMIT ?2";
        let rows = self.conn.prepare_cached(query).and_then(|mut statement| {
            let rows = statement.query_map(params![suite, RECENT_JOBS as i64], |row| row.get::<_, f64>(0))?;
            rows.collect::<Result<Vec<_>, _>>()
        });
        rows.unwrap_or_else(|error| {
            self.warnings
                .push(format!("could not read history `{}`: {error}", self.path));
            Vec::new()
        })
    }

    /// Saves every attempt and job of `summary` in one transaction.
    pub fn record(&mut self, summary: &RunSummary) {
        if let Err(error) = self.try_record(summary) {
            self.warnings
                .push(format!("could not save this run to history `{}`: {error}", self.path));
        }
    }

    fn try_record(&mut self, summary: &RunSummary) -> rusqlite::Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute(
            "INSERT INTO runs (run_id, started_at, duration_secs, workers, interrupted) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                summary.run_id,
                summary.started_at.to_rfc3339(),
                summary.duration.as_secs_f64(),
                summary.workers as i64,
                summary.interrupted
            ],
        )?;
        let run = tx.last_insert_rowid();
        {
            let mut insert = tx.prepare_cached(
                "INSERT INTO results (run, suite, test_id, file, attempt, outcome, duration_secs, worker) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for test in &summary.tests {
                for attempt in &test.attempts {
                    insert.execute(params![
                        run,
                        test.suite,
                        test.id,
                        test.file,
                        attempt.attempt,
                        attempt.outcome.as_str(),
                        attempt.duration.as_secs_f64(),
                        attempt.worker as i64
                    ])?;
                }
            }
            let mut insert = tx.prepare_cached(
                "INSERT INTO jobs (run, suite, files, wall_secs, reported_secs) VALUES (?1, ?2, ?3, ?4, ?5)",
            )?;
            for job in &summary.jobs {
                if !matches!(job.exit, crate::results::JobExit::Exited { .. }) {
                    continue;
                }
                insert.execute(params![
                    run,
                    job.suite,
                    job.files.len() as i64,
                    job.duration.as_secs_f64(),
                    job.reported.map(|d| d.as_secs_f64())
                ])?;
            }
        }
        // Keep the file bounded: old runs go (their results and jobs cascade).
        tx.execute(
            "DELETE FROM runs WHERE id <= (SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?1)",
            params![KEEP_RUNS as i64],
        )?;
        tx.commit()
    }
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
        tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    }
    tx.commit()?;
    // A quick read proves the file really is a database (a garbage file fails here, not later).
    conn.query_row("SELECT COUNT(*) FROM runs", [], |row| row.get::<_, i64>(0))?;
    Ok(conn)
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
            started_at: chrono::Local::now(),
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
            .query_row("SELECT COUNT(*) FROM runs", [], |row| row.get(0))
            .unwrap();
        assert_eq!(runs, KEEP_RUNS as i64);
        let results: i64 = history
            .conn
            .query_row("SELECT COUNT(*) FROM results", [], |row| row.get(0))
            .unwrap();
        assert_eq!(results, KEEP_RUNS as i64, "results of pruned runs are gone too");
        let samples = history.file_samples("s");
        let newest = (KEEP_RUNS + 4) as f64;
        assert_eq!(samples["a.sh"].len(), RECENT_RUNS);
        assert!(
            (samples["a.sh"][0] - newest).abs() < 1e-9,
            "newest first: {:?}",
            samples["a.sh"]
        );
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

//! The history database (`History::open`) on a truncated, bit-flipped or random file at the
//! history path: opening must warn and go on (never panic, never fail the run), and the reads
//! a run makes (`file_samples`, `test_samples`, `flake_counts`, `startup_samples`) must too.
//! The seeds are real stores: a version 1 store filled with rows through SQLite, and the same
//! store migrated to the current schema by `History::open`.
//! SQLite allocates outside Rust's allocator, so only time and panics are bounded here.

use std::sync::OnceLock;

use camino::Utf8PathBuf;
use flotilla::history::History;
use proptest::prelude::*;

use crate::harness::{Op, apply, config, preview, run_bounded, text};

/// The schema of a version 1 store (a row per test per run), which opening migrates.
const SCHEMA_V1: &str = "
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL UNIQUE, started_at TEXT NOT NULL,
                   duration_secs REAL NOT NULL, workers INTEGER NOT NULL, interrupted INTEGER NOT NULL);
CREATE TABLE results (run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, suite TEXT NOT NULL,
                      test_id TEXT NOT NULL, file TEXT NOT NULL, attempt INTEGER NOT NULL, outcome TEXT NOT NULL,
                      duration_secs REAL NOT NULL, worker INTEGER NOT NULL);
CREATE INDEX results_by_file ON results(suite, file, run);
CREATE INDEX results_by_test ON results(suite, test_id, run);
CREATE TABLE jobs (run INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, suite TEXT NOT NULL,
                   files INTEGER NOT NULL, wall_secs REAL NOT NULL, reported_secs REAL);
CREATE INDEX jobs_by_suite ON jobs(suite);
PRAGMA user_version = 1;
";

/// Populated stores' bytes: the current schema (a version 1 store, filled with rows through
/// SQLite, then opened and so migrated by `History::open`), and the version 1 store itself.
fn seed() -> &'static [Vec<u8>] {
    static SEED: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEED.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temp folder");
        let path = Utf8PathBuf::from_path_buf(dir.path().join("history.db")).expect("utf-8");
        let conn = rusqlite::Connection::open(&path).expect("open the store");
        conn.execute_batch(SCHEMA_V1).expect("the version 1 schema");
        for run in 1..=30 {
            conn.execute(
                "INSERT INTO runs (run_id, started_at, duration_secs, workers, interrupted) VALUES (?1, '2026-01-01T00:00:00Z', 1.5, 2, 0)",
                [format!("run-{run}")],
            )
            .expect("insert a run");
            for test in 0..20 {
                conn.execute(
                    "INSERT INTO results (run, suite, test_id, file, attempt, outcome, duration_secs, worker) VALUES (?1, 's', ?2, ?3, 1, ?4, 0.25, 1)",
                    rusqlite::params![run, format!("t/{test}.sh::x"), format!("t/{test}.sh"), if test % 7 == 0 { "flaky" } else { "passed" }],
                )
                .expect("insert a result");
            }
            conn.execute("INSERT INTO jobs (run, suite, files, wall_secs, reported_secs) VALUES (?1, 's', 20, 2.0, 1.8)", [run])
                .expect("insert a job");
        }
        drop(conn);
        let version_1 = std::fs::read(&path).expect("read the store");
        let mut history = History::open(&path);
        assert!(history.take_warnings().is_empty());
        assert_eq!(history.file_samples("s").len(), 20, "the migration kept every file");
        drop(history);
        vec![std::fs::read(&path).expect("read the store"), version_1]
    })
}

/// Opens `bytes` as the history file and reads from it as a run does.
fn open(bytes: Vec<u8>) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("a temp folder");
    let path = Utf8PathBuf::from_path_buf(dir.path().join("history.db")).expect("utf-8");
    std::fs::write(&path, &bytes).expect("write the history file");
    let shown = preview(&text(&bytes[..bytes.len().min(64)]));
    let looks_like_sqlite = bytes.is_empty() || bytes.starts_with(b"SQLite format 3\0");
    let opened = path.clone();
    let outcome = run_bounded(bytes.len(), move || {
        let mut history = History::open(&opened);
        let mut warnings = history.take_warnings();
        let files = history.file_samples("s").len();
        let tests = history.test_samples("s", "t/1.sh").len();
        let flakes = history.flake_counts("s").len();
        let startup = history.startup_samples("s").len();
        warnings.extend(history.take_warnings());
        (warnings, files + tests + flakes + startup)
    })
    .map_err(|problem| {
        TestCaseError::fail(format!(
            "history: {problem}; file starts {shown} ({} bytes)",
            bytes.len()
        ))
    })?;
    let (warnings, _) = outcome.value;
    if !looks_like_sqlite {
        prop_assert!(
            !warnings.is_empty(),
            "a non-SQLite history file opened without a warning: {shown}"
        );
    }
    for warning in &warnings {
        prop_assert!(
            warning.contains(path.as_str()),
            "a history warning does not name the file: {warning}"
        );
    }
    Ok(())
}

fn page_cuts() -> impl Strategy<Value = Vec<Op>> {
    // Cuts at page multiples (and one byte either side) on top of the generic edits.
    (0usize..64, 0usize..3).prop_map(|(page, delta)| {
        vec![Op::Truncate {
            at: (page * 4096 + delta).saturating_sub(1),
        }]
    })
}

proptest! {
    #![proptest_config(config(6, 32))]

    #[test]
    fn history_mutated((index, ops) in crate::harness::mutation()) {
        open(apply(seed(), index, &ops))?;
    }

    #[test]
    fn history_cut_at_a_page(ops in page_cuts()) {
        open(apply(seed(), 0, &ops))?;
    }

    #[test]
    fn history_random(bytes in proptest::collection::vec(any::<u8>(), 0..8192)) {
        open(bytes)?;
    }

    /// A real header over random pages: gets past SQLite's first check.
    #[test]
    fn history_header_then_random(bytes in proptest::collection::vec(any::<u8>(), 0..16384)) {
        let mut file = seed()[0][..100].to_vec();
        file.extend(bytes);
        open(file)?;
    }
}

#[test]
fn history_every_truncation_of_the_first_pages() {
    let store = &seed()[0];
    for cut in (0..store.len().min(3 * 4096)).step_by(1021).chain([store.len() - 1]) {
        open(store[..cut].to_vec()).unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
    }
}

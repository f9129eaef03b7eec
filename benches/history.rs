//! Benchmark of the history store (`flotilla::history::History`) at 100,000 tests: its size
//! after 1, 10 and 200 recorded runs, the time to record one run, the time to read a suite's
//! file samples (what every plan does), and the size and times of an export and its import.
//!
//! The suite is synthetic: 100,000 tests in 5,000 files (20 each, pytest-like ids), durations
//! heavy-tailed from a fixed-seed PRNG and different every run, 1% failing and 0.2% flaky
//! (a second, passing attempt). The store is driven directly, as `flotilla run` drives it
//! after a run, without running 200 real runs.
//!
//! Goals (issue 11): under 50 MB at 100,000 tests however many runs; an export under 10 MB.
//!
//! Run with `bash bench/history.sh` (or `cargo bench --bench history`; `RUNS=20` for a quick
//! look). See `docs/benchmarks.md`.

#![expect(clippy::print_stdout, reason = "a benchmark prints its table")]

use std::sync::Arc;
use std::time::{Duration, Instant};

use camino::{Utf8Path, Utf8PathBuf};
use flotilla::history::{History, write_export};
use flotilla::results::{Attempt, FlakyResult, JobExit, JobRecord, Outcome, RunSummary, TestResult};

const TESTS: usize = 100_000;
const PER_FILE: usize = 20;
const SEED: u64 = 0x5eed_f10e_11a0_0002;

/// SplitMix64: tiny, fast, and the same on every machine.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Log-normal-ish: most tests take milliseconds, a few take seconds.
    fn duration(&mut self) -> Duration {
        let normal: f64 = (0..4).map(|_| self.unit()).sum::<f64>() - 2.0;
        Duration::from_secs_f64((normal * 2.2 - 4.0).exp())
    }
}

fn attempt(number: u32, outcome: Outcome, duration: Duration) -> Attempt {
    Attempt {
        attempt: number,
        outcome,
        duration,
        worker: 1,
        job: 0,
        message: None,
        output: None,
    }
}

/// One run of the synthetic suite.
fn run(number: usize, rng: &mut SplitMix64) -> RunSummary {
    let suite: Arc<str> = Arc::from("unit");
    let tests = (0..TESTS)
        .map(|n| {
            let file = format!("tests/pkg{:03}/test_module_{:04}.py", n / PER_FILE / 50, n / PER_FILE);
            let roll = rng.unit();
            let duration = rng.duration();
            let (outcome, attempts) = if roll < 0.002 {
                (
                    Outcome::Flaky,
                    vec![
                        attempt(1, Outcome::Failed, duration),
                        attempt(2, Outcome::Passed, duration),
                    ],
                )
            } else if roll < 0.012 {
                (Outcome::Failed, vec![attempt(1, Outcome::Failed, duration)])
            } else {
                (Outcome::Passed, vec![attempt(1, Outcome::Passed, duration)])
            };
            TestResult {
                suite: suite.clone(),
                id: format!("{file}::TestBehaviour::test_case_{:02}", n % PER_FILE).into(),
                name: format!("test_case_{:02}", n % PER_FILE).into(),
                classname: None,
                file: file.into(),
                outcome,
                outside_tests: false,
                quarantine: None,
                attempts,
            }
        })
        .collect();
    let jobs = (0..400)
        .map(|id| JobRecord {
            id,
            suite: "unit".into(),
            worker: 1,
            attempt: 1,
            files: Vec::new(),
            tests: Vec::new(),
            started: Duration::ZERO,
            duration: Duration::from_secs(3),
            estimate: Duration::from_secs(3),
            exit: JobExit::Exited { code: 0 },
            stdout: None,
            stderr: None,
            report: None,
            diagnostics: None,
            error: None,
            reported: Some(Duration::from_millis(2500)),
            requeued: Vec::new(),
            leaky: false,
            cpu: None,
            max_rss: None,
        })
        .collect();
    RunSummary {
        run_id: format!("20260101-000000-{number:04x}"),
        run_dir: Utf8PathBuf::from("/tmp"),
        started_at: chrono::DateTime::from_timestamp(1_780_000_000 + number as i64 * 600, 0)
            .expect("a valid time")
            .into(),
        duration: Duration::from_secs(600),
        workers: 8,
        interrupted: false,
        tests,
        jobs,
        not_run: Vec::new(),
        predicted: Duration::from_secs(590),
        flaky_result: FlakyResult::Pass,
        timing_match: 1.0,
        steps: Vec::new(),
        node: None,
        merge: None,
    }
}

/// The store's size on disk once closed (its WAL checkpointed into the main file).
fn size_closed(history: History, path: &Utf8Path) -> (u64, History) {
    drop(history);
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    (size, History::open(path))
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn median(values: &mut [Duration]) -> Duration {
    values.sort_unstable();
    values[values.len() / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        // `cargo bench -- --list` and nextest ask what is here: nothing to list.
        return;
    }
    let runs: usize = std::env::var("RUNS").ok().and_then(|r| r.parse().ok()).unwrap_or(200);
    let dir = tempfile::tempdir().expect("a temp folder");
    let path = Utf8PathBuf::from_path_buf(dir.path().join("history.db")).expect("utf-8");
    let mut rng = SplitMix64(SEED);
    let mut history = History::open(&path);
    let mut record_times = Vec::new();
    println!(
        "history store, {TESTS} tests in {} files, {runs} runs",
        TESTS / PER_FILE
    );
    for number in 1..=runs {
        let summary = run(number, &mut rng);
        let clock = Instant::now();
        history.record(&summary);
        record_times.push(clock.elapsed());
        assert!(history.take_warnings().is_empty(), "recording works");
        if [1, 10, 50, 100, 200].contains(&number) || number == runs {
            let (size, reopened) = size_closed(history, &path);
            history = reopened;
            println!(
                "after {number:>3} runs: {:>8}  (record: this run {:.2}s)",
                mb(size),
                record_times.last().expect("one run").as_secs_f64()
            );
        }
    }
    let first = record_times[0];
    let later = median(&mut record_times[1..].to_vec());
    println!(
        "record one run: first {:.2}s, median of later runs {:.2}s, slowest {:.2}s",
        first.as_secs_f64(),
        later.as_secs_f64(),
        record_times.iter().max().expect("runs").as_secs_f64()
    );
    let clock = Instant::now();
    let samples = history.file_samples("unit");
    println!(
        "read one suite's file samples (every plan): {:.3}s for {} files",
        clock.elapsed().as_secs_f64(),
        samples.len()
    );

    let clock = Instant::now();
    let data = history.snapshot().expect("a snapshot");
    let export_path = dir.path().join("history.jsonl.gz");
    let mut file = std::io::BufWriter::new(std::fs::File::create(&export_path).expect("create the export"));
    write_export(&data, &mut file).expect("write the export");
    drop(file);
    let export_time = clock.elapsed();
    let export_size = std::fs::metadata(&export_path).expect("the export").len();
    println!(
        "export: {} in {:.2}s ({} tests, {} samples)",
        mb(export_size),
        export_time.as_secs_f64(),
        data.tests.len(),
        data.tests.iter().map(|t| t.samples.len()).sum::<usize>()
    );

    let clock = Instant::now();
    let read = flotilla::history::import_from_file(Utf8Path::from_path(&export_path).expect("utf-8"))
        .expect("read the export");
    let read_time = clock.elapsed();
    let empty_path = Utf8PathBuf::from_path_buf(dir.path().join("empty.db")).expect("utf-8");
    let mut empty = History::open(&empty_path);
    let clock = Instant::now();
    empty.import(&read).expect("import into an empty store");
    let into_empty = clock.elapsed();
    let clock = Instant::now();
    history.import(&read).expect("import into the full store");
    let into_full = clock.elapsed();
    println!(
        "import: read {:.2}s; merge into an empty store {:.2}s, into the same full store {:.2}s",
        read_time.as_secs_f64(),
        into_empty.as_secs_f64(),
        into_full.as_secs_f64()
    );
    let (size, _) = size_closed(empty, &empty_path);
    println!("store made by importing the export: {}", mb(size));
}

//! Benchmark of the pure planner, `flotilla::plan::plan`.
//!
//! 100,000 and 1,000,000 units onto 64 workers, with heavy-tailed (log-normal) estimates from a
//! fixed-seed PRNG, once for a suite with one file per job (`BatchMode::PerFile`) and once for a
//! suite cut into batches (`BatchMode::Batch`).
//!
//! Targets: 100k units < 100 ms, 1M units < 1 s.
//!
//! Run with `cargo bench --bench plan` (about a minute on 2 cores). See `docs/benchmarks.md`.

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use flotilla::plan::{PlanInput, PlanSuite, PlanUnit, plan};
use flotilla::runners::BatchMode;

const WORKERS: usize = 64;
const SIZES: [usize; 2] = [100_000, 1_000_000];
const SEED: u64 = 0x5eed_f10e_11a0_0001;

/// SplitMix64: tiny, fast, good enough for synthetic data, and the same on every machine.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1]: never 0, so `ln` is finite.
    fn next_unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 / (1u64 << 53) as f64
    }

    /// Standard normal (Box–Muller, one of the pair).
    fn next_normal(&mut self) -> f64 {
        let (u1, u2) = (self.next_unit(), self.next_unit());
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

/// Log-normal estimates: median 0.5 s, σ = 1.2 (p99 ≈ 8 s, a few files over a minute),
/// clamped to [1 ms, 1 h] like real estimates (which are never zero).
fn estimates(count: usize) -> Vec<Duration> {
    let mut rng = SplitMix64(SEED);
    let (mu, sigma) = (0.5f64.ln(), 1.2);
    (0..count)
        .map(|_| Duration::from_secs_f64((mu + sigma * rng.next_normal()).exp().clamp(0.001, 3600.0)))
        .collect()
}

fn input(count: usize, mode: BatchMode) -> PlanInput {
    PlanInput {
        // A learned start-up cost, as a suite with history would have.
        suites: vec![PlanSuite {
            mode,
            startup: Duration::from_millis(200),
            first_wave: 0.85,
            on_workers: None,
        }],
        units: estimates(count)
            .into_iter()
            .map(|estimate| PlanUnit {
                suite: flotilla::suite_index::SuiteIndex::new(0),
                estimate,
                argv_bytes: 0,
                recently_failed: false,
                groups: Vec::new(),
            })
            .collect(),
        workers: WORKERS,
        group_limits: Vec::new(),
    }
}

fn bench_plan(c: &mut Criterion) {
    for (mode, label) in [(BatchMode::PerFile, "per_file"), (BatchMode::Batch, "batch")] {
        let mut group = c.benchmark_group(format!("plan/{label}"));
        group
            .sample_size(10)
            .sampling_mode(SamplingMode::Flat)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(3));
        for count in SIZES {
            let input = input(count, mode);
            // Sanity: every unit is planned, and the plan is balanced.
            let sample = plan(&input);
            let planned: usize = sample.batches.iter().map(|b| b.units.len()).sum();
            assert_eq!(planned, count);
            eprintln!(
                "plan/{label}/{count}: {} batches, makespan {:.1}s vs total/W {:.1}s",
                sample.batches.len(),
                sample.makespan.as_secs_f64(),
                sample.total.as_secs_f64() / WORKERS as f64
            );
            group.throughput(Throughput::Elements(count as u64));
            group.bench_with_input(BenchmarkId::from_parameter(count), &input, |b, input| {
                b.iter(|| plan(black_box(input)))
            });
        }
        group.finish();
    }
}

criterion_group!(benches, bench_plan);
criterion_main!(benches);

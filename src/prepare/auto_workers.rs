//! [`choose`]: what `workers = "auto"` means for this run, and why ([`AutoWorkers`]).
//!
//! Pure. Each suite's recent jobs say how much of their wall time they spent on CPU
//! ([`CpuShare`], recorded by the runner from each job's main process and the children it
//! waited for). The run's ratio is the suites' ratios weighted by their predicted work in this
//! run (the share of the workers' time each will take). A CPU-bound run (ratio near 1) gets one
//! worker per core, as before; one that mostly waits (sleeps, network) gets
//! `cores / max(ratio, RATIO_FLOOR)`, never fewer than the cores and at most
//! [`CAP_PER_CORE`] × cores. A suite not measured yet counts as CPU-bound, so nothing grows on
//! a guess; with nothing measured at all, auto is the CPU count. A suite whose jobs already got
//! about all the CPU they could ([`CpuShare::saturated`]: more workers than cores, and a ratio
//! near cores / workers) counts as wanting [`SATURATED_STEP`] times more than it got, so a suite
//! that turned CPU-bound comes back down over a few runs instead of staying high. Suites with
//! `services` keep the CPU count: each worker gets its own copy of the environment, and a guess
//! must not multiply containers. Last, memory: where the jobs' peak memory was measured
//! ([`CpuShare::max_rss`]) and the machine says how much is available, the count is at most
//! what fits in [`MEMORY_SHARE`] of it with every worker at the largest peak seen (at least 1,
//! even below the cores: swapping or the OOM killer cost more than a core left idle).

use std::time::Duration;

use crate::history::CpuShare;

/// At most this many workers per core.
pub const CAP_PER_CORE: usize = 4;
/// The lowest CPU ratio the rule divides by (a suite of pure sleeps measures near 0).
pub const RATIO_FLOOR: f64 = 0.1;
/// A saturated suite is taken to want this much more CPU than it got.
pub const SATURATED_STEP: f64 = 1.5;
/// The share of the available memory the workers may fill at their largest peak.
pub const MEMORY_SHARE: f64 = 0.8;

/// One suite of the run, as the rule sees it.
#[derive(Clone, Debug)]
pub struct SuiteCpu<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its recent jobs' CPU and wall time, if any were measured.
    pub share: Option<CpuShare>,
    /// Its predicted work in this run (the sum of its units' estimates).
    pub work: Duration,
    /// Whether it has `services` (a compose environment per worker).
    pub services: bool,
}

/// What auto chose: the worker count and the sentence that says why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AutoWorkers {
    /// Worker slots.
    pub workers: usize,
    /// Why, for `flotilla plan` and `run --explain` ("auto: 6 workers: …").
    pub reason: String,
}

/// The worker count for `cores` cores, the run's `suites` and `available` bytes of memory (as
/// `MemAvailable` says; `None`: unknown).
#[must_use]
pub fn choose(cores: usize, suites: &[SuiteCpu<'_>], available: Option<u64>) -> AutoWorkers {
    let by_cpu = by_cpu(cores, suites);
    let peak = suites.iter().filter_map(|s| s.share?.max_rss).filter(|&p| p > 0).max();
    let (Some(available), Some(peak)) = (available, peak) else {
        return by_cpu;
    };
    let fits = ((available as f64 * MEMORY_SHARE / peak as f64).floor() as usize).max(1);
    if fits >= by_cpu.workers {
        return by_cpu;
    }
    const MIB: u64 = 1024 * 1024;
    AutoWorkers {
        workers: fits,
        reason: format!(
            "auto: {fits} workers: memory: {} MiB available and a job peaked at {} MiB, so {fits} fit in {:.0}% of it; by CPU alone {}",
            available / MIB,
            peak.div_ceil(MIB),
            MEMORY_SHARE * 100.0,
            by_cpu.reason.trim_start_matches("auto: ")
        ),
    }
}

/// The worker count by CPU share alone (the rule of the module docs, memory aside).
fn by_cpu(cores: usize, suites: &[SuiteCpu<'_>]) -> AutoWorkers {
    let cores = cores.max(1);
    let cap = cores * CAP_PER_CORE;
    let plain = |why: String| AutoWorkers {
        workers: cores,
        reason: format!("auto: {cores} workers (the CPU count): {why}"),
    };
    if let Some(suite) = suites.iter().find(|s| s.services) {
        return plain(format!(
            "suite {} has services, and each worker gets its own copy of them",
            suite.name
        ));
    }
    if suites.iter().all(|s| s.share.is_none()) {
        return plain("no CPU time measured yet (a first run measures it)".to_string());
    }
    let total_work: f64 = suites.iter().map(|s| s.work.as_secs_f64()).sum();
    let weight = |s: &SuiteCpu<'_>| {
        if total_work > 0.0 {
            s.work.as_secs_f64() / total_work
        } else {
            1.0 / suites.len() as f64
        }
    };
    let wanted = |s: &SuiteCpu<'_>| match s.share {
        None => 1.0,
        Some(share) if share.saturated() => (share.ratio() * SATURATED_STEP).min(1.0).max(share.ratio()),
        Some(share) => share.ratio(),
    };
    let ratio: f64 = suites.iter().map(|s| weight(s) * wanted(s)).sum();
    let raw = cores as f64 / ratio.max(RATIO_FLOOR);
    let workers = (raw.round() as usize).clamp(cores, cap);
    let parts: Vec<String> = suites
        .iter()
        .map(|s| match s.share {
            None => format!("suite {} has no CPU time measured yet (counted as CPU-bound)", s.name),
            Some(share) => {
                let saturated = if share.saturated() {
                    ", about all the CPU it could get"
                } else {
                    ""
                };
                format!(
                    "suite {} spent {:.0}% of its wall time on CPU in its last {} jobs{saturated}",
                    s.name,
                    share.ratio() * 100.0,
                    share.jobs
                )
            }
        })
        .collect();
    AutoWorkers {
        workers,
        reason: format!(
            "auto: {workers} workers: {}; {cores} cores, cap {cap}",
            parts.join("; ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn share(ratio: f64, fair_share: f64) -> Option<CpuShare> {
        Some(CpuShare {
            jobs: 20,
            cpu_secs: ratio * 100.0,
            wall_secs: 100.0,
            fair_share,
            last_run_wall_secs: 10.0,
            max_rss: None,
        })
    }

    fn suite(name: &str, share: Option<CpuShare>, work: u64) -> SuiteCpu<'_> {
        SuiteCpu {
            name,
            share,
            work: Duration::from_secs(work),
            services: false,
        }
    }

    #[test]
    fn with_nothing_measured_auto_is_the_cpu_count() {
        let chosen = choose(8, &[suite("a", None, 10)], None);
        assert_eq!(chosen.workers, 8);
        assert!(chosen.reason.contains("no CPU time measured yet"), "{}", chosen.reason);
    }

    #[test]
    fn a_cpu_bound_suite_gets_the_cores() {
        assert_eq!(choose(8, &[suite("a", share(0.95, 1.0), 10)], None).workers, 8);
        assert_eq!(
            choose(8, &[suite("a", share(1.9, 1.0), 10)], None).workers,
            8,
            "never fewer than the cores"
        );
    }

    #[test]
    fn a_suite_that_mostly_waits_gets_more_up_to_the_cap() {
        let chosen = choose(2, &[suite("sleepy", share(0.5, 1.0), 10)], None);
        assert_eq!(chosen.workers, 4);
        assert_eq!(
            chosen.reason,
            "auto: 4 workers: suite sleepy spent 50% of its wall time on CPU in its last 20 jobs; 2 cores, cap 8"
        );
        assert_eq!(
            choose(2, &[suite("sleepy", share(0.01, 1.0), 10)], None).workers,
            8,
            "capped"
        );
    }

    #[test]
    fn suites_weigh_by_their_work_and_unmeasured_ones_count_as_cpu_bound() {
        // 90% of the work waits (ratio 0.1), 10% is not measured (1.0): 0.19 → 2 / 0.19 ≈ 10.5 → cap 8.
        let chosen = choose(2, &[suite("io", share(0.1, 1.0), 90), suite("new", None, 10)], None);
        assert_eq!(chosen.workers, 8);
        assert!(
            chosen.reason.contains("suite new has no CPU time measured yet"),
            "{}",
            chosen.reason
        );
        // Half and half: 0.55 → 2 / 0.55 ≈ 3.6 → 4.
        assert_eq!(
            choose(2, &[suite("io", share(0.1, 1.0), 50), suite("new", None, 50)], None).workers,
            4
        );
    }

    #[test]
    fn a_saturated_suite_comes_down_over_runs() {
        // Measured on 8 workers of 2 cores (a fair share of 0.25 each), it used all of it: it is
        // taken to want 1.5 times more, so the next run has fewer workers, and so on.
        let mut workers = 8;
        let mut seen = vec![workers];
        while workers > 2 {
            let fair = (2.0 / workers as f64).min(1.0);
            workers = choose(2, &[suite("busy", share(fair, fair), 10)], None).workers;
            seen.push(workers);
            assert!(seen.len() < 10, "it comes down: {seen:?}");
        }
        assert_eq!(seen.first(), Some(&8));
        assert_eq!(seen.last(), Some(&2));
    }

    const GIB: u64 = 1024 * 1024 * 1024;

    fn peaking(ratio: f64, peak: u64) -> Option<CpuShare> {
        share(ratio, 1.0).map(|s| CpuShare {
            max_rss: Some(peak),
            ..s
        })
    }

    #[test]
    fn memory_caps_the_count_even_below_the_cores() {
        // Waiting jobs of 1 GiB each with 5 GiB available: 4 fit in 80%, not the 8 the CPU allows.
        let chosen = choose(2, &[suite("io", peaking(0.01, GIB), 10)], Some(5 * GIB));
        assert_eq!(chosen.workers, 4);
        assert_eq!(
            chosen.reason,
            "auto: 4 workers: memory: 5120 MiB available and a job peaked at 1024 MiB, so 4 fit in 80% of it; by CPU alone 8 workers: suite io spent 1% of its wall time on CPU in its last 20 jobs; 2 cores, cap 8"
        );
        // CPU-bound jobs of 3 GiB on 8 cores with 4 GiB available: one at a time.
        assert_eq!(
            choose(8, &[suite("big", peaking(1.0, 3 * GIB), 10)], Some(4 * GIB)).workers,
            1
        );
        // Plenty of memory, or nothing known about it: the CPU rule alone.
        assert_eq!(
            choose(2, &[suite("io", peaking(0.01, GIB), 10)], Some(64 * GIB)).workers,
            8
        );
        assert_eq!(choose(2, &[suite("io", peaking(0.01, GIB), 10)], None).workers, 8);
        assert_eq!(choose(2, &[suite("io", share(0.01, 1.0), 10)], Some(GIB)).workers, 8);
    }

    #[test]
    fn suites_with_services_keep_the_cpu_count() {
        let mut with_services = suite("db", share(0.05, 1.0), 10);
        with_services.services = true;
        let chosen = choose(4, &[with_services], None);
        assert_eq!(chosen.workers, 4);
        assert!(chosen.reason.contains("suite db has services"), "{}", chosen.reason);
    }

    proptest! {
        #[test]
        fn always_between_the_cores_and_the_cap(
            cores in 1usize..64,
            suites in prop::collection::vec((prop::option::of(0.0f64..4.0), 0.05f64..1.0, 0u64..1000), 1..6),
        ) {
            let names: Vec<String> = (0..suites.len()).map(|i| format!("s{i}")).collect();
            let suites: Vec<SuiteCpu<'_>> = suites
                .iter()
                .zip(&names)
                .map(|(&(ratio, fair, work), name)| suite(name, ratio.and_then(|r| share(r, fair)), work))
                .collect();
            let chosen = choose(cores, &suites, None);
            prop_assert!(chosen.workers >= cores && chosen.workers <= cores * CAP_PER_CORE);
            let start = format!("auto: {} workers", chosen.workers);
            prop_assert!(chosen.reason.starts_with(&start), "{}", chosen.reason);
        }

        #[test]
        fn memory_only_ever_lowers_the_count_and_the_peaks_fit(
            cores in 1usize..32,
            ratio in 0.0f64..2.0,
            peak in 1u64..(8 * 1024 * 1024 * 1024),
            available in 0u64..(64 * 1024 * 1024 * 1024),
        ) {
            let by_cpu = choose(cores, &[suite("a", share(ratio, 1.0), 10)], None).workers;
            let chosen = choose(cores, &[suite("a", peaking(ratio, peak), 10)], Some(available));
            prop_assert!(chosen.workers >= 1 && chosen.workers <= by_cpu);
            prop_assert!(
                chosen.workers == 1 || chosen.workers as f64 * peak as f64 <= MEMORY_SHARE * available as f64,
                "{} workers of {peak} bytes in {available}", chosen.workers
            );
            let start = format!("auto: {} workers", chosen.workers);
            prop_assert!(chosen.reason.starts_with(&start), "{}", chosen.reason);
        }

        #[test]
        fn more_cpu_never_means_more_workers(cores in 1usize..16, low in 0.0f64..2.0, more in 0.0f64..2.0) {
            let fewer = choose(cores, &[suite("a", share(low + more, 1.0), 10)], None).workers;
            let base = choose(cores, &[suite("a", share(low, 1.0), 10)], None).workers;
            prop_assert!(fewer <= base);
        }
    }
}

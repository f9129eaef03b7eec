//! Cutting suites into [`Batch`]es, longest first, with sizes that shrink as work drains.
//!
//! For a suite whose command takes many files, each batch gets a budget of
//! `clamp(remaining / (2·workers), 10·startup, total / workers)`: big batches first (start-up is
//! paid rarely), single files at the tail (no straggler), and never more than one worker's share
//! (with a huge start-up cost this degrades gracefully to a static split). When estimates are
//! measured, each worker first gets one batch of [`PlanSuite::first_wave`] of its share (the
//! "hybrid" of static LPT and a queue: start-up is paid once for most of the work, the tail
//! still evens out). Suites whose command takes one file get one batch per file. Units whose
//! estimates tie are taken [`outside_in`] (not in name order), and jobs holding recent
//! failures start early where the makespan allows ([`start_recent_failures_early`]).

use std::time::Duration;

use super::Batch;
use super::cold_order::outside_in;
use super::early_start::start_recent_failures_early;
use super::simulate::Plan;
use crate::runners::BatchMode;
use crate::suite_index::SuiteIndex;
use crate::worker_slot::WorkerSlot;

/// One schedulable unit (today: a test file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanUnit {
    /// Its suite in [`PlanInput::suites`].
    pub suite: SuiteIndex,
    /// Expected duration (never zero).
    pub estimate: Duration,
    /// Bytes it adds to a batch's command line (its argument, its terminating NUL and its
    /// pointer); 0 where it adds none that matters.
    pub argv_bytes: usize,
    /// It failed or was flaky in a recent run: its job starts early if balance allows.
    pub recently_failed: bool,
    /// The test groups it belongs to (indices into [`PlanInput::group_limits`]), sorted.
    pub groups: Vec<usize>,
}

crate::index_by_suite!(PlanSuite);

/// What the planner needs to know about a suite.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanSuite {
    /// One file per job, or batches.
    pub mode: BatchMode,
    /// Fixed cost of starting one job.
    pub startup: Duration,
    /// Size of each worker's first batch as a share of its load (0 = no first wave). Worth it
    /// only when estimates are measured: start-up is then paid once per worker for most work.
    pub first_wave: f64,
    /// Only these worker slots run its jobs (`on-workers`); `None`: any.
    pub on_workers: Option<Vec<WorkerSlot>>,
}

impl PlanSuite {
    /// How many of `workers` slots may run this suite's jobs (at least 1).
    fn slots(&self, workers: usize) -> usize {
        self.on_workers
            .as_ref()
            .map_or(workers, |slots| slots.iter().filter(|s| s.get() <= workers).count())
            .max(1)
    }
}

/// Everything a plan depends on.
#[derive(Clone, Debug, PartialEq)]
pub struct PlanInput {
    /// The suites.
    pub suites: Vec<PlanSuite>,
    /// The units, in a stable order (suite, then file path); units of a suite whose estimates
    /// tie are taken from both ends of this order inwards.
    pub units: Vec<PlanUnit>,
    /// Worker slots (at least 1).
    pub workers: usize,
    /// Each test group's `max-concurrency` (index = group): at most that many of its batches
    /// run at once.
    pub group_limits: Vec<usize>,
}

/// Budget multiple of the start-up cost: keeps start-up under ~10% of a batch.
const STARTUP_MULTIPLE: u32 = 10;

/// The most command-line bytes one batch's units may take. Linux refuses to start a program
/// whose arguments and environment exceed `ARG_MAX` (2 MiB here, counting each argument's
/// pointer): half of it is left for the runner's own arguments and the environment.
pub const MAX_BATCH_ARGV_BYTES: usize = 1 << 20;

/// Plans `input`: batches in dispatch order plus the predicted per-worker load.
#[must_use]
pub fn plan(input: &PlanInput) -> Plan {
    let workers = input.workers.max(1);
    let mut order: Vec<usize> = (0..input.units.len()).collect();
    // By suite and groups (units of different groups never share a batch), then longest
    // first; equal estimates (a suite with no history: all of them) outside in.
    let class = |i: usize| (input.units[i].suite, &input.units[i].groups);
    order.sort_by(|&a, &b| {
        class(a)
            .cmp(&class(b))
            .then(input.units[b].estimate.cmp(&input.units[a].estimate))
            .then(a.cmp(&b))
    });
    let key = |i: usize| (class(i), input.units[i].estimate);
    for tie in order.chunk_by_mut(|&a, &b| key(a) == key(b)) {
        let spread = outside_in(tie);
        tie.copy_from_slice(&spread);
    }
    let mut batches = Vec::new();
    for members in order.chunk_by(|&a, &b| class(a) == class(b)) {
        let (suite, groups) = class(members[0]);
        let first = batches.len();
        cut_suite(input, suite, members, workers, group_cap(input, groups), &mut batches);
        let cut: Vec<Batch> = batches.drain(first..).collect();
        batches.extend(
            cut.into_iter()
                .flat_map(|batch| fit_command_line(input, batch))
                .map(|batch| Batch {
                    groups: groups.clone(),
                    ..batch
                }),
        );
    }
    order_by_critical_path(&mut batches, &input.group_limits);
    let pinned: Vec<Option<Vec<WorkerSlot>>> = input.suites.iter().map(|s| s.on_workers.clone()).collect();
    start_recent_failures_early(
        batches,
        &|u| input.units[u].recently_failed,
        workers,
        &pinned,
        &input.group_limits,
    )
}

/// How many workers at most can share the work of units of `groups`: the smallest
/// `max-concurrency` of its groups (no limit without groups).
fn group_cap(input: &PlanInput, groups: &[usize]) -> usize {
    groups
        .iter()
        .filter_map(|&g| input.group_limits.get(g))
        .fold(usize::MAX, |cap, &limit| cap.min(limit.max(1)))
}

/// Longest first, where a grouped batch counts as long as its group's chain (the group's work
/// over its `max-concurrency`), if that is longer: a group whose work forms the critical path
/// starts at once instead of queueing behind ungrouped work it could have run beside. Without
/// groups this is plain longest first.
fn order_by_critical_path(batches: &mut [Batch], limits: &[usize]) {
    let mut work = vec![Duration::ZERO; limits.len()];
    for batch in batches.iter() {
        for &g in &batch.groups {
            if let Some(work) = work.get_mut(g) {
                *work += batch.estimate;
            }
        }
    }
    let chain = |g: usize| {
        work.get(g).map_or(Duration::ZERO, |w| {
            *w / u32::try_from(limits[g].max(1)).unwrap_or(u32::MAX)
        })
    };
    batches.sort_by_cached_key(|batch| {
        let priority = batch
            .groups
            .iter()
            .map(|&g| chain(g))
            .fold(batch.estimate, Duration::max);
        (std::cmp::Reverse(priority), std::cmp::Reverse(batch.estimate))
    });
}

/// Cuts `units` (of one suite and one set of groups) into batches for the slots of `workers`
/// the suite may use, at most `cap` of them (its groups' `max-concurrency`).
fn cut_suite(input: &PlanInput, suite: SuiteIndex, units: &[usize], workers: usize, cap: usize, out: &mut Vec<Batch>) {
    let settings = &input.suites[suite];
    // A pinned suite is shared among its own slots only; a group's work among as many as it
    // may run at once.
    let workers = settings.slots(workers).min(cap);
    let estimate = |i: usize| input.units[i].estimate;
    if settings.mode == BatchMode::PerFile {
        out.extend(units.iter().map(|&i| Batch {
            suite,
            units: vec![i],
            estimate: settings.startup + estimate(i),
            groups: Vec::new(),
        }));
        return;
    }
    let total: Duration = units.iter().map(|&i| estimate(i)).sum();
    let share = total / u32::try_from(workers).unwrap_or(u32::MAX);
    let tail = if settings.first_wave > 0.0 {
        first_wave(
            units,
            &estimate,
            workers,
            share.mul_f64(settings.first_wave.min(1.0)),
            suite,
            settings,
            out,
        )
    } else {
        units.to_vec()
    };
    let floor = settings.startup * STARTUP_MULTIPLE;
    let mut remaining: Duration = tail.iter().map(|&i| estimate(i)).sum();
    // The floor saves start-ups, but never at the price of a worker sitting out the tail: a
    // tail smaller than the floor per worker is still shared by every worker.
    let floor = floor.min(remaining / u32::try_from(workers).unwrap_or(u32::MAX));
    let mut next = 0;
    while next < tail.len() {
        let target = remaining / u32::try_from(2 * workers).unwrap_or(u32::MAX);
        let budget = target.max(floor).min(share.max(Duration::from_nanos(1)));
        let mut sum = estimate(tail[next]);
        let mut end = next + 1;
        while end < tail.len() && sum + estimate(tail[end]) <= budget {
            sum += estimate(tail[end]);
            end += 1;
        }
        out.push(Batch {
            suite,
            units: tail[next..end].to_vec(),
            estimate: settings.startup + sum,
            groups: Vec::new(),
        });
        remaining = remaining.saturating_sub(sum);
        next = end;
    }
}

/// `batch`, cut into consecutive pieces whose units fit one command line
/// ([`MAX_BATCH_ARGV_BYTES`]); each piece pays the suite's start-up.
fn fit_command_line(input: &PlanInput, batch: Batch) -> Vec<Batch> {
    let bytes: usize = batch.units.iter().map(|&u| input.units[u].argv_bytes).sum();
    if bytes <= MAX_BATCH_ARGV_BYTES {
        return vec![batch];
    }
    let startup = input.suites[batch.suite].startup;
    let mut pieces = Vec::new();
    let mut units = Vec::new();
    let mut size = 0;
    let mut sum = Duration::ZERO;
    for unit in batch.units {
        let unit_bytes = input.units[unit].argv_bytes;
        if !units.is_empty() && size + unit_bytes > MAX_BATCH_ARGV_BYTES {
            pieces.push(Batch {
                suite: batch.suite,
                units: std::mem::take(&mut units),
                estimate: startup + sum,
                groups: batch.groups.clone(),
            });
            size = 0;
            sum = Duration::ZERO;
        }
        size += unit_bytes;
        sum += input.units[unit].estimate;
        units.push(unit);
    }
    pieces.push(Batch {
        suite: batch.suite,
        units,
        estimate: startup + sum,
        groups: batch.groups,
    });
    pieces
}

/// Static LPT into one batch per worker, each at most `cap`: every unit (longest first) goes to
/// the least-loaded batch it fits in. Returns the units left for the tail, longest first.
fn first_wave(
    units: &[usize],
    estimate: &impl Fn(usize) -> Duration,
    workers: usize,
    cap: Duration,
    suite: SuiteIndex,
    settings: &PlanSuite,
    out: &mut Vec<Batch>,
) -> Vec<usize> {
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); workers];
    let mut loads: std::collections::BinaryHeap<std::cmp::Reverse<(Duration, usize)>> = (0..workers)
        .map(|bin| std::cmp::Reverse((Duration::ZERO, bin)))
        .collect();
    let mut tail = Vec::new();
    for &unit in units {
        let std::cmp::Reverse((load, bin)) = loads.pop().expect("at least one worker");
        if load + estimate(unit) <= cap {
            members[bin].push(unit);
            loads.push(std::cmp::Reverse((load + estimate(unit), bin)));
        } else {
            loads.push(std::cmp::Reverse((load, bin)));
            tail.push(unit);
        }
    }
    let mut bins: Vec<(Duration, Vec<usize>)> = vec![(Duration::ZERO, Vec::new()); workers];
    for std::cmp::Reverse((load, bin)) in loads {
        bins[bin] = (load, std::mem::take(&mut members[bin]));
    }
    out.extend(
        bins.into_iter()
            .filter(|(_, members)| !members.is_empty())
            .map(|(load, members)| Batch {
                suite,
                units: members,
                estimate: settings.startup + load,
                groups: Vec::new(),
            }),
    );
    tail
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn slot(number: usize) -> WorkerSlot {
        WorkerSlot::new(number).unwrap()
    }

    fn input(estimates: &[(usize, u64)], modes: &[BatchMode], startup_ms: u64, workers: usize) -> PlanInput {
        PlanInput {
            suites: modes
                .iter()
                .map(|&mode| PlanSuite {
                    mode,
                    startup: Duration::from_millis(startup_ms),
                    first_wave: 0.0,
                    on_workers: None,
                })
                .collect(),
            units: estimates
                .iter()
                .map(|&(suite, ms)| PlanUnit {
                    suite: SuiteIndex::new(suite),
                    estimate: Duration::from_millis(ms.max(1)),
                    argv_bytes: 0,
                    recently_failed: false,
                    groups: Vec::new(),
                })
                .collect(),
            workers,
            group_limits: Vec::new(),
        }
    }

    #[test]
    fn no_batch_outgrows_a_command_line() {
        let mut input = input(&vec![(0, 10); 3_000], &[BatchMode::Batch], 0, 2);
        for unit in &mut input.units {
            unit.argv_bytes = 1_000;
        }
        let plan = plan(&input);
        let mut seen: Vec<usize> = plan.batches.iter().flat_map(|b| b.units.clone()).collect();
        seen.sort_unstable();
        assert_eq!(seen, (0..3_000).collect::<Vec<_>>(), "every unit exactly once");
        for batch in &plan.batches {
            assert!(
                batch.units.len() * 1_000 <= MAX_BATCH_ARGV_BYTES,
                "{} units",
                batch.units.len()
            );
        }
        assert!(
            plan.batches.len() >= 3,
            "3 MB of arguments need at least 3 command lines"
        );
    }

    #[test]
    fn batches_shrink_towards_the_tail() {
        let estimates: Vec<(usize, u64)> = (0..100).map(|_| (0, 100)).collect();
        let plan = plan(&input(&estimates, &[BatchMode::Batch], 0, 4));
        let sizes: Vec<usize> = plan.batches.iter().map(|b| b.units.len()).collect();
        assert!(sizes[0] > 5, "{sizes:?}");
        assert_eq!(*sizes.last().unwrap(), 1, "{sizes:?}");
        assert!(sizes.windows(2).all(|w| w[0] >= w[1]), "{sizes:?}");
    }

    #[test]
    fn a_first_wave_pays_start_up_once_per_worker() {
        let estimates: Vec<(usize, u64)> = (0..100).map(|i| (0, 100 + i)).collect();
        let mut input = input(&estimates, &[BatchMode::Batch], 0, 4);
        let without = plan(&input).batches.len();
        input.suites[0].first_wave = 0.85;
        let with = plan(&input);
        assert!(with.batches.len() < without, "{} vs {without}", with.batches.len());
        let share = with.total / 4;
        assert!(
            with.batches[..4]
                .iter()
                .all(|b| b.estimate <= share && b.estimate >= share.mul_f64(0.8))
        );
    }

    #[test]
    fn a_tail_smaller_than_the_floor_is_still_shared_by_every_worker() {
        // networkx's case: a first wave of 85% per worker leaves 15 s of small files, under
        // the floor of 10 start-ups (22.5 s), which once went to one worker as one batch
        // while the other sat idle.
        let estimates: Vec<(usize, u64)> = (0..300).map(|i| (0, 100 + i % 7 * 200)).collect();
        let mut input = input(&estimates, &[BatchMode::Batch], 2_250, 2);
        input.suites[0].first_wave = 0.85;
        let plan = plan(&input);
        assert!(plan.batches.len() >= 4, "{} batches", plan.batches.len());
        // Even to within one start-up and the largest file, not 15% of the work on one side.
        let even = plan.total / 2 + Duration::from_millis(2_250 + 1_300);
        assert!(plan.makespan <= even, "{:?} against {even:?}", plan.makespan);
    }

    #[test]
    fn huge_startup_degrades_to_one_share_per_worker() {
        let estimates: Vec<(usize, u64)> = (0..40).map(|_| (0, 100)).collect();
        let plan = plan(&input(&estimates, &[BatchMode::Batch], 60_000, 4));
        assert_eq!(plan.batches.len(), 4);
        assert!(plan.batches.iter().all(|b| b.units.len() == 10));
    }

    #[test]
    fn per_file_suites_get_one_file_per_job_longest_first() {
        let plan = plan(&input(&[(0, 5), (0, 50), (0, 20)], &[BatchMode::PerFile], 0, 2));
        let order: Vec<usize> = plan.batches.iter().map(|b| b.units[0]).collect();
        assert_eq!(order, vec![1, 2, 0]);
        assert_eq!(plan.makespan, Duration::from_millis(50));
    }

    #[test]
    fn a_pinned_suite_is_planned_on_its_own_workers() {
        // Suite 1 may only run on worker 3: its 6 s of work cannot be shared.
        let mut estimates: Vec<(usize, u64)> = (0..30).map(|_| (0, 100)).collect();
        estimates.extend((0..6).map(|_| (1, 1_000)));
        let mut input = input(&estimates, &[BatchMode::Batch, BatchMode::PerFile], 0, 3);
        input.suites[1].on_workers = Some(vec![slot(3)]);
        let plan = plan(&input);
        for (worker, load) in plan.loads() {
            for &batch in &load.batches {
                assert!(
                    plan.batches[batch].suite == SuiteIndex::new(0) || worker == slot(3),
                    "suite 1 on worker {worker}"
                );
            }
        }
        assert_eq!(plan.workers[2].load, Duration::from_secs(6));
        assert_eq!(plan.makespan, Duration::from_secs(6));
        // Suite 0 is shared by the two other workers, not queued behind suite 1.
        assert!(plan.workers[0].load + plan.workers[1].load == Duration::from_secs(3));
    }

    #[test]
    fn a_pinned_suite_is_cut_for_its_own_slots() {
        let estimates: Vec<(usize, u64)> = (0..64).map(|_| (0, 100)).collect();
        let mut input = input(&estimates, &[BatchMode::Batch], 0, 8);
        input.suites[0].first_wave = 1.0;
        let spread = plan(&input);
        input.suites[0].on_workers = Some(vec![slot(1), slot(2)]);
        let pinned = plan(&input);
        // A first wave of one batch per slot: 8 batches when spread, 2 when pinned to 2 slots.
        assert_eq!(spread.batches.len(), 8);
        assert_eq!(pinned.batches.len(), 2);
        assert!(pinned.workers[2..].iter().all(|w| w.batches.is_empty()));
    }

    /// A 200-file heavy-tailed suite: mostly 30-1000 ms, six files of 3 s (per-file jobs).
    fn heavy_tailed(workers: usize) -> PlanInput {
        let estimates: Vec<(usize, u64)> = (0..200u64)
            .map(|i| (0, if i % 33 == 7 { 3_000 } else { 30 + (i * 7_919) % 970 }))
            .collect();
        input(&estimates, &[BatchMode::PerFile], 5, workers)
    }

    #[test]
    fn a_short_recent_failure_starts_first_without_costing_balance() {
        let mut input = heavy_tailed(8);
        let plain = plan(&input);
        let short = (0..200).min_by_key(|&u| input.units[u].estimate).unwrap();
        input.units[short].recently_failed = true;
        let early = plan(&input);
        assert_eq!(
            early.batches[0].units,
            vec![short],
            "the recent failure is dispatched first"
        );
        assert!(plain.batches.iter().position(|b| b.units == vec![short]).unwrap() > 150);
        assert!(early.makespan <= super::super::early_start::early_start_bound(plain.makespan));
    }

    #[test]
    fn a_recent_failure_that_would_cost_balance_at_the_front_goes_first_among_its_peers() {
        // On 3 workers the plain plan takes 10 s; a 1 s job ahead of the 10 s one makes 11 s
        // (10% worse), so it goes first among the 1 s jobs instead.
        let estimates = [10_000, 6_000, 5_000, 5_000, 1_000, 1_000, 1_000].map(|ms| (0, ms));
        let mut input = input(&estimates, &[BatchMode::PerFile], 0, 3);
        let plain = plan(&input);
        input.units[5].recently_failed = true;
        let early = plan(&input);
        assert_eq!(early.makespan, plain.makespan);
        let order: Vec<usize> = early.batches.iter().map(|b| b.units[0]).collect();
        assert_eq!(order, vec![0, 1, 3, 2, 5, 6, 4]);
    }

    #[test]
    fn in_a_batch_the_recent_failures_run_first() {
        let mut input = input(&vec![(0, 100); 40], &[BatchMode::Batch], 0, 2);
        input.units[17].recently_failed = true;
        let plan = plan(&input);
        let batch = plan.batches.iter().find(|b| b.units.contains(&17)).unwrap();
        assert_eq!(batch.units[0], 17);
        assert_eq!(plan.batches[0].units[0], 17, "{:?}", plan.batches);
    }

    #[test]
    fn cold_units_are_taken_outside_in_not_in_name_order() {
        let plan = plan(&input(&[(0, 1_000); 5], &[BatchMode::PerFile], 0, 2));
        let order: Vec<usize> = plan.batches.iter().map(|b| b.units[0]).collect();
        assert_eq!(order, vec![4, 0, 3, 1, 2]);
    }

    fn plan_again(input: &PlanInput) -> Plan {
        plan(&input.clone())
    }

    fn arb_input() -> impl Strategy<Value = PlanInput> {
        (
            prop::collection::vec((0usize..3, 1u64..10_000), 0..300),
            prop::collection::vec(prop::bool::ANY, 3),
            0u64..2_000,
            1usize..70,
            prop::bool::ANY,
            prop::collection::vec(prop::bool::weighted(0.05), 300),
        )
            .prop_map(|(estimates, modes, startup, workers, wave, failed)| {
                let modes: Vec<BatchMode> = modes
                    .into_iter()
                    .map(|b| if b { BatchMode::Batch } else { BatchMode::PerFile })
                    .collect();
                let mut input = input(&estimates, &modes, startup, workers);
                for suite in &mut input.suites {
                    suite.first_wave = if wave { 0.85 } else { 0.0 };
                }
                for (unit, failed) in input.units.iter_mut().zip(failed) {
                    unit.recently_failed = failed;
                }
                input
            })
    }

    /// [`arb_input`] with some suites pinned to a non-empty subset of the workers.
    fn arb_pinned_input() -> impl Strategy<Value = PlanInput> {
        (
            arb_input(),
            prop::collection::vec(prop::collection::vec(prop::bool::ANY, 70), 3),
        )
            .prop_map(|(mut input, masks)| {
                let workers = input.workers;
                for (suite, mask) in input.suites.iter_mut().zip(masks) {
                    let slots: Vec<WorkerSlot> = WorkerSlot::all(workers).filter(|w| mask[w.index()]).collect();
                    // Pin only some suites; an empty mask leaves the suite free.
                    if !slots.is_empty() && mask[69] {
                        suite.on_workers = Some(slots);
                    }
                }
                input
            })
    }

    /// Most batches of each group running at one instant of the plan's simulation (a batch
    /// ending at `t` makes room for one starting at `t`), and when the last batch ends. The
    /// simulation is replayed to see when each batch starts.
    fn most_running_per_group(plan: &Plan, input: &PlanInput) -> (Vec<usize>, Duration) {
        let groups = input.group_limits.len();
        let pinned: Vec<Option<Vec<WorkerSlot>>> = input.suites.iter().map(|s| s.on_workers.clone()).collect();
        let mut events: Vec<(Duration, i32, usize)> = Vec::new();
        let mut last_end = Duration::ZERO;
        let replay = super::super::simulate::simulate_observed(
            plan.batches.clone(),
            plan.workers.len(),
            &pinned,
            &input.group_limits,
            &mut |start, _, batch| {
                let end = start + plan.batches[batch].estimate;
                last_end = last_end.max(end);
                for &group in &plan.batches[batch].groups {
                    events.push((start, 1, group));
                    events.push((end, -1, group));
                }
            },
        );
        assert_eq!(replay.workers, plan.workers, "the replay is the plan");
        events.sort();
        let mut running = vec![0i32; groups];
        let mut most = vec![0usize; groups];
        for (_, change, group) in events {
            running[group] += change;
            most[group] = most[group].max(usize::try_from(running[group]).unwrap_or(0));
        }
        (most, last_end)
    }

    fn grouped(input: &mut PlanInput, units: std::ops::Range<usize>, groups: &[usize]) {
        for unit in &mut input.units[units] {
            unit.groups = groups.to_vec();
        }
    }

    #[test]
    fn a_group_of_one_runs_one_batch_at_a_time_and_starts_first_when_it_is_the_critical_path() {
        // 10 s of a one-at-a-time group beside 40 s of free work on 4 workers.
        let mut input = input(&[(0, 1_000); 50], &[BatchMode::PerFile], 0, 4);
        input.group_limits = vec![1];
        grouped(&mut input, 40..50, &[0]);
        let plan = plan(&input);
        assert_eq!(most_running_per_group(&plan, &input).0, [1]);
        assert!(plan.batches[0].groups == [0], "the group's chain starts at once");
        // The group keeps one worker busy for 10 s while three share the 40 s: 40/3 s.
        assert!(plan.makespan <= Duration::from_millis(13_400), "{:?}", plan.makespan);
        assert!(
            plan.batches
                .iter()
                .all(|b| b.groups.is_empty() || b.units.iter().all(|&u| u >= 40)),
            "grouped files batched apart"
        );
    }

    #[test]
    fn a_group_of_two_is_batched_for_two_workers_and_never_mixed_with_other_files() {
        let mut input = input(&[(0, 100); 80], &[BatchMode::Batch], 0, 8);
        input.group_limits = vec![2, 1];
        grouped(&mut input, 0..40, &[0]);
        grouped(&mut input, 40..50, &[1]);
        let plan = plan(&input);
        for batch in &plan.batches {
            for &unit in &batch.units {
                assert_eq!(input.units[unit].groups, batch.groups, "{batch:?}");
            }
        }
        assert_eq!(most_running_per_group(&plan, &input).0, [2, 1]);
        let workers_of_group_0 = plan
            .workers
            .iter()
            .filter(|w| w.batches.iter().any(|&b| plan.batches[b].groups == [0]))
            .count();
        assert!(workers_of_group_0 >= 2, "a group of two spreads over two workers");
        // The 4 s of group 0 over 2 slots is the critical path: 2 s, not the 1 s of 8 s / 8.
        assert!(plan.makespan >= Duration::from_secs(2));
        assert!(plan.makespan <= Duration::from_millis(2_600), "{:?}", plan.makespan);
    }

    #[test]
    fn without_groups_the_plan_and_its_hash_are_unchanged_by_group_limits_alone() {
        let mut input = heavy_tailed(8);
        let plain = plan(&input);
        input.group_limits = vec![1, 3];
        let limited = plan(&input);
        assert_eq!(plain, limited, "no unit belongs to a group");
    }

    /// [`arb_input`] with units in groups 0, 1, both or none, and random limits.
    fn arb_grouped_input() -> impl Strategy<Value = PlanInput> {
        (
            arb_input(),
            prop::collection::vec(0u8..6, 300),
            prop::collection::vec(1usize..4, 2),
        )
            .prop_map(|(mut input, memberships, limits)| {
                input.group_limits = limits;
                for (unit, membership) in input.units.iter_mut().zip(memberships) {
                    unit.groups = match membership {
                        0 => vec![0],
                        1 => vec![1],
                        2 => vec![0, 1],
                        _ => Vec::new(),
                    };
                }
                input
            })
    }

    proptest! {
        #[test]
        fn no_instant_has_more_of_a_group_running_than_its_limit(input in arb_grouped_input()) {
            let plan = plan(&input);
            let mut seen = vec![0usize; input.units.len()];
            for batch in &plan.batches {
                for &unit in &batch.units {
                    prop_assert_eq!(&input.units[unit].groups, &batch.groups);
                    seen[unit] += 1;
                }
            }
            prop_assert!(seen.iter().all(|&n| n == 1));
            let assigned: usize = plan.workers.iter().map(|w| w.batches.len()).sum();
            prop_assert_eq!(assigned, plan.batches.len(), "every batch is simulated once");
            let (most, last_end) = most_running_per_group(&plan, &input);
            for (group, (&most, &limit)) in most.iter().zip(&input.group_limits).enumerate() {
                prop_assert!(most <= limit, "group {}: {} running", group, most);
            }
            prop_assert_eq!(plan.makespan, last_end);
            for group in 0..2 {
                let work: Duration = plan.batches.iter().filter(|b| b.groups.contains(&group)).map(|b| b.estimate).sum();
                let limit = u32::try_from(input.group_limits[group]).unwrap();
                prop_assert!(plan.makespan + Duration::from_nanos(u64::from(limit)) >= work / limit);
            }
        }

        #[test]
        fn pinned_jobs_go_only_to_their_slots_and_all_are_planned(input in arb_pinned_input()) {
            let plan = plan(&input);
            let mut seen = vec![0usize; input.units.len()];
            for batch in &plan.batches {
                for &unit in &batch.units {
                    seen[unit] += 1;
                }
            }
            prop_assert!(seen.iter().all(|&n| n == 1));
            let mut assigned = 0;
            for (worker, load) in plan.loads() {
                for &batch in &load.batches {
                    let suite = &input.suites[plan.batches[batch].suite];
                    prop_assert!(suite.on_workers.as_ref().is_none_or(|slots| slots.contains(&worker)));
                    assigned += 1;
                }
            }
            prop_assert_eq!(assigned, plan.batches.len());
            let same = plan_again(&input);
            prop_assert_eq!(plan.hash, same.hash);
            prop_assert_eq!(plan.workers, same.workers);
        }

        #[test]
        fn every_unit_is_scheduled_exactly_once(input in arb_input()) {
            let plan = plan(&input);
            let mut seen = vec![0usize; input.units.len()];
            for batch in &plan.batches {
                prop_assert!(!batch.units.is_empty());
                for &unit in &batch.units {
                    prop_assert_eq!(input.units[unit].suite, batch.suite);
                    seen[unit] += 1;
                }
            }
            prop_assert!(seen.iter().all(|&n| n == 1));
            let assigned: usize = plan.workers.iter().map(|w| w.batches.len()).sum();
            prop_assert_eq!(assigned, plan.batches.len());
        }

        #[test]
        fn starting_recent_failures_early_costs_at_most_three_percent(input in arb_input()) {
            let early = plan(&input);
            let mut plain_input = input.clone();
            for unit in &mut plain_input.units {
                unit.recently_failed = false;
            }
            let plain = plan(&plain_input);
            prop_assert!(early.makespan <= plain.makespan + plain.makespan * 3 / 100);
            prop_assert_eq!(early.total, plain.total);
            prop_assert_eq!(early.batches.len(), plain.batches.len());
        }

        #[test]
        fn same_input_same_plan(input in arb_input()) {
            let a = plan(&input);
            let b = plan(&input.clone());
            prop_assert_eq!(a.hash, b.hash);
            prop_assert_eq!(a.batches, b.batches);
        }

        #[test]
        fn makespan_respects_the_lower_bound(input in arb_input()) {
            let plan = plan(&input);
            let total: Duration = plan.batches.iter().map(|b| b.estimate).sum();
            let longest = plan.batches.iter().map(|b| b.estimate).max().unwrap_or_default();
            let bound = (total / u32::try_from(plan.workers.len()).unwrap()).max(longest);
            prop_assert!(plan.makespan + Duration::from_nanos(plan.workers.len() as u64) >= bound);
            // List scheduling guarantee: makespan ≤ total/W + longest.
            prop_assert!(plan.makespan <= total / u32::try_from(plan.workers.len()).unwrap() + longest + Duration::from_micros(1));
        }
    }
}

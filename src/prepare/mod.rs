//! Everything known before the first job starts, in two phases. [`load`] reads the settings:
//! the CI context, the configuration with the chosen profile, and the discovered files (no
//! process runs, so a bad config fails before a run folder exists). [`prepare`] then goes
//! history → quarantine → estimates → listing the tests of big files → one [`StepPlan`] per
//! test step. Shared by `run`, `plan` and `list`.

pub mod auto_workers;
mod listing;
mod memory_available;
mod node_share;
mod recent_failures;
mod rerun;
mod split;
mod split_worth;
mod steps;
mod timing;

use std::collections::HashMap;
use std::time::Duration;

use camino::Utf8Path;
use tokio::sync::watch;

pub use listing::ListingError;
pub use node_share::NodeRun;
use recent_failures::RecentFailures;
pub use rerun::RerunFailed;
use split::split_file;
pub use steps::{StepPlan, pipeline_steps};
use timing::{first_wave, timing_match, timing_warning};

use crate::config::{Config, Overrides, Split, Step};
use crate::discover::discover;
use crate::error::Error;
use crate::exec::Shutdown;
use crate::history::{Estimate, EstimateSource, History, Startup, estimate_by_size, estimate_suite};
use crate::quarantine::QuarantineMode;
use crate::runners::{ListedTest, Target};
use crate::suite_index::SuiteIndex;
use auto_workers::{AutoWorkers, SuiteCpu};

/// A file is split into its tests when its estimate exceeds this share of one worker's load
/// (the load of its own test step).
const SPLIT_SHARE: f64 = 0.5;
/// With measured estimates, each worker's first batch is this share of its load.
const FIRST_WAVE: f64 = 0.85;
/// Cold suites of up to this many files are estimated by file size (one `stat` each); bigger
/// ones keep the default, so a first run of a huge suite does not wait on the disk.
const SIZE_HINT_MOST_FILES: usize = 50_000;
/// Below this share of units with history, the run warns.
const TIMING_MATCH_WARNING: f64 = 0.95;

/// One schedulable unit: a file, or a test split out of a big file.
#[derive(Clone, Debug)]
pub struct Unit {
    pub suite: SuiteIndex,
    pub target: Target,
    pub estimate: Estimate,
}

/// The settings of a command and the files they select: read before anything runs.
pub struct Loaded {
    pub config: Config,
    /// The CI context the profile was chosen from.
    pub ci: crate::ci::CiContext,
    /// Per suite (config order), its discovered units (files, go packages, test binaries).
    pub discovered: Vec<Vec<String>>,
    /// Things the user should know (from the CI context).
    pub warnings: Vec<String>,
    /// On a node of a parallel step: which node, and where its share comes from (set by the
    /// command after [`load`]; `None` runs the whole selection).
    pub node: Option<crate::nodes::NodeRequest>,
    /// What `workers = "auto"` chose and why (set by [`choose_workers`]).
    pub auto_workers: Option<AutoWorkers>,
    /// `--rerun-failed`: (suite index, file) → the only tests of that file to plan, where its
    /// runner can address single tests (set by [`RerunFailed::narrow`]; empty: whole files).
    pub only_tests: HashMap<(SuiteIndex, String), Vec<String>>,
}

/// What a listing did, as it happens (the runner turns these into events).
#[derive(Clone, Copy, Debug)]
pub enum ListingNews<'a> {
    /// The runner of `suite` is asked for the tests of `files` big files.
    Started { suite: &'a str, files: usize },
    /// It answered with `tests` tests (or failed: `failed`), after `duration`.
    Finished {
        suite: &'a str,
        tests: usize,
        duration: Duration,
        failed: bool,
    },
}

/// Everything known before the first job starts.
pub struct Prepared {
    pub config: Config,
    /// The CI context the profile was chosen from.
    pub ci: crate::ci::CiContext,
    pub units: Vec<Unit>,
    pub startups: Vec<Startup>,
    /// The pipeline as it runs: the `[[step]]`s, or one implicit test step of every suite.
    pub steps: Vec<Step>,
    /// One plan per test step, in pipeline order.
    pub plans: Vec<StepPlan>,
    pub history: History,
    /// Files and split-out tests not run because quarantine skips them, per suite.
    pub skipped: Vec<(SuiteIndex, Target)>,
    /// Things the user should know (split failures, low timing match).
    pub warnings: Vec<String>,
    /// Share of units whose estimate comes from their own history.
    pub timing_match: f64,
    /// Per suite, the big files run whole because splitting them would cost more start-ups
    /// than it gains (`split_worth`).
    pub kept_whole: Vec<usize>,
    /// An interrupt came while preparing (listing was stopped): nothing should start.
    pub interrupted: bool,
    /// On a node of a parallel step: its share, and the whole plan it is a share of.
    pub node: Option<NodeRun>,
    /// What `workers = "auto"` chose and why.
    pub auto_workers: Option<AutoWorkers>,
}

impl Prepared {
    /// The predicted wall time of the whole run: the test steps run one after the other.
    #[must_use]
    pub fn predicted(&self) -> Duration {
        self.plans.iter().map(|p| p.plan.makespan).sum()
    }

    /// One fingerprint of every test step's plan (a single step's is its plan's own hash).
    #[must_use]
    pub fn plan_hash(&self) -> u64 {
        match self.plans.as_slice() {
            [only] => only.plan.hash,
            plans => plans.iter().fold(0xcbf2_9ce4_8422_2325_u64, |hash, p| {
                (hash ^ p.plan.hash).wrapping_mul(0x0100_0000_01b3)
            }),
        }
    }

    /// How many jobs the plans hold.
    #[must_use]
    pub fn job_count(&self) -> usize {
        self.plans.iter().map(|p| p.plan.batches.len()).sum()
    }

    /// How many distinct files are scheduled.
    #[must_use]
    pub fn file_count(&self) -> usize {
        let mut files: Vec<(SuiteIndex, &str)> = self.units.iter().map(|u| (u.suite, u.target.file.as_str())).collect();
        files.dedup();
        files.len()
    }
}

/// Reads the settings and discovers the files; runs no process.
pub fn load(config_path: &Utf8Path, overrides: &Overrides) -> Result<Loaded, Error> {
    // The command's settings detected the CI from their variables; without them, no CI.
    let ci = match &overrides.ci {
        Some(ci) => ci.clone(),
        None => crate::ci::detect(&|_| None).expect("an empty environment is a valid CI context"),
    };
    let config = Config::load(config_path, overrides)?;
    let discovered: Vec<Vec<String>> = discover(&config.root, &config.suites)?
        .into_iter()
        .zip(&config.suites)
        .map(|(found, suite)| suite.command.adapter().units(&config.root, found))
        .collect();
    for (suite, found) in config.suites.iter().zip(&discovered) {
        if found.is_empty() {
            return Err(config
                .error_at(
                    suite.files_span.clone(),
                    format!("no files matched `files` of suite `{}`", suite.name),
                    Some(format!(
                        "patterns are relative to {} (the config's folder); files ignored by .gitignore or inside hidden folders are skipped",
                        config.root
                    )),
                )
                .into());
        }
    }
    let warnings = ci.warnings.iter().map(ToString::to_string).collect();
    Ok(Loaded {
        config,
        ci,
        discovered,
        warnings,
        node: None,
        auto_workers: None,
        only_tests: HashMap::new(),
    })
}

/// For `workers = "auto"`: chooses the worker count from the CPU time the history measured
/// ([`auto_workers::choose`]), puts it in `loaded`'s config (and its `workers` setting, which
/// `--explain` prints) and keeps the choice on `loaded`. Call before anything reads the
/// worker count. Each suite weighs by its jobs' wall time in its newest measured run; a suite
/// not measured yet by the mean of the others. Without a history file, nothing is opened (and
/// nothing created): auto is the CPU count.
pub fn choose_workers(loaded: &mut Loaded) {
    let config = &mut loaded.config;
    if !config.run.workers_auto {
        return;
    }
    let cores = crate::config::Workers::Auto.resolve();
    let shares: Vec<Option<crate::history::CpuShare>> = if config.run.history.exists() {
        let mut history = History::open(&config.run.history);
        config
            .suites
            .iter()
            .map(|suite| history.cpu_share(&suite.name))
            .collect()
    } else {
        vec![None; config.suites.len()]
    };
    let measured: Vec<f64> = shares.iter().flatten().map(|s| s.last_run_wall_secs).collect();
    let mean = if measured.is_empty() {
        1.0
    } else {
        measured.iter().sum::<f64>() / measured.len() as f64
    };
    let chosen = {
        let suites: Vec<SuiteCpu<'_>> = config
            .suites
            .iter()
            .zip(&shares)
            .map(|(suite, share)| SuiteCpu {
                name: &suite.name,
                share: *share,
                work: Duration::try_from_secs_f64(share.map_or(mean, |s| s.last_run_wall_secs)).unwrap_or_default(),
                services: suite.services.is_some(),
            })
            .collect();
        auto_workers::choose(cores, &suites, memory_available::memory_available())
    };
    config.run.workers = chosen.workers;
    if let Some(setting) = config.settings.iter_mut().find(|s| s.key == "workers") {
        setting.value.clone_from(&chosen.reason);
    }
    loaded.auto_workers = Some(chosen);
}

/// History → estimates → listing of big files → one plan per test step. Never fails: what
/// cannot be known becomes a warning. An interrupt stops the listing at once (its process group
/// is killed) and marks the result [`Prepared::interrupted`].
pub async fn prepare(
    loaded: Loaded,
    shutdown: &watch::Receiver<Shutdown>,
    news: &mut dyn FnMut(ListingNews<'_>),
) -> Prepared {
    let Loaded {
        config,
        ci,
        discovered,
        mut warnings,
        node,
        auto_workers,
        mut only_tests,
    } = loaded;
    // Big files are big against one worker's share of the whole parallel step (every node's
    // workers); a plan file already says what runs where, so nothing is listed.
    let nodes = node.as_ref().map_or(1, |n| n.identity.total.max(1) as usize);
    let from_plan = node
        .as_ref()
        .is_some_and(|n| matches!(n.source, crate::nodes::ShareSource::PlanFile { .. }));
    let steps = pipeline_steps(&config);
    let step_of_suite = steps::step_of_suite(&config, &steps);
    let mut history = History::open(&config.run.history);
    history.set_build(ci.build_id.as_ref().map(|build| build.value.as_str()));
    let mut skipped = Vec::new();
    let mut per_suite: Vec<(Vec<String>, Vec<Estimate>)> = Vec::new();
    let mut startups = Vec::new();
    for (index, (suite, found)) in SuiteIndex::all(config.suites.len()).zip(config.suites.iter().zip(discovered)) {
        let (files, skipped_here): (Vec<String>, Vec<String>) =
            found.into_iter().partition(|file| !config.quarantine.skips_file(file));
        skipped.extend(skipped_here.into_iter().map(|file| (index, Target::file(file))));
        let samples = history.file_samples(&suite.name);
        let startup = history.startup_samples(&suite.name);
        let mut estimates = estimate_suite(&files, &samples, &startup);
        if samples.is_empty() && files.len() <= SIZE_HINT_MOST_FILES {
            // Nothing measured in the suite: its files' sizes are the only hint.
            let sizes: Vec<Option<u64>> = files.iter().map(|f| file_size(&config.root, f)).collect();
            estimates.files = estimate_by_size(&sizes);
        }
        // A file costs a job its tests' time plus what the runner spends on each file it is
        // given (importing and collecting a module, building a go package's test binary).
        for estimate in &mut estimates.files {
            estimate.duration += estimates.startup.per_file;
        }
        startups.push(estimates.startup);
        per_suite.push((files, estimates.files));
    }
    let discovered_now = node.as_ref().map(|_| {
        let files: Vec<Vec<String>> = per_suite.iter().map(|(files, _)| files.clone()).collect();
        node_share::discovered_map(&config, &files)
    });
    // A file is big against one worker's share of its own test step: steps run one after another.
    let mut step_totals: HashMap<Option<usize>, Duration> = HashMap::new();
    for ((_, estimates), step) in per_suite.iter().zip(&step_of_suite) {
        *step_totals.entry(*step).or_default() += estimates.iter().map(|e| e.duration).sum::<Duration>();
    }
    let mut units = Vec::new();
    let mut kept_whole = Vec::with_capacity(config.suites.len());
    let mut interrupted = false;
    for (index, (files, estimates)) in SuiteIndex::all(config.suites.len()).zip(per_suite) {
        let suite = &config.suites[index];
        let slots = config.run.workers.max(1) * nodes;
        let share = step_totals[&step_of_suite[index.get()]].as_secs_f64() / slots as f64;
        let big: Vec<(&String, Duration)> = if slots > 1
            && !from_plan
            && suite.split.allowed()
            && suite.command.adapter().capabilities().addresses_tests
            && suite.command.can_list(suite.select.as_deref())
        {
            files
                .iter()
                .zip(&estimates)
                // Only measured files: splitting on fallback estimates would split blindly.
                .filter(|(_, e)| matches!(e.source, EstimateSource::History { .. }))
                .filter(|(_, e)| e.duration.as_secs_f64() > SPLIT_SHARE * share)
                .filter(|(f, _)| !only_tests.contains_key(&(index, (*f).clone())))
                .map(|(f, e)| (f, e.duration))
                .collect()
        } else {
            Vec::new()
        };
        let (big, whole): (Vec<_>, Vec<_>) = big.into_iter().partition(|&(_, estimate)| {
            suite.split == Split::Always
                || split_worth::worth_splitting(estimate, slots, startups[index.get()].duration)
        });
        kept_whole.push(whole.len());
        let big: Vec<String> = big.into_iter().map(|(file, _)| file.clone()).collect();
        let listed = if big.is_empty() || interrupted || *shutdown.borrow() != Shutdown::Running {
            HashMap::new()
        } else {
            news(ListingNews::Started {
                suite: &suite.name,
                files: big.len(),
            });
            let clock = std::time::Instant::now();
            let result = listing::list_tests(&config, suite, &big, shutdown).await;
            news(ListingNews::Finished {
                suite: &suite.name,
                tests: result.as_ref().map_or(0, |listed| listed.values().map(Vec::len).sum()),
                duration: clock.elapsed(),
                failed: result.is_err(),
            });
            match result {
                Ok(listed) => listed,
                Err(ListingError::Interrupted) => {
                    interrupted = true;
                    HashMap::new()
                }
                Err(error) => {
                    warnings.push(format!(
                        "could not split big files of suite `{}`: {error}; they run whole",
                        suite.name
                    ));
                    HashMap::new()
                }
            }
        };
        let addresses_tests = suite.command.adapter().capabilities().addresses_tests;
        for (file, estimate) in files.into_iter().zip(estimates) {
            if let Some(ids) = only_tests.remove(&(index, file.clone())).filter(|_| addresses_tests) {
                // `--rerun-failed`: only the tests that failed, each with its own estimate.
                let tests: Vec<ListedTest> = ids
                    .into_iter()
                    .map(|id| ListedTest { file: file.clone(), id })
                    .collect();
                units.extend(split_file(&mut history, index, suite, &file, estimate, &tests));
                continue;
            }
            match listed.get(&file).filter(|tests| tests.len() > 1) {
                Some(tests) => {
                    // A quarantined test is not planned at all (a job of it alone would run
                    // nothing); it is reported as skipped like a skipped file.
                    let (tests, quarantined): (Vec<ListedTest>, Vec<ListedTest>) = tests
                        .iter()
                        .cloned()
                        .partition(|t| config.quarantine.mode(&t.id, &file) != Some(QuarantineMode::Skip));
                    skipped.extend(quarantined.into_iter().map(|t| {
                        (
                            index,
                            Target {
                                file: file.clone(),
                                test: Some(t.id),
                            },
                        )
                    }));
                    units.extend(split_file(&mut history, index, suite, &file, estimate, &tests));
                }
                None => units.push(Unit {
                    suite: index,
                    target: Target::file(file),
                    estimate,
                }),
            }
        }
    }
    let node = match (node, discovered_now) {
        (Some(request), Some(discovered)) => {
            let (mine, run) = node_share::node_share(&config, request, units, &discovered, &mut skipped);
            units = mine;
            warnings.extend(run.warnings());
            Some(run)
        }
        _ => None,
    };
    let timing_match = timing_match(&units);
    if timing_match < TIMING_MATCH_WARNING && !units.is_empty() {
        warnings.push(timing_warning(&units, timing_match, &history));
    }
    let first_waves: Vec<f64> = SuiteIndex::all(config.suites.len())
        .map(|suite| first_wave(&units, suite))
        .collect();
    let recent_failures = RecentFailures::read(&mut history, config.suites.iter().map(|s| s.name.as_str()));
    let plans = steps::plan_steps(
        &config,
        &steps,
        &step_of_suite,
        &units,
        &startups,
        &first_waves,
        &recent_failures,
    );
    Prepared {
        config,
        ci,
        units,
        startups,
        steps,
        plans,
        history,
        skipped,
        warnings,
        timing_match,
        kept_whole,
        interrupted: interrupted || *shutdown.borrow() != Shutdown::Running,
        node,
        auto_workers,
    }
}

/// [`load`] and [`prepare`] for commands that only look (`plan`, `list`): an interrupt while
/// listing stops the listing and fails with [`Error::Interrupted`].
pub fn load_and_prepare(config_path: &Utf8Path, overrides: &Overrides) -> Result<Prepared, Error> {
    load_and_prepare_node(config_path, overrides, None)
}

/// [`load_and_prepare`] on a node of a parallel step (`flotilla plan --nodes N`).
pub fn load_and_prepare_node(
    config_path: &Utf8Path,
    overrides: &Overrides,
    node: Option<crate::nodes::NodeRequest>,
) -> Result<Prepared, Error> {
    let shutdown = crate::signal::install().map_err(Error::Runtime)?;
    let mut loaded = load(config_path, overrides)?;
    choose_workers(&mut loaded);
    loaded.node = node;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)?;
    let prepared = runtime.block_on(prepare(loaded, &shutdown, &mut |_| {}));
    if prepared.interrupted {
        return Err(Error::Interrupted);
    }
    Ok(prepared)
}

/// The size of a unit that is a file under `root` (`None` for folders, packages, binaries).
fn file_size(root: &Utf8Path, unit: &str) -> Option<u64> {
    std::fs::metadata(root.join(unit))
        .ok()
        .filter(std::fs::Metadata::is_file)
        .map(|m| m.len())
}

/// Fails with exit code 3 if a suite's fixed program is not installed.
pub fn check_programs(config: &Config) -> Result<(), Error> {
    for suite in &config.suites {
        let Some(program) = suite.command.program() else {
            continue;
        };
        if !program_exists(program, &config.root) {
            return Err(Error::MissingProgram {
                program: program.to_string(),
                suite: suite.name.clone(),
                config: config.path.clone(),
            });
        }
    }
    Ok(())
}

fn program_exists(program: &str, root: &Utf8Path) -> bool {
    if program.contains('/') {
        return root.join(program).is_file();
    }
    std::env::var_os("PATH").is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

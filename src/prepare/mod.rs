//! [`prepare`]: config → discovered files → quarantine → estimates → split big files into
//! tests → plan. Shared by `run`, `plan` and `list`.

use std::collections::HashMap;
use std::time::Duration;

use camino::{Utf8Path, Utf8PathBuf};

use crate::cli::GlobalArgs;
use crate::config::{Config, DEFAULT_FILE_NAME, Overrides, Suite};
use crate::discover::discover;
use crate::error::Error;
use crate::exec::{ProcessEnd, ProcessSpec, run_process};
use crate::history::{Estimate, EstimateSource, History, Startup, estimate_suite};
use crate::plan::{Plan, PlanInput, PlanSuite, PlanUnit, plan};
use crate::quarantine::QuarantineMode;
use crate::runner::Job;
use crate::runners::{ListedTest, Project, Target};
use crate::signal::Shutdown;

/// A file is split into its tests when its estimate exceeds this share of one worker's load.
const SPLIT_SHARE: f64 = 0.5;
/// How long listing the tests of big files may take.
const LIST_TIMEOUT: Duration = Duration::from_secs(120);
/// With measured estimates, each worker's first batch is this share of its load.
const FIRST_WAVE: f64 = 0.85;
/// Below this share of units with history, the run warns.
const TIMING_MATCH_WARNING: f64 = 0.95;

/// One schedulable unit: a file, or a test split out of a big file.
#[derive(Clone, Debug)]
pub struct Unit {
    pub suite: usize,
    pub target: Target,
    pub estimate: Estimate,
}

/// Everything known before the first job starts.
pub struct Prepared {
    pub config: Config,
    /// The CI context the profile was chosen from.
    pub ci: crate::ci::CiContext,
    pub units: Vec<Unit>,
    pub startups: Vec<Startup>,
    pub plan: Plan,
    pub history: History,
    /// Files and split-out tests not run because quarantine skips them, per suite.
    pub skipped: Vec<(usize, Target)>,
    /// Things the user should know (split failures, low timing match).
    pub warnings: Vec<String>,
    /// Share of units whose estimate comes from their own history.
    pub timing_match: f64,
}

impl Prepared {
    /// The plan's batches as runnable jobs, in dispatch order. A batch whose targets have
    /// different [`Adapter::job_key`]s becomes one job per key: for runners whose test filter
    /// spans every file of a job (go `-run`, Jest `-t`), whole files and the single tests of
    /// each split file; for cargo-nextest, each package.
    ///
    /// [`Adapter::job_key`]: crate::runners::Adapter::job_key
    pub fn jobs(&self) -> Vec<Job> {
        let mut jobs = Vec::with_capacity(self.plan.batches.len());
        for batch in &self.plan.batches {
            let suite = &self.config.suites[batch.suite];
            let units: Vec<&Unit> = batch.units.iter().map(|&unit| &self.units[unit]).collect();
            let adapter = suite.command.adapter();
            let mut groups: Vec<(Option<String>, Vec<&Unit>)> = Vec::new();
            for unit in units {
                let key = adapter.job_key(&unit.target, &self.config.root);
                match groups.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, members)) => members.push(unit),
                    None => groups.push((key, vec![unit])),
                }
            }
            let groups: Vec<Vec<&Unit>> = groups.into_iter().map(|(_, members)| members).collect();
            let single = groups.len() == 1;
            for members in groups {
                let (targets, estimates): (Vec<Target>, Vec<Duration>) = members
                    .iter()
                    .map(|unit| (unit.target.clone(), unit.estimate.duration))
                    .unzip();
                let estimate = if single {
                    batch.estimate
                } else {
                    self.startups[batch.suite].duration + estimates.iter().sum::<Duration>()
                };
                jobs.push(Job {
                    suite: batch.suite,
                    targets,
                    estimates,
                    attempt: 1,
                    estimate,
                    not_before: None,
                });
            }
        }
        jobs
    }

    /// How many distinct files are scheduled.
    pub fn file_count(&self) -> usize {
        let mut files: Vec<(usize, &str)> = self.units.iter().map(|u| (u.suite, u.target.file.as_str())).collect();
        files.dedup();
        files.len()
    }
}

/// The configuration file named by `-C` / `--config`.
pub fn config_path(global: &GlobalArgs) -> Utf8PathBuf {
    let base = global.directory.clone().unwrap_or_else(|| Utf8PathBuf::from("."));
    match &global.config {
        Some(config) if config.is_absolute() => config.clone(),
        Some(config) => base.join(config),
        None => base.join(DEFAULT_FILE_NAME),
    }
}

pub fn prepare(global: &GlobalArgs, overrides: &Overrides) -> Result<Prepared, Error> {
    let ci = crate::ci::detect(&crate::ci::process_env).map_err(|error| Error::Usage {
        message: error.to_string(),
    })?;
    let overrides = Overrides {
        ci: Some(ci.clone()),
        ..overrides.clone()
    };
    let config = Config::load(&config_path(global), &overrides)?;
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
    let mut history = History::open(&config.run.history);
    let mut warnings: Vec<String> = ci.warnings.iter().map(ToString::to_string).collect();
    let mut skipped = Vec::new();
    let mut per_suite: Vec<(Vec<String>, Vec<Estimate>)> = Vec::new();
    let mut startups = Vec::new();
    for (index, (suite, found)) in config.suites.iter().zip(discovered).enumerate() {
        let (files, skipped_here): (Vec<String>, Vec<String>) =
            found.into_iter().partition(|file| !config.quarantine.skips_file(file));
        skipped.extend(skipped_here.into_iter().map(|file| (index, Target::file(file))));
        let samples = history.file_samples(&suite.name);
        let startup = history.startup_samples(&suite.name);
        let estimates = estimate_suite(&files, &samples, &startup);
        startups.push(estimates.startup);
        per_suite.push((files, estimates.files));
    }
    let total: Duration = per_suite.iter().flat_map(|(_, e)| e.iter().map(|e| e.duration)).sum();
    let share = total.as_secs_f64() / config.run.workers.max(1) as f64;
    let mut units = Vec::new();
    for (index, (files, estimates)) in per_suite.into_iter().enumerate() {
        let suite = &config.suites[index];
        let big: Vec<String> = if config.run.workers > 1
            && suite.split
            && suite.command.adapter().addresses_tests()
            && suite.command.can_list(suite.select.as_deref())
        {
            files
                .iter()
                .zip(&estimates)
                // Only measured files: splitting on fallback estimates would split blindly.
                .filter(|(_, e)| matches!(e.source, EstimateSource::History { .. }))
                .filter(|(_, e)| e.duration.as_secs_f64() > SPLIT_SHARE * share)
                .map(|(f, _)| f.clone())
                .collect()
        } else {
            Vec::new()
        };
        let listed = if big.is_empty() {
            HashMap::new()
        } else {
            match list_tests(&config, suite, &big) {
                Ok(listed) => group_by_file(listed),
                Err(message) => {
                    warnings.push(format!(
                        "could not split big files of suite `{}`: {message}; they run whole",
                        suite.name
                    ));
                    HashMap::new()
                }
            }
        };
        for (file, estimate) in files.into_iter().zip(estimates) {
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
    let timing_match = timing_match(&units);
    if timing_match < TIMING_MATCH_WARNING && !units.is_empty() {
        warnings.push(timing_warning(&units, timing_match, &history));
    }
    let input = PlanInput {
        suites: config
            .suites
            .iter()
            .zip(&startups)
            .enumerate()
            .map(|(index, (suite, startup))| PlanSuite {
                mode: suite.command.mode(),
                startup: startup.duration,
                first_wave: first_wave(&units, index),
                on_workers: suite.on_workers.clone(),
            })
            .collect(),
        units: units
            .iter()
            .map(|u| PlanUnit {
                suite: u.suite,
                estimate: u.estimate.duration,
            })
            .collect(),
        workers: config.run.workers,
    };
    let plan = plan(&input);
    Ok(Prepared {
        config,
        ci,
        units,
        startups,
        plan,
        history,
        skipped,
        warnings,
        timing_match,
    })
}

/// Test units for a big file: each test's own history, else the file's estimate shared out.
fn split_file(
    history: &mut History,
    suite_index: usize,
    suite: &Suite,
    file: &str,
    estimate: Estimate,
    tests: &[ListedTest],
) -> Vec<Unit> {
    let samples = history.test_samples(&suite.name, file);
    let share = estimate.duration / u32::try_from(tests.len()).unwrap_or(u32::MAX);
    tests
        .iter()
        .map(|test| {
            let estimate = match samples.get(&test.id).filter(|s| !s.is_empty()) {
                Some(samples) => Estimate {
                    duration: crate::history::clamp_secs(crate::history::percentile(samples)),
                    source: EstimateSource::History { samples: samples.len() },
                },
                None => Estimate {
                    duration: share.max(Duration::from_millis(1)),
                    source: EstimateSource::FileShare,
                },
            };
            Unit {
                suite: suite_index,
                target: Target {
                    file: file.to_string(),
                    test: Some(test.id.clone()),
                },
                estimate,
            }
        })
        .collect()
}

fn group_by_file(listed: Vec<ListedTest>) -> HashMap<String, Vec<ListedTest>> {
    let mut by_file: HashMap<String, Vec<ListedTest>> = HashMap::new();
    for test in listed {
        let file = test.file.trim_start_matches("./").to_string();
        by_file.entry(file).or_default().push(test);
    }
    by_file
}

/// Runs the suite's listing command for `files` and parses its output.
fn list_tests(config: &Config, suite: &Suite, files: &[String]) -> Result<Vec<ListedTest>, String> {
    let project = Project {
        root: &config.root,
        files,
    };
    let argv = suite
        .command
        .list_argv(&project, suite.select.as_deref())
        .ok_or("the runner cannot list tests")?;
    let dir = config.run.out_dir.join(".listing");
    fs_err::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let stem = format!("{}-{}", suite.name, std::process::id());
    let spec = ProcessSpec {
        argv,
        cwd: config.root.clone(),
        env: suite.environment.clone(),
        stdout: dir.join(format!("{stem}.stdout")),
        stderr: dir.join(format!("{stem}.stderr")),
        timeout: Some(LIST_TIMEOUT),
        grace: suite.timeout_grace,
        relay: None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let (_keep, mut shutdown) = tokio::sync::watch::channel(Shutdown::Running);
    let result = runtime
        .block_on(run_process(&spec, &mut shutdown))
        .map_err(|e| e.to_string())?;
    let stdout = std::fs::read_to_string(&spec.stdout).unwrap_or_default();
    let stderr = crate::fsutil::tail(&spec.stderr, 400);
    let _ = std::fs::remove_file(&spec.stdout);
    let _ = std::fs::remove_file(&spec.stderr);
    match result.end {
        ProcessEnd::TimedOut => return Err(format!("listing tests took longer than {}s", LIST_TIMEOUT.as_secs())),
        ProcessEnd::Exited(0..=2) => {}
        end => return Err(format!("listing tests failed ({end:?}): {}", stderr.trim())),
    }
    // An empty listing (nothing selected) is not an error: those files simply run whole.
    suite.command.adapter().parse_list(&stdout, &project)
}

/// The first-wave share for a suite: only when nearly all its estimates are measured.
fn first_wave(units: &[Unit], suite: usize) -> f64 {
    let suite_units: Vec<&Unit> = units.iter().filter(|u| u.suite == suite).collect();
    let known = suite_units
        .iter()
        .filter(|u| matches!(u.estimate.source, EstimateSource::History { .. }))
        .count();
    if !suite_units.is_empty() && known as f64 >= 0.9 * suite_units.len() as f64 {
        FIRST_WAVE
    } else {
        0.0
    }
}

fn timing_match(units: &[Unit]) -> f64 {
    if units.is_empty() {
        return 1.0;
    }
    let known = units
        .iter()
        .filter(|u| matches!(u.estimate.source, EstimateSource::History { .. }))
        .count();
    known as f64 / units.len() as f64
}

fn timing_warning(units: &[Unit], ratio: f64, history: &History) -> String {
    let unknown: Vec<&str> = units
        .iter()
        .filter(|u| !matches!(u.estimate.source, EstimateSource::History { .. }))
        .map(|u| u.target.id())
        .collect();
    let reason = if units
        .iter()
        .all(|u| !matches!(u.estimate.source, EstimateSource::History { .. }))
    {
        if history.is_persistent() {
            "no history for these tests yet (first run, or history file not carried over between CI runs)".to_string()
        } else {
            "the history file could not be opened".to_string()
        }
    } else {
        format!(
            "new or renamed tests, e.g. {}; ids are paths relative to the config folder",
            unknown
                .iter()
                .take(3)
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    format!(
        "only {:.0}% of tests have timing history ({} of {} estimated by fallback): {reason}; the split may be uneven",
        ratio * 100.0,
        unknown.len(),
        units.len()
    )
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

//! [`prepare`]: config → discovered files → estimates → plan, shared by `run`, `plan`, `list`.

use camino::{Utf8Path, Utf8PathBuf};

use crate::cli::GlobalArgs;
use crate::config::{Config, DEFAULT_FILE_NAME, Overrides};
use crate::discover::discover;
use crate::error::Error;
use crate::history::{History, SuiteEstimates, estimate_suite};
use crate::plan::{Plan, PlanInput, PlanSuite, PlanUnit, plan};
use crate::run::Job;

/// Everything known before the first job starts.
pub(super) struct Prepared {
    pub(super) config: Config,
    /// Files per suite (same order as `config.suites`).
    pub(super) files: Vec<Vec<String>>,
    /// Estimates per suite.
    pub(super) estimates: Vec<SuiteEstimates>,
    pub(super) plan: Plan,
    /// (suite, file index) of each plan unit.
    units: Vec<(usize, usize)>,
    pub(super) history: History,
}

impl Prepared {
    /// The plan's batches as runnable jobs, in dispatch order.
    pub(super) fn jobs(&self) -> Vec<Job> {
        self.plan
            .batches
            .iter()
            .map(|batch| {
                let (files, estimates) = batch
                    .units
                    .iter()
                    .map(|&unit| {
                        let (suite, file) = self.units[unit];
                        (
                            self.files[suite][file].clone(),
                            self.estimates[suite].files[file].duration,
                        )
                    })
                    .unzip();
                Job {
                    suite: batch.suite,
                    files,
                    estimates,
                    attempt: 1,
                    estimate: batch.estimate,
                }
            })
            .collect()
    }

    /// Files of the plan's batch `index`.
    pub(super) fn batch_files(&self, index: usize) -> impl Iterator<Item = &str> {
        self.plan.batches[index].units.iter().map(|&unit| {
            let (suite, file) = self.units[unit];
            self.files[suite][file].as_str()
        })
    }
}

/// The configuration file named by `-C` / `--config`.
pub(super) fn config_path(global: &GlobalArgs) -> Utf8PathBuf {
    let base = global.directory.clone().unwrap_or_else(|| Utf8PathBuf::from("."));
    match &global.config {
        Some(config) if config.is_absolute() => config.clone(),
        Some(config) => base.join(config),
        None => base.join(DEFAULT_FILE_NAME),
    }
}

pub(super) fn prepare(global: &GlobalArgs, overrides: &Overrides) -> Result<Prepared, Error> {
    let config = Config::load(&config_path(global), overrides)?;
    let files = discover(&config.root, &config.suites)?;
    for (suite, found) in config.suites.iter().zip(&files) {
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
    let mut estimates = Vec::new();
    let mut units = Vec::new();
    let mut input = PlanInput {
        suites: Vec::new(),
        units: Vec::new(),
        workers: config.run.workers,
    };
    for (index, (suite, found)) in config.suites.iter().zip(&files).enumerate() {
        let samples = history.file_samples(&suite.name);
        let startup = history.startup_samples(&suite.name);
        let suite_estimates = estimate_suite(found, &samples, &startup);
        input.suites.push(PlanSuite {
            mode: suite.command.mode(),
            startup: suite_estimates.startup.duration,
        });
        for (file, estimate) in suite_estimates.files.iter().enumerate() {
            input.units.push(PlanUnit {
                suite: index,
                estimate: estimate.duration,
            });
            units.push((index, file));
        }
        estimates.push(suite_estimates);
    }
    let plan = plan(&input);
    Ok(Prepared {
        config,
        files,
        estimates,
        plan,
        units,
        history,
    })
}

/// Fails with exit code 3 if a suite's fixed program is not installed.
pub(super) fn check_programs(config: &Config) -> Result<(), Error> {
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

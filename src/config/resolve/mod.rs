//! [`Config`]: the validated configuration, resolved from the [`ConfigFile`], the chosen
//! profile and the command line's [`Overrides`]. The layers (command line and variables, then
//! the profile, then the file's `[run]`) merge by the one [`Combine`] rule; defaults fill the
//! rest; every value in effect is kept with its source in [`Config::settings`].
//!
//! One file per table: `suite.rs` (`[suite.NAME]`, `[quarantine]`), `groups.rs` (`[group.NAME]`
//! and a suite's `group`/`groups`), `services.rs`
//! (`[services.NAME]`, errors in `services_error.rs`), `step.rs` (`[[step]]`, `[[cleanup]]`),
//! `profiles.rs` (`[profile.NAME]`); `partial.rs` has what commands read of a file without suites (`gate`, `gc`, the
//! services alone).

mod groups;
mod partial;
pub(crate) mod profiles;
mod services;
mod services_error;

pub use services_error::{ProbeConfigError, ServicesError, ServicesKeyError};
mod step;
mod suite;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use camino::{Utf8Path, Utf8PathBuf};
use globset::GlobSet;

use super::file::RawRun;
use super::{Combine, ConfigError, ConfigFile, Layer, Setting, Source, Sourced, Step, Workers};
use crate::gate::GateConfig;
use crate::quarantine::Quarantine;
use crate::results::FlakyResult;
use crate::runners::SuiteCommand;
use crate::suggest::closest;

/// What the command line gives the configuration: its settings layer (flags, then variables),
/// the profile asked for, and the CI context profiles are chosen from.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// Flags and variables, already combined (flags first).
    pub layer: Layer,
    /// `--profile NAME` or `FLOTILLA_PROFILE`: use this profile instead of choosing one.
    pub profile: Option<Sourced<String>>,
    /// The CI context profiles are chosen from (none detected: only an explicit profile applies).
    pub ci: Option<crate::ci::CiContext>,
}

/// Run-wide settings (`[run]`, over which the command line and the profile go).
#[derive(Clone, Debug)]
pub struct RunSettings {
    /// Worker slots on this machine (for `"auto"`, the CPU count until `prepare` has read the
    /// history and chosen: `crate::prepare::auto_workers`).
    pub workers: usize,
    /// Whether `workers` is `"auto"`.
    pub workers_auto: bool,
    /// Where run directories go (`<out-dir>/<run-id>`, `<out-dir>/latest`).
    pub out_dir: Utf8PathBuf,
    /// The SQLite history file.
    pub history: Utf8PathBuf,
    /// Whether a flaky test passes or fails the run.
    pub flaky_result: FlakyResult,
    /// How many run folders to keep in `out-dir`.
    pub keep_runs: usize,
    /// Stop scheduling after this many failures (`None`: every test runs).
    pub max_fail: Option<crate::config::MaxFail>,
}

/// One `[suite.NAME]`, validated.
#[derive(Clone, Debug)]
pub struct Suite {
    /// The NAME of `[suite.NAME]`.
    pub name: String,
    /// How its jobs are invoked (the runner's adapter, or a custom template).
    pub command: SuiteCommand,
    /// `files` patterns, relative to the config folder.
    pub files: Vec<String>,
    /// Compiled `files`.
    pub include: GlobSet,
    /// Compiled `exclude`.
    pub exclude: GlobSet,
    /// Byte span of `files` in the config, for "no files matched".
    pub files_span: Option<std::ops::Range<usize>>,
    /// How often failed tests run again (only the failed tests), and the back-off.
    pub retry: super::RetryPolicy,
    /// Selection expression mapped to the runner's filter (`pytest -m`, …).
    pub select: Option<String>,
    /// Whether big files may be split into single tests across workers.
    pub split: crate::config::Split,
    /// Per-job time limit.
    pub timeout: Option<Duration>,
    /// How long a job gets between SIGTERM and SIGKILL.
    pub timeout_grace: Duration,
    /// A job still running this long after it started is announced as slow, once
    /// (`slow-after`; `None`: never).
    pub slow_after: Option<Duration>,
    /// Environment variables for every job (`env`, with the profile's and command line's over it).
    pub env: Vec<(String, String)>,
    /// The `[services.NAME]` whose per-worker copy its jobs run against.
    pub services: Option<String>,
    /// Only these worker slots (1-based) run its jobs (`on-workers`).
    pub on_workers: Option<Vec<crate::worker_slot::WorkerSlot>>,
    /// Which of its files and tests belong to which `[group.NAME]` (`group`, `groups`).
    pub groups: crate::config::SuiteGroups,
    /// The files whose content decides whether it needs to run again (`inputs`; none: it
    /// always runs).
    pub inputs: Option<crate::config::Inputs>,
}

crate::index_by_suite!(Suite);

/// The resolved configuration.
#[derive(Clone, Debug)]
pub struct Config {
    /// The configuration file.
    pub path: Utf8PathBuf,
    /// Its folder: globs, commands and relative paths are relative to it.
    pub root: Utf8PathBuf,
    /// The file's text, kept for later errors that point into it.
    pub source: Arc<String>,
    /// `[run]`.
    pub run: RunSettings,
    /// The suites to run, in name order.
    pub suites: Vec<Suite>,
    /// Known-flaky tests.
    pub quarantine: Quarantine,
    /// `[group.NAME]`s in name order: at most `max-concurrency` of a group's jobs run at once.
    pub groups: Vec<crate::config::TestGroup>,
    /// The chosen profile, if any.
    pub profile: Option<String>,
    /// Why that profile (or none) was chosen, for `--explain`.
    pub profile_reason: String,
    /// `[gate]`.
    pub gate: GateConfig,
    /// `[services.NAME]` compose environments, by name.
    pub services: BTreeMap<String, crate::envs::EnvConfig>,
    /// `[[step]]`s in order (empty: one test run of every suite).
    pub steps: Vec<crate::config::Step>,
    /// `[[cleanup]]` steps, always run.
    pub cleanup: Vec<crate::config::Step>,
    /// Every setting in effect with where it came from, in a stable order (`--explain`).
    pub settings: Vec<Setting>,
}

impl Config {
    /// Reads and resolves the configuration at `path`.
    pub fn load(path: &Utf8Path, overrides: &Overrides) -> Result<Self, ConfigError> {
        Self::resolve(&ConfigFile::load(path)?, overrides)
    }

    /// Resolves configuration `text` as if read from `path`.
    pub fn parse(path: &Utf8Path, text: Arc<String>, overrides: &Overrides) -> Result<Self, ConfigError> {
        Self::resolve(&ConfigFile::parse(path, text)?, overrides)
    }

    /// Resolves a parsed file with the command line's overrides and the chosen profile.
    pub fn resolve(file: &ConfigFile, overrides: &Overrides) -> Result<Self, ConfigError> {
        let raw = &file.raw;
        let mut ctx = suite::Ctx {
            file,
            settings: Vec::new(),
        };

        let (profile, profile_reason, profile_layer) = choose_profile(file, overrides, &mut ctx)?;

        // Command line and variables, then the profile, then the file's [run].
        let file_layer = ctx.run_layer(&raw.run)?;
        let layer = overrides.layer.clone().combine(profile_layer).combine(file_layer);
        let run = ctx.run_settings(&layer, file);

        let quarantine = ctx.quarantine(&raw.quarantine, &file.root)?;
        let services = file.services()?;
        let groups = ctx.test_groups()?;
        let mut suites = ctx.suites(&layer, run.workers, &services, &groups)?;
        let (steps, cleanup) = pipeline(file, run.workers, &services)?;
        if !steps.is_empty() {
            // With a pipeline, suites run only where a test step names them.
            suites.retain(|suite| steps.iter().any(|step| step.runs_suite(&suite.name)));
        }
        if suites.is_empty() && steps.is_empty() && cleanup.is_empty() {
            return Err(ConfigError::file(
                &file.path,
                "no suites to run",
                Some("add a [suite.NAME] section with `runner`, `command` and `files` (see README)".into()),
            ));
        }
        let gate = file.gate();
        Ok(Self {
            path: file.path.clone(),
            root: file.root.clone(),
            source: Arc::clone(&file.text),
            run,
            suites,
            quarantine,
            groups,
            profile,
            profile_reason,
            gate,
            services,
            steps,
            cleanup,
            settings: ctx.settings,
        })
    }

    /// An error pointing at `span` of this configuration file.
    #[must_use]
    pub fn error_at(
        &self,
        span: Option<std::ops::Range<usize>>,
        message: impl Into<String>,
        help: Option<String>,
    ) -> ConfigError {
        ConfigError::at(&self.path, &self.source, span, message, help)
    }
}

/// The profile asked for, or the one the CI context chooses: its name, why, and its layer. The
/// choice is recorded as the `profile` setting.
fn choose_profile(
    file: &ConfigFile,
    overrides: &Overrides,
    ctx: &mut suite::Ctx<'_>,
) -> Result<(Option<String>, String, Layer), ConfigError> {
    let raw = &file.raw;
    let profiles = profiles::profiles(&raw.profile);
    let no_ci;
    let ci = match &overrides.ci {
        Some(ci) => ci,
        None => {
            no_ci = crate::ci::detect(&|_| None).expect("an empty environment is a valid CI context");
            &no_ci
        }
    };
    let asked = overrides.profile.as_ref().map(|p| p.value.as_str());
    let choice = crate::config::profile::choose(&profiles, asked, ci).map_err(|error| {
        ConfigError::file(
            &file.path,
            error.to_string(),
            Some("profiles are the [profile.NAME] tables of this file".into()),
        )
    })?;
    let profile = choice.profile.map(|p| p.name.clone());
    let reason = choice.to_string();
    ctx.settings.push(match (&profile, &overrides.profile) {
        (Some(name), Some(asked)) => Setting::new("profile", name.clone(), asked.source.clone()),
        (Some(name), None) => Setting::new("profile", name.clone(), Source::Default),
        (None, _) => Setting::new("profile", "(none)", Source::Default),
    });
    let layer = match &profile {
        Some(name) => raw
            .profile
            .iter()
            .find(|(table, _)| table.get_ref() == name)
            .map(|(_, table)| profiles::profile_layer(name, table, file))
            .unwrap_or_default(),
        None => Layer::default(),
    };
    Ok((profile, reason, layer))
}

/// The `[[step]]` and `[[cleanup]]` lists, each step checked against the suites, the services
/// and the worker count.
fn pipeline(
    file: &ConfigFile,
    workers: usize,
    services: &BTreeMap<String, crate::envs::EnvConfig>,
) -> Result<(Vec<Step>, Vec<Step>), ConfigError> {
    let raw = &file.raw;
    let all_suite_names: Vec<String> = raw.suite.keys().map(|name| name.get_ref().clone()).collect();
    let service_names: Vec<String> = services.keys().cloned().collect();
    let rules = step::StepRules {
        workers,
        suites: &all_suite_names,
        services: &service_names,
    };
    let resolve_steps = |raw: &[toml::Spanned<crate::config::file::RawStep>], kind: &str| {
        raw.iter()
            .cloned()
            .enumerate()
            .map(|(index, step)| {
                step::resolve_step(step, index, kind, &rules).map_err(|(span, message)| file.error(span, message, None))
            })
            .collect::<Result<Vec<_>, _>>()
    };
    Ok((
        resolve_steps(&raw.step, "step")?,
        resolve_steps(&raw.cleanup, "cleanup")?,
    ))
}

impl suite::Ctx<'_> {
    /// The file's `[run]` table as a settings layer.
    fn run_layer(&self, raw: &RawRun) -> Result<Layer, ConfigError> {
        // Destructured: a key added to `[run]` must be given a place in the layer here.
        let RawRun {
            workers,
            out_dir,
            history,
            flaky_result,
            keep_runs,
            max_fail,
        } = raw;
        let flaky_result = match flaky_result {
            None => None,
            Some(value) => Some(Sourced::new(
                FlakyResult::from_name(value.get_ref()).ok_or_else(|| {
                    self.error(
                        value.span(),
                        format!("invalid flaky-result `{}`", value.get_ref()),
                        "use \"pass\" (the default) or \"fail\"".to_string(),
                    )
                })?,
                self.source_at(&value.span()),
            )),
        };
        let sourced =
            |value: &toml::Spanned<String>| Sourced::new(value.get_ref().clone(), self.source_at(&value.span()));
        Ok(Layer {
            workers: workers
                .as_ref()
                .map(|w| Sourced::new(*w.get_ref(), self.source_at(&w.span()))),
            out_dir: out_dir.as_ref().map(sourced),
            history: history.as_ref().map(sourced),
            flaky_result,
            keep_runs: keep_runs
                .as_ref()
                .map(|k| Sourced::new(*k.get_ref(), self.source_at(&k.span()))),
            max_fail: max_fail
                .as_ref()
                .map(|m| Sourced::new(*m.get_ref(), self.source_at(&m.span()))),
            ..Layer::default()
        })
    }

    /// The run-wide settings from the combined layer and the defaults.
    fn run_settings(&mut self, layer: &Layer, file: &ConfigFile) -> RunSettings {
        // Destructured: a field added to `Layer` must be resolved (or deliberately left to the
        // suites) here.
        let Layer {
            workers,
            retries: _,
            suites: _,
            select: _,
            flaky_result,
            out_dir,
            history,
            keep_runs,
            max_fail,
            env: _,
        } = layer.clone();
        let workers = workers.unwrap_or(Sourced::new(Workers::Auto, Source::Default));
        let resolved_workers = workers.value.resolve();
        self.settings.push(Setting::new(
            "workers",
            match workers.value {
                Workers::Auto => format!("{resolved_workers} (auto: the CPU count)"),
                Workers::Fixed(n) => n.to_string(),
            },
            workers.source,
        ));
        let out_dir = out_dir.unwrap_or(Sourced::new(".flotilla/runs".into(), Source::Default));
        let history = history.unwrap_or(Sourced::new(".flotilla/history.db".into(), Source::Default));
        let flaky_result = flaky_result.unwrap_or(Sourced::new(FlakyResult::Pass, Source::Default));
        let keep_runs = keep_runs.unwrap_or(Sourced::new(20, Source::Default));
        self.settings
            .push(Setting::new("out-dir", out_dir.value.clone(), out_dir.source));
        self.settings
            .push(Setting::new("history", history.value.clone(), history.source));
        self.settings.push(Setting::new(
            "flaky-result",
            match flaky_result.value {
                FlakyResult::Pass => "pass",
                FlakyResult::Fail => "fail",
            },
            flaky_result.source,
        ));
        self.settings
            .push(Setting::new("keep-runs", keep_runs.value.to_string(), keep_runs.source));
        self.settings.push(match &max_fail {
            Some(max_fail) => Setting::new("max-fail", max_fail.value.to_string(), max_fail.source.clone()),
            None => Setting::new("max-fail", "none (every test runs)", Source::Default),
        });
        RunSettings {
            workers: resolved_workers,
            workers_auto: workers.value == Workers::Auto,
            out_dir: file.root.join(&out_dir.value),
            history: file.root.join(&history.value),
            flaky_result: flaky_result.value,
            keep_runs: keep_runs.value.max(1),
            max_fail: max_fail.map(|m| m.value),
        }
    }

    /// The suites to run (all, or those the layer names), in name order.
    fn suites(
        &mut self,
        layer: &Layer,
        workers: usize,
        services: &BTreeMap<String, crate::envs::EnvConfig>,
        groups: &[crate::config::TestGroup],
    ) -> Result<Vec<Suite>, ConfigError> {
        let raw = &self.file.raw;
        let known: Vec<&str> = raw.suite.keys().map(|name| name.get_ref().as_str()).collect();
        let wanted: &[String] = layer.suites.as_ref().map_or(&[], |s| s.value.as_slice());
        for name in wanted {
            if !known.contains(&name.as_str()) {
                let help = match closest(name, known.iter().copied()) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => format!("suites in this file: {}", list_or_none(&known)),
                };
                let source = layer.suites.as_ref().map(|s| s.source.to_string()).unwrap_or_default();
                return Err(ConfigError::file(
                    &self.file.path,
                    format!("no suite named `{name}` (from {source})"),
                    Some(help),
                ));
            }
        }
        if let Some(suites) = &layer.suites {
            self.settings
                .push(Setting::new("suites", suites.value.join(", "), suites.source.clone()));
        }
        let mut suites = Vec::new();
        for (name, raw_suite) in &raw.suite {
            if !wanted.is_empty() && !wanted.contains(name.get_ref()) {
                continue;
            }
            if let Some(wanted) = &raw_suite.services
                && !services.contains_key(wanted.get_ref())
            {
                let help = match closest(wanted.get_ref(), services.keys().map(String::as_str)) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => "define them as a [services.NAME] table with `compose = [...]` (see docs/environments.md)"
                        .to_string(),
                };
                return Err(self.error(wanted.span(), format!("no services named `{}`", wanted.get_ref()), help));
            }
            let suite_groups = self.suite_groups(raw_suite, groups)?;
            let mut suite = self.suite(name, raw_suite.clone(), layer, workers)?;
            suite.groups = suite_groups;
            suites.push(suite);
        }
        Ok(suites)
    }
}

fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(
            Utf8Path::new("/p/flotilla.toml"),
            Arc::new(text.to_string()),
            &Overrides::default(),
        )
    }

    const GOOD: &str = "[run]\nworkers = 3\n\n[suite.unit]\nrunner = \"custom\"\ncommand = [\"bash\", \"{file}\"]\nfiles = [\"tests/*.sh\"]\ntimeout = \"90s\"\n";

    #[test]
    fn resolves_a_good_file() {
        let config = parse(GOOD).unwrap();
        assert_eq!(config.run.workers, 3);
        assert_eq!(config.run.out_dir, Utf8Path::new("/p/.flotilla/runs"));
        assert_eq!(config.suites[0].timeout, Some(Duration::from_secs(90)));
        assert_eq!(config.suites[0].retry.retries, 0);
    }

    #[test]
    fn inputs_are_a_list_of_globs_located_when_wrong() {
        let config = parse(&format!("{GOOD}inputs = [\"src/**\", \"./package.json\"]\n")).unwrap();
        let inputs = config.suites[0].inputs.as_ref().unwrap();
        assert_eq!(inputs.patterns, ["src/**", "package.json"]);
        assert!(inputs.matches("src/a/b.py") && inputs.matches("package.json") && !inputs.matches("tests/a.sh"));
        assert!(parse(GOOD).unwrap().suites[0].inputs.is_none());
        for (bad, says) in [
            ("inputs = \"src/**\"", "invalid type"),
            ("inputs = [1]", "invalid type"),
            ("inputs = []", "`inputs` is empty"),
            ("inputs = [\"src/[\"]", "invalid glob `src/[`"),
        ] {
            let error = parse(&format!("{GOOD}{bad}\n")).unwrap_err();
            assert_eq!(error.location.map(|l| l.0), Some(9), "{bad}: {}", error.message);
            assert!(error.message.contains(says), "{bad}: {}", error.message);
        }
    }

    #[test]
    fn slow_after_is_a_duration_and_never_zero() {
        let config = parse(&format!("{GOOD}slow-after = \"2m\"\n")).unwrap();
        assert_eq!(config.suites[0].slow_after, Some(Duration::from_secs(120)));
        assert_eq!(parse(GOOD).unwrap().suites[0].slow_after, None);
        let error = parse(&format!("{GOOD}slow-after = \"0s\"\n")).unwrap_err();
        assert!(
            error.to_string().contains("slow-after must be longer than zero"),
            "{error}"
        );
        assert!(parse(&format!("{GOOD}slow-after = \"soon\"\n")).is_err());
    }

    #[test]
    fn unknown_key_names_line_column_and_suggests() {
        let error = parse("[run]\nwrokers = 3\n").unwrap_err();
        assert_eq!(error.location, Some((2, 1)));
        assert!(error.message.contains("/p/flotilla.toml:2:1"), "{}", error.message);
        assert!(error.message.contains("wrokers"));
        assert_eq!(error.help.as_deref(), Some("did you mean `workers`?"));
    }

    #[test]
    fn wrong_type_is_located() {
        let error = parse("[run]\nworkers = \"many\"\n").unwrap_err();
        assert_eq!(error.location.unwrap().0, 2);
        assert!(error.message.contains("auto"), "{}", error.message);
    }

    #[test]
    fn bad_glob_points_at_the_pattern() {
        let error = parse(&GOOD.replace("tests/*.sh", "tests/[.sh")).unwrap_err();
        assert_eq!(error.location, Some((7, 10)));
        assert!(error.message.contains("invalid glob"));
    }

    #[test]
    fn bad_duration_points_at_the_value() {
        let error = parse(&GOOD.replace("90s", "ninety")).unwrap_err();
        assert_eq!(error.location, Some((8, 11)));
        assert!(error.help.unwrap().contains("90s"));
    }

    #[test]
    fn unknown_runner_lists_the_runners() {
        let error = parse(&GOOD.replace("\"custom\"", "\"custon\"")).unwrap_err();
        assert!(error.help.unwrap().contains("did you mean `custom`"));
    }

    fn flag<T>(value: T, flag: &'static str) -> Option<Sourced<T>> {
        Some(Sourced::new(value, Source::Flag(flag)))
    }

    #[test]
    fn overrides_win() {
        let overrides = Overrides {
            layer: Layer {
                workers: flag(Workers::Fixed(7), "--workers"),
                retries: flag(2, "--retries"),
                suites: flag(vec!["unit".into()], "--suite"),
                select: flag("slow".into(), "--select"),
                ..Layer::default()
            },
            ..Overrides::default()
        };
        let config = Config::parse(Utf8Path::new("/p/flotilla.toml"), Arc::new(GOOD.into()), &overrides).unwrap();
        assert_eq!(config.run.workers, 7);
        assert_eq!(config.suites[0].retry.retries, 2);
        assert_eq!(config.suites[0].select.as_deref(), Some("slow"));
        let overrides = Overrides {
            layer: Layer {
                suites: flag(vec!["unti".into()], "--suite"),
                ..Layer::default()
            },
            ..Overrides::default()
        };
        let error = Config::parse(Utf8Path::new("/p/flotilla.toml"), Arc::new(GOOD.into()), &overrides).unwrap_err();
        assert!(error.help.unwrap().contains("`unit`"));
    }

    /// Where each setting in effect came from: flag over profile over file over default.
    #[test]
    fn every_setting_names_its_source() {
        let text = format!(
            "{GOOD}retries = 1\nenv = {{ A = \"file\", B = \"file\" }}\n\n[profile.ci]\nselect = \"fast\"\nenv = {{ B = \"profile\" }}\n"
        );
        let overrides = Overrides {
            layer: Layer {
                workers: flag(Workers::Fixed(2), "--workers"),
                ..Layer::default()
            },
            profile: Some(Sourced::new("ci".into(), Source::Variable("FLOTILLA_PROFILE"))),
            ..Overrides::default()
        };
        let config = Config::parse(Utf8Path::new("/p/flotilla.toml"), Arc::new(text), &overrides).unwrap();
        let source = |key: &str| {
            config
                .settings
                .iter()
                .find(|s| s.key == key)
                .unwrap_or_else(|| panic!("no setting {key}: {:?}", config.settings))
                .source
                .to_string()
        };
        assert_eq!(source("workers"), "flag --workers");
        assert_eq!(source("profile"), "variable FLOTILLA_PROFILE");
        assert_eq!(source("suite.unit.retries"), "file (line 9)");
        assert_eq!(source("suite.unit.select"), "profile ci (line 13)");
        assert_eq!(source("suite.unit.env.A"), "file (line 10)");
        assert_eq!(source("suite.unit.env.B"), "profile ci (line 14)");
        assert_eq!(source("out-dir"), "default");
        assert_eq!(
            config.suites[0].env,
            [
                ("A".to_string(), "file".to_string()),
                ("B".to_string(), "profile".to_string())
            ]
        );
    }
}

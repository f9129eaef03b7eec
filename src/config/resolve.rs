//! [`Config`]: the validated configuration, resolved from the raw file plus CLI [`Overrides`].
//!
//! Over 400 lines: `Config::parse` still does several things in one function; the settings work
//! (issue 10: one options mirror, layers combined one way) splits it.

use std::sync::Arc;
use std::time::Duration;

use camino::{Utf8Path, Utf8PathBuf};
use globset::{Glob, GlobSet, GlobSetBuilder};

use super::diagnostic::ConfigError;
use super::raw::{RUN_KEYS, RawConfig, RawSuite, SUITE_KEYS, TOP_KEYS};
use super::workers::Workers;
use super::{DEFAULT_FILE_NAME, duration};
use crate::gate::GateConfig;
use crate::quarantine::Quarantine;
use crate::results::FlakyResult;
use crate::runners::{CommandTemplate, RunnerKind, SuiteCommand};
use crate::suggest::closest;

/// Settings given on the command line that override the file.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    /// `--workers N`.
    pub workers: Option<Workers>,
    /// `--retries N`.
    pub retries: Option<u32>,
    /// `--suite NAME` (repeatable): run only these suites.
    pub suites: Vec<String>,
    /// `--select EXPR`: replaces every suite's `select`.
    pub select: Option<String>,
    /// `--flaky-result`.
    pub flaky_result: Option<FlakyResult>,
    /// `--profile NAME`: use this profile instead of choosing one from the CI context.
    pub profile: Option<String>,
    /// The CI context profiles are chosen from (none detected: only `--profile` applies).
    pub ci: Option<crate::ci::CiContext>,
}

/// Run-wide settings (`[run]`).
#[derive(Clone, Debug)]
pub struct RunSettings {
    /// Worker slots on this machine.
    pub workers: usize,
    /// Where run directories go (`<out-dir>/<run-id>`, `<out-dir>/latest`).
    pub out_dir: Utf8PathBuf,
    /// The SQLite history file.
    pub history: Utf8PathBuf,
    /// Whether a flaky test passes or fails the run.
    pub flaky_result: FlakyResult,
    /// How many run folders to keep in `out-dir`.
    pub keep_runs: usize,
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
    pub split: bool,
    /// Per-job time limit.
    pub timeout: Option<Duration>,
    /// How long a job gets between SIGTERM and SIGKILL.
    pub timeout_grace: Duration,
    /// Extra environment variables for every job.
    pub environment: Vec<(String, String)>,
    /// The `[env.NAME]` whose per-worker copy its jobs run against.
    pub env: Option<String>,
    /// Only these worker slots (1-based) run its jobs (`on-workers`).
    pub on_workers: Option<Vec<usize>>,
}

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
    /// The chosen profile, if any.
    pub profile: Option<String>,
    /// Why that profile (or none) was chosen, for `--explain`.
    pub profile_reason: String,
    /// `[gate]`.
    pub gate: GateConfig,
    /// `[env.NAME]` compose environments, by name.
    pub envs: std::collections::BTreeMap<String, crate::envs::EnvConfig>,
    /// `[[step]]`s in order (empty: one test run of every suite).
    pub steps: Vec<crate::config::Step>,
    /// `[[cleanup]]` steps, always run.
    pub cleanup: Vec<crate::config::Step>,
}

const DEFAULT_GRACE: Duration = Duration::from_secs(5);

impl Config {
    /// Reads and resolves the configuration at `path`.
    pub fn load(path: &Utf8Path, overrides: &Overrides) -> Result<Self, ConfigError> {
        let path = path.to_path_buf();
        let text = match fs_err::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                return Err(ConfigError::file(
                    &path,
                    "configuration file not found",
                    Some(format!(
                        "create {DEFAULT_FILE_NAME} (see README), pass --config FILE, or -C DIR to run elsewhere"
                    )),
                ));
            }
            Err(error) => return Err(ConfigError::file(&path, error.to_string(), None)),
        };
        Self::parse(&path, Arc::new(text), overrides)
    }

    /// Resolves configuration `text` as if read from `path`.
    pub fn parse(path: &Utf8Path, text: Arc<String>, overrides: &Overrides) -> Result<Self, ConfigError> {
        let path = path.to_path_buf();
        let mut raw: RawConfig = toml::from_str(&text).map_err(|error| toml_error(&path, &text, &error))?;
        let root = absolute_parent(&path);
        let profiles = crate::config::profile::resolve(std::mem::take(&mut raw.profile));
        let no_ci;
        let ci = match &overrides.ci {
            Some(ci) => ci,
            None => {
                no_ci = crate::ci::detect(&|_| None).expect("an empty environment is a valid CI context");
                &no_ci
            }
        };
        let choice = crate::config::profile::choose(&profiles, overrides.profile.as_deref(), ci).map_err(|error| {
            ConfigError::file(
                &path,
                error.to_string(),
                Some("profiles are the [profile.NAME] tables of this file".into()),
            )
        })?;
        let profile_reason = choice.to_string();
        let profile = choice.profile.map(|p| p.name.clone());
        let from_profile = choice.profile.map(|p| p.overrides.clone()).unwrap_or_default();
        let overrides = &Overrides {
            workers: overrides.workers.or(from_profile.workers),
            retries: overrides.retries.or(from_profile.retries),
            suites: if overrides.suites.is_empty() {
                from_profile.suites.clone().unwrap_or_default()
            } else {
                overrides.suites.clone()
            },
            select: overrides.select.clone().or(from_profile.select.clone()),
            flaky_result: overrides.flaky_result,
            profile: overrides.profile.clone(),
            ci: None,
        };
        let workers = overrides.workers.or(raw.run.workers).unwrap_or(Workers::Auto).resolve();
        let ctx = Ctx {
            path: &path,
            text: &text,
        };
        let flaky_result = match (&overrides.flaky_result, &raw.run.flaky_result) {
            (Some(policy), _) => *policy,
            (None, Some(value)) => FlakyResult::from_name(value.get_ref()).ok_or_else(|| {
                ctx.error(
                    value.span(),
                    format!("invalid flaky-result `{}`", value.get_ref()),
                    "use \"pass\" (the default) or \"fail\"".to_string(),
                )
            })?,
            (None, None) => FlakyResult::Pass,
        };
        let quarantine = ctx.quarantine(&raw.quarantine, &root)?;
        let run = RunSettings {
            workers,
            out_dir: root.join(raw.run.out_dir.as_deref().unwrap_or(".flotilla/runs")),
            history: root.join(raw.run.history.as_deref().unwrap_or(".flotilla/history.db")),
            flaky_result,
            keep_runs: raw.run.keep_runs.unwrap_or(20).max(1),
        };
        let mut envs = std::collections::BTreeMap::new();
        for (name, raw_env) in &raw.env {
            let env = crate::envs::resolve(name.get_ref(), raw_env, &root).map_err(|error| {
                ctx.error(
                    name.span(),
                    error.to_string(),
                    "see docs/environments.md for the keys of [env.NAME]".to_string(),
                )
            })?;
            envs.insert(name.get_ref().clone(), env);
        }
        let mut suites = Vec::new();
        let known: Vec<&str> = raw.suite.keys().map(|name| name.get_ref().as_str()).collect();
        let all_suite_names: Vec<String> = known.iter().map(ToString::to_string).collect();
        for wanted in &overrides.suites {
            if !known.contains(&wanted.as_str()) {
                let help = match closest(wanted, known.iter().copied()) {
                    Some(name) => format!("did you mean `{name}`?"),
                    None => format!("suites in this file: {}", list_or_none(&known)),
                };
                return Err(ConfigError::file(
                    &path,
                    format!("no suite named `{wanted}`"),
                    Some(help),
                ));
            }
        }
        for (name, raw_suite) in raw.suite {
            if !overrides.suites.is_empty() && !overrides.suites.contains(name.get_ref()) {
                continue;
            }
            if let Some(env) = &raw_suite.env
                && !envs.contains_key(env.get_ref())
            {
                let help = match closest(env.get_ref(), envs.keys().map(String::as_str)) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => {
                        "define it as an [env.NAME] table with `compose = [...]` (see docs/environments.md)".to_string()
                    }
                };
                return Err(ctx.error(env.span(), format!("no environment named `{}`", env.get_ref()), help));
            }
            let mut suite = ctx.suite(&name, raw_suite, overrides, workers)?;
            // Profile variables win over the suite's own.
            suite.environment.retain(|(key, _)| !from_profile.env.contains_key(key));
            suite
                .environment
                .extend(from_profile.env.iter().map(|(k, v)| (k.clone(), v.clone())));
            suites.push(suite);
        }

        let env_names: Vec<String> = envs.keys().cloned().collect();
        let rules = super::step::StepRules {
            workers,
            suites: &all_suite_names,
            envs: &env_names,
        };
        let resolve_steps = |raw: Vec<toml::Spanned<super::step::RawStep>>, kind: &str| {
            raw.into_iter()
                .enumerate()
                .map(|(index, step)| {
                    super::step::resolve_step(step, index, kind, &rules)
                        .map_err(|(span, message)| ConfigError::at(&path, &text, span, message, None))
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let steps = resolve_steps(std::mem::take(&mut raw.step), "step")?;
        if !steps.is_empty() {
            // With a pipeline, suites run only where a test step names them.
            let referenced: Vec<&String> = steps
                .iter()
                .filter_map(|step| match &step.action {
                    crate::config::StepAction::Tests(names) => Some(names),
                    crate::config::StepAction::Commands(_) => None,
                })
                .flatten()
                .collect();
            suites.retain(|suite| referenced.contains(&&suite.name));
        }
        let cleanup = resolve_steps(std::mem::take(&mut raw.cleanup), "cleanup")?;
        if suites.is_empty() && (!steps.is_empty() || !cleanup.is_empty()) {
            // A pipeline of commands only is fine.
        } else if suites.is_empty() {
            return Err(ConfigError::file(
                &path,
                "no suites to run",
                Some("add a [suite.NAME] section with `runner`, `command` and `files` (see README)".into()),
            ));
        }
        Ok(Self {
            path: path.clone(),
            root,
            source: text,
            run,
            suites,
            quarantine,
            profile,
            profile_reason,
            gate: GateConfig::from_raw(raw.gate.unwrap_or_default()),
            envs,
            steps,
            cleanup,
        })
    }

    /// `[gate]` of the file at `path`, or `None` when there is no such file. Only the syntax
    /// of the rest of the file is checked (a gate job needs no suites).
    pub fn load_gate(path: &Utf8Path) -> Result<Option<GateConfig>, ConfigError> {
        let path = path.to_path_buf();
        let text = match fs_err::read_to_string(&path) {
            Ok(text) => Arc::new(text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(ConfigError::file(&path, error.to_string(), None)),
        };
        let raw: RawConfig = toml::from_str(&text).map_err(|error| toml_error(&path, &text, &error))?;
        Ok(Some(GateConfig::from_raw(raw.gate.unwrap_or_default())))
    }

    /// The Docker hosts named by the `[env.NAME]` tables of the file at `path`, or `None` when
    /// there is no such file (for `flotilla gc`).
    pub fn load_env_hosts(path: &Utf8Path) -> Result<Option<Vec<crate::envs::DockerHost>>, ConfigError> {
        let path = path.to_path_buf();
        let text = match fs_err::read_to_string(&path) {
            Ok(text) => Arc::new(text),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(error) => return Err(ConfigError::file(&path, error.to_string(), None)),
        };
        let raw: RawConfig = toml::from_str(&text).map_err(|error| toml_error(&path, &text, &error))?;
        let root = absolute_parent(&path);
        let mut hosts = Vec::new();
        for (name, env) in &raw.env {
            let env = crate::envs::resolve(name.get_ref(), env, &root)
                .map_err(|error| ConfigError::at(&path, &text, Some(name.span()), error.to_string(), None))?;
            hosts.extend(env.docker_hosts.into_iter().map(|spec| spec.host));
        }
        Ok(Some(hosts))
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

struct Ctx<'a> {
    path: &'a Utf8PathBuf,
    text: &'a Arc<String>,
}

impl Ctx<'_> {
    fn error(
        &self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        help: impl Into<Option<String>>,
    ) -> ConfigError {
        ConfigError::at(self.path, self.text, Some(span), message, help.into())
    }

    fn suite(
        &self,
        name: &toml::Spanned<String>,
        raw: RawSuite,
        overrides: &Overrides,
        workers: usize,
    ) -> Result<Suite, ConfigError> {
        let suite_name = name.get_ref().clone();
        if !is_valid_name(&suite_name) {
            return Err(self.error(
                name.span(),
                format!("invalid suite name `{suite_name}`"),
                "use letters, digits, `-` and `_` only".to_string(),
            ));
        }
        let runner = match &raw.runner {
            None => {
                return Err(self.error(
                    name.span(),
                    format!("suite `{suite_name}` has no `runner`"),
                    format!(
                        "add `runner = \"custom\"` with a `command`; runners: {}",
                        RunnerKind::NAMES.join(", ")
                    ),
                ));
            }
            Some(runner) => RunnerKind::from_name(runner.get_ref()).ok_or_else(|| {
                let help = match closest(runner.get_ref(), RunnerKind::NAMES.iter().copied()) {
                    Some(best) => format!("did you mean `{best}`? runners: {}", RunnerKind::NAMES.join(", ")),
                    None => format!("runners: {}", RunnerKind::NAMES.join(", ")),
                };
                self.error(runner.span(), format!("unknown runner `{}`", runner.get_ref()), help)
            })?,
        };
        let command = self.command(&suite_name, name, runner, &raw)?;
        let default_files: Vec<toml::Spanned<String>>;
        let (files, files_span) = match &raw.files {
            Some(files) => (files.get_ref().as_slice(), files.span()),
            None if !runner.adapter().default_files().is_empty() => {
                default_files = runner
                    .adapter()
                    .default_files()
                    .iter()
                    .map(|f| toml::Spanned::new(name.span(), (*f).to_string()))
                    .collect();
                (default_files.as_slice(), name.span())
            }
            None => {
                return Err(self.error(
                    name.span(),
                    format!("suite `{suite_name}` has no `files`"),
                    "add glob patterns relative to this file, for example `files = [\"tests/**/*.sh\"]`".to_string(),
                ));
            }
        };
        if files.is_empty() {
            return Err(self.error(
                files_span,
                "`files` is empty",
                "add at least one glob pattern".to_string(),
            ));
        }
        let include = self.globs(files)?;
        let mut excluded = raw.exclude.clone();
        excluded.extend(
            runner
                .adapter()
                .always_exclude()
                .iter()
                .map(|glob| toml::Spanned::new(name.span(), (*glob).to_string())),
        );
        let exclude = self.globs(&excluded)?;
        let timeout = raw.timeout.as_ref().map(|t| self.duration(t)).transpose()?;
        if timeout == Some(Duration::ZERO) {
            let span = raw.timeout.as_ref().map_or(0..0, toml::Spanned::span);
            return Err(self.error(span, "timeout must be longer than zero", duration::HELP.to_string()));
        }
        let timeout_grace = raw
            .timeout_grace
            .as_ref()
            .map(|t| self.duration(t))
            .transpose()?
            .unwrap_or(DEFAULT_GRACE);
        let on_workers = match &raw.on_workers {
            None => None,
            Some(slots) if slots.get_ref().is_empty() || slots.get_ref().iter().any(|&w| w == 0 || w > workers) => {
                return Err(self.error(
                    slots.span(),
                    format!("`on-workers` must list worker numbers from 1 to {workers}"),
                    "workers are numbered from 1; raise [run] workers or pick lower numbers".to_string(),
                ));
            }
            Some(slots) => Some(slots.get_ref().clone()),
        };
        let retry_delay = raw
            .retry_delay
            .as_ref()
            .map(|t| self.duration(t))
            .transpose()?
            .unwrap_or_default();
        Ok(Suite {
            name: suite_name,
            command,
            files: files.iter().map(|f| f.get_ref().clone()).collect(),
            include,
            exclude,
            files_span: Some(files_span),
            retry: super::RetryPolicy {
                retries: overrides.retries.or(raw.retries).unwrap_or(0),
                delay: retry_delay,
            },
            select: overrides.select.clone().or(raw.select).filter(|s| !s.trim().is_empty()),
            split: raw.split.unwrap_or(true),
            timeout,
            timeout_grace,
            environment: raw.environment.into_iter().collect(),
            env: raw.env.map(toml::Spanned::into_inner),
            on_workers,
        })
    }

    fn command(
        &self,
        suite_name: &str,
        name: &toml::Spanned<String>,
        runner: RunnerKind,
        raw: &RawSuite,
    ) -> Result<SuiteCommand, ConfigError> {
        if runner == RunnerKind::Custom {
            if !raw.args.is_empty() {
                return Err(self.error(
                    name.span(),
                    "`args` is for built-in runners",
                    "put the arguments in `command` for a custom runner".to_string(),
                ));
            }
            return match &raw.command {
                Some(command) => CommandTemplate::new(command.get_ref().clone())
                    .map(SuiteCommand::Template)
                    .map_err(|error| self.error(command.span(), error.to_string(), CommandTemplate::HELP.to_string())),
                None => Err(self.error(
                    name.span(),
                    format!("suite `{suite_name}` has no `command`"),
                    "add for example `command = [\"bash\", \"{file}\"]`; placeholders: {files} {file} {result} {worker} {run_id}"
                        .to_string(),
                )),
            };
        }
        let program = match &raw.command {
            Some(command) if command.get_ref().is_empty() => {
                return Err(self.error(
                    command.span(),
                    "`command` is empty",
                    format!("omit it to use `{}`", runner.adapter().default_program().join(" ")),
                ));
            }
            Some(command) if command.get_ref().iter().any(|w| w.contains('{')) => {
                return Err(self.error(
                    command.span(),
                    format!("placeholders are not used with runner `{}`", runner.name()),
                    format!(
                        "`command` is only the program that starts {} (e.g. [\"poetry\", \"run\", \"{}\"]); flotilla adds the files and result options",
                        runner.name(),
                        runner.name()
                    ),
                ));
            }
            Some(command) => command.get_ref().clone(),
            None => runner
                .adapter()
                .default_program()
                .iter()
                .map(ToString::to_string)
                .collect(),
        };
        Ok(SuiteCommand::Adapter {
            kind: runner,
            program,
            args: raw.args.clone(),
        })
    }

    fn quarantine(&self, raw: &super::raw::RawQuarantine, root: &Utf8Path) -> Result<Quarantine, ConfigError> {
        let (mut mute, mut skip) = (raw.mute.clone(), raw.skip.clone());
        if let Some(file) = &raw.file {
            let path = root.join(file.get_ref());
            let text = fs_err::read_to_string(&path).map_err(|error| {
                self.error(
                    file.span(),
                    format!("cannot read quarantine file `{path}`: {}", error.kind()),
                    "create it (one test id or glob per line) or fix the path, relative to this file".to_string(),
                )
            })?;
            let (more_mute, more_skip) = Quarantine::parse_file(&text)
                .map_err(|error| self.error(file.span(), format!("quarantine file `{path}`: {error}"), None))?;
            mute.extend(more_mute);
            skip.extend(more_skip);
        }
        Quarantine::new(&mute, &skip).map_err(|error| self.error(0..0, error.to_string(), None))
    }

    fn globs(&self, patterns: &[toml::Spanned<String>]) -> Result<GlobSet, ConfigError> {
        let mut builder = GlobSetBuilder::new();
        for pattern in patterns {
            let text = pattern.get_ref().trim_start_matches("./");
            let glob = globset::GlobBuilder::new(text)
                .literal_separator(true)
                .build()
                .map_err(|error| {
                    self.error(
                        pattern.span(),
                        format!("invalid glob `{}`: {}", pattern.get_ref(), error.kind()),
                        "globs use `*` (within a folder), `**` (across folders), `?`, `[abc]` and `{a,b}`".to_string(),
                    )
                })?;
            let _: &Glob = &glob;
            builder.add(glob);
        }
        builder
            .build()
            .map_err(|error| self.error(0..0, format!("invalid glob set: {error}"), None))
    }

    fn duration(&self, value: &toml::Spanned<String>) -> Result<Duration, ConfigError> {
        duration::parse(value.get_ref())
            .map_err(|error| self.error(value.span(), error.to_string(), duration::HELP.to_string()))
    }
}

fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn list_or_none(names: &[&str]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
    }
}

fn absolute_parent(path: &Utf8Path) -> Utf8PathBuf {
    let parent = path
        .parent()
        .filter(|p| !p.as_str().is_empty())
        .unwrap_or(Utf8Path::new("."));
    std::path::absolute(parent)
        .ok()
        .and_then(|p| Utf8PathBuf::from_path_buf(p).ok())
        .unwrap_or_else(|| parent.to_path_buf())
}

/// Turns a TOML/serde error into a [`ConfigError`] with a span and, for unknown keys, a suggestion.
fn toml_error(path: &Utf8PathBuf, text: &Arc<String>, error: &toml::de::Error) -> ConfigError {
    let message = error.message().trim().to_string();
    let help = unknown_key_help(&message).or_else(|| {
        if message.contains("invalid type") {
            Some("check the value's type: strings are quoted, lists use [ ], numbers are bare".to_string())
        } else {
            None
        }
    });
    ConfigError::at(path, text, error.span(), message, help)
}

fn unknown_key_help(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (key, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let candidates: Vec<&str> = if expected.is_empty() {
        TOP_KEYS
            .iter()
            .chain(RUN_KEYS)
            .chain(SUITE_KEYS)
            .chain(super::step::STEP_KEYS)
            .copied()
            .collect()
    } else {
        expected
    };
    Some(match closest(key, candidates.iter().copied()) {
        Some(best) => format!("did you mean `{best}`?"),
        None => format!("valid keys here: {}", candidates.join(", ")),
    })
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

    #[test]
    fn overrides_win() {
        let overrides = Overrides {
            workers: Some(Workers::Fixed(7)),
            retries: Some(2),
            suites: vec!["unit".into()],
            select: Some("slow".into()),
            flaky_result: None,
            ..Overrides::default()
        };
        let config = Config::parse(Utf8Path::new("/p/flotilla.toml"), Arc::new(GOOD.into()), &overrides).unwrap();
        assert_eq!(config.run.workers, 7);
        assert_eq!(config.suites[0].retry.retries, 2);
        assert_eq!(config.suites[0].select.as_deref(), Some("slow"));
        let overrides = Overrides {
            suites: vec!["unti".into()],
            ..Overrides::default()
        };
        let error = Config::parse(Utf8Path::new("/p/flotilla.toml"), Arc::new(GOOD.into()), &overrides).unwrap_err();
        assert!(error.help.unwrap().contains("`unit`"));
    }
}

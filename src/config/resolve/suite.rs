//! [`Ctx`]: resolves the tables of one [`ConfigFile`]: each `[suite.NAME]` into a [`Suite`]
//! (runner, command, globs, timeouts, retries, variables), `[quarantine]`, and the durations
//! they share, recording every setting in effect with its source.

use std::time::Duration;

use camino::Utf8Path;
use globset::{Glob, GlobSet, GlobSetBuilder};

use super::Suite;
use crate::config::file::{RawQuarantine, RawSuite};
use crate::config::{ConfigError, ConfigFile, Inputs, Layer, RetryPolicy, Setting, Source, Sourced, duration};
use crate::quarantine::Quarantine;
use crate::runners::{CommandTemplate, RunnerKind, SuiteCommand};
use crate::suggest::closest;

const DEFAULT_GRACE: Duration = Duration::from_secs(5);

/// Resolves the tables of one file, collecting every setting in effect for `--explain`.
pub(super) struct Ctx<'a> {
    pub(super) file: &'a ConfigFile,
    pub(super) settings: Vec<Setting>,
}

impl Ctx<'_> {
    pub(super) fn error(
        &self,
        span: std::ops::Range<usize>,
        message: impl Into<String>,
        help: impl Into<Option<String>>,
    ) -> ConfigError {
        self.file.error(Some(span), message, help)
    }

    /// Where a value written at `span` of the file came from.
    pub(super) fn source_at(&self, span: &std::ops::Range<usize>) -> Source {
        Source::File {
            line: self.file.line_of(span.start),
        }
    }

    /// One `[suite.NAME]`; `layer` is what the command line and the profile set over it.
    pub(super) fn suite(
        &mut self,
        name: &toml::Spanned<String>,
        raw: RawSuite,
        layer: &Layer,
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
        let slow_after = raw.slow_after.as_ref().map(|t| self.duration(t)).transpose()?;
        if slow_after == Some(Duration::ZERO) {
            let span = raw.slow_after.as_ref().map_or(0..0, toml::Spanned::span);
            return Err(self.error(span, "slow-after must be longer than zero", duration::HELP.to_string()));
        }
        let on_workers = match &raw.on_workers {
            None => None,
            Some(slots) if slots.get_ref().is_empty() || slots.get_ref().iter().any(|&w| w == 0 || w > workers) => {
                return Err(self.error(
                    slots.span(),
                    format!("`on-workers` must list worker numbers from 1 to {workers}"),
                    "workers are numbered from 1; raise [run] workers or pick lower numbers".to_string(),
                ));
            }
            Some(slots) => Some(
                slots
                    .get_ref()
                    .iter()
                    .filter_map(|&w| crate::worker_slot::WorkerSlot::new(w))
                    .collect(),
            ),
        };
        let retries = layer
            .retries
            .clone()
            .or_else(|| {
                raw.retries
                    .as_ref()
                    .map(|r| Sourced::new(*r.get_ref(), self.source_at(&r.span())))
            })
            .unwrap_or(Sourced::new(0, Source::Default));
        let select = layer
            .select
            .clone()
            .or_else(|| {
                raw.select
                    .as_ref()
                    .map(|s| Sourced::new(s.get_ref().clone(), self.source_at(&s.span())))
            })
            .filter(|s| !s.value.trim().is_empty());
        let inputs = self.inputs(&raw)?;
        let key = |k: &str| format!("suite.{suite_name}.{k}");
        self.settings.push(Setting::new(
            key("retries"),
            retries.value.to_string(),
            retries.source.clone(),
        ));
        self.settings.push(match &select {
            Some(select) => Setting::new(key("select"), format!("{:?}", select.value), select.source.clone()),
            None => Setting::new(key("select"), "(every test)", Source::Default),
        });
        // Variables: the command line's and the profile's win over the suite's own, name by name.
        let mut env: Vec<(String, String)> = Vec::new();
        for (name, value) in &layer.env {
            self.settings.push(Setting::new(
                key(&format!("env.{name}")),
                format!("{:?}", value.value),
                value.source.clone(),
            ));
            env.push((name.clone(), value.value.clone()));
        }
        for (name, value) in raw.env.0 {
            if !layer.env.contains_key(&name) {
                let source = self.source_at(&value.span());
                self.settings.push(Setting::new(
                    key(&format!("env.{name}")),
                    format!("{:?}", value.get_ref()),
                    source,
                ));
                env.push((name, value.into_inner()));
            }
        }
        env.sort();
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
            retry: RetryPolicy {
                retries: retries.value,
                delay: retry_delay,
            },
            select: select.map(|s| s.value),
            split: raw.split.unwrap_or_default(),
            timeout,
            timeout_grace,
            slow_after,
            env,
            services: raw.services.map(toml::Spanned::into_inner),
            on_workers,
            // Filled in by `Ctx::suites`, which knows the file's groups.
            groups: crate::config::SuiteGroups::default(),
            inputs,
        })
    }

    /// `inputs`: a non-empty list of valid globs (its type is checked when the file is parsed).
    fn inputs(&self, raw: &RawSuite) -> Result<Option<Inputs>, ConfigError> {
        let Some(inputs) = &raw.inputs else {
            return Ok(None);
        };
        if inputs.get_ref().is_empty() {
            return Err(self.error(
                inputs.span(),
                "`inputs` is empty",
                "list the files the suite's tests depend on, e.g. `inputs = [\"src/**\", \"tests/**\"]`, or remove the key to always run the suite".to_string(),
            ));
        }
        Ok(Some(Inputs {
            patterns: inputs
                .get_ref()
                .iter()
                .map(|p| p.get_ref().trim_start_matches("./").to_string())
                .collect(),
            set: self.globs(inputs.get_ref())?,
        }))
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

    pub(super) fn quarantine(&self, raw: &RawQuarantine, root: &Utf8Path) -> Result<Quarantine, ConfigError> {
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

    pub(super) fn globs(&self, patterns: &[toml::Spanned<String>]) -> Result<GlobSet, ConfigError> {
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

    pub(super) fn duration(&self, value: &toml::Spanned<String>) -> Result<Duration, ConfigError> {
        duration::parse(value.get_ref())
            .map_err(|error| self.error(value.span(), error.to_string(), duration::HELP.to_string()))
    }
}

pub(super) fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

//! The one serde mirror of `flotilla.toml`, read and parsed once: [`ConfigFile`] holds the
//! file's path, folder, text and its [`RawConfig`]. One file per table: `raw.rs` (the whole
//! file, `[run]`, `[suite.NAME]`, `[quarantine]`), `services.rs` (`[services.NAME]`),
//! `profile.rs`, `gate.rs`, `group.rs` (`[group.NAME]`), `step.rs` (`[[step]]`, `[[cleanup]]`), `vars.rs` (`env` tables),
//! `keys.rs` (every key, renamed keys, located TOML errors). Nothing outside `config/` reads
//! TOML.

mod gate;
mod group;
mod keys;
mod profile;
mod raw;
mod services;
mod step;
mod vars;

use std::sync::Arc;

use camino::{Utf8Path, Utf8PathBuf};

pub(crate) use profile::RawProfile;
pub(crate) use raw::{RawConfig, RawQuarantine, RawRun, RawSuite};
pub(crate) use services::{RawBuild, RawHost, RawProbe, RawServices};
pub(crate) use step::{RawParallel, RawStep};

use super::{ConfigError, DEFAULT_FILE_NAME};

/// `flotilla.toml`, read and parsed once.
#[derive(Debug)]
pub struct ConfigFile {
    /// The file.
    pub path: Utf8PathBuf,
    /// Its folder, absolute: globs, commands and relative paths are relative to it.
    pub root: Utf8PathBuf,
    /// Its text, for errors that point into it.
    pub text: Arc<String>,
    pub(crate) raw: RawConfig,
}

impl ConfigFile {
    /// Reads and parses the file at `path`; a missing file is an error that says how to
    /// create one.
    pub fn load(path: &Utf8Path) -> Result<Self, ConfigError> {
        Self::load_if_present(path)?.ok_or_else(|| {
            ConfigError::file(
                &path.to_path_buf(),
                "configuration file not found",
                Some(format!(
                    "create {DEFAULT_FILE_NAME} (see README), pass --config FILE, or -C DIR to run elsewhere"
                )),
            )
        })
    }

    /// Reads and parses the file at `path`, or `None` when there is no such file (`gate` and
    /// `gc` work without one).
    pub fn load_if_present(path: &Utf8Path) -> Result<Option<Self>, ConfigError> {
        let path = path.to_path_buf();
        match fs_err::read_to_string(&path) {
            Ok(text) => Self::parse(&path, Arc::new(text)).map(Some),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(ConfigError::file(&path, error.to_string(), None)),
        }
    }

    /// Parses `text` as if read from `path`.
    pub fn parse(path: &Utf8Path, text: Arc<String>) -> Result<Self, ConfigError> {
        let path = path.to_path_buf();
        let raw: RawConfig = toml::from_str(&text).map_err(|error| keys::toml_error(&path, &text, &error))?;
        Ok(Self {
            root: absolute_parent(&path),
            path,
            text,
            raw,
        })
    }

    /// An error at byte `span` of this file.
    pub(crate) fn error(
        &self,
        span: Option<std::ops::Range<usize>>,
        message: impl Into<String>,
        help: impl Into<Option<String>>,
    ) -> ConfigError {
        ConfigError::at(&self.path, &self.text, span, message, help.into())
    }

    /// The 1-based line of byte `offset`.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())].matches('\n').count() + 1
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

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<ConfigFile, ConfigError> {
        ConfigFile::parse(Utf8Path::new("/p/flotilla.toml"), Arc::new(text.to_string()))
    }

    #[test]
    fn old_keys_name_their_new_key() {
        let error = parse("[env.app]\ncompose = [\"c.yml\"]\n").unwrap_err();
        assert_eq!(error.location.map(|l| l.0), Some(1), "{}", error.message);
        assert!(error.help.as_deref().unwrap().contains("[services.NAME]"), "{error:?}");
        let error = parse("[suite.a]\nrunner = \"pytest\"\nenvironment = { A = \"1\" }\n").unwrap_err();
        assert_eq!(error.location, Some((3, 1)));
        assert!(error.help.as_deref().unwrap().contains("`env = {"), "{error:?}");
        let error = parse("[suite.a]\nrunner = \"pytest\"\nenv = \"app\"\n").unwrap_err();
        assert_eq!(error.location.map(|l| l.0), Some(3));
        assert!(error.message.contains("services = \"app\""), "{}", error.message);
        let error = parse("[[step]]\nrun = \"true\"\nenv = \"app\"\n").unwrap_err();
        assert!(error.message.contains("services = \"app\""), "{}", error.message);
        let error = parse("[[step]]\nrun = \"true\"\nenvironment = { A = \"1\" }\n").unwrap_err();
        assert!(error.help.as_deref().unwrap().contains("`env = {"), "{error:?}");
    }

    #[test]
    fn gate_globs_and_keys_are_located() {
        let error = parse("[gate]\nrequire = [\"api\", \"[\"]\n").unwrap_err();
        assert_eq!(error.location.map(|l| l.0), Some(2), "{}", error.message);
        assert!(error.message.contains("invalid suite glob `[`"), "{}", error.message);
        let error = parse("[gate]\nrequires = []\n").unwrap_err();
        assert_eq!(error.help.as_deref(), Some("did you mean `require`?"));
    }
}

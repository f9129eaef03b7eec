//! [`RerunCommands`]: the command that re-runs one test locally, the way its job ran it: the
//! suite's runner given just that test (or its file, when the runner cannot address single
//! tests), in the config folder, with the suite's variables. Built from the configuration, the
//! one thing the run folder does not record.

use std::ffi::OsString;

use camino::Utf8PathBuf;

use crate::config::Config;
use crate::runners::{Invocation, SuiteCommand, Target};

/// Where a re-run writes its report (the runner insists on one; nothing reads it).
const RERUN_RESULT: &str = "/tmp/flotilla-rerun.xml";

/// Re-run commands for every suite of a configuration.
#[derive(Clone, Debug, Default)]
pub struct RerunCommands {
    root: Utf8PathBuf,
    suites: Vec<SuiteRerun>,
}

#[derive(Clone, Debug)]
struct SuiteRerun {
    name: String,
    command: SuiteCommand,
    select: Option<String>,
    environment: Vec<(String, String)>,
}

impl RerunCommands {
    /// The suites of `config`.
    #[must_use]
    pub fn from_config(config: &Config) -> Self {
        Self {
            root: config.root.clone(),
            suites: config
                .suites
                .iter()
                .map(|suite| SuiteRerun {
                    name: suite.name.clone(),
                    command: suite.command.clone(),
                    select: suite.select.clone(),
                    environment: suite.env.clone(),
                })
                .collect(),
        }
    }

    /// Commands for one suite run by `command` in `root` (for the terminal's snapshot tests).
    #[cfg(test)]
    pub(crate) fn for_suite(root: &str, suite: &str, command: SuiteCommand) -> Self {
        Self {
            root: root.into(),
            suites: vec![SuiteRerun {
                name: suite.to_string(),
                command,
                select: None,
                environment: vec![("TZ".into(), "UTC".into())],
            }],
        }
    }

    /// A shell command line that re-runs test `id` of `file` in `suite`, if the suite is known.
    #[must_use]
    pub fn command(&self, suite: &str, file: &str, id: &str) -> Option<String> {
        let rerun = self.suites.iter().find(|s| s.name == suite)?;
        let target = if rerun.command.adapter().capabilities().addresses_tests && id != file {
            Target {
                file: file.to_string(),
                test: Some(id.to_string()),
            }
        } else {
            Target::file(file)
        };
        let argv = rerun.command.argv(&Invocation {
            targets: std::slice::from_ref(&target),
            result: RERUN_RESULT,
            root: &self.root,
            worker: 1,
            run_id: "rerun",
            select: rerun.select.as_deref(),
            deselect: &[],
        });
        let mut line = format!("cd {} &&", shell_quote(self.root.as_str()));
        for (key, value) in &rerun.environment {
            line.push(' ');
            line.push_str(key);
            line.push('=');
            line.push_str(&shell_quote(value));
        }
        for arg in &argv {
            line.push(' ');
            line.push_str(&shell_quote(&os_lossy(arg)));
        }
        Some(line)
    }
}

fn os_lossy(arg: &OsString) -> String {
    arg.to_string_lossy().into_owned()
}

/// `text` as one POSIX shell word: bare when it is made of safe characters, else in single
/// quotes (a single quote inside becomes `'\''`).
#[must_use]
pub fn shell_quote(text: &str) -> String {
    let safe = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=,@%+".contains(&b));
    if safe {
        text.to_string()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::shell_quote;

    #[test]
    fn words_are_quoted_only_when_needed() {
        assert_eq!(shell_quote("tests/a.py::test_x"), "tests/a.py::test_x");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("$(rm -rf /)"), "'$(rm -rf /)'");
    }
}

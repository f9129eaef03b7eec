//! [`Step`]: one resolved `[[step]]` or `[[cleanup]]` entry.

use std::ffi::OsString;
use std::time::Duration;

/// What a step does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepAction {
    /// Commands run in parallel, command `i` as worker `i + 1` (one command: a serial step).
    Commands(Vec<StepCommand>),
    /// A test run of these suites.
    Tests(Vec<String>),
}

/// One command of a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepCommand {
    /// A shell command line, run with `sh -c`.
    Shell(String),
    /// An argv, run as is.
    Argv(Vec<String>),
}

impl StepCommand {
    /// The argv for `worker` of run `run_id` (`{worker}`, `{run_id}`, `{run_dir}` substituted).
    #[must_use]
    pub fn argv(&self, worker: usize, run_id: &str, run_dir: &str) -> Vec<OsString> {
        let fill = |text: &str| {
            text.replace("{worker}", &worker.to_string())
                .replace("{run_id}", run_id)
                .replace("{run_dir}", run_dir)
        };
        match self {
            Self::Shell(line) => vec!["sh".into(), "-c".into(), fill(line).into()],
            Self::Argv(words) => words.iter().map(|w| OsString::from(fill(w))).collect(),
        }
    }

    /// A short form for messages.
    #[must_use]
    pub fn display(&self) -> String {
        match self {
            Self::Shell(line) => line.clone(),
            Self::Argv(words) => words.join(" "),
        }
    }
}

/// How the output of parallel commands is shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OutputMode {
    /// Live, each line prefixed with the step and worker.
    #[default]
    Prefix,
    /// Each command's output as one block when it ends.
    Grouped,
}

/// One resolved step.
#[derive(Clone, Debug)]
pub struct Step {
    /// Its name (default: the command, or `tests`).
    pub name: String,
    /// What it does.
    pub action: StepAction,
    /// Time limit of each command.
    pub timeout: Option<Duration>,
    /// SIGTERM → SIGKILL grace.
    pub timeout_grace: Duration,
    /// Re-runs of a failed command, and the back-off.
    pub retry: super::RetryPolicy,
    /// A failure does not stop the pipeline (it still fails the run).
    pub continue_on_failure: bool,
    /// The `[services.NAME]` whose worker variables the commands get.
    pub services: Option<String>,
    /// Run the commands inside this service of the worker's environment.
    pub exec: Option<String>,
    /// How output is shown.
    pub output: OutputMode,
    /// Extra environment variables (`env`).
    pub env: Vec<(String, String)>,
}

impl Step {
    /// Whether it is a test step that runs suite `name`.
    #[must_use]
    pub fn runs_suite(&self, name: &str) -> bool {
        matches!(&self.action, StepAction::Tests(names) if names.iter().any(|n| n == name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_fill_shell_and_argv_commands() {
        let shell = StepCommand::Shell("rspec --group {worker} --out {run_dir}/{run_id}".into());
        assert_eq!(shell.argv(3, "r1", "/runs/r1")[2], "rspec --group 3 --out /runs/r1/r1");
        let argv = StepCommand::Argv(vec!["make".into(), "shard-{worker}".into()]);
        assert_eq!(argv.argv(2, "r", "d"), vec!["make", "shard-2"]);
    }
}

//! [`ChangedFiles`]: what `flotilla run --changed-since REF` compares the suites' `inputs`
//! with: the files `git diff --name-only REF...HEAD` names (changed on this branch since it
//! left REF) plus the uncommitted ones (`git status --porcelain`: staged, unstaged,
//! untracked), as paths relative to the config folder. [`SuiteChange`] is the verdict on one
//! suite. Git runs through `exec::run_captured`, in the repository's top folder.

use std::collections::BTreeSet;
use std::ffi::OsString;

use camino::{Utf8Path, Utf8PathBuf};
use tokio::sync::watch;

use crate::config::Suite;
use crate::exec::{CapturedSpec, ProcessEnd, Shutdown, SpawnError, run_captured};

/// Why the changed files could not be known.
#[derive(Debug, thiserror::Error)]
pub enum ChangedSinceError {
    /// The config folder is not inside a git repository.
    #[error(
        "--changed-since needs a git repository, and `{root}` is not inside one ({message}); run `git init`, or drop --changed-since"
    )]
    NotARepository { root: Utf8PathBuf, message: String },
    /// The reference does not name a commit.
    #[error(
        "--changed-since `{reference}`: no such branch, tag or commit in this repository; fetch it (`git fetch origin {reference}`) or name another (e.g. origin/main)"
    )]
    UnknownRef { reference: String },
    /// git could not be started.
    #[error("--changed-since needs git")]
    GitMissing(#[source] SpawnError),
    /// A git command failed for another reason.
    #[error("`git {command}` failed: {message}")]
    Git { command: String, message: String },
}

impl ChangedSinceError {
    /// Whether it is the user's input (exit 2) rather than the machine (exit 3).
    #[must_use]
    pub fn is_usage(&self) -> bool {
        matches!(self, Self::NotARepository { .. } | Self::UnknownRef { .. })
    }
}

/// The files changed since a reference, relative to the config folder.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangedFiles {
    /// The reference, as given.
    pub reference: String,
    /// Changed, added, deleted or renamed (both names) files under the config folder.
    pub files: BTreeSet<String>,
}

/// What `--changed-since` does with one suite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SuiteChange {
    /// It has no `inputs`: it always runs.
    NoInputs,
    /// These of its inputs changed: it runs.
    Changed(Vec<String>),
    /// None of its inputs changed: it is left out.
    Unchanged,
}

impl SuiteChange {
    /// The verdict on `suite` given `changed`.
    #[must_use]
    pub fn of(suite: &Suite, changed: &ChangedFiles) -> Self {
        let Some(inputs) = &suite.inputs else {
            return Self::NoInputs;
        };
        let files: Vec<String> = changed.files.iter().filter(|f| inputs.matches(f)).cloned().collect();
        if files.is_empty() {
            Self::Unchanged
        } else {
            Self::Changed(files)
        }
    }

    /// Whether the suite runs.
    #[must_use]
    pub fn runs(&self) -> bool {
        !matches!(self, Self::Unchanged)
    }

    /// One line for the terminal: `suite NAME: runs (...)` or `suite NAME: left out (...)`.
    #[must_use]
    pub fn describe(&self, suite: &str, reference: &str) -> String {
        match self {
            Self::NoInputs => format!("suite {suite}: runs (it has no `inputs`, so it always runs)"),
            Self::Changed(files) => {
                const SHOWN: usize = 3;
                let mut names = files.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
                if files.len() > SHOWN {
                    names.push_str(&format!(" and {} more", files.len() - SHOWN));
                }
                format!("suite {suite}: runs ({} input file(s) changed: {names})", files.len())
            }
            Self::Unchanged => format!("suite {suite}: left out (no input changed since {reference})"),
        }
    }
}

impl ChangedFiles {
    /// Asks git, in the repository holding `root`, what changed since `reference`; paths under
    /// `skip` (the run folders and the history, absolute or relative to `root`) are left out.
    pub async fn since(
        root: &Utf8Path,
        reference: &str,
        skip: &[Utf8PathBuf],
        shutdown: &mut watch::Receiver<Shutdown>,
    ) -> Result<Self, ChangedSinceError> {
        let top = match git(root, &["rev-parse", "--show-toplevel"], shutdown).await? {
            Ok(out) => Utf8PathBuf::from(String::from_utf8_lossy(&out).trim()),
            Err(message) => {
                return Err(ChangedSinceError::NotARepository {
                    root: root.to_path_buf(),
                    message,
                });
            }
        };
        let commit = format!("{reference}^{{commit}}");
        if git(&top, &["rev-parse", "--verify", "--quiet", &commit], shutdown)
            .await?
            .is_err()
        {
            return Err(ChangedSinceError::UnknownRef {
                reference: reference.to_string(),
            });
        }
        let range = format!("{reference}...HEAD");
        let diff = git(&top, &["diff", "--name-only", "-z", &range, "--"], shutdown)
            .await?
            .map_err(|message| ChangedSinceError::Git {
                command: format!("diff --name-only {range}"),
                message,
            })?;
        let status = git(
            &top,
            &["status", "--porcelain", "-z", "--untracked-files=all"],
            shutdown,
        )
        .await?
        .map_err(|message| ChangedSinceError::Git {
            command: "status --porcelain".to_string(),
            message,
        })?;
        let mut in_repo: Vec<String> = split_nul(&diff);
        in_repo.extend(parse_porcelain(&status));
        let mut files = relative_to_root(&top, root, in_repo);
        let skip: Vec<Utf8PathBuf> = skip
            .iter()
            .filter_map(|path| root.join(path).strip_prefix(root).ok().map(Utf8Path::to_path_buf))
            .collect();
        files.retain(|file| !skip.iter().any(|skipped| Utf8Path::new(file).starts_with(skipped)));
        Ok(Self {
            reference: reference.to_string(),
            files,
        })
    }
}

/// Runs git in `cwd`: `Ok(stdout)`, or `Err(stderr)` when it exits non-zero.
async fn git(
    cwd: &Utf8Path,
    args: &[&str],
    shutdown: &mut watch::Receiver<Shutdown>,
) -> Result<Result<Vec<u8>, String>, ChangedSinceError> {
    let mut argv: Vec<OsString> = vec!["git".into()];
    argv.extend(args.iter().map(OsString::from));
    let mut spec = CapturedSpec::new(argv);
    spec.cwd = Some(cwd.to_path_buf());
    // Nothing of the user's git configuration should page or colour what is parsed.
    spec.env = vec![
        ("GIT_PAGER".to_string(), "cat".to_string()),
        ("GIT_OPTIONAL_LOCKS".to_string(), "0".to_string()),
    ];
    spec.timeout = Some(std::time::Duration::from_secs(120));
    let captured = run_captured(&spec, shutdown)
        .await
        .map_err(ChangedSinceError::GitMissing)?;
    Ok(match captured.end {
        ProcessEnd::Exited(0) => Ok(captured.stdout),
        end => {
            let stderr = String::from_utf8_lossy(&captured.stderr).trim().to_string();
            Err(if stderr.is_empty() { format!("{end:?}") } else { stderr })
        }
    })
}

fn split_nul(bytes: &[u8]) -> Vec<String> {
    bytes
        .split(|b| *b == 0)
        .filter(|part| !part.is_empty())
        .map(|part| String::from_utf8_lossy(part).into_owned())
        .collect()
}

/// The paths of `git status --porcelain -z`: `XY path`, and after a rename or copy the
/// original path as an entry of its own (both count as changed).
fn parse_porcelain(bytes: &[u8]) -> Vec<String> {
    let mut paths = Vec::new();
    let mut entries = bytes.split(|b| *b == 0).filter(|e| !e.is_empty());
    while let Some(entry) = entries.next() {
        if entry.len() < 4 {
            continue;
        }
        paths.push(String::from_utf8_lossy(&entry[3..]).into_owned());
        if matches!(entry[0], b'R' | b'C')
            && let Some(original) = entries.next()
        {
            paths.push(String::from_utf8_lossy(original).into_owned());
        }
    }
    paths
}

/// Repository paths as paths relative to the config folder `root` (files outside it dropped).
fn relative_to_root(top: &Utf8Path, root: &Utf8Path, paths: Vec<String>) -> BTreeSet<String> {
    // git prints the top folder with symlinks resolved: compare like with like.
    let canonical = |path: &Utf8Path| {
        std::fs::canonicalize(path)
            .ok()
            .and_then(|p| Utf8PathBuf::from_path_buf(p).ok())
            .unwrap_or_else(|| path.to_path_buf())
    };
    let (top, root) = (canonical(top), canonical(root));
    paths
        .into_iter()
        .filter_map(|path| {
            top.join(&path)
                .strip_prefix(&root)
                .ok()
                .map(|relative| relative.as_str().to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::{Config, Overrides};

    #[test]
    fn porcelain_names_renames_both_ways_and_untracked_files() {
        let status = b" M src/a.py\0R  new.py\0old.py\0?? tests/new test.py\0D  gone.py\0";
        assert_eq!(
            parse_porcelain(status),
            ["src/a.py", "new.py", "old.py", "tests/new test.py", "gone.py"]
        );
    }

    #[test]
    fn paths_outside_the_config_folder_are_dropped() {
        let files = relative_to_root(
            Utf8Path::new("/no/such/repo"),
            Utf8Path::new("/no/such/repo/app"),
            vec!["app/src/a.py".into(), "other/b.py".into()],
        );
        assert_eq!(files.into_iter().collect::<Vec<_>>(), ["src/a.py"]);
    }

    #[test]
    fn a_suite_runs_when_one_of_its_inputs_changed_or_it_has_none() {
        let text = "[suite.a]\nrunner = \"custom\"\ncommand = [\"bash\", \"{file}\"]\nfiles = [\"t/*.sh\"]\ninputs = [\"src/**\"]\n\n[suite.b]\nrunner = \"custom\"\ncommand = [\"bash\", \"{file}\"]\nfiles = [\"t/*.sh\"]\n";
        let config = Config::parse(
            Utf8Path::new("/p/flotilla.toml"),
            Arc::new(text.into()),
            &Overrides::default(),
        )
        .unwrap();
        let changed = |files: &[&str]| ChangedFiles {
            reference: "main".into(),
            files: files.iter().map(ToString::to_string).collect(),
        };
        let (a, b) = (&config.suites[0], &config.suites[1]);
        assert_eq!(SuiteChange::of(a, &changed(&["docs/x.md"])), SuiteChange::Unchanged);
        assert_eq!(
            SuiteChange::of(a, &changed(&["docs/x.md", "src/m/x.py"])),
            SuiteChange::Changed(vec!["src/m/x.py".into()])
        );
        assert_eq!(SuiteChange::of(b, &changed(&[])), SuiteChange::NoInputs);
        assert!(SuiteChange::NoInputs.runs() && !SuiteChange::Unchanged.runs());
        assert_eq!(
            SuiteChange::Unchanged.describe("a", "main"),
            "suite a: left out (no input changed since main)"
        );
    }
}

//! [`list_tests`]: asks a suite's runner which tests its big files hold, so that they can be
//! split across workers. The listing is a process like any job: its own process group, a time
//! limit, and killed at once when the run is interrupted (it must not outlive flotilla).

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::watch;

use crate::config::{Config, Suite};
use crate::exec::Shutdown;
use crate::exec::{ProcessEnd, ProcessSpec, run_process};
use crate::runners::{ListedTest, Project};

/// How long listing the tests of big files may take.
const LIST_TIMEOUT: Duration = Duration::from_secs(120);

/// Why a suite's big files could not be listed (they then run whole).
#[derive(Debug, thiserror::Error)]
pub enum ListingError {
    /// The runner has no listing command for this selection.
    #[error("the runner cannot list tests")]
    Unsupported,
    /// The listing folder could not be made.
    #[error("could not create the listing folder `{path}`")]
    Folder {
        path: camino::Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The listing process could not start.
    #[error("could not start the listing command")]
    Spawn(#[source] crate::exec::SpawnError),
    /// It ran past [`LIST_TIMEOUT`].
    #[error("listing tests took longer than {}s", LIST_TIMEOUT.as_secs())]
    TimedOut,
    /// The run was interrupted while it listed; its process group was killed.
    #[error("interrupted while listing tests")]
    Interrupted,
    /// It failed; the end of its stderr says why.
    #[error("listing tests failed ({end}): {stderr}")]
    Failed { end: String, stderr: String },
    /// Its output could not be read as a listing, in the words of the runner's report parser.
    #[error(transparent)]
    Parse(crate::runners::ListError),
}

/// What a suite's listing found, by file.
pub(super) type Listed = HashMap<String, Vec<ListedTest>>;

/// Runs the suite's listing command for `files` and parses its output.
pub(super) async fn list_tests(
    config: &Config,
    suite: &Suite,
    files: &[String],
    shutdown: &watch::Receiver<Shutdown>,
) -> Result<Listed, ListingError> {
    let project = Project {
        root: &config.root,
        files,
    };
    let argv = suite
        .command
        .list_argv(&project, suite.select.as_deref())
        .ok_or(ListingError::Unsupported)?;
    let dir = config.run.out_dir.join(".listing");
    fs_err::create_dir_all(&dir).map_err(|source| ListingError::Folder {
        path: dir.clone(),
        source,
    })?;
    let stem = format!("{}-{}", suite.name, std::process::id());
    let spec = ProcessSpec {
        argv,
        cwd: config.root.clone(),
        env: suite.env.clone(),
        stdout: dir.join(format!("{stem}.stdout")),
        stderr: dir.join(format!("{stem}.stderr")),
        timeout: Some(LIST_TIMEOUT),
        grace: suite.timeout_grace,
        relay: None,
    };
    let mut shutdown = shutdown.clone();
    let result = run_process(&spec, &mut shutdown).await.map_err(ListingError::Spawn)?;
    let stdout = std::fs::read_to_string(&spec.stdout).unwrap_or_default();
    let stderr = crate::fsutil::tail(&spec.stderr, 400);
    let _ = std::fs::remove_file(&spec.stdout);
    let _ = std::fs::remove_file(&spec.stderr);
    match result.end {
        ProcessEnd::TimedOut => return Err(ListingError::TimedOut),
        ProcessEnd::Cancelled => return Err(ListingError::Interrupted),
        ProcessEnd::Exited(0..=2) => {}
        end => {
            return Err(ListingError::Failed {
                end: format!("{end:?}"),
                stderr: stderr.trim().to_string(),
            });
        }
    }
    // An empty listing (nothing selected) is not an error: those files simply run whole.
    let listed = suite
        .command
        .adapter()
        .parse_list(&stdout, &project)
        .map_err(ListingError::Parse)?;
    Ok(group_by_file(listed))
}

fn group_by_file(listed: Vec<ListedTest>) -> Listed {
    let mut by_file: Listed = HashMap::new();
    for test in listed {
        let file = test.file.trim_start_matches("./").to_string();
        by_file.entry(file).or_default().push(test);
    }
    by_file
}

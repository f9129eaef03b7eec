//! [`RunDir`]: `<out-dir>/<run-id>/` with `logs/`, `results/`, and the `latest` link.

use camino::{Utf8Path, Utf8PathBuf};

use super::job_id::JobId;
use crate::error::Error;

/// Whether `name` looks like a run id (`YYYYMMDD-HHMMSS-xxxx`).
pub fn is_run_id(name: &str) -> bool {
    let bytes = name.as_bytes();
    bytes.len() == 20
        && bytes[8] == b'-'
        && bytes[15] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| matches!(i, 8 | 15) || b.is_ascii_hexdigit())
}

/// The folder of one run.
#[derive(Clone, Debug)]
pub struct RunDir {
    /// The run's id: `YYYYMMDD-HHMMSS-xxxx`, lowercase `[a-z0-9-]` (valid as a compose project).
    pub run_id: String,
    /// `<out-dir>/<run-id>`.
    pub path: Utf8PathBuf,
    out_dir: Utf8PathBuf,
}

impl RunDir {
    /// Creates a fresh run folder under `out_dir`.
    pub fn create(out_dir: &Utf8Path) -> Result<Self, Error> {
        let now = chrono::Local::now();
        let nanos = now.timestamp_subsec_nanos();
        let salt = (u64::from(std::process::id()) << 32 | u64::from(nanos)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 48;
        let run_id = format!("{}-{salt:04x}", now.format("%Y%m%d-%H%M%S"));
        let path = out_dir.join(&run_id);
        for sub in ["logs", "results"] {
            fs_err::create_dir_all(path.join(sub))
                .map_err(|source| Error::io("failed to create the run directory", path.join(sub), source))?;
        }
        Ok(Self {
            run_id,
            path,
            out_dir: out_dir.to_path_buf(),
        })
    }

    /// Removes all but the newest `keep` run folders (never this one). Best effort.
    pub fn prune(&self, keep: usize) {
        let Ok(entries) = std::fs::read_dir(&self.out_dir) else {
            return;
        };
        let mut runs: Vec<String> = entries
            .flatten()
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(|name| is_run_id(name) && *name != self.run_id)
            .collect();
        runs.sort_unstable();
        let excess = (runs.len() + 1).saturating_sub(keep.max(1));
        for old in runs.into_iter().take(excess) {
            let _ = std::fs::remove_dir_all(self.out_dir.join(old));
        }
    }

    /// Captured stdout of job `id`.
    #[must_use]
    pub fn stdout(&self, id: JobId) -> Utf8PathBuf {
        self.path.join(format!("logs/job-{id:05}.stdout"))
    }

    /// Captured stderr of job `id`.
    #[must_use]
    pub fn stderr(&self, id: JobId) -> Utf8PathBuf {
        self.path.join(format!("logs/job-{id:05}.stderr"))
    }

    /// Where job `id` may write JUnit XML (`{result}`).
    #[must_use]
    pub fn result(&self, id: JobId) -> Utf8PathBuf {
        self.path.join(format!("results/job-{id:05}.xml"))
    }

    /// Points `<out-dir>/latest` at this run.
    pub fn mark_latest(&self) -> std::io::Result<()> {
        crate::fsutil::replace_symlink(&self.run_id, &self.out_dir.join("latest"))
    }
}

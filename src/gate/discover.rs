//! [`find_summaries`]: every `summary.json` under the given folders, recursively, including
//! hidden and git-ignored ones (artifacts often live there), without following symbolic links
//! inside them (so `.flotilla/runs/latest` is not counted twice). A root that is itself a
//! symbolic link is followed. The same file reached twice is read once.

use std::collections::HashSet;

use camino::{Utf8Path, Utf8PathBuf};
use ignore::WalkBuilder;

use super::summary::{Found, SummaryError};

/// The file name the gate looks for.
pub const SUMMARY_FILE: &str = "summary.json";

/// The command line named something that cannot be searched.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    /// A path given on the command line does not exist.
    #[error(
        "`{path}` does not exist; pass the folders that hold the summary.json files (the run's out-dir or the downloaded artifacts)"
    )]
    NoSuchPath {
        /// The path as given.
        path: Utf8PathBuf,
    },
}

/// Every `summary.json` under `roots` (a root may also be a summary file itself), in path
/// order per root. Files that cannot be read are returned as [`Found`]s with an error, so the
/// gate reports them.
///
/// # Errors
///
/// [`GateError::NoSuchPath`] when a root does not exist.
pub fn find_summaries(roots: &[Utf8PathBuf]) -> Result<Vec<Found>, GateError> {
    for root in roots {
        if !root.exists() {
            return Err(GateError::NoSuchPath { path: root.clone() });
        }
    }
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    for root in roots {
        if root.is_file() {
            push_once(&mut found, &mut seen, Found::load(root));
            continue;
        }
        let walker = WalkBuilder::new(root)
            .standard_filters(false)
            .follow_links(false)
            .sort_by_file_name(std::cmp::Ord::cmp)
            .build();
        for entry in walker {
            match entry {
                Ok(entry) => {
                    let is_file = entry.file_type().is_some_and(|t| t.is_file());
                    if is_file && entry.file_name() == SUMMARY_FILE {
                        match Utf8Path::from_path(entry.path()) {
                            Some(path) => push_once(&mut found, &mut seen, Found::load(path)),
                            None => found.push(unreadable(
                                Utf8PathBuf::from(entry.path().to_string_lossy().into_owned()),
                                "the path is not valid UTF-8",
                            )),
                        }
                    }
                }
                Err(error) => {
                    let path = walk_error_path(&error).unwrap_or_else(|| root.clone());
                    found.push(unreadable(path, &error.to_string()));
                }
            }
        }
    }
    Ok(found)
}

fn push_once(found: &mut Vec<Found>, seen: &mut HashSet<std::path::PathBuf>, item: Found) {
    let key = item
        .path
        .canonicalize()
        .unwrap_or_else(|_| item.path.clone().into_std_path_buf());
    if seen.insert(key) {
        found.push(item);
    }
}

fn unreadable(path: Utf8PathBuf, message: &str) -> Found {
    Found {
        path,
        summary: Err(SummaryError::Unreadable {
            message: message.to_string(),
        }),
    }
}

fn walk_error_path(error: &ignore::Error) -> Option<Utf8PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Utf8PathBuf::from_path_buf(path.clone()).ok(),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => walk_error_path(err),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf8(path: &std::path::Path) -> Utf8PathBuf {
        Utf8PathBuf::from_path_buf(path.to_path_buf()).unwrap()
    }

    #[test]
    fn finds_nested_hidden_and_ignored_files_once_without_following_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = utf8(dir.path());
        for sub in ["a/run1", ".flotilla/runs/r2", "ignored/deep/er"] {
            std::fs::create_dir_all(root.join(sub)).unwrap();
            std::fs::write(root.join(sub).join("summary.json"), "{}").unwrap();
        }
        std::fs::write(root.join(".gitignore"), "ignored/\n").unwrap();
        std::fs::write(root.join("a/run1/other.json"), "{}").unwrap();
        std::os::unix::fs::symlink(root.join(".flotilla/runs/r2"), root.join(".flotilla/runs/latest")).unwrap();
        let found = find_summaries(&[root.clone(), root.join("a")]).unwrap();
        let paths: Vec<String> = found
            .iter()
            .map(|f| f.path.strip_prefix(&root).unwrap().to_string())
            .collect();
        assert_eq!(
            paths,
            [
                ".flotilla/runs/r2/summary.json",
                "a/run1/summary.json",
                "ignored/deep/er/summary.json"
            ]
        );
    }

    #[test]
    fn a_symlinked_root_or_a_file_root_is_searched() {
        let dir = tempfile::tempdir().unwrap();
        let root = utf8(dir.path());
        std::fs::create_dir_all(root.join("runs/r1")).unwrap();
        std::fs::write(root.join("runs/r1/summary.json"), "{}").unwrap();
        std::os::unix::fs::symlink(root.join("runs/r1"), root.join("latest")).unwrap();
        let found = find_summaries(&[root.join("latest")]).unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].path, root.join("latest/summary.json"));
        let found = find_summaries(&[root.join("runs/r1/summary.json")]).unwrap();
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn a_missing_root_is_a_usage_error() {
        let error = find_summaries(&["/no/such/folder".into()]).unwrap_err();
        assert!(
            error.to_string().starts_with("`/no/such/folder` does not exist;"),
            "{error}"
        );
    }
}

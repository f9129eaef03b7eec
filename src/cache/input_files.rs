//! [`input_files`]: the files each suite's `inputs` match, with the SHA-256 of their content.
//! The config folder is walked once for all suites, as discovery walks it (`.gitignore`
//! honoured, hidden entries skipped), and the run folders and the history are never inputs:
//! they change with every run.

use std::collections::HashMap;

use camino::{Utf8Path, Utf8PathBuf};
use ignore::WalkBuilder;

use super::fingerprint::InputFile;
use crate::config::Suite;

/// Why the input files could not be read.
#[derive(Debug, thiserror::Error)]
pub enum InputFilesError {
    /// The config folder could not be walked.
    #[error("failed to look for the suites' input files under `{root}`")]
    Walk {
        root: Utf8PathBuf,
        #[source]
        source: ignore::Error,
    },
    /// An input file matched but could not be read.
    #[error("failed to read the input file `{path}`; fix its permissions or leave it out of `inputs`")]
    Read {
        path: Utf8PathBuf,
        #[source]
        source: std::io::Error,
    },
}

/// Per suite (in the order of `suites`), its input files sorted by path; empty for a suite
/// without `inputs`. `skip` are paths (absolute, or relative to `root`) never taken as inputs.
pub fn input_files(
    root: &Utf8Path,
    suites: &[Suite],
    skip: &[Utf8PathBuf],
) -> Result<Vec<Vec<InputFile>>, InputFilesError> {
    let mut found: Vec<Vec<InputFile>> = vec![Vec::new(); suites.len()];
    if suites.iter().all(|suite| suite.inputs.is_none()) {
        return Ok(found);
    }
    let skip: Vec<Utf8PathBuf> = skip.iter().map(|path| root.join(path)).collect();
    let walker = WalkBuilder::new(root).require_git(false).follow_links(false).build();
    // A file matched by several suites is read once.
    let mut digests: HashMap<String, InputFile> = HashMap::new();
    for entry in walker {
        let entry = entry.map_err(|source| InputFilesError::Walk {
            root: root.to_path_buf(),
            source,
        })?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Some(path) = Utf8Path::from_path(entry.path()) else {
            continue;
        };
        if skip.iter().any(|skipped| path.starts_with(skipped)) {
            continue;
        }
        let Ok(relative) = path.strip_prefix(root) else {
            continue;
        };
        let relative = relative.as_str();
        for (suite, files) in suites.iter().zip(found.iter_mut()) {
            if !suite.inputs.as_ref().is_some_and(|inputs| inputs.matches(relative)) {
                continue;
            }
            let input = match digests.get(relative) {
                Some(input) => input.clone(),
                None => {
                    let content = std::fs::read(path).map_err(|source| InputFilesError::Read {
                        path: path.to_path_buf(),
                        source,
                    })?;
                    let input = InputFile::new(relative, &content);
                    digests.insert(relative.to_string(), input.clone());
                    input
                }
            };
            files.push(input);
        }
    }
    for files in &mut found {
        files.sort();
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::{Config, Overrides};

    #[test]
    fn inputs_match_their_globs_and_never_the_run_folders() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        for file in [
            "src/a.py",
            "src/sub/b.py",
            "docs/x.md",
            "out/runs/1/summary.json",
            "t/a.sh",
            "package.json",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, file).unwrap();
        }
        let text = "[suite.a]\nrunner = \"custom\"\ncommand = [\"bash\", \"{file}\"]\nfiles = [\"t/*.sh\"]\ninputs = [\"src/**\", \"out/**\", \"package.json\"]\n\n[suite.b]\nrunner = \"custom\"\ncommand = [\"bash\", \"{file}\"]\nfiles = [\"t/*.sh\"]\n";
        let config = Config::parse(
            &root.join("flotilla.toml"),
            Arc::new(text.into()),
            &Overrides::default(),
        )
        .unwrap();
        let found = input_files(&root, &config.suites, &[Utf8PathBuf::from("out")]).unwrap();
        let paths: Vec<&str> = found[0].iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["package.json", "src/a.py", "src/sub/b.py"]);
        assert_eq!(found[0][1], InputFile::new("src/a.py", b"src/a.py"));
        assert!(found[1].is_empty());
    }
}

//! Discovery: each suite's `files` globs → a sorted, de-duplicated list of test files.
//!
//! The config folder is walked once for all suites, honouring `.gitignore` (also outside a git
//! repository) and skipping hidden entries. Paths are relative to the config folder, with `/`.

use camino::Utf8Path;
use ignore::WalkBuilder;

use crate::config::Suite;
use crate::error::Error;

/// Test files per suite, in the order of `suites`; each list sorted and unique.
pub fn discover(root: &Utf8Path, suites: &[Suite]) -> Result<Vec<Vec<String>>, Error> {
    let mut found: Vec<Vec<String>> = vec![Vec::new(); suites.len()];
    let walker = WalkBuilder::new(root)
        .require_git(false)
        .follow_links(false)
        .sort_by_file_name(std::cmp::Ord::cmp)
        .build();
    for entry in walker {
        let entry = entry.map_err(|source| Error::Discover {
            root: root.to_path_buf(),
            source,
        })?;
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Ok(relative) = entry.path().strip_prefix(root) else {
            continue;
        };
        let Some(relative) = relative.to_str() else {
            // Not UTF-8: it cannot match a UTF-8 glob and could not be passed on faithfully.
            continue;
        };
        for (suite, files) in suites.iter().zip(found.iter_mut()) {
            if suite.include.is_match(relative) && !suite.exclude.is_match(relative) {
                files.push(relative.to_string());
            }
        }
    }
    for files in &mut found {
        files.sort();
        files.dedup();
    }
    Ok(found)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use camino::Utf8PathBuf;

    use super::*;
    use crate::config::{Config, Overrides};

    #[test]
    fn globs_exclude_and_gitignore_apply() {
        let dir = tempfile::tempdir().unwrap();
        let root = Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).unwrap();
        for file in [
            "t/a.sh",
            "t/b c.sh",
            "t/sub/d.sh",
            "t/legacy/e.sh",
            "t/ignored.sh",
            "t/x.txt",
            "t/é$(x).sh",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, "").unwrap();
        }
        std::fs::write(root.join(".gitignore"), "t/ignored.sh\n").unwrap();
        let text = "[suite.s]\nrunner = \"custom\"\ncommand = [\"bash\", \"{file}\"]\nfiles = [\"t/**/*.sh\", \"./t/*.sh\"]\nexclude = [\"t/legacy/**\"]\n";
        let config = Config::parse(
            &root.join("flotilla.toml"),
            Arc::new(text.into()),
            &Overrides::default(),
        )
        .unwrap();
        let found = discover(&config.root, &config.suites).unwrap();
        assert_eq!(found[0], vec!["t/a.sh", "t/b c.sh", "t/sub/d.sh", "t/é$(x).sh"]);
    }
}

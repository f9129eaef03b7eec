//! [`Quarantine`]: known-flaky tests, muted (run and reported, never fail the run) or skipped.
//!
//! Patterns are globs matched against a test's id and its file, from `[quarantine]` in the
//! config (`mute = [...]`, `skip = [...]`) and from the file it names (`file = "..."`, one
//! pattern per line, optionally prefixed `mute:` or `skip:`; `#` starts a comment).

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Serialize;

/// What quarantine does to a test.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum QuarantineMode {
    /// Run and report it, but its failure never fails the run.
    Mute,
    /// Do not run it; report it as skipped.
    Skip,
}

/// What is wrong with the quarantine patterns or the quarantine file.
#[derive(Debug, thiserror::Error)]
pub enum QuarantineError {
    /// A file line that looks like a mode but lacks its colon (`skip t/b.py`).
    #[error("line {line}: write `skip: PATTERN` or `mute: PATTERN`")]
    ModeWithoutColon {
        /// 1-based line in the file.
        line: usize,
    },
    /// A pattern that is not a valid glob.
    #[error("invalid quarantine pattern `{pattern}`: {}", .source.kind())]
    Pattern {
        /// The pattern as written.
        pattern: String,
        /// What globset said.
        #[source]
        source: globset::Error,
    },
    /// The patterns, each valid, cannot be combined into one set.
    #[error(transparent)]
    Set(globset::Error),
}

/// The compiled quarantine list.
#[derive(Clone, Debug, Default)]
pub struct Quarantine {
    mute: Option<GlobSet>,
    skip: Option<GlobSet>,
    /// How many patterns it holds.
    pub len: usize,
    /// Skip patterns that name one test exactly (runners that can deselect get these).
    pub skip_ids: Vec<String>,
}

impl Quarantine {
    /// Compiles the patterns; the error names the bad pattern.
    pub fn new(mute: &[String], skip: &[String]) -> Result<Self, QuarantineError> {
        let skip_ids = skip
            .iter()
            .filter(|p| p.contains("::") && !p.contains(['*', '?']))
            .cloned()
            .collect();
        Ok(Self {
            mute: compile(mute)?,
            skip: compile(skip)?,
            len: mute.len() + skip.len(),
            skip_ids,
        })
    }

    /// Parses a quarantine file's text into (mute, skip) patterns.
    pub fn parse_file(text: &str) -> Result<(Vec<String>, Vec<String>), QuarantineError> {
        let (mut mute, mut skip) = (Vec::new(), Vec::new());
        for (number, line) in text.lines().enumerate() {
            let line = line.split_once('#').map_or(line, |(before, _)| before).trim();
            if line.is_empty() {
                continue;
            }
            match line.split_once(':').map(|(mode, rest)| (mode.trim(), rest.trim())) {
                Some(("skip", pattern)) => skip.push(pattern.to_string()),
                Some(("mute", pattern)) => mute.push(pattern.to_string()),
                _ if line.starts_with("skip ") || line.starts_with("mute ") => {
                    return Err(QuarantineError::ModeWithoutColon { line: number + 1 });
                }
                _ => mute.push(line.to_string()),
            }
        }
        Ok((mute, skip))
    }

    /// The mode for a test with `id` in `file`, if quarantined (skip wins over mute).
    #[must_use]
    pub fn mode(&self, id: &str, file: &str) -> Option<QuarantineMode> {
        let hit = |set: &Option<GlobSet>| set.as_ref().is_some_and(|s| s.is_match(id) || s.is_match(file));
        if hit(&self.skip) {
            Some(QuarantineMode::Skip)
        } else if hit(&self.mute) {
            Some(QuarantineMode::Mute)
        } else {
            None
        }
    }

    /// Whether a whole file is skipped.
    #[must_use]
    pub fn skips_file(&self, file: &str) -> bool {
        self.skip.as_ref().is_some_and(|s| s.is_match(file))
    }
}

fn compile(patterns: &[String]) -> Result<Option<GlobSet>, QuarantineError> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        // Test ids contain `[`, `]` and `::`; a pattern without wildcards matches literally.
        let escaped = if pattern.contains('*') || pattern.contains('?') {
            pattern.clone()
        } else {
            globset::escape(pattern)
        };
        let glob = GlobBuilder::new(&escaped)
            .literal_separator(false)
            .build()
            .map_err(|source| QuarantineError::Pattern {
                pattern: pattern.clone(),
                source,
            })?;
        builder.add(glob);
    }
    builder.build().map(Some).map_err(QuarantineError::Set)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_ids_and_files_literally_or_by_glob() {
        let q = Quarantine::new(
            &["t/test_a.py::test_x[1]".into(), "t/slow/*".into()],
            &["t/test_b.py".into()],
        )
        .unwrap();
        assert_eq!(
            q.mode("t/test_a.py::test_x[1]", "t/test_a.py"),
            Some(QuarantineMode::Mute)
        );
        assert_eq!(q.mode("t/test_a.py::test_x1", "t/test_a.py"), None);
        assert_eq!(q.mode("t/slow/x.py::t", "t/slow/x.py"), Some(QuarantineMode::Mute));
        assert_eq!(q.mode("t/test_b.py::t", "t/test_b.py"), Some(QuarantineMode::Skip));
        assert!(q.skips_file("t/test_b.py"));
        let error = Quarantine::new(&["t/[*".into()], &[]).unwrap_err();
        assert!(
            matches!(&error, QuarantineError::Pattern { pattern, .. } if pattern == "t/[*"),
            "{error:?}"
        );
        assert!(
            error.to_string().starts_with("invalid quarantine pattern `t/[*`: "),
            "{error}"
        );
    }

    #[test]
    fn file_format() {
        let (mute, skip) =
            Quarantine::parse_file("# known flaky\nt/a.py::x\nskip: t/b.py  # slow\nmute: t/c.py\n").unwrap();
        assert_eq!(mute, vec!["t/a.py::x", "t/c.py"]);
        assert_eq!(skip, vec!["t/b.py"]);
        let error = Quarantine::parse_file("a\nskip t/b.py").unwrap_err();
        assert!(
            matches!(error, QuarantineError::ModeWithoutColon { line: 2 }),
            "{error:?}"
        );
        assert_eq!(error.to_string(), "line 2: write `skip: PATTERN` or `mute: PATTERN`");
    }
}

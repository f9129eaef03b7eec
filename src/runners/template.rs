//! [`CommandTemplate`]: an argv template with placeholders, expanded per job without a shell.
//!
//! `{files}` must be a whole word and becomes one word per file; `{file}`, `{result}`,
//! `{worker}` and `{run_id}` may also appear inside a word (`--junitxml={result}`). File names
//! are never re-parsed: a file called `$(rm -rf ~).sh` is one argv word and nothing else.

use std::ffi::OsString;

/// How many files one job of a suite takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchMode {
    /// `{file}`: exactly one file per job.
    PerFile,
    /// `{files}` (or no file placeholder: files are appended): a batch of files per job.
    Batch,
}

/// What a job's placeholders expand to.
#[derive(Clone, Copy, Debug)]
pub struct JobContext<'a> {
    /// The job's files, relative to the config folder.
    pub files: &'a [String],
    /// Where the job may write JUnit XML.
    pub result: &'a str,
    /// 1-based worker slot.
    pub worker: usize,
    /// This run's id.
    pub run_id: &'a str,
}

/// What is wrong with a `custom` suite's `command` template.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// No words, or an empty program.
    #[error("`command` is empty")]
    Empty,
    /// A `{...}` group that is not one of the placeholders.
    #[error("unknown placeholder `{placeholder}` in `command`")]
    UnknownPlaceholder {
        /// The group as written, braces included (`{fiel}`).
        placeholder: String,
    },
    /// `{files}` inside a longer word: it expands to several words, so it must stand alone.
    #[error("`{{files}}` must be a whole word, not part of `{word}`")]
    FilesInsideWord {
        /// The word that contains it.
        word: String,
    },
    /// Both `{file}` (one file per job) and `{files}` (a batch).
    #[error("`command` uses both {{file}} and {{files}}; use {{file}} for one file per job or {{files}} for batches")]
    FileAndFiles,
}

/// A validated argv template.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandTemplate {
    words: Vec<String>,
    mode: BatchMode,
    append_files: bool,
}

const PLACEHOLDERS: &[&str] = &["{files}", "{file}", "{result}", "{worker}", "{run_id}"];

impl CommandTemplate {
    /// The help shown with every template error.
    pub const HELP: &'static str = "`command` is a list of argv words, e.g. [\"bash\", \"{file}\"]; placeholders: {files} (whole word, one word per file), {file}, {result}, {worker}, {run_id}";

    /// Validates `words`.
    ///
    /// # Errors
    ///
    /// A [`TemplateError`] naming the word or placeholder that is wrong.
    pub fn new(words: Vec<String>) -> Result<Self, TemplateError> {
        if words.is_empty() || words[0].trim().is_empty() {
            return Err(TemplateError::Empty);
        }
        for word in &words {
            if let Some(candidate) = braces(word).find(|candidate| !PLACEHOLDERS.contains(candidate)) {
                return Err(TemplateError::UnknownPlaceholder {
                    placeholder: candidate.to_string(),
                });
            }
            if word.contains("{files}") && word != "{files}" {
                return Err(TemplateError::FilesInsideWord { word: word.clone() });
            }
        }
        let has_files = words.iter().any(|w| w == "{files}");
        let has_file = words.iter().any(|w| w.contains("{file}"));
        if has_files && has_file {
            return Err(TemplateError::FileAndFiles);
        }
        let mode = if has_file { BatchMode::PerFile } else { BatchMode::Batch };
        Ok(Self {
            words,
            mode,
            append_files: !has_file && !has_files,
        })
    }

    /// The argv words as written, placeholders unexpanded.
    #[must_use]
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// Whether jobs take one file or a batch.
    #[must_use]
    pub fn mode(&self) -> BatchMode {
        self.mode
    }

    /// The program to check for before the run, if it is fixed (not a placeholder).
    #[must_use]
    pub fn program(&self) -> Option<&str> {
        let first = &self.words[0];
        (!first.contains('{')).then_some(first.as_str())
    }

    /// The argv of one job.
    #[must_use]
    pub fn expand(&self, ctx: &JobContext<'_>) -> Vec<OsString> {
        let mut argv = Vec::with_capacity(self.words.len() + ctx.files.len());
        for word in &self.words {
            if word == "{files}" {
                argv.extend(ctx.files.iter().map(OsString::from));
                continue;
            }
            let mut expanded = word
                .replace("{result}", ctx.result)
                .replace("{worker}", &ctx.worker.to_string())
                .replace("{run_id}", ctx.run_id);
            if expanded.contains("{file}") {
                expanded = expanded.replace("{file}", ctx.files.first().map_or("", String::as_str));
            }
            argv.push(OsString::from(expanded));
        }
        if self.append_files {
            argv.extend(ctx.files.iter().map(OsString::from));
        }
        argv
    }
}

/// `{...}` groups in `word` that look like placeholders (lowercase names).
fn braces(word: &str) -> impl Iterator<Item = &str> {
    word.match_indices('{').filter_map(move |(start, _)| {
        let end = word[start..].find('}')? + start;
        let inner = &word[start + 1..end];
        (!inner.is_empty() && inner.chars().all(|c| c.is_ascii_lowercase() || c == '_')).then(|| &word[start..=end])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(ToString::to_string).collect()
    }

    fn ctx(files: &[String]) -> JobContext<'_> {
        JobContext {
            files,
            result: "/r/j1.xml",
            worker: 2,
            run_id: "r1",
        }
    }

    #[test]
    fn files_expand_to_one_word_each_without_a_shell() {
        let template = CommandTemplate::new(words(&["pytest", "--junitxml={result}", "{files}"])).unwrap();
        assert_eq!(template.mode(), BatchMode::Batch);
        let files = vec!["a b.py".to_string(), "$(rm -rf x)'.py".to_string()];
        let argv = template.expand(&ctx(&files));
        assert_eq!(
            argv,
            vec!["pytest", "--junitxml=/r/j1.xml", "a b.py", "$(rm -rf x)'.py"]
        );
    }

    #[test]
    fn file_placeholder_means_one_file_per_job() {
        let template = CommandTemplate::new(words(&["bash", "{file}", "w{worker}-{run_id}"])).unwrap();
        assert_eq!(template.mode(), BatchMode::PerFile);
        let files = vec!["t.sh".to_string()];
        assert_eq!(template.expand(&ctx(&files)), vec!["bash", "t.sh", "w2-r1"]);
    }

    #[test]
    fn files_are_appended_when_not_placed() {
        let template = CommandTemplate::new(words(&["run-tests"])).unwrap();
        let files = vec!["a".to_string(), "b".to_string()];
        assert_eq!(template.expand(&ctx(&files)), vec!["run-tests", "a", "b"]);
    }

    #[test]
    fn bad_templates_are_rejected() {
        assert_eq!(CommandTemplate::new(vec![]), Err(TemplateError::Empty));
        assert_eq!(
            CommandTemplate::new(words(&["x", "--f={files}"])),
            Err(TemplateError::FilesInsideWord {
                word: "--f={files}".to_string()
            })
        );
        assert_eq!(
            CommandTemplate::new(words(&["x", "{file}", "{files}"])),
            Err(TemplateError::FileAndFiles)
        );
        let error = CommandTemplate::new(words(&["x", "{fiel}"])).unwrap_err();
        assert!(error.to_string().contains("{fiel}"), "{error}");
        assert_eq!(error.to_string(), "unknown placeholder `{fiel}` in `command`");
        assert!(CommandTemplate::new(words(&["awk", "{print $1}"])).is_ok());
    }
}

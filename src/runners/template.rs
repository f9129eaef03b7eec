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

    /// Validates `words`; the error is a user-facing fragment.
    pub fn new(words: Vec<String>) -> Result<Self, String> {
        if words.is_empty() || words[0].trim().is_empty() {
            return Err("`command` is empty".into());
        }
        for word in &words {
            for candidate in braces(word) {
                if !PLACEHOLDERS.contains(&candidate) {
                    return Err(format!("unknown placeholder `{candidate}` in `command`"));
                }
            }
            if word.contains("{files}") && word != "{files}" {
                return Err(format!("`{{files}}` must be a whole word, not part of `{word}`"));
            }
        }
        let has_files = words.iter().any(|w| w == "{files}");
        let has_file = words.iter().any(|w| w.contains("{file}"));
        if has_files && has_file {
            return Err(
                "`command` uses both {file} and {files}; use {file} for one file per job or {files} for batches".into(),
            );
        }
        let mode = if has_file { BatchMode::PerFile } else { BatchMode::Batch };
        Ok(Self {
            words,
            mode,
            append_files: !has_file && !has_files,
        })
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
        assert!(CommandTemplate::new(vec![]).is_err());
        assert!(CommandTemplate::new(words(&["x", "--f={files}"])).is_err());
        assert!(CommandTemplate::new(words(&["x", "{file}", "{files}"])).is_err());
        assert!(
            CommandTemplate::new(words(&["x", "{fiel}"]))
                .unwrap_err()
                .contains("{fiel}")
        );
        assert!(CommandTemplate::new(words(&["awk", "{print $1}"])).is_ok());
    }
}

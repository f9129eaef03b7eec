//! [`SuiteFingerprint`]: one SHA-256 over everything that decides what a suite's tests do: the
//! content of its input files (sorted by path), its command (runner, program, `args` or the
//! custom template), its selection (`select` and the test files chosen) and its variables.
//! Two runs with the same fingerprint run the same tests against the same code.

use std::fmt;

use sha2::{Digest, Sha256};

use crate::config::Suite;
use crate::runners::SuiteCommand;

/// One input file: its path relative to the config folder, and the SHA-256 of its content.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct InputFile {
    /// Relative to the config folder, with `/`.
    pub path: String,
    /// SHA-256 of the content.
    pub digest: [u8; 32],
}

impl InputFile {
    /// The file at `path` with `content`.
    #[must_use]
    pub fn new(path: impl Into<String>, content: &[u8]) -> Self {
        Self {
            path: path.into(),
            digest: Sha256::digest(content).into(),
        }
    }
}

/// What a fingerprint is computed over.
#[derive(Clone, Debug)]
pub struct FingerprintParts<'a> {
    /// The matched input files, in any order.
    pub inputs: &'a [InputFile],
    /// The command: the runner's name, then the program and `args` (or the template's words).
    pub command: Vec<String>,
    /// The selection expression (`select`, `--select`, a profile's).
    pub select: Option<&'a str>,
    /// The test files (units) chosen to run.
    pub units: &'a [String],
    /// The suite's variables.
    pub env: &'a [(String, String)],
}

impl<'a> FingerprintParts<'a> {
    /// The parts of `suite` running `units` with `inputs`.
    #[must_use]
    pub fn of_suite(suite: &'a Suite, units: &'a [String], inputs: &'a [InputFile]) -> Self {
        let mut command = vec![suite.command.kind().name().to_string()];
        match &suite.command {
            SuiteCommand::Template(template) => command.extend(template.words().iter().cloned()),
            SuiteCommand::Adapter { program, args, .. } => {
                command.extend(program.iter().cloned());
                command.push("--".to_string());
                command.extend(args.iter().cloned());
            }
        }
        Self {
            inputs,
            command,
            select: suite.select.as_deref(),
            units,
            env: &suite.env,
        }
    }
}

/// The hex SHA-256 of a suite's [`FingerprintParts`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct SuiteFingerprint(String);

impl SuiteFingerprint {
    /// Computes the fingerprint; the order of the input files does not matter. Every field is
    /// tagged and length-prefixed, so no two different sets of parts hash the same bytes.
    #[must_use]
    pub fn of(parts: &FingerprintParts<'_>) -> Self {
        let mut hasher = Sha256::new();
        let mut field = |tag: &str, bytes: &[u8]| {
            hasher.update(tag.as_bytes());
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes);
        };
        field("version", b"1");
        let mut inputs: Vec<&InputFile> = parts.inputs.iter().collect();
        inputs.sort();
        for input in inputs {
            field("input", input.path.as_bytes());
            field("digest", &input.digest);
        }
        for word in &parts.command {
            field("command", word.as_bytes());
        }
        match parts.select {
            Some(select) => field("select", select.as_bytes()),
            None => field("every-test", b""),
        }
        let mut units: Vec<&String> = parts.units.iter().collect();
        units.sort();
        for unit in units {
            field("unit", unit.as_bytes());
        }
        let mut env: Vec<&(String, String)> = parts.env.iter().collect();
        env.sort();
        for (name, value) in env {
            field("env", name.as_bytes());
            field("value", value.as_bytes());
        }
        let digest = hasher.finalize();
        Self(digest.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// A fingerprint read back from the history.
    #[must_use]
    pub fn from_hex(hex: String) -> Self {
        Self(hex)
    }

    /// The hex digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for SuiteFingerprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0[..12.min(self.0.len())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> (Vec<InputFile>, Vec<String>, Vec<(String, String)>) {
        (
            vec![InputFile::new("src/a.py", b"a"), InputFile::new("src/b.py", b"b")],
            vec!["tests/test_a.py".to_string(), "tests/test_b.py".to_string()],
            vec![("APP_ENV".to_string(), "test".to_string())],
        )
    }

    fn parts<'a>(
        inputs: &'a [InputFile],
        units: &'a [String],
        env: &'a [(String, String)],
        select: Option<&'a str>,
    ) -> FingerprintParts<'a> {
        FingerprintParts {
            inputs,
            command: vec!["pytest".into(), "python3".into(), "-m".into(), "pytest".into()],
            select,
            units,
            env,
        }
    }

    #[test]
    fn changing_any_one_part_changes_the_hash() {
        let (inputs, units, env) = base();
        let original = SuiteFingerprint::of(&parts(&inputs, &units, &env, None));
        let mut changes = Vec::new();

        let mut content = inputs.clone();
        content[1] = InputFile::new("src/b.py", b"b changed");
        changes.push(("content", SuiteFingerprint::of(&parts(&content, &units, &env, None))));
        let mut renamed = inputs.clone();
        renamed[1].path = "src/c.py".into();
        changes.push(("path", SuiteFingerprint::of(&parts(&renamed, &units, &env, None))));
        let mut added = inputs.clone();
        added.push(InputFile::new("src/c.py", b""));
        changes.push(("added", SuiteFingerprint::of(&parts(&added, &units, &env, None))));
        changes.push((
            "removed",
            SuiteFingerprint::of(&parts(&inputs[..1], &units, &env, None)),
        ));

        let mut command = parts(&inputs, &units, &env, None);
        command.command.push("-x".into());
        changes.push(("command", SuiteFingerprint::of(&command)));
        changes.push((
            "select",
            SuiteFingerprint::of(&parts(&inputs, &units, &env, Some("smoke"))),
        ));
        changes.push(("files", SuiteFingerprint::of(&parts(&inputs, &units[..1], &env, None))));
        let other_env = vec![("APP_ENV".to_string(), "prod".to_string())];
        changes.push(("env", SuiteFingerprint::of(&parts(&inputs, &units, &other_env, None))));
        changes.push(("no env", SuiteFingerprint::of(&parts(&inputs, &units, &[], None))));

        for (what, changed) in &changes {
            assert_ne!(changed, &original, "changing the {what} kept the hash");
        }
    }

    #[test]
    fn the_order_of_files_and_variables_does_not_matter() {
        let (inputs, units, env) = base();
        let original = SuiteFingerprint::of(&parts(&inputs, &units, &env, None));
        let reversed: Vec<InputFile> = inputs.iter().rev().cloned().collect();
        let units_reversed: Vec<String> = units.iter().rev().cloned().collect();
        assert_eq!(
            SuiteFingerprint::of(&parts(&reversed, &units_reversed, &env, None)),
            original
        );
        assert_eq!(original.as_str().len(), 64);
    }

    #[test]
    fn words_do_not_run_into_each_other() {
        let (inputs, units, env) = base();
        let mut a = parts(&inputs, &units, &env, None);
        a.command = vec!["ab".into(), "c".into()];
        let mut b = parts(&inputs, &units, &env, None);
        b.command = vec!["a".into(), "bc".into()];
        assert_ne!(SuiteFingerprint::of(&a), SuiteFingerprint::of(&b));
    }
}

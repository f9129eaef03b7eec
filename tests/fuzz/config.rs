//! `flotilla.toml` through `Config::parse` (and `Config::load` for bytes that are not UTF-8),
//! and the quarantine file through `Quarantine::parse_file`/`Quarantine::new`. Seeds: the
//! examples' `flotilla.toml` files and `tests/fuzz/corpus/config/`. An error must name the file,
//! and a TOML syntax error also its line.

use std::sync::{Arc, OnceLock};

use camino::Utf8Path;
use flotilla::config::{Config, Overrides};
use flotilla::quarantine::Quarantine;
use proptest::prelude::*;

use crate::harness::{Target, apply, arbitrary_bytes, check, check_truncations, config, mutation, seeds, text};

const PATH: &str = "/nonexistent/flotilla-fuzz/flotilla.toml";

fn has_line(message: &str) -> bool {
    message
        .split(&format!("{PATH}:"))
        .nth(1)
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

fn parse_config(text: &str) -> Result<usize, String> {
    match Config::parse(Utf8Path::new(PATH), Arc::new(text.to_string()), &Overrides::default()) {
        Ok(config) => Ok(config.suites.len()),
        Err(error) => {
            let message = error.to_string();
            let syntax_error = toml::from_str::<toml::Table>(text).is_err();
            if syntax_error && (error.location.is_none() || !has_line(&message)) {
                return Err(format!("a TOML syntax error without its line: {message}"));
            }
            Err(message)
        }
    }
}

const CONFIG: Target = Target {
    name: "config",
    parse: parse_config,
    names: &[PATH],
};

fn parse_quarantine(text: &str) -> Result<usize, String> {
    let (mute, skip) = Quarantine::parse_file(text).map_err(|e| format!("quarantine file: {e}"))?;
    let count = mute.len() + skip.len();
    Quarantine::new(&mute, &skip).map_err(|e| format!("quarantine pattern: {e}"))?;
    Ok(count)
}

const QUARANTINE: Target = Target {
    name: "quarantine",
    parse: parse_quarantine,
    names: &["quarantine"],
};

fn config_seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        seeds(
            "config",
            &[
                "examples/quickstart/flotilla.toml",
                "examples/docker-pipeline/flotilla.toml",
            ],
        )
    })
}

fn quarantine_seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| seeds("quarantine", &[]))
}

const TOML_ALPHABET: &[u8] = b"[]{}=\"',.\n #-_abcdefghijklmnopqrstuvwxyz0123456789";

proptest! {
    #![proptest_config(config(48, 4))]

    #[test]
    fn config_mutated((index, ops) in mutation()) {
        check(&CONFIG, text(&apply(config_seeds(), index, &ops)))?;
    }

    #[test]
    fn config_arbitrary(bytes in arbitrary_bytes(TOML_ALPHABET)) {
        check(&CONFIG, text(&bytes))?;
    }

    #[test]
    fn quarantine_mutated((index, ops) in mutation()) {
        check(&QUARANTINE, text(&apply(quarantine_seeds(), index, &ops)))?;
    }

    #[test]
    fn quarantine_arbitrary(bytes in arbitrary_bytes(b"*?[]{}!:# \nmuteskip/._-")) {
        check(&QUARANTINE, text(&bytes))?;
    }
}

proptest! {
    #![proptest_config(config(8, 32))]

    /// `Config::load` on raw bytes (not necessarily UTF-8): the error names the file.
    #[test]
    fn config_load_bytes((index, ops) in mutation()) {
        let bytes = apply(config_seeds(), index, &ops);
        let dir = tempfile::tempdir().expect("a temp folder");
        let path = camino::Utf8PathBuf::from_path_buf(dir.path().join("flotilla.toml")).expect("utf-8");
        std::fs::write(&path, &bytes).expect("write the config");
        let shown = crate::harness::preview(&text(&bytes));
        let shown_path = path.clone();
        let outcome = crate::harness::run_bounded(bytes.len(), move || {
            Config::load(&shown_path, &Overrides::default()).map(|c| c.suites.len()).map_err(|e| e.to_string())
        })
        .map_err(|problem| TestCaseError::fail(format!("config load: {problem}; input: {shown}")))?;
        if let Err(message) = outcome.value {
            prop_assert!(message.contains(path.as_str()), "the error does not name the file: {message}");
        }
    }
}

#[test]
fn config_truncated_at_every_boundary() {
    check_truncations(&CONFIG, config_seeds(), 2_000);
}

#[test]
fn config_huge() {
    let depth = 50_000;
    let inputs = [
        format!("a = {}{}", "[".repeat(depth), "]".repeat(depth)),
        format!("a = {}{}", "{b = ".repeat(depth), "}".repeat(depth)),
        format!("[{}]\n", vec!["a"; depth].join(".")),
        format!(
            "[run]\nworkers = 2\n{}",
            "[suite.s]\nrunner = \"custom\"\n".repeat(10_000)
        ),
        format!(
            "[run]\nworkers = 2\n{}",
            (0..5_000)
                .map(|i| format!(
                    "[suite.s{i}]\nrunner = \"custom\"\ncommand = [\"sh\", \"{{file}}\"]\nfiles = [\"t/*.sh\"]\n"
                ))
                .collect::<String>()
        ),
        format!("a = \"{}\"\n", "x".repeat(1 << 20)),
        format!(
            "[suite.s]\nrunner = \"custom\"\nfiles = [{}]\n",
            "\"t/**/*\",".repeat(20_000)
        ),
        format!("[quarantine]\nmute = [{}]\n", "\"{a,b}{c,d}{e,f}**\",".repeat(5_000)),
        format!("[suite.s]\nrunner = \"custom\"\nselect = \"{}\"\n", "(".repeat(10_000)),
        "a = 1\n".repeat(100_000),
    ];
    for input in inputs {
        if let Err(e) = check(&CONFIG, input) {
            panic!("{e}");
        }
    }
}

#[test]
fn quarantine_huge() {
    for input in [
        "t/x.sh\n".repeat(100_000),
        format!("{}\n", "{".repeat(100_000)),
        format!("{}\n", "*".repeat(100_000)),
        format!("{}\n", "[".repeat(50_000)),
    ] {
        if let Err(e) = check(&QUARANTINE, input) {
            panic!("{e}");
        }
    }
}

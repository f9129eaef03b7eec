//! `summary.json` as `flotilla gate` reads it: in process through `gate::Found::load` (then
//! `evaluate` and `render`, which see whatever the file held), and through the real binary,
//! `flotilla gate DIR` on a folder holding one mutated `summary.json`: the exit code must be
//! 0 to 3 (never 101, a panic, or a signal) and a file that cannot be used must be named.

use std::process::Command;
use std::sync::OnceLock;

use camino::Utf8PathBuf;
use flotilla::gate::{Found, SummaryError, evaluate, render, requirements};
use flotilla::styles::Styles;
use proptest::prelude::*;

use crate::harness::{Target, apply, arbitrary_bytes, check, config, describe, mutation, preview, seeds, text};

fn summary_seeds() -> &'static [Vec<u8>] {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| seeds("summary", &[]))
}

/// Writes `text` as `summary.json` in a fresh folder, loads it, evaluates it and renders the
/// verdict. `Err` when the file cannot be used, with the gate's message.
fn load(text: &str) -> Result<usize, String> {
    let dir = tempfile::tempdir().map_err(|e| format!("summary.json: temp folder: {e}"))?;
    let root =
        Utf8PathBuf::from_path_buf(dir.path().to_path_buf()).map_err(|_| "summary.json: non-UTF-8 temp".to_string())?;
    let path = root.join("summary.json");
    std::fs::write(&path, text).map_err(|e| format!("summary.json: write: {e}"))?;
    let found = Found::load(&path);
    let verdict = evaluate(std::slice::from_ref(&found), &requirements(Vec::new(), None));
    let table = render(&verdict, &[root], Styles::default());
    match &found.summary {
        Ok(doc) => Ok(doc.tests.len()),
        Err(error) => {
            if !table.contains(path.as_str()) && !table.contains("summary.json") {
                return Err(format!("the table does not name the unusable file {path}: {table}"));
            }
            if let SummaryError::Malformed { source } = error
                && source.line() == 0
            {
                return Err(format!(
                    "a malformed summary.json error without a line: {}",
                    describe(error)
                ));
            }
            Err(format!("{}: {}", found.path, describe(error)))
        }
    }
}

const SUMMARY: Target = Target {
    name: "summary",
    parse: load,
    names: &["summary.json"],
};

proptest! {
    #![proptest_config(config(32, 4))]

    #[test]
    fn summary_mutated((index, ops) in mutation()) {
        check(&SUMMARY, text(&apply(summary_seeds(), index, &ops)))?;
    }

    #[test]
    fn summary_arbitrary(bytes in arbitrary_bytes(b"{}[]\":, \n0123456789.-truefalsnuschema_versionrun_idtestssuiteoutcome")) {
        check(&SUMMARY, text(&bytes))?;
    }
}

#[test]
fn summary_huge() {
    let test = "{\"suite\":\"s\",\"outcome\":\"failed\"},";
    for input in [
        format!(
            "{{\"schema_version\":2,\"run_id\":\"r\",\"passed\":false,\"interrupted\":false,\"tests\":[{}{{\"suite\":\"s\",\"outcome\":\"passed\"}}]}}",
            test.repeat(50_000)
        ),
        format!(
            "{{\"schema_version\":2,\"run_id\":\"r\",\"passed\":true,\"interrupted\":false,\"tests\":[],\"jobs\":[{}{{\"suite\":\"x\"}}]}}",
            (0..20_000)
                .map(|i| format!("{{\"suite\":\"s{i}\"}},"))
                .collect::<String>()
        ),
        format!(
            "{{\"schema_version\":2,\"run_id\":\"{}\",\"passed\":true,\"interrupted\":false,\"tests\":[]}}",
            "r".repeat(1 << 20)
        ),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        "{\"schema_version\":4294967296}".to_string(),
    ] {
        if let Err(e) = check(&SUMMARY, input) {
            panic!("{e}");
        }
    }
}

/// Runs `flotilla gate DIR` with `bytes` as `DIR/summary.json`.
fn gate_binary(bytes: &[u8]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("a temp folder");
    let path = dir.path().join("summary.json");
    std::fs::write(&path, bytes).expect("write summary.json");
    let output = Command::new(env!("CARGO_BIN_EXE_flotilla"))
        .arg("gate")
        .arg(dir.path())
        .env("NO_COLOR", "1")
        .current_dir(dir.path())
        .output()
        .expect("run flotilla gate");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let shown = preview(&text(bytes));
    let code = output.status.code();
    prop_assert!(
        matches!(code, Some(0..=3)),
        "flotilla gate exited with {:?} (101 is a panic, None a signal)\nstdout: {stdout}\nstderr: {stderr}\ninput: {shown}",
        output.status
    );
    let usable = Found::load(&Utf8PathBuf::from_path_buf(path.clone()).expect("utf-8"))
        .summary
        .is_ok();
    if !usable {
        prop_assert!(
            stdout.contains("summary.json") || stderr.contains("summary.json"),
            "an unusable summary.json is not named\nstdout: {stdout}\nstderr: {stderr}\ninput: {shown}"
        );
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(6, 32))]

    #[test]
    fn gate_binary_mutated((index, ops) in mutation()) {
        gate_binary(&apply(summary_seeds(), index, &ops))?;
    }
}

#[test]
fn gate_binary_seeds_and_garbage() {
    for seed in summary_seeds() {
        gate_binary(seed).expect("a seed");
    }
    for garbage in [&b""[..], b"\xff\xfe\x00", b"{", b"[]", b"null"] {
        gate_binary(garbage).expect("garbage");
    }
}

//! What flotilla reads from Docker and Compose: `docker inspect` JSON (`envs::parse_inspect`),
//! `compose ps --format json` (`envs::parse_ps_json`), and the YAML model `compose config`
//! prints, which the resolver rewrites into each worker's file. That rewrite is crate-private,
//! so its source file is compiled into this test binary as it is (`#[path]`), with no test hook
//! in `src/`: the seeds are the compose files of `tests/fixtures/compose/` and
//! `examples/docker-pipeline/` (compose accepts them as its own output's superset) plus a real
//! `compose config` output in `tests/fuzz/corpus/compose/`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use camino::Utf8Path;
use flotilla::envs::{parse_inspect, parse_ps_json};
use proptest::prelude::*;

use crate::harness::{Target, apply, arbitrary_bytes, check, check_truncations, config, mutation, seeds, text};

#[path = "../../src/envs/resolved_file.rs"]
#[allow(dead_code, reason = "only `rewrite` and `substitute` are fuzzed")]
mod resolved_file;

fn inspect(text: &str) -> Result<usize, String> {
    parse_inspect(text).map(|c| c.len()).map_err(|e| e.to_string())
}

fn ps_json(text: &str) -> Result<usize, String> {
    parse_ps_json(text).map(|c| c.len()).map_err(|e| e.to_string())
}

pub(crate) fn rewrite(text: &str) -> Result<usize, String> {
    let labels = BTreeMap::from([
        ("flotilla.run-id".to_string(), "r1".to_string()),
        ("flotilla.worker".to_string(), "1".to_string()),
    ]);
    let required = [("web".to_string(), 8080u16), ("db".to_string(), 5432u16)];
    let resolved = resolved_file::rewrite(
        text,
        &resolved_file::Rewrite {
            labels: &labels,
            publish_ip: "127.0.0.1",
            required_ports: &required,
            bind_mount: Some(("web", Utf8Path::new("/runs/r1"))),
            built_image: Some("flotilla-built:r1"),
        },
    )
    .map_err(|e| e.to_string())?;
    // The rewritten file is read again (per worker) by `substitute`; it must stay readable.
    resolved_file::substitute(&resolved.yaml, &[("r1", "r2"), ("1", "2")])
        .map_err(|e| format!("compose: flotilla's own resolved file is unreadable: {e}"))?;
    Ok(resolved.services.len())
}

/// serde's messages carry `line N column M`; the caller adds which command printed it.
const INSPECT: Target = Target {
    name: "inspect",
    parse: inspect,
    names: &["line", "eof"],
};
const PS_JSON: Target = Target {
    name: "ps_json",
    parse: ps_json,
    names: &["line", "eof", "ps"],
};
const COMPOSE: Target = Target {
    name: "compose",
    parse: rewrite,
    // Fragments: the caller wraps them in `EnvError::ComposeFile` with the env's name.
    names: &[""],
};

fn corpus(target: &'static str) -> &'static [Vec<u8>] {
    static INSPECT_SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    static PS_SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    static COMPOSE_SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    match target {
        "inspect" => INSPECT_SEEDS.get_or_init(|| seeds("inspect", &[])),
        "ps_json" => PS_SEEDS.get_or_init(|| seeds("ps_json", &[])),
        _ => COMPOSE_SEEDS.get_or_init(|| {
            seeds(
                "compose",
                &["tests/fixtures/compose", "examples/docker-pipeline/docker-compose.yml"],
            )
            .into_iter()
            .filter(|s| !s.starts_with(b"FROM") && !s.starts_with(b"#!") && !s.contains(&b'\0'))
            .collect()
        }),
    }
}

const JSON_ALPHABET: &[u8] = b"{}[]\":, \n0123456789.-truefalsnuIdNameStatePortsHostPortLabels";
const YAML_ALPHABET: &[u8] = b"-:&*!|>'\"[]{}#, \n  servicesportsimagenamelabels0123456789<.";

proptest! {
    #![proptest_config(config(48, 4))]

    #[test]
    fn inspect_mutated((index, ops) in mutation()) {
        check(&INSPECT, text(&apply(corpus("inspect"), index, &ops)))?;
    }

    #[test]
    fn inspect_arbitrary(bytes in arbitrary_bytes(JSON_ALPHABET)) {
        check(&INSPECT, text(&bytes))?;
    }

    #[test]
    fn ps_json_mutated((index, ops) in mutation()) {
        check(&PS_JSON, text(&apply(corpus("ps_json"), index, &ops)))?;
    }

    #[test]
    fn ps_json_arbitrary(bytes in arbitrary_bytes(JSON_ALPHABET)) {
        check(&PS_JSON, text(&bytes))?;
    }

    #[test]
    fn compose_mutated((index, ops) in mutation()) {
        check(&COMPOSE, text(&apply(corpus("compose"), index, &ops)))?;
    }

    #[test]
    fn compose_arbitrary(bytes in arbitrary_bytes(YAML_ALPHABET)) {
        check(&COMPOSE, text(&bytes))?;
    }
}

#[test]
fn truncated_at_every_boundary() {
    check_truncations(&INSPECT, corpus("inspect"), 400);
    check_truncations(&PS_JSON, corpus("ps_json"), 400);
    check_truncations(&COMPOSE, corpus("compose"), 400);
}

fn must_survive(target: &Target, input: String) {
    if let Err(e) = check(target, input) {
        panic!("{e}");
    }
}

#[test]
fn yaml_huge() {
    let depth = 100_000;
    // "Billion laughs": each alias doubles the document if aliases were expanded naively.
    let mut laughs =
        String::from("a0: &a0 [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for i in 1..12 {
        let prev = i - 1;
        laughs.push_str(&format!(
            "a{i}: &a{i} [*a{prev},*a{prev},*a{prev},*a{prev},*a{prev},*a{prev},*a{prev},*a{prev},*a{prev}]\n"
        ));
    }
    laughs.push_str("services:\n  web:\n    image: x\n    labels: *a11\n");
    let inputs = [
        laughs,
        format!("services:\n  web:\n    image: x\n    x: {}1\n", "- ".repeat(depth)),
        format!(
            "services:\n{}",
            (0..20_000)
                .map(|i| format!("  s{i}:\n    image: x\n    ports: [\"{i}:80\"]\n"))
                .collect::<String>()
        ),
        format!(
            "services:\n  web:\n    image: x\n    ports:\n{}",
            "      - \"8080:8080\"\n".repeat(50_000)
        ),
        format!("services:\n  web:\n    image: \"{}\"\n", "x".repeat(1 << 20)),
        format!(
            "services:\n  web:\n    image: x\n    ports: [\"{}\"]\n",
            "9".repeat(100_000)
        ),
    ];
    for input in inputs {
        must_survive(&COMPOSE, input);
    }
}

#[test]
fn json_huge() {
    let depth = 100_000;
    for input in [
        format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
        format!("[{}{{}}]", "{},".repeat(100_000)),
        "{\"Name\":\"x\"}\n".repeat(100_000),
        "\n".repeat(200_000),
    ] {
        must_survive(&INSPECT, input.clone());
        must_survive(&PS_JSON, input);
    }
}

//! Minimal inputs that once broke a parser (or came close), kept as regression tests.

use std::time::Instant;

/// Finding: `compose config` output with a deeply nested flow sequence (`[[[[…]]]]`, 100,000
/// levels, 200 KB) did not parse within the 10 s deadline (debug build): the YAML reader
/// (`serde_norway::from_str` in `src/envs/resolved_file.rs`, `rewrite`) walks the whole depth
/// before giving up. Reported, not fixed here (`src/envs/` is not this branch's to change).
/// Run with `--ignored` to reproduce.
#[test]
#[ignore = "open finding: deep YAML nesting in the compose model is slow to reject"]
fn compose_model_with_deep_flow_nesting_returns_in_time() {
    let depth = 100_000;
    let text = format!(
        "services:\n  web:\n    image: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let start = Instant::now();
    let parsed = serde_norway::from_str::<serde_norway::Value>(&text);
    assert!(
        start.elapsed().as_secs() < 10,
        "took {:?} ({})",
        start.elapsed(),
        parsed.is_ok()
    );
}

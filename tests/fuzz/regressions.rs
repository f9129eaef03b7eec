//! Minimal inputs that once broke a parser (or came close), kept as regression tests.

use std::time::Instant;

/// Finding: `compose config` output with a deeply nested flow sequence (`[[[[…]]]]`, 100,000
/// levels, 200 KB) did not parse within the 10 s deadline (debug build): the YAML reader
/// (`serde_norway::from_str` in `src/envs/resolved_file.rs`, `rewrite`) walked the whole depth.
/// Fixed: `rewrite` refuses flow nesting deeper than 512 levels before the reader sees it.
#[test]
fn compose_model_with_deep_flow_nesting_returns_in_time() {
    let depth = 100_000;
    let text = format!(
        "services:\n  web:\n    image: {}{}\n",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let start = Instant::now();
    let result = crate::compose::rewrite(&text);
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
    let error = result.expect_err("refused");
    assert!(error.contains("nested") && error.contains("512"), "{error}");
}

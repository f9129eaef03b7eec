#!/usr/bin/env bash
# Size and speed of the history store at 100,000 tests: its size after 1, 10 and 200 recorded
# runs, the time to record one run, to read a suite's samples (every plan), and the size and
# times of `flotilla history export` / `import` of it.
#
# Drives the store directly (benches/history.rs): 200 runs of a synthetic 100,000-test suite
# (5,000 files, heavy-tailed durations that change every run, 1% failing, 0.2% flaky), not 200
# real runs. Goals: under 50 MB however many runs; an export under 10 MB.
#
# Usage (from the repository root): bash bench/history.sh    (about 5 minutes on 2 cores)
# Environment: RUNS=20 for a quicker look (sizes stop growing after 10 runs).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cargo bench --locked --quiet --manifest-path "$repo/Cargo.toml" --bench history

#!/usr/bin/env bash
# Stop early and rerun what failed (docs/benchmarks.md section 16, part 2).
#
# A pytest suite of FILES files of TESTS tests (each test sleeps SLEEP seconds) in which
# FAILING tests fail, each in a different file, on WORKERS workers. After one warm-up run
# (history filled), ROUNDS times each:
#   * full:               `flotilla run` (every test runs);
#   * --max-fail 1:       stops scheduling at the first failure, lets running jobs finish;
#   * --max-fail 1:immediate: stops and kills the running jobs;
#   * --rerun-failed:     after a full run, runs only the failed tests.
# Prints the median wall time of each, every round's, the time to first failure and the
# tests run (from summary.json).
#
# Usage (from the repository root): bash bench/stop_and_rerun.sh    (about 2 minutes)
# Environment: FLOTILLA (a binary to measure instead of building this checkout), FILES,
# TESTS, SLEEP, FAILING, WORKERS, ROUNDS.
set -euo pipefail

FILES=${FILES:-40}
TESTS=${TESTS:-5}
SLEEP=${SLEEP:-0.1}
FAILING=${FAILING:-3}
WORKERS=${WORKERS:-2}
ROUNDS=${ROUNDS:-3}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z "${FLOTILLA:-}" ]]; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
fi
flotilla=${FLOTILLA:-"$repo/target/release/flotilla"}

work=$(mktemp -d "${TMPDIR:-/tmp}/flotilla-rerun.XXXXXX")
trap 'rm -rf "$work"' EXIT
export CI=true
# shellcheck source=bench/lib/timing.sh
source "$repo/bench/lib/timing.sh"

mkdir -p "$work/tests"
printf '[run]\nworkers = %s\n\n[suite.py]\nrunner = "pytest"\nfiles = ["tests/test_*.py"]\n' "$WORKERS" >"$work/flotilla.toml"
for f in $(seq -w 1 "$FILES"); do
    {
        echo "import time"
        for t in $(seq 1 "$TESTS"); do
            printf 'def test_%s():\n    time.sleep(%s)\n' "$t" "$SLEEP"
        done
    } >"$work/tests/test_$f.py"
done
# The first test of FAILING files spread over the suite fails.
step=$((FILES / FAILING))
for i in $(seq 1 "$FAILING"); do
    n=$(printf '%0*d' "${#FILES}" $(( (i - 1) * step + step / 2 + 1 )))
    sed -i '3s/.*/    assert False, "broken"/' "$work/tests/test_$n.py"
done

facts() {
    python3 -c "
import json
s = json.load(open('$work/.flotilla/runs/latest/summary.json'))
c = s['counts']
ran = c['passed'] + c['failed'] + c['error'] + c['timed_out'] + c['flaky']
ff = s['first_failure_secs']
print(f\"first failure {ff:.2f}s, {ran} tests run, {len(s['not_run'])} files not run\" if ff is not None else f'{ran} tests run')"
}

run_timed() {
    local start end
    start=$(now)
    (cd "$work" && "$flotilla" run -q "$@" >"$work/last.log" 2>&1) || true
    end=$(now)
    elapsed "$start" "$end"
}

measure() {
    local label=$1 walls=() line=""
    shift
    for _ in $(seq 1 "$ROUNDS"); do
        if [[ "$*" == *--rerun-failed* ]]; then run_timed >/dev/null; fi
        local wall
        wall=$(run_timed "$@")
        walls+=("$wall")
        line+=" ${wall}s ($(facts));"
    done
    echo "$label: median $(printf '%s\n' "${walls[@]}" | median)s;$line"
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
echo "$FILES files x $TESTS tests of ${SLEEP}s, $FAILING failing, on $WORKERS workers"
run_timed >/dev/null
measure "full run"
measure "--max-fail 1" --max-fail 1
measure "--max-fail 1:immediate" --max-fail 1:immediate
measure "--rerun-failed" --rerun-failed
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

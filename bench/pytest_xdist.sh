#!/usr/bin/env bash
# flotilla (4 workers) vs pytest-xdist (`pytest -n 4`) on a generated sleep-based pytest suite
# of 320 tests in 32 files with heavy-tailed durations, side by side in one run, in two layouts:
# `scattered` (the slow tests anywhere in collection order), `slow-last` (the same tests, with
# the slow ones in the last files, as integration/e2e files often sort) and `module-fixture`
# (scattered, plus a 0.5 s module-scoped fixture per file, like a database per test module);
# then the cost of a retry as a function of the number of failed tests.
#
#   LAYOUTS="scattered slow-last module-fixture" (default: all three)
#
#   bash bench/pytest_xdist.sh            (from the repository root; ~4 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -c "import pytest, xdist" 2>/dev/null || python3 -m pip install --quiet pytest pytest-xdist
cargo build --release --quiet
BIN="$PWD/target/release/flotilla"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"

now() { date +%s.%N; }
timeit() { local s e; s=$(now); "$@" >/dev/null 2>&1 || true; e=$(now); python3 -c "print(f'{$e-$s:.2f}')"; }
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "$@"; }
export CI=true

for LAYOUT in ${LAYOUTS:-scattered slow-last module-fixture}; do
rm -rf tests .flotilla
export LAYOUT
# 32 files x 10 tests; durations from a fixed-seed lognormal (median ~0.06 s) with a few slow
# tests (1-3 s) scattered through the collection order.
python3 - <<'PY'
import os, random
random.seed(7)
os.makedirs("tests", exist_ok=True)
durations = []
for _ in range(320):
    d = min(random.lognormvariate(-2.8, 0.9), 0.6)
    if random.random() < 0.04:
        d = random.uniform(1.0, 3.0)
    durations.append(d)
if os.environ["LAYOUT"] == "slow-last":
    durations = [d for d in durations if d < 1.0] + [d for d in durations if d >= 1.0]
total = 0.0
for f in range(32):
    lines = ["import os, time, pytest", "FAIL = set(filter(None, os.environ.get('FAIL_TESTS', '').split(',')))",
             "MARK = os.environ.get('MARK_DIR', '')", "",
             "def maybe_fail(name):",
             "    marker = os.path.join(MARK, name)",
             "    if name in FAIL and MARK and not os.path.exists(marker):",
             "        open(marker, 'w').close()",
             "        raise AssertionError('fails once: ' + name)", ""]
    if os.environ["LAYOUT"] == "module-fixture":
        total += 0.5
        lines += ["@pytest.fixture(scope='module', autouse=True)", "def expensive_module_setup():",
                  "    time.sleep(0.5)", "    yield", ""]
    for t in range(10):
        d = durations[f * 10 + t]
        total += d
        name = f"f{f:02d}_t{t}"
        lines += [f"def test_{name}():", f"    time.sleep({d:.3f})", f"    maybe_fail('{name}')", ""]
    open(f"tests/test_f{f:02d}.py", "w").write("\n".join(lines))
print(f"layout {os.environ['LAYOUT']}: 320 tests, {total:.1f} s of sleep in total, ideal on 4 workers {total/4:.2f} s")
PY
cat > flotilla.toml <<'TOML'
[run]
workers = 4

[suite.bench]
runner = "pytest"
files = ["tests/test_*.py"]
TOML

cold=$(timeit "$BIN" run)
warm=() ; xdist=()
for i in 1 2 3; do
  xdist+=("$(timeit python3 -m pytest -n 4 -q -p no:cacheprovider tests)")
  warm+=("$(timeit "$BIN" run)")
done
xd=$(median "${xdist[@]}"); wm=$(median "${warm[@]}")
echo
echo "| layout | runner | wall time (s) | ratio to pytest -n 4 |"
echo "|---|---|---|---|"
echo "| $LAYOUT | pytest -n 4 (median of 3) | $xd | 1.00 |"
echo "| $LAYOUT | flotilla, cold (no history) | $cold | $(python3 -c "print(f'{$cold/$xd:.2f}')") |"
echo "| $LAYOUT | flotilla, warm (median of 3) | $wm | $(python3 -c "print(f'{$wm/$xd:.2f}')") |"
echo "runs: pytest-xdist ${xdist[*]}; flotilla warm ${warm[*]}"
done

# Retry cost: K tests fail once; flotilla re-runs only them. Compare the retry jobs' wall time
# with the time their whole files take.
echo
echo "| failed tests | files they are in | retry wall time (s) | those files' run time (s) |"
echo "|---|---|---|---|"
for k in 1 4 16; do
  names=$(python3 -c "print(','.join(f'f{(i*5)%32:02d}_t{(i*3)%10}' for i in range($k)))")
  mark=$(mktemp -d)
  FAIL_TESTS="$names" MARK_DIR="$mark" "$BIN" run --retries 1 >/dev/null 2>&1 || true
  python3 - "$k" <<'PY'
import json, sys
s = json.load(open(".flotilla/runs/latest/summary.json"))
retry_jobs = [j for j in s["jobs"] if j["attempt"] == 2]
retry = sum(j["duration_secs"] for j in retry_jobs)
retried = {t for j in retry_jobs for t in j.get("tests", [])}
files = {t.split("::")[0] for t in retried}
file_time = sum(a["duration_secs"] for t in s["tests"] if t["file"] in files for a in t["attempts"][:1])
print(f"| {len(retried)} | {len(files)} | {retry:.2f} | {file_time:.2f} |")
PY
  rm -rf "$mark"
done

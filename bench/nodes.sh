#!/usr/bin/env bash
# The static split across CI nodes: 200 heavy-tailed sleep files on 4 nodes x 2 workers, all on
# this machine (sleep-only, so 8 concurrent jobs do not compete for the 2 cores).
#
# The files are those of bench/makespan.sh (log-normal, median 0.15 s, six of 3.0 s). Each
# strategy writes a plan file, then 4 `flotilla run --plan plan.json --partition i/4 -j 2`
# processes start at once; the makespan is the wall time until the last one exits. The lower
# bound of any schedule is max(total / 8, longest). Strategies:
#   * flotilla, warm: `flotilla plan --nodes 4 -j 2 --out` after two one-machine runs taught the
#     history (longest first onto the least-loaded node, then the pull-based local plan);
#   * flotilla, cold: the same split from an empty history (every file the same default);
#   * round-robin by name (bktec's fallback): sorted file i goes to node i mod 4;
#   * split by file count: the sorted files cut into 4 runs of 50 (Playwright/nextest-count like).
# The last two are written as plan files too (same schema, their own algorithm name), so every
# strategy runs through the same node code and only the split differs.
# Ratios are makespan / lower bound (1.00 is perfect). Goal for the warm static split: <= 1.05.
#
# Usage (from the repository root): bash bench/nodes.sh    (about 2 minutes)
# Environment: FLOTILLA (a binary to measure instead of building this checkout), REPS (3).
set -euo pipefail

FILES=200
NODES=4
WORKERS=2
REPS=${REPS:-3}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib/heavy_tailed.sh
source "$repo/bench/lib/heavy_tailed.sh"
if [[ -z "${FLOTILLA:-}" ]]; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
fi
flotilla=${FLOTILLA:-"$repo/target/release/flotilla"}

work=$(mktemp -d "${TMPDIR:-/tmp}/flotilla-nodes.XXXXXX")
trap 'rm -rf "$work" "$work".node*' EXIT
mkdir -p "$work/tests"

# The heavy-tailed durations of section 3 (bench/lib/heavy_tailed.sh).
heavy_tailed_durations "$FILES" >"$work/durations"
write_sleep_suite "$work" "$work/durations" "$WORKERS"

read -r total longest bound < <(awk -v s="$((NODES * WORKERS))" '
    {t += $2; if ($2 > m) m = $2}
    END {b = t / s; if (m > b) b = m; printf "%.3f %.3f %.3f\n", t, m, b}' "$work/durations")

export CI=true
now() { date +%s.%N; }

# A plan file for a split by name: `rr` (round-robin) or `count` (contiguous runs), with the
# plan hash flotilla computes (FNV-1a, docs/plan-json.md), so `run --plan` accepts it.
name_plan() {
    python3 - "$1" "$NODES" "$work" <<'PY'
import json, os, sys
kind, nodes, work = sys.argv[1], int(sys.argv[2]), sys.argv[3]
files = sorted("tests/" + f for f in os.listdir(os.path.join(work, "tests")))
per = -(-len(files) // nodes)
units = [{"node": (i % nodes) if kind == "rr" else (i // per), "suite": "sleepy", "file": f,
          "estimate_us": 1_000_000} for i, f in enumerate(files)]
algorithm = "round-robin-by-name" if kind == "rr" else "split-by-file-count"
MASK, PRIME = (1 << 64) - 1, 0x100000001b3
h = 0xcbf29ce484222325
def feed(data):
    global h
    for b in data:
        h = ((h ^ b) * PRIME) & MASK
    h = ((h ^ 0xff) * PRIME) & MASK
feed(algorithm.encode()); feed(nodes.to_bytes(4, "little"))
for u in units:
    feed(u["suite"].encode()); feed(u["file"].encode()); feed(b"")
    feed(u["estimate_us"].to_bytes(8, "little")); feed(u["node"].to_bytes(4, "little"))
loads = [sum(u["estimate_us"] for u in units if u["node"] == n) for n in range(nodes)]
plan = {"schema_version": 1, "algorithm": algorithm, "plan_hash": f"{h:016x}", "nodes": nodes,
        "loads_us": loads, "units": units}
json.dump(plan, open(os.path.join(work, "plan.json"), "w"), indent=2)
PY
}

# Four nodes at once, each its share of plan.json in its own copy of the project (as CI machines
# each have their checkout and history: no node waits for another's history write); prints the
# makespan in seconds.
run_nodes() {
    local t0 t1 i
    for ((i = 1; i <= NODES; i++)); do
        rm -rf "$work.node$i"
        cp -a "$work" "$work.node$i"
    done
    t0=$(now)
    for ((i = 1; i <= NODES; i++)); do
        (cd "$work.node$i" && "$flotilla" run --plan plan.json --partition "$i/$NODES" -j "$WORKERS" >"$work/node$i.txt" 2>&1) &
    done
    wait
    t1=$(now)
    awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}'
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

results=$(mktemp)
cold_plan=$(mktemp)
# Cold: the split from an empty history.
(cd "$work" && "$flotilla" plan --nodes "$NODES" -j "$WORKERS" --out "$cold_plan" >/dev/null)
# Warm the history with two one-machine runs on 8 workers.
for _ in 1 2; do (cd "$work" && "$flotilla" run -j "$((NODES * WORKERS))" >/dev/null); done
warm_plan=$(mktemp)
(cd "$work" && "$flotilla" plan --nodes "$NODES" -j "$WORKERS" --out "$warm_plan" >"$work/plan.txt")
for ((r = 0; r < REPS; r++)); do
    cp "$warm_plan" "$work/plan.json"; echo "warm $(run_nodes)" >>"$results"
    cp "$cold_plan" "$work/plan.json"; echo "cold $(run_nodes)" >>"$results"
    name_plan rr; echo "rr $(run_nodes)" >>"$results"
    name_plan count; echo "count $(run_nodes)" >>"$results"
done
pick() { grep "^$1 " "$results" | awk '{print $2}' | median; }

echo "nodes: $FILES files on $NODES nodes x $WORKERS workers (nproc $(nproc)), median of $REPS"
echo "sleep times: total ${total}s, longest ${longest}s; lower bound max(total/$((NODES * WORKERS)), longest) = ${bound}s"
grep -E '^(node plan|predicted)' "$work/plan.txt"
# The bound of the work as measured (each file's estimate includes starting its `sh`).
measured=$(sed -n 's/.*; lower bound \([0-9.]*\)s.*/\1/p' "$work/plan.txt")
printf '| %-40s | %9s | %8s | %17s |\n' "split" "makespan" "vs bound" "vs measured bound"
printf '| %-40s | %9s | %8s | %17s |\n' "----------------------------------------" "---------" "--------" "-----------------"
row() {
    printf '| %-40s | %8.2fs | %7.3fx | %16.3fx |\n' "$1" "$2" "$(awk -v a="$2" -v b="$bound" 'BEGIN {print a / b}')" \
        "$(awk -v a="$2" -v b="$measured" 'BEGIN {print a / b}')"
}
warm=$(pick warm)
row "flotilla static split, warm history" "$warm"
row "flotilla static split, cold history" "$(pick cold)"
row "round-robin by name (bktec fallback)" "$(pick rr)"
row "split by file count (contiguous)" "$(pick count)"
awk -v w="$warm" -v b="$bound" 'BEGIN {printf "warm goal <= 1.05x: %s\n", (w / b <= 1.05) ? "met" : "MISSED"}'
rm -f "$results" "$cold_plan" "$warm_plan"

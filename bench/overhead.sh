#!/usr/bin/env bash
# Per-job overhead of `flotilla run` versus `xargs -P2 -n1` over the same 2,000 files.
#
# A temp project holds 2,000 empty files and a suite `command = ["true", "{file}"]` (one job per
# file) on 2 workers. Both tools run the same 2,000 `true` processes two at a time, so the
# difference is flotilla's own cost: config, discovery, history (SQLite), planning, one stdout and
# one stderr log file per job, events, JUnit + summary.json, and saving the run to history. The
# `.flotilla/` folder is kept between repetitions, as it would be in real use.
#
# Usage (from the repository root): bash bench/overhead.sh
# Environment: FILES (default 2000), REPS (default 5), WORKERS (default 2).
set -euo pipefail

FILES=${FILES:-2000}
REPS=${REPS:-5}
WORKERS=${WORKERS:-2}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
flotilla="$repo/target/release/flotilla"

work=$(mktemp -d "${TMPDIR:-/tmp}/flotilla-overhead.XXXXXX")
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/tests"
files=()
for ((i = 0; i < FILES; i++)); do
    printf -v f 'tests/t%05d.sh' "$i"
    : >"$work/$f"
    files+=("$f")
done
cat >"$work/flotilla.toml" <<TOML
[run]
workers = $WORKERS

[suite.empty]
runner = "custom"
command = ["true", "{file}"]
files = ["tests/*.sh"]
TOML

export CI=true
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.6f", b - a}'; }

run_flotilla() { (cd "$work" && "$flotilla" run >/dev/null); }
run_xargs() { (cd "$work" && printf '%s\n' "${files[@]}" | xargs -P"$WORKERS" -n1 true); }

# One untimed run of each: warms the page cache and creates the history file.
run_flotilla
run_xargs

flotilla_times=()
xargs_times=()
for ((r = 1; r <= REPS; r++)); do
    t0=$(now); run_flotilla; t1=$(now)
    flotilla_times+=("$(elapsed "$t0" "$t1")")
    t0=$(now); run_xargs; t1=$(now)
    xargs_times+=("$(elapsed "$t0" "$t1")")
    printf 'rep %d: flotilla %.3fs  xargs %.3fs\n' "$r" "${flotilla_times[-1]}" "${xargs_times[-1]}"
done

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
mf=$(median "${flotilla_times[@]}")
mx=$(median "${xargs_times[@]}")

echo
echo "overhead: $FILES jobs of \`true\` on $WORKERS workers, median of $REPS runs (nproc $(nproc))"
awk -v f="$mf" -v x="$mx" -v n="$FILES" -v w="$WORKERS" 'BEGIN {
    printf "%-10s %10s %16s\n", "tool", "wall (s)", "ms per job-slot"
    printf "%-10s %10.3f %16.3f\n", "flotilla", f, f * w * 1000 / n
    printf "%-10s %10.3f %16.3f\n", "xargs", x, x * w * 1000 / n
    printf "ratio flotilla/xargs: %.2fx (target <= 1.20x: %s)\n", f / x, (f / x <= 1.2) ? "met" : "MISSED"
}'

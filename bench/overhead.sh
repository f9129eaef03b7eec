#!/usr/bin/env bash
# Per-job overhead of `flotilla run` versus `xargs -P2 -n1` over the same 2,000 files.
#
# A temp project holds 2,000 empty files and a suite `command = ["true", "{file}"]` (one job per
# file) on 2 workers. Both tools run the same 2,000 `true` processes two at a time, so the
# difference is flotilla's own cost: config, discovery, history (SQLite), planning, two output
# pipes per job (a log file only for a stream that prints: `true` prints nothing), events, JUnit +
# summary.json, and saving the run to history. The `.flotilla/` folder is kept between
# repetitions, as it would be in real use.
#
# Usage (from the repository root): bash bench/overhead.sh
# Environment: FILES (default 2000), REPS (default 5), WORKERS (default 2), FLOTILLA (a binary to
# measure instead of building this checkout with `cargo build --release`).
set -euo pipefail

FILES=${FILES:-2000}
REPS=${REPS:-5}
WORKERS=${WORKERS:-2}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# FLOTILLA=/path/to/flotilla measures that binary instead of building this checkout.
if [[ -z "${FLOTILLA:-}" ]]; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
fi
flotilla=${FLOTILLA:-"$repo/target/release/flotilla"}

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

# Share of CPU time idle over one second, from /proc/stat (other load makes these figures noisy).
idle_percent() {
    local a b
    a=$(awk '/^cpu /{print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat)
    sleep 1
    b=$(awk '/^cpu /{print $5 + $6, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9}' /proc/stat)
    awk -v a="$a" -v b="$b" 'BEGIN {split(a, x, " "); split(b, y, " "); printf "%.0f", 100 * (y[1] - x[1]) / (y[2] - x[2])}'
}
idle=$(idle_percent)
if ((idle < 90)); then
    echo "warning: the machine is busy (only ${idle}% idle before the run): figures will be noisy" >&2
fi

run_flotilla() { (cd "$work" && "$flotilla" run >/dev/null); }
run_xargs() { (cd "$work" && printf '%s\n' "${files[@]}" | xargs -P"$WORKERS" -n1 true); }

# Times one command with bash's `time`: "wall user+sys" in seconds (CPU includes all children).
measure() {
    local TIMEFORMAT='%3R %3U %3S' out
    out=$({ time "$1"; } 2>&1)
    awk '{printf "%.3f %.3f", $1, $2 + $3}' <<<"$out"
}

# One untimed run of each: warms the page cache and creates the history file.
run_flotilla
run_xargs

f_wall=() f_cpu=() x_wall=() x_cpu=() ratios=()
for ((r = 1; r <= REPS; r++)); do
    read -r w c <<<"$(measure run_flotilla)"; f_wall+=("$w"); f_cpu+=("$c")
    read -r w c <<<"$(measure run_xargs)"; x_wall+=("$w"); x_cpu+=("$c")
    ratios+=("$(awk -v f="${f_wall[-1]}" -v x="${x_wall[-1]}" 'BEGIN {printf "%.3f", f / x}')")
    printf 'rep %d: flotilla %ss (cpu %ss)  xargs %ss (cpu %ss)  ratio %s\n' "$r" "${f_wall[-1]}" "${f_cpu[-1]}" \
        "${x_wall[-1]}" "${x_cpu[-1]}" "${ratios[-1]}"
done

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }

echo
echo "overhead: $FILES jobs of \`true\` on $WORKERS workers, median of $REPS interleaved runs (nproc $(nproc), ${idle}% idle before)"
awk -v fw="$(median "${f_wall[@]}")" -v fc="$(median "${f_cpu[@]}")" \
    -v xw="$(median "${x_wall[@]}")" -v xc="$(median "${x_cpu[@]}")" -v pr="$(median "${ratios[@]}")" -v n="$FILES" 'BEGIN {
    printf "%-10s %10s %14s %14s\n", "tool", "wall (s)", "cpu (s)", "cpu/job (ms)"
    printf "%-10s %10.3f %14.3f %14.3f\n", "flotilla", fw, fc, fc * 1000 / n
    printf "%-10s %10.3f %14.3f %14.3f\n", "xargs", xw, xc, xc * 1000 / n
    printf "flotilla cpu overhead per job: %.3f ms\n", (fc - xc) * 1000 / n
    r = fw / xw
    printf "wall ratio flotilla/xargs: %.2fx (target <= 1.20x: %s); median of paired ratios %.2fx\n", r, (r <= 1.2) ? "met" : "MISSED", pr
}'

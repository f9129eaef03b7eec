#!/usr/bin/env bash
# Makespan of `flotilla run` against the lower bound, cold and warm, beside a static split.
#
# A temp project holds 200 shell files that each `sleep` a known, heavy-tailed duration (most
# around 0.15 s, six at 20x that). The suite runs `sh {file}` on 8 workers. The lower bound of
# any schedule is max(total / 8, longest). We measure:
#   * flotilla's first run on a fresh history (cold: every file gets the same default estimate),
#   * its second run (warm: estimates are the durations measured by the first run),
#   * a static round-robin split (file i goes to worker i mod 8, each worker runs its files one
#     after another): 8 background shell loops, timed, not computed.
# Ratios are wall time / lower bound (1.00 is perfect). Target for the warm run: <= 1.05.
#
# Usage (from the repository root): bash bench/makespan.sh    (takes about 30 s)
# Environment: FLOTILLA (a binary to measure instead of building this checkout).
set -euo pipefail

FILES=200
WORKERS=8

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib/heavy_tailed.sh
source "$repo/bench/lib/heavy_tailed.sh"
# FLOTILLA=/path/to/flotilla measures that binary instead of building this checkout.
if [[ -z "${FLOTILLA:-}" ]]; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
fi
flotilla=${FLOTILLA:-"$repo/target/release/flotilla"}

work=$(mktemp -d "${TMPDIR:-/tmp}/flotilla-makespan.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/tests"

# The heavy-tailed durations of section 3 (bench/lib/heavy_tailed.sh).
heavy_tailed_durations "$FILES" >"$work/durations"
write_sleep_suite "$work" "$work/durations" "$WORKERS"
files=()
while read -r i _; do
    printf -v f 'tests/t%03d.sh' "$i"
    files+=("$f")
done <"$work/durations"
[run]
workers = $WORKERS

[suite.sleepy]
runner = "custom"
command = ["sh", "{file}"]
files = ["tests/*.sh"]
TOML

read -r total longest median bound < <(sort -k2 -g "$work/durations" | awk -v w="$WORKERS" '
    {t += $2; if ($2 > m) m = $2; v[NR] = $2}
    END {b = t / w; if (m > b) b = m; printf "%.3f %.3f %.3f %.3f\n", t, m, (v[int((NR + 1) / 2)] + v[int(NR / 2) + 1]) / 2, b}')

export CI=true
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b - a}'; }

run_flotilla() {
    local t0 t1
    t0=$(now)
    (cd "$work" && "$flotilla" run >"$work/out.txt")
    t1=$(now)
    elapsed "$t0" "$t1"
}

# Static round-robin: worker w runs files w, w+8, w+16, ... one after another.
run_static() {
    local t0 t1 w i
    t0=$(now)
    (
        cd "$work"
        for ((w = 0; w < WORKERS; w++)); do
            (for ((i = w; i < FILES; i += WORKERS)); do sh "${files[i]}"; done) &
        done
        wait
    )
    t1=$(now)
    elapsed "$t0" "$t1"
}

predicted() { sed -n 's/.*(predicted \([0-9.]*\)s).*/\1/p' "$work/out.txt"; }

cold=$(run_flotilla); cold_pred=$(predicted)
warm=$(run_flotilla); warm_pred=$(predicted)
static=$(run_static)

echo "makespan: $FILES files, $WORKERS workers (nproc $(nproc))"
echo "sleep times: total ${total}s, median ${median}s, longest ${longest}s; 3 s files at positions (worker = i mod $WORKERS):" \
    "$(awk '$2 == 3.000 {printf "%s%d", s, $1; s = " "}' "$work/durations")"
echo "lower bound max(total/$WORKERS, longest) = ${bound}s"
echo
awk -v b="$bound" -v c="$cold" -v cp="$cold_pred" -v w="$warm" -v wp="$warm_pred" -v s="$static" 'BEGIN {
    printf "%-28s %9s %11s %9s\n", "schedule", "wall (s)", "predicted", "wall/LB"
    printf "%-28s %9.3f %11s %9.3f\n", "flotilla, cold (1st run)", c, cp "s", c / b
    printf "%-28s %9.3f %11s %9.3f\n", "flotilla, warm (2nd run)", w, wp "s", w / b
    printf "%-28s %9.3f %11s %9.3f\n", "static round-robin (i mod 8)", s, "-", s / b
    printf "warm target <= 1.05: %s\n", (w / b <= 1.05) ? "met" : "MISSED"
}'

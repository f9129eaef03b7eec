#!/usr/bin/env bash
# Fast feedback and a better first run (docs/benchmarks.md section 12).
#
# Part 1, recent failures first: the 200-file heavy-tailed sleep suite of section 3
# (bench/lib/heavy_tailed.sh) on 8 workers, where one short file (the shortest) starts to fail.
#   * warm-up: a run where everything passes (history knows every file's time);
#   * "without the rule": the file fails for the first time: history says it passed, so the plan
#     is plain longest-first and the file runs near the end;
#   * "with the rule": it fails again: history says it failed recently, so its job starts early.
# For both: time to first failure (summary.json's first_failure_secs), wall time, predicted
# makespan.
#
# Part 2, a cold run's order: the same 200 durations on 8 workers with no history, in two suites:
# names ascending with duration (t000 the shortest … t199 the longest) and the section-3 names
# (unrelated to duration). Each is run cold by flotilla (ties outside in) and, for comparison,
# by `xargs -P 8` pulling the files in name order (what flotilla's cold queue did before) and in
# a hash order (cksum of the name). Ratios are wall time / lower bound max(total/8, longest).
#
# Usage (from the repository root): bash bench/feedback.sh    (about 2 minutes)
# Environment: FLOTILLA (a binary to measure instead of building this checkout).
set -euo pipefail

FILES=200
WORKERS=8

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib/heavy_tailed.sh
source "$repo/bench/lib/heavy_tailed.sh"
if [[ -z "${FLOTILLA:-}" ]]; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
fi
flotilla=${FLOTILLA:-"$repo/target/release/flotilla"}

work=$(mktemp -d "${TMPDIR:-/tmp}/flotilla-feedback.XXXXXX")
trap 'rm -rf "$work"' EXIT
export CI=true
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b - a}'; }
summary_field() { sed -n "s/^  \"$2\": \([0-9.a-z]*\),\$/\1/p" "$1/.flotilla/runs/latest/summary.json"; }
bound_of() { awk -v w="$WORKERS" '{t += $2; if ($2 > m) m = $2} END {b = t / w; if (m > b) b = m; printf "%.3f", b}' "$1"; }

# One flotilla run in $1; prints "wall predicted first_failure".
run_flotilla() {
    local dir=$1 t0 t1
    t0=$(now)
    (cd "$dir" && "$flotilla" run >"$dir/out.txt") || true
    t1=$(now)
    printf '%s %s %s\n' "$(elapsed "$t0" "$t1")" "$(summary_field "$dir" predicted_secs)" \
        "$(summary_field "$dir" first_failure_secs)"
}

echo "feedback: $FILES files, $WORKERS workers (nproc $(nproc)), load: $(uptime | sed 's/.*load average: //')"

# Part 1.
one="$work/recent"
heavy_tailed_durations "$FILES" >"$work/durations"
write_sleep_suite "$one" "$work/durations" "$WORKERS"
read -r short short_secs < <(sort -k2 -g "$work/durations" | head -1)
short_file=$(printf 'tests/t%03d.sh' "$short")
printf 'test -e %s/fail && { sleep %s; exit 1; }\nsleep %s\n' "$one" "$short_secs" "$short_secs" >"$one/$short_file"
run_flotilla "$one" >/dev/null
touch "$one/fail"
read -r without_wall without_pred without_first < <(run_flotilla "$one")
read -r with_wall with_pred with_first < <(run_flotilla "$one")
bound=$(bound_of "$work/durations")
echo
echo "part 1: $short_file (${short_secs}s) fails; lower bound ${bound}s"
awk -v b="$bound" -v ow="$without_wall" -v op="$without_pred" -v of="$without_first" \
    -v iw="$with_wall" -v ip="$with_pred" -v if_="$with_first" 'BEGIN {
    printf "%-34s %14s %9s %11s %9s\n", "run", "first failure", "wall (s)", "predicted", "wall/LB"
    printf "%-34s %13.3fs %9.3f %10.3fs %9.3f\n", "without the rule (first failure)", of, ow, op, ow / b
    printf "%-34s %13.3fs %9.3f %10.3fs %9.3f\n", "with the rule (fails again)", if_, iw, ip, iw / b
    printf "predicted makespan with / without: %.4f (target <= 1.03)\n", ip / op
}'

# Part 2.
sort -k2 -g "$work/durations" | awk '{printf "%d %s\n", NR - 1, $2}' >"$work/ascending"
cold_suite() {
    local name=$1 durations=$2 dir="$work/$1" t0 t1 files
    write_sleep_suite "$dir" "$durations" "$WORKERS"
    files=$(cd "$dir" && ls tests/*.sh)
    t0=$(now); (cd "$dir" && printf '%s\n' $files | xargs -P "$WORKERS" -n 1 sh); t1=$(now)
    local by_name; by_name=$(elapsed "$t0" "$t1")
    t0=$(now)
    (cd "$dir" && for f in $files; do printf '%s %s\n' "$(printf '%s' "$f" | cksum | cut -d' ' -f1)" "$f"; done |
        sort -n | cut -d' ' -f2 | xargs -P "$WORKERS" -n 1 sh)
    t1=$(now)
    local by_hash; by_hash=$(elapsed "$t0" "$t1")
    local cold; read -r cold _ < <(run_flotilla "$dir")
    awk -v n="$name" -v b="$(bound_of "$durations")" -v a="$by_name" -v h="$by_hash" -v c="$cold" 'BEGIN {
        printf "%-24s %7.3f %15.3f (%.3fx) %15.3f (%.3fx) %15.3f (%.3fx)\n", n, b, a, a / b, h, h / b, c, c / b
    }'
}
echo
echo "part 2: cold runs (no history)"
printf "%-24s %7s %24s %24s %24s\n" "suite" "LB (s)" "name order (xargs)" "hash order (xargs)" "flotilla cold"
cold_suite "names-ascending" "$work/ascending"
cold_suite "names-unrelated" "$work/durations"

#!/usr/bin/env bash
# Skip what did not change (docs/benchmarks.md section 14).
#
# A git repository with three suites of sleep files (SUITES x FILES files of SLEEP seconds,
# each suite with `inputs = ["<suite>/**"]`) on WORKERS workers. Measured, ROUNDS times each,
# after one warm-up run (history and cache filled):
#   * full:      `flotilla run --no-cache` (everything runs);
#   * cached:    `flotilla run` with nothing changed (every suite cached from the last green run);
#   * one input: `flotilla run` after a change to one suite's input (that suite runs, the other
#                two are cached);
#   * changed-since: `flotilla run --no-cache --changed-since HEAD` with that same change
#                uncommitted (only that suite runs; the others are left out, not reported).
# Prints the median wall time of each, every round's, and the closing lines.
#
# Usage (from the repository root): bash bench/changed_since.sh    (about 1 minute)
# Environment: FLOTILLA (a binary to measure instead of building this checkout), SUITES, FILES,
# SLEEP, WORKERS, ROUNDS.
set -euo pipefail

SUITES=${SUITES:-3}
FILES=${FILES:-4}
SLEEP=${SLEEP:-1}
WORKERS=${WORKERS:-2}
ROUNDS=${ROUNDS:-3}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z "${FLOTILLA:-}" ]]; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
fi
flotilla=${FLOTILLA:-"$repo/target/release/flotilla"}

work=$(mktemp -d "${TMPDIR:-/tmp}/flotilla-changed.XXXXXX")
trap 'rm -rf "$work"' EXIT
export CI=true GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
# shellcheck source=bench/lib/timing.sh
source "$repo/bench/lib/timing.sh"
git_() { git -c user.name=bench -c user.email=bench@example.com -C "$work" "$@"; }

printf '[run]\nworkers = %s\n' "$WORKERS" >"$work/flotilla.toml"
printf '.flotilla/\n' >"$work/.gitignore"
for s in $(seq 1 "$SUITES"); do
    mkdir -p "$work/s$s/tests" "$work/s$s/src"
    echo v1 >"$work/s$s/src/code.txt"
    for f in $(seq 1 "$FILES"); do printf 'sleep %s\n' "$SLEEP" >"$work/s$s/tests/t$f.sh"; done
    printf '\n[suite.s%s]\nrunner = "custom"\ncommand = ["bash", "{file}"]\nfiles = ["s%s/tests/*.sh"]\ninputs = ["s%s/**"]\n' \
        "$s" "$s" "$s" >>"$work/flotilla.toml"
done
git_ init -q && git_ add -A && git_ commit -qm bench

# One run with the given arguments; prints "wall<TAB>closing line".
measure() {
    local t0 t1 out
    t0=$(now)
    out=$(cd "$work" && "$flotilla" run "$@")
    t1=$(now)
    printf '%s\t%s\n' "$(elapsed "$t0" "$t1")" "$(tail -1 <<<"$out")"
}

echo "changed-since: $SUITES suites x $FILES files x ${SLEEP}s on $WORKERS workers, $ROUNDS rounds (nproc $(nproc)), load: $(uptime | sed 's/.*load average: //')"
measure >/dev/null  # warm-up: history and cache
declare -A walls lines
for round in $(seq 1 "$ROUNDS"); do
    IFS=$'\t' read -r wall line < <(measure --no-cache); walls[full]+="$wall "; lines[full]=$line
    IFS=$'\t' read -r wall line < <(measure); walls[cached]+="$wall "; lines[cached]=$line
    echo "v$round-changed" >"$work/s1/src/code.txt"
    IFS=$'\t' read -r wall line < <(measure --no-cache --changed-since HEAD); walls[since]+="$wall "; lines[since]=$line
    IFS=$'\t' read -r wall line < <(measure); walls[one]+="$wall "; lines[one]=$line
    git_ commit -qam "round $round"
done
printf '%-8s %8s  %-24s %s\n' case "median s" "every round (s)" "closing line"
for case in full cached one since; do
    printf '%-8s %8s  %-24s %s\n' "$case" "$(tr ' ' '\n' <<<"${walls[$case]}" | grep . | median)" \
        "${walls[$case]}" "${lines[$case]}"
done
echo "load after: $(uptime | sed 's/.*load average: //')"

#!/usr/bin/env bash
# Peak memory (RSS) and wall time of `flotilla run` at 100,000 and 1,000,000 tests.
#
# A temp project holds N empty files and one suite `command = ["true", "{files}"]`: jobs are
# batches of files, each `true` exits 0 at once, and every file becomes one passed, file-level
# test. So the run does little but flotilla's own per-test work: discovery, planning, the
# results of every test held until the end, junit.xml, summary.json and saving the run to
# history. Each N is run twice: the first run is cold (no history), the second reads the
# history the first one wrote (estimates for every file) and then adds to it.
#
# Usage (from the repository root): bash bench/memory.sh
# Environment: SIZES (default "100000 1000000"), WORKERS (default 2), KEEP (set: keep the temp
# projects and print their paths), FLOTILLA (a binary to measure instead of building this
# checkout with `cargo build --release`), TMPDIR (where the projects go: 1,000,000 empty files
# need 1,000,000 inodes, and each run at that size writes about 900 MB of junit.xml and
# summary.json; the history grows by about 170 MB a run).
#
# At 1,000,000 files some batches are too long for one argv (ARG_MAX): those jobs fail to
# start and their files are reported as errors, so the run exits 1. The figures still measure
# 1,000,000 results; the script prints the counts and the first failed job when that happens.
set -euo pipefail

SIZES=${SIZES:-"100000 1000000"}
WORKERS=${WORKERS:-2}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z "${FLOTILLA:-}" ]]; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
fi
flotilla=${FLOTILLA:-"$repo/target/release/flotilla"}
if [[ ! -x /usr/bin/time ]]; then
    echo "error: /usr/bin/time (GNU time) is needed for peak RSS: apt-get install time" >&2
    exit 2
fi

export CI=true

# Creates a project of $2 empty files in $1 (files spread over folders of 1,000 each, so no
# folder gets a million entries).
make_project() {
    local dir=$1 n=$2
    mkdir -p "$dir/tests"
    (
        cd "$dir/tests"
        for ((d = 0; d * 1000 < n; d++)); do
            printf -v sub 'd%04d' "$d"
            mkdir -p "$sub"
            local last=$(((d + 1) * 1000 < n ? (d + 1) * 1000 : n))
            # One `touch` per folder: fast, and its argv stays well under ARG_MAX.
            (cd "$sub" && seq -f 't%07g.sh' $((d * 1000)) $((last - 1)) | xargs touch)
        done
    )
    cat >"$dir/flotilla.toml" <<TOML
[run]
workers = $WORKERS

[suite.empty]
runner = "custom"
command = ["true", "{files}"]
files = ["tests/**/*.sh"]
TOML
}

# Runs flotilla once in $1 under GNU time; prints "peak_mb wall_s exit junit_mb summary_mb".
measure() {
    local dir=$1 log
    log=$(mktemp)
    local code=0
    (cd "$dir" && /usr/bin/time -v -o "$log" "$flotilla" run >"$log.err" 2>&1) || code=$?
    local rss wall junit summary
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$log")
    wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$log")
    # Elapsed is [h:]m:ss.ss; convert to seconds.
    wall=$(awk -v t="$wall" 'BEGIN {n = split(t, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; printf "%.2f", s}')
    junit=$(stat -c %s "$dir/.flotilla/runs/latest/junit.xml" 2>/dev/null || echo 0)
    summary=$(stat -c %s "$dir/.flotilla/runs/latest/summary.json" 2>/dev/null || echo 0)
    if [[ $code -ne 0 ]]; then
        echo "warning: flotilla exited $code; stdout/stderr tail:" >&2
        tail -5 "$log.err" >&2
        # What failed: the counts, and the first job error (e.g. a batch over ARG_MAX).
        if command -v jq >/dev/null; then
            jq -c '.counts, ([.jobs[] | select(.exit.kind != "exited" or .exit.code != 0)] | length as $n
                | {failed_jobs: $n, first: (first(.[]) | {exit, error, files: (.files | length)})})' \
                "$dir/.flotilla/runs/latest/summary.json" >&2 || true
        fi
    fi
    awk -v r="$rss" -v w="$wall" -v c="$code" -v j="$junit" -v s="$summary" \
        'BEGIN {printf "%.1f %s %d %.1f %.1f", r / 1024, w, c, j / 1e6, s / 1e6}'
    rm -f "$log" "$log.err"
}

rows=()
for n in $SIZES; do
    work=$(mktemp -d "${TMPDIR:-/tmp}/flotilla-memory-$n.XXXXXX")
    if [[ -z "${KEEP:-}" ]]; then
        trap 'rm -rf "$work"' EXIT
    fi
    echo "N=$n: creating $n files in $work" >&2
    make_project "$work" "$n"
    for run in cold warm; do
        echo "N=$n: $run run" >&2
        read -r rss wall code junit summary <<<"$(measure "$work")"
        rows+=("$(printf '%-10s %-5s %10s %9s %5s %10s %12s' "$n" "$run" "$rss" "$wall" "$code" "$junit" "$summary")")
        echo "${rows[-1]}" >&2
    done
    history=$(stat -c %s "$work/.flotilla/history.db" 2>/dev/null || echo 0)
    echo "N=$n: history.db $(awk -v h="$history" 'BEGIN {printf "%.1f", h / 1e6}') MB after two runs" >&2
    if [[ -n "${KEEP:-}" ]]; then
        echo "kept: $work" >&2
    else
        rm -rf "$work"
        trap - EXIT
    fi
done

echo
echo "flotilla run, custom suite \`true {files}\` on $WORKERS workers (nproc $(nproc), $(awk '{print $1}' /proc/loadavg) load before the last run)"
printf '%-10s %-5s %10s %9s %5s %10s %12s\n' "tests" "run" "peak MB" "wall s" "exit" "junit MB" "summary MB"
printf '%s\n' "${rows[@]}"

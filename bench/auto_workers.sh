#!/usr/bin/env bash
# workers = "auto" that measures, against one worker per core (the old "auto"):
#   sleep - FILES shell files that each sleep SLEEP seconds (waiting, almost no CPU);
#   cpu   - FILES shell files that each run a busy loop of LOOP iterations (all CPU).
# Each suite runs once with auto to measure (no history yet: auto is the CPU count), then REPS
# times alternately with `--workers <cores>` and with auto; the figures are the median wall
# times of `flotilla run`, the workers auto chose, and the load average before and after.
#
# Usage (from the repository root): bash bench/auto_workers.sh
# Environment: FILES (default 16), SLEEP (default 1), LOOP (default 600000), REPS (default 3),
# FLOTILLA (default target/debug/flotilla, built if missing), KEEP=1 keeps the projects.
set -euo pipefail

FILES=${FILES:-16}
SLEEP=${SLEEP:-1}
LOOP=${LOOP:-600000}
REPS=${REPS:-3}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FLOTILLA=${FLOTILLA:-$repo/target/debug/flotilla}
[[ -x $FLOTILLA ]] || (cd "$repo" && cargo build -q)
cores=$(nproc)

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
now() { date +%s.%N; }
load() { cut -d' ' -f1 /proc/loadavg; }

project() { # $1 = sleep|cpu; prints the project folder
    local dir i
    dir=$(mktemp -d "${TMPDIR:-/tmp}/flotilla-auto-$1.XXXXXX")
    mkdir -p "$dir/t"
    cat >"$dir/flotilla.toml" <<TOML
[run]
workers = "auto"
keep-runs = 2

[suite.$1]
runner = "custom"
command = ["sh", "{file}"]
files = ["t/*.sh"]
TOML
    for ((i = 1; i <= FILES; i++)); do
        if [[ $1 == sleep ]]; then
            echo "sleep $SLEEP" >"$dir/t/$(printf %03d "$i").sh"
        else
            echo "i=0; while [ \$i -lt $LOOP ]; do i=\$((i+1)); done" >"$dir/t/$(printf %03d "$i").sh"
        fi
    done
    echo "$dir"
}

timed_run() { # $1 = folder, rest = extra args; prints seconds
    local dir=$1 start end
    shift
    start=$(now)
    (cd "$dir" && CI=true NO_COLOR=1 "$FLOTILLA" run -q "$@" >/dev/null)
    end=$(now)
    echo "$end - $start" | bc -l
}

echo "cores: $cores; files per suite: $FILES; sleep ${SLEEP}s; busy loop of $LOOP; $REPS repetitions"
for kind in sleep cpu; do
    dir=$(project "$kind")
    before=$(load)
    timed_run "$dir" >/dev/null # measures: auto is the CPU count on this first run
    reason=$(cd "$dir" && "$FLOTILLA" plan | sed -n 's/^workers: //p')
    fixed=() auto=()
    for ((r = 0; r < REPS; r++)); do
        fixed+=("$(timed_run "$dir" --workers "$cores")")
        auto+=("$(timed_run "$dir")")
    done
    after=$(load)
    workers=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['workers'])" "$dir/.flotilla/runs/latest/summary.json")
    printf '%-5s  workers=%-2s (cores) median %6.2fs   auto: %-2s workers median %6.2fs   load %s -> %s\n' \
        "$kind" "$cores" "$(printf '%s\n' "${fixed[@]}" | median)" "$workers" \
        "$(printf '%s\n' "${auto[@]}" | median)" "$before" "$after"
    echo "       fixed: ${fixed[*]}"
    echo "       auto:  ${auto[*]}"
    echo "       $reason"
    [[ ${KEEP:-0} == 1 ]] && echo "       kept $dir" || rm -rf "$dir"
done

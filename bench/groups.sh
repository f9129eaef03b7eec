#!/usr/bin/env bash
# Test groups (docs/benchmarks.md section 16, part 1).
#
# GROUPED files in a `[group.db] max-concurrency = LIMIT` group and FREE files outside it, each
# a `sleep SLEEP` that records when it started and ended, on WORKERS workers. Measured ROUNDS
# times after one warm-up run (history filled): the wall time of `flotilla run`, the makespan
# the plan predicted, the lower bound max(total / WORKERS, GROUPED x SLEEP / LIMIT), and the
# most grouped files that ever ran at once (must never exceed LIMIT). Beside it, the same files
# without the group (the makespan a group costs).
#
# Usage (from the repository root): bash bench/groups.sh    (about 2 minutes)
# Environment: FLOTILLA (a binary to measure instead of building this checkout), GROUPED, FREE,
# SLEEP, LIMIT, WORKERS, ROUNDS.
set -euo pipefail

GROUPED=${GROUPED:-12}
FREE=${FREE:-24}
SLEEP=${SLEEP:-1}
LIMIT=${LIMIT:-1}
WORKERS=${WORKERS:-4}
ROUNDS=${ROUNDS:-3}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z "${FLOTILLA:-}" ]]; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
fi
flotilla=${FLOTILLA:-"$repo/target/release/flotilla"}

work=$(mktemp -d "${TMPDIR:-/tmp}/flotilla-groups.XXXXXX")
trap 'rm -rf "$work"' EXIT
export CI=true
# shellcheck source=bench/lib/timing.sh
source "$repo/bench/lib/timing.sh"

mkdir -p "$work/t" "$work/times"
script='start=$(date +%s.%N); sleep '"$SLEEP"'; end=$(date +%s.%N); echo "$start $end" > "'"$work"'/times/$(basename "$0" .sh)"'
for i in $(seq -w 1 "$GROUPED"); do echo "$script" >"$work/t/db_$i.sh"; done
for i in $(seq -w 1 "$FREE"); do echo "$script" >"$work/t/free_$i.sh"; done

config() {
    printf '[run]\nworkers = %s\n\n[group.db]\nmax-concurrency = %s\n\n[suite.s]\nrunner = "custom"\ncommand = ["sh", "{file}"]\nfiles = ["t/*.sh"]\n%s\n' \
        "$WORKERS" "$LIMIT" "$1" >"$work/flotilla.toml"
}

# The most db_ files whose recorded intervals overlap at one instant.
most_at_once() {
    cat "$work"/times/db_* | awk '{print $1, 1; print $2, -1}' | sort -g -k1,1 -k2,2n |
        awk '{n += $2; if (n > m) m = n} END {print m + 0}'
}

measure() {
    local label=$1 walls=() line=""
    rm -rf "$work/.flotilla"
    (cd "$work" && "$flotilla" run -q >/dev/null 2>&1) || true
    for _ in $(seq 1 "$ROUNDS"); do
        rm -f "$work"/times/*
        local start end wall
        start=$(now)
        (cd "$work" && "$flotilla" run -q >"$work/last.log" 2>&1) || { cat "$work/last.log"; exit 1; }
        end=$(now)
        wall=$(elapsed "$start" "$end")
        walls+=("$wall")
        local predicted
        predicted=$(python3 -c "import json; print(f\"{json.load(open('$work/.flotilla/runs/latest/summary.json'))['predicted_secs']:.3f}\")")
        line+=" ${wall}s (predicted ${predicted}s, at most $(most_at_once) db at once);"
    done
    echo "$label: median $(printf '%s\n' "${walls[@]}" | median)s;$line"
}

bound=$(awk -v g="$GROUPED" -v f="$FREE" -v s="$SLEEP" -v l="$LIMIT" -v w="$WORKERS" \
    'BEGIN {a = (g + f) * s / w; b = g * s / l; printf "%.3f", (a > b ? a : b)}')
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"
echo "$GROUPED grouped + $FREE free files of ${SLEEP}s on $WORKERS workers, group limit $LIMIT: lower bound ${bound}s"
config 'groups = { db = ["t/db_*.sh"] }'
measure "with the group"
config ''
measure "without the group"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

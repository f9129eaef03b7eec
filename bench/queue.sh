#!/usr/bin/env bash
# Queue mode (`flotilla run --queue`) against a static split across 4 nodes x 2 workers, with
# one node starting 20% late (a CI agent that came up slowly).
#
# The suite is bench/makespan.sh's: 200 shell files that each `sleep` a known, heavy-tailed
# duration (six at 3 s), run with `sh {file}`. All 4 nodes run on this machine, each in its
# own copy of the project with the same warm history (one local run first measures every file).
#   * static split: the files are split over the 4 nodes longest-first onto the least-loaded
#     node by their known durations (the best a static split can do); each node runs only its
#     files (a project copy holding just those: the nodes branch's `--plan` is not on this
#     branch, so the split is simulated with explicit file lists); each node then plans its own
#     2 workers from the warm history;
#   * queue: every node runs the whole selection with --queue on one local redis-server; the
#     first seeds it, the others take batches as their workers free up.
# Node 3 starts DELAY = 20% of the lower bound after the others in both. Makespan = first
# start to last node's exit. Lower bound = max(total / 8, longest) (the late node not counted).
# Then a node is killed (SIGKILL to its process group) at half the lower bound, all nodes on
# time: the static split must retry that node (retried at once here, as if CI noticed at once;
# the retry runs its whole share again), the queue gives its batch to a live node once the
# lease lapses (--queue-lease 2s here; the default is 30s).
#
# Usage (from the repository root): bash bench/queue.sh    (about 1 minute)
# Environment: FLOTILLA (binary; default target/debug/flotilla, built if missing), REPS (3).
set -euo pipefail

FILES=200
NODES=4
WORKERS=2
REPS=${REPS:-3}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=bench/lib/heavy_tailed.sh
source "$repo/bench/lib/heavy_tailed.sh"
if [[ -z "${FLOTILLA:-}" ]]; then
    cargo build --quiet --manifest-path "$repo/Cargo.toml"
fi
flotilla=${FLOTILLA:-"$repo/target/debug/flotilla"}

work=$(mktemp -d "${TMPDIR:-/tmp}/flotilla-queue.XXXXXX")
redis_pid=
cleanup() {
    [[ -n $redis_pid ]] && kill "$redis_pid" 2>/dev/null && wait "$redis_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# The heavy-tailed durations of section 3 (bench/lib/heavy_tailed.sh).
heavy_tailed_durations "$FILES" >"$work/durations"
base=$work/base
write_sleep_suite "$base" "$work/durations" "$WORKERS"

read -r total longest bound < <(awk -v w=$((NODES * WORKERS)) '
    {t += $2; if ($2 > m) m = $2}
    END {b = t / w; if (m > b) b = m; printf "%.3f %.3f %.3f\n", t, m, b}' "$work/durations")
delay=$(awk -v b="$bound" 'BEGIN {printf "%.3f", 0.2 * b}')

export CI=true
# Warm the history once (every node copy starts from it).
(cd "$base" && "$flotilla" run -j 8 >/dev/null)

# Static split: longest first onto the least-loaded node (ties: lowest index).
sort -k2,2gr -k1,1n "$work/durations" | awk -v n=$NODES '
    {best = 0; for (k = 1; k < n; k++) if (load[k] < load[best]) best = k; load[best] += $2; print $1, best}' \
    >"$work/static"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$work" >/dev/null &
redis_pid=$!
until redis-cli -p "$port" ping >/dev/null 2>&1; do :; done

now() { date +%s.%N; }

# Runs the 4 nodes ($1 = static | queue, $2 = rep, $3 = late | kill); prints the makespan.
# late: node 3 starts $delay late. kill: node 1 is killed at half the lower bound (static: and
# then run again, its retry).
run_nodes() {
    local mode=$1 rep=$2 scenario=${3:-late} i t0 pids=() cmd
    for ((i = 0; i < NODES; i++)); do
        rm -rf "$work/node$i"
        if [[ $mode == static ]]; then
            mkdir -p "$work/node$i/tests"
            cp "$base/flotilla.toml" "$work/node$i/"
            cp -r "$base/.flotilla" "$work/node$i/"
            awk -v n="$i" '$2 == n {printf "t%03d.sh\n", $1}' "$work/static" |
                while read -r f; do cp "$base/tests/$f" "$work/node$i/tests/"; done
        else
            cp -r "$base" "$work/node$i"
        fi
    done
    t0=$(now)
    for ((i = 0; i < NODES; i++)); do
        if [[ $mode == static ]]; then
            cmd=("$flotilla" run)
        else
            cmd=(env FLOTILLA_BUILD_ID="bench-$$-$rep-$scenario" FLOTILLA_NODE_INDEX=$i FLOTILLA_NODE_TOTAL=$NODES
                "$flotilla" run --queue "redis://127.0.0.1:$port" --queue-lease 2s)
        fi
        if [[ $scenario == late && $i == $((NODES - 1)) ]]; then
            (sleep "$delay"; cd "$work/node$i" && "${cmd[@]}" >"$work/out-$mode-$i.txt" 2>&1) &
        else
            # A session of its own (setsid does not fork here), so the kill reaches its jobs too.
            (cd "$work/node$i" && exec setsid "${cmd[@]}" >"$work/out-$mode-$i.txt" 2>&1) &
        fi
        pids+=($!)
    done
    if [[ $scenario == kill ]]; then
        sleep "$(awk -v b="$bound" 'BEGIN {printf "%.3f", b / 2}')"
        kill -KILL -- "-${pids[1]}" 2>/dev/null || true
        wait "${pids[1]}" 2>/dev/null || true
        if [[ $mode == static ]]; then
            (cd "$work/node1" && "${cmd[@]}" >"$work/out-$mode-1.txt" 2>&1) &
            pids[1]=$!
        else
            pids[1]=
        fi
    fi
    for pid in "${pids[@]}"; do [[ -n $pid ]] && { wait "$pid" || true; }; done
    awk -v a="$t0" -v b="$(now)" 'BEGIN {printf "%.3f", b - a}'
}

echo "queue vs static: $FILES files, $NODES nodes x $WORKERS workers (nproc $(nproc)), node $((NODES - 1)) starts ${delay}s late"
echo "sleep total ${total}s, longest ${longest}s; lower bound max(total/$((NODES * WORKERS)), longest) = ${bound}s"
ratio() { awk -v a="$1" -v b="$bound" 'BEGIN {printf "%.2f", a / b}'; }
printf '%-4s %-12s %14s %14s\n' rep scenario "static (s)" "queue (s)"
for ((rep = 1; rep <= REPS; rep++)); do
    for scenario in late kill; do
        s=$(run_nodes static "$rep" "$scenario")
        q=$(run_nodes queue "$rep" "$scenario")
        printf '%-4s %-12s %9s %4sx %9s %4sx\n' "$rep" "$scenario" "$s" "$(ratio "$s")" "$q" "$(ratio "$q")"
        if [[ $scenario == late ]]; then
            ran=$(cat "$work"/out-queue-*.txt | sed -n 's/^\([0-9]*\) passed.*/\1/p' | awk '{t += $1} END {print t}')
            [[ $ran == "$FILES" ]] || echo "  queue mode ran $ran tests, not $FILES" >&2
        fi
    done
done

#!/usr/bin/env bash
# N copies of a two-service compose environment brought up and torn down:
#   flotilla    - EnvSet::up + EnvSet::teardown (config → resolved file → up -d → container
#                 check → readiness → down -v --remove-orphans -t 1 → label sweep), all copies
#                 concurrently; "plain" waits for running containers only, "ready" also runs a
#                 tcp and an http probe;
#   by hand ∥   - the same compose commands a person would type (`up -d`, then
#                 `down -v --remove-orphans -t 1`), the N projects concurrently;
#   by hand →   - the same, one project after the other.
# Each figure is the median wall time of REPS repetitions of "up all, then down all".
#
# Usage (from the repository root): bash bench/compose.sh
# Environment: COPIES (default 4), REPS (default 5), COMPOSE (v1 | v2, default v1).
set -euo pipefail

COPIES=${COPIES:-4}
REPS=${REPS:-5}
COMPOSE=${COMPOSE:-v1}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fixture=$repo/tests/fixtures/compose/bench
bash "$repo/scripts/test-images.sh" >/dev/null
if [[ $COMPOSE == v2 ]]; then
    compose=("$(bash "$repo/scripts/compose-v2.sh")")
else
    compose=(docker-compose)
fi

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
now() { date +%s.%N; }

hand() { # $1 = parallel|serial; prints seconds
    local mode=$1 start end i
    start=$(now)
    for ((i = 1; i <= COPIES; i++)); do
        if [[ $mode == parallel ]]; then
            "${compose[@]}" --ansi never -p "bench-hand-$$-$i" --project-directory "$fixture" -f "$fixture/docker-compose.yml" up -d --remove-orphans >/dev/null 2>&1 &
        else
            "${compose[@]}" --ansi never -p "bench-hand-$$-$i" --project-directory "$fixture" -f "$fixture/docker-compose.yml" up -d --remove-orphans >/dev/null 2>&1
        fi
    done
    wait
    for ((i = 1; i <= COPIES; i++)); do
        if [[ $mode == parallel ]]; then
            "${compose[@]}" --ansi never -p "bench-hand-$$-$i" --project-directory "$fixture" -f "$fixture/docker-compose.yml" down -v --remove-orphans -t 1 >/dev/null 2>&1 &
        else
            "${compose[@]}" --ansi never -p "bench-hand-$$-$i" --project-directory "$fixture" -f "$fixture/docker-compose.yml" down -v --remove-orphans -t 1 >/dev/null 2>&1
        fi
    done
    wait
    end=$(now)
    awk -v a="$start" -v b="$end" 'BEGIN {printf "%.3f\n", b - a}'
}

echo "compose: $("${compose[@]}" version --short), copies: $COPIES, repetitions: $REPS" >&2
cargo build --release --tests --quiet --manifest-path "$repo/Cargo.toml"
# Interleaved repetitions, so that a change of load on the machine hits every variant alike.
results=$(mktemp)
trap 'rm -f "$results"' EXIT
for ((r = 0; r < REPS; r++)); do
    echo "hand-parallel $(hand parallel)" >>"$results"
    echo "hand-serial $(hand serial)" >>"$results"
    COPIES=$COPIES REPS=1 COMPOSE=$COMPOSE cargo test --release --quiet --manifest-path "$repo/Cargo.toml" \
        --test envs bench_up_and_down -- --ignored --nocapture 2>/dev/null | grep '^flotilla ' | sed 's/^flotilla /flotilla-/' >>"$results"
done
pick() { grep "^$1 " "$results" | awk '{print $2}' | median; }
parallel=$(pick hand-parallel)
serial=$(pick hand-serial)
plain=$(pick flotilla-plain)
ready=$(pick flotilla-ready)

printf '| %-40s | %8s | %s |\n' "what ($COPIES copies, compose $COMPOSE)" "median s" "vs by hand, concurrent"
printf '| %-40s | %8s | %s |\n' "----------------------------------------" "--------" "----------------------"
row() { printf '| %-40s | %8.2f | %.2fx |\n' "$1" "$2" "$(awk -v a="$2" -v b="$parallel" 'BEGIN {print a / b}')"; }
row "by hand, concurrent (up -d; down)" "$parallel"
row "by hand, one after the other" "$serial"
row "flotilla EnvSet (running containers)" "$plain"
row "flotilla EnvSet (+ tcp and http probes)" "$ready"

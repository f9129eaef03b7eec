#!/usr/bin/env bash
# Jobs inside a service: N one-line jobs (`echo`) run by flotilla inside the `web` service of a
# one-worker environment (a custom suite, one job per file, `exec = "web"`), against the same N
# `docker exec CONTAINER echo …` calls typed by hand in a shell loop, one after the other, on a
# copy of the same environment (tests/fixtures/compose/bench) brought up by hand.
#
#   by hand, docker exec   - `docker exec "$id" echo tests/jNN.sh`, N times in a loop;
#   by hand, compose exec  - `docker-compose … exec -T web echo tests/jNN.sh`, N times (what each
#                            job cost before flotilla exec'd by container id; COMPOSE_EXEC=0 skips);
#   flotilla (jobs)        - from the first job's start to the last job's end (summary.json:
#                            `started_secs` + `duration_secs`): every job's client and flotilla's
#                            own work between jobs, without bringing the environment up or down;
#   flotilla (whole run)   - `flotilla run` end to end, environment up and down included;
#   before (jobs)          - the same for FLOTILLA_BEFORE, a build that still used compose exec.
# Each figure is the median of REPS repetitions; the variants are interleaved per repetition.
#
# Usage (from the repository root): bash bench/exec.sh
# Environment: JOBS (default 40), REPS (default 3), COMPOSE (v1 | v2, default v1),
# FLOTILLA (a binary to measure instead of building this checkout with `cargo build --release`),
# FLOTILLA_BEFORE (optional: a binary to compare with, e.g. a build of the commit before
# exec-by-id), COMPOSE_EXEC (1 | 0, default 1).
set -euo pipefail

JOBS=${JOBS:-40}
REPS=${REPS:-3}
COMPOSE=${COMPOSE:-v1}
COMPOSE_EXEC=${COMPOSE_EXEC:-1}

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
fixture=$repo/tests/fixtures/compose/bench
bash "$repo/scripts/test-images.sh" >/dev/null
if [[ $COMPOSE == v2 ]]; then
    v2=$(bash "$repo/scripts/compose-v2.sh")
    # flotilla finds compose as `docker compose`, else `docker-compose`: put v2 first on PATH.
    PATH=$(dirname "$v2"):$PATH
    export PATH
fi
if [[ -z "${FLOTILLA:-}" ]]; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
fi
flotilla=${FLOTILLA:-"$repo/target/release/flotilla"}
before=${FLOTILLA_BEFORE:-}

work=$(mktemp -d "${TMPDIR:-/tmp}/flotilla-exec.XXXXXX")
hand_project=bench-exec-$$
cleanup() {
    docker-compose --ansi never -p "$hand_project" --project-directory "$fixture" -f "$fixture/docker-compose.yml" \
        down -v --remove-orphans -t 1 >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/tests"
for ((i = 1; i <= JOBS; i++)); do
    printf -v f 'tests/j%02d.sh' "$i"
    : >"$work/$f"
done
cp "$fixture/docker-compose.yml" "$work/docker-compose.yml"
cat >"$work/flotilla.toml" <<'TOML'
[run]
workers = 1

[services.bench]
compose = ["docker-compose.yml"]
health = "ignore"
exec = "web"

[suite.inside]
runner = "custom"
command = ["echo", "{file}"]
files = ["tests/*.sh"]
services = "bench"
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

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN {printf "%.3f\n", b - a}'; }

# The copy used by hand: the same file, brought up once by compose.
docker-compose --ansi never -p "$hand_project" --project-directory "$fixture" -f "$fixture/docker-compose.yml" \
    up -d --remove-orphans >/dev/null 2>&1
id=$(docker ps -q --no-trunc --filter "label=com.docker.compose.project=$hand_project" \
    --filter "label=com.docker.compose.service=web")
[[ -n $id ]] || { echo "the hand-made copy has no running web container" >&2; exit 1; }

by_hand_docker() {
    local start i
    start=$(now)
    for ((i = 1; i <= JOBS; i++)); do
        docker exec "$id" echo "tests/j$i.sh" >/dev/null </dev/null
    done
    since "$start"
}

by_hand_compose() {
    local start i
    start=$(now)
    for ((i = 1; i <= JOBS; i++)); do
        docker-compose --ansi never -p "$hand_project" --project-directory "$fixture" -f "$fixture/docker-compose.yml" \
            exec -T web echo "tests/j$i.sh" >/dev/null </dev/null
    done
    since "$start"
}

# `flotilla run` with `$1`; prints "<whole run s> <jobs s>".
flotilla_run() {
    local bin=$1 start whole summary
    rm -rf "$work/.flotilla"
    start=$(now)
    "$bin" -C "$work" run >"$work/run.log" 2>&1 || { cat "$work/run.log" >&2; exit 1; }
    whole=$(since "$start")
    summary="$work/.flotilla/runs/latest/summary.json"
    [[ $(jq '.jobs | length' "$summary") == "$JOBS" ]] || { echo "expected $JOBS jobs" >&2; exit 1; }
    echo "$whole $(jq '[.jobs[] | .started_secs] as $s | [.jobs[] | .started_secs + .duration_secs] | max - ($s | min)' "$summary")"
}

echo "compose: $(docker-compose version --short), jobs: $JOBS, repetitions: $REPS, idle before: ${idle}%" >&2
results=$work/results
: >"$results"
for ((r = 0; r < REPS; r++)); do
    echo "hand-docker $(by_hand_docker)" >>"$results"
    read -r whole jobs <<<"$(flotilla_run "$flotilla")"
    echo "flotilla-jobs $jobs" >>"$results"
    echo "flotilla-whole $whole" >>"$results"
    if [[ -n $before ]]; then
        read -r whole jobs <<<"$(flotilla_run "$before")"
        echo "before-jobs $jobs" >>"$results"
        echo "before-whole $whole" >>"$results"
    fi
    if [[ $COMPOSE_EXEC == 1 ]]; then
        echo "hand-compose $(by_hand_compose)" >>"$results"
    fi
done
pick() { grep "^$1 " "$results" | awk '{print $2}' | median; }
hand=$(pick hand-docker)

range() { grep "^$1 " "$results" | awk '{print $2}' | sort -n | awk 'NR == 1 {a = $1} {b = $1} END {printf "%.2f-%.2f", a, b}'; }

printf '| %-42s | %8s | %11s | %9s | %s |\n' "what ($JOBS jobs, compose $COMPOSE)" "median s" "range s" "per job s" "vs docker exec by hand"
printf '| %-42s | %8s | %11s | %9s | %s |\n' "------------------------------------------" "--------" "-----------" "---------" "----------------------"
row() { # $1 = label, $2 = variant in the results file
    grep -q "^$2 " "$results" || return 0
    local value
    value=$(pick "$2")
    printf '| %-42s | %8.2f | %11s | %9.3f | %.2fx |\n' "$1" "$value" "$(range "$2")" \
        "$(awk -v a="$value" -v n="$JOBS" 'BEGIN {print a / n}')" "$(awk -v a="$value" -v b="$hand" 'BEGIN {print a / b}')"
}
row "by hand, docker exec in a loop" hand-docker
row "flotilla, jobs (first start to last end)" flotilla-jobs
row "flotilla, whole run (env up + down too)" flotilla-whole
row "before (compose exec), jobs" before-jobs
row "before (compose exec), whole run" before-whole
row "by hand, compose exec -T in a loop" hand-compose

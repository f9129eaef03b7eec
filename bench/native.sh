#!/usr/bin/env bash
# bench/native.sh: flotilla, warm, against each framework's own parallel runner on real
# third-party projects taken from the registries (docs/benchmarks.md section 15):
#   python  networkx (its wheel ships its tests): `pytest -n 2 --dist load` and `--dist loadfile`
#   go      15 trees of Go's own standard library (a copy of GOROOT): `go test -p 2 -count=1`
#   rust    rayon (16 test binaries, from the cargo registry): `cargo nextest run -j 2`
# Each side runs ROUNDS times, interleaved, after one cold flotilla run that fills the history
# and one native run that warms the build caches; the script prints every time, the medians,
# flotilla's counts and timing match against the native runner's counts, each side's CPU time,
# and the start-up flotilla learned.
# Usage: bench/native.sh [python] [go] [rust]   (default: all three; ROUNDS=2; GO_TREES="a b")
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
ROUNDS=${ROUNDS:-2}
WORK=${BENCH_DIR:-$ROOT/target/bench/native}
cargo build --release --locked -q
FLOTILLA=$ROOT/target/release/flotilla
mkdir -p "$WORK"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores"

# timed LABEL CMD...: runs CMD (output to $WORK/last.log), appends `LABEL wall cpu` to
# $TIMES (seconds; cpu is user + system of every process it waited for) and prints the wall.
timed() {
  local label=$1
  shift
  python3 - "$label" "$TIMES" "$WORK/last.log" "$@" <<'PY'
import resource, subprocess, sys, time
label, times, log, *command = sys.argv[1:]
before = resource.getrusage(resource.RUSAGE_CHILDREN)
start = time.monotonic()
with open(log, "w") as out:
    subprocess.run(command, stdout=out, stderr=subprocess.STDOUT)
wall = time.monotonic() - start
after = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
with open(times, "a") as f:
    f.write(f"{label}\t{wall:.2f}\t{cpu:.2f}\n")
print(f"{wall:.2f}")
PY
}

# counts DIR: flotilla's passed/failed/skipped and timing match in DIR's latest run.
counts() {
  python3 -c "import json,sys; s=json.load(open(sys.argv[1])); c=s['counts']; print(f\"{c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped; timing match {s['timing_match']:.0%}\")" \
    "$1/.flotilla/runs/latest/summary.json"
}

# learned DIR: the start-up line of `flotilla plan`.
learned() { (cd "$1" && "$FLOTILLA" plan 2>/dev/null | grep -o 'start-up [^;]*' | head -1) || true; }

# compare NAME DIR LABEL=COMMAND...: one cold flotilla run, then ROUNDS rounds of each native
# command and flotilla warm, interleaved; medians, flotilla's ratio to each native mode (of the
# medians, and the median of each round's ratio: the machine's speed drifts between rounds),
# and each side's CPU time (when both keep the cores busy, only less work can be faster).
compare() {
  local name=$1 dir=$2
  shift 2
  local -a labels=() commands=()
  for spec in "$@"; do
    labels+=("${spec%%=*}")
    commands+=("${spec#*=}")
  done
  TIMES=$WORK/$name.times
  : >"$TIMES"
  rm -rf "$dir/.flotilla"
  echo "[$name] warming caches: ${labels[0]}"
  timed warming bash -c "${commands[0]}" >/dev/null
  echo "[$name] ${labels[0]} itself: $(grep -E 'Summary|passed|^ok|^FAIL' "$WORK/last.log" | tail -1 | sed 's/^ *//')"
  echo "[$name] flotilla cold: $(cd "$dir" && timed cold "$FLOTILLA" run -q)s"
  for round in $(seq "$ROUNDS"); do
    local line="[$name] round $round:"
    for i in "${!labels[@]}"; do
      line+=" ${labels[$i]} $(timed "${labels[$i]}" bash -c "${commands[$i]}")s,"
    done
    line+=" flotilla warm $(cd "$dir" && timed warm "$FLOTILLA" run -q)s"
    echo "$line; flotilla $(counts "$dir")"
  done
  python3 - "$name" "$TIMES" "${labels[@]}" <<'PY'
import os, statistics, sys
name, times, *labels = sys.argv[1:]
rows = [line.rstrip("\n").split("\t") for line in open(times)]
def of(label, column):
    return [float(r[column]) for r in rows if r[0] == label]
warm = of("warm", 1)
cores = os.cpu_count()
print(f"[{name}] flotilla warm: median {statistics.median(warm):.2f}s, CPU {statistics.median(of('warm', 2)):.1f}s")
for label in labels:
    native = of(label, 1)
    ratios = [w / n for w, n in zip(warm, native)]
    print(f"[{name}] {label}: median {statistics.median(native):.2f}s, CPU {statistics.median(of(label, 2)):.1f}s; "
          f"flotilla warm is {statistics.median(warm) / statistics.median(native):.2f}x of the medians, "
          f"{statistics.median(ratios):.2f}x by round ({', '.join(f'{r:.2f}' for r in ratios)})")
    # Its CPU time spread over every core: no scheduler does the same work in less.
    bound = statistics.median(of(label, 2)) / cores
    print(f"[{name}] {label}'s CPU over {cores} cores: {bound:.2f}s, "
          f"{bound / statistics.median(native):.2f}x of its wall time: the least its work can take")
PY
  echo "[$name] flotilla $(counts "$dir"); $(learned "$dir")"
}

python_bench() {
  local dir=$WORK/python
  if [ ! -d "$dir/networkx" ]; then
    mkdir -p "$dir"
    pip download --quiet --no-deps --only-binary :all: -d "$WORK/wheels" networkx==3.6.1
    python3 -m zipfile -e "$WORK"/wheels/networkx-3.6.1-py3-none-any.whl "$dir"
  fi
  printf '[run]\nworkers = 2\n\n[suite.networkx]\nrunner = "pytest"\nfiles = ["networkx/**/test_*.py"]\n' >"$dir/flotilla.toml"
  compare python "$dir" \
    "pytest -n 2 --dist load=cd '$dir' && python3 -m pytest -q -p no:cacheprovider -n 2 --dist load networkx" \
    "pytest -n 2 --dist loadfile=cd '$dir' && python3 -m pytest -q -p no:cacheprovider -n 2 --dist loadfile networkx"
}

read -r -a GO_TREES <<<"${GO_TREES:-archive bufio bytes compress container encoding hash html image math path regexp sort strconv unicode}"

go_bench() {
  local goroot=$WORK/go/goroot
  if [ ! -d "$goroot/src" ]; then
    # GOROOT's src is a symlink on Debian: copy the real tree, link the rest.
    local real
    real=$(go env GOROOT)
    mkdir -p "$goroot"
    for entry in "$real"/*; do
      [ "$(basename "$entry")" = src ] || ln -s "$(readlink -f "$entry")" "$goroot/$(basename "$entry")"
    done
    cp -rL "$real/src" "$goroot/src"
  fi
  local dir=$goroot/src globs="" pkgs=()
  for tree in "${GO_TREES[@]}"; do
    globs+="\"$tree/**/*_test.go\", "
    pkgs+=("./$tree/...")
  done
  printf '[run]\nworkers = 2\n\n[suite.std]\nrunner = "go"\nfiles = [%s]\n' "${globs%, }" >"$dir/flotilla.toml"
  export GOROOT=$goroot
  (cd "$dir" && go test -json -count=1 -p 2 "${pkgs[@]}" 2>/dev/null | python3 -c "
import json, sys, collections
c = collections.Counter(e['Action'] for e in map(json.loads, sys.stdin) if e.get('Test') and e['Action'] in ('pass', 'fail', 'skip'))
print(f\"[go] go itself: {c['pass']} passed, {c['fail']} failed, {c['skip']} skipped\")")
  compare go "$dir" "go test -p 2=cd '$dir' && go test -count=1 -p 2 ${pkgs[*]}"
  unset GOROOT
}

rust_bench() {
  local dir=$WORK/rust/rayon
  if [ ! -d "$dir" ]; then
    mkdir -p "$WORK/rust"
    if ! ls -d "$HOME"/.cargo/registry/src/*/rayon-1.12.0 >/dev/null 2>&1; then
      # A fresh machine: let cargo fetch the crate into its registry through a throwaway crate.
      local fetch=$WORK/rust/fetch
      mkdir -p "$fetch/src"
      printf '[package]\nname = "fetch"\nversion = "0.0.0"\nedition = "2021"\n\n[dependencies]\nrayon = "=1.12.0"\n' >"$fetch/Cargo.toml"
      touch "$fetch/src/lib.rs"
      (cd "$fetch" && cargo fetch -q)
    fi
    cp -a "$(ls -d "$HOME"/.cargo/registry/src/*/rayon-1.12.0 | head -1)" "$dir"
    (cd "$dir" && cargo generate-lockfile -q)
  fi
  printf '[run]\nworkers = 2\n\n[suite.rayon]\nrunner = "cargo-nextest"\n' >"$dir/flotilla.toml"
  compare rust "$dir" "cargo nextest run -j 2=cd '$dir' && cargo nextest run -j 2"
}

for bench in "${@:-python go rust}"; do
  for one in $bench; do "${one}_bench"; done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

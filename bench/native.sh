#!/usr/bin/env bash
# bench/native.sh: flotilla, warm, against each framework's own parallel runner on real
# third-party projects taken from the registries (docs/benchmarks.md section 15):
#   python  networkx (its wheel ships its tests): `pytest -n 2 --dist load` and `--dist loadfile`
#   go      15 trees of Go's own standard library (a copy of GOROOT): `go test -p 2 -count=1`
#   rust    rayon (16 test binaries, from the cargo registry): `cargo nextest run -j 2`
# Each side runs ROUNDS times, interleaved, after one cold flotilla run that fills the history
# and one native run that warms the build caches; the script prints every time, the medians,
# flotilla's counts against the native runner's, and the start-up flotilla learned.
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

# seconds CMD...: runs CMD (output to $WORK/last.log) and prints its wall time.
seconds() {
  local start end
  start=$(date +%s.%N)
  "$@" >"$WORK/last.log" 2>&1 || true
  end=$(date +%s.%N)
  python3 -c "print(f'{$end - $start:.2f}')"
}

# median N...: the median of the numbers given.
median() { python3 -c "import statistics,sys; print(f'{statistics.median(map(float, sys.argv[1:])):.2f}')" "$@"; }

# counts DIR: flotilla's passed/failed/skipped in DIR's latest run.
counts() {
  python3 -c "import json,sys; c=json.load(open(sys.argv[1]))['counts']; print(f\"{c['passed']} passed, {c['failed']} failed, {c['skipped']} skipped\")" \
    "$1/.flotilla/runs/latest/summary.json"
}

# learned DIR: the start-up line of `flotilla plan`.
learned() { (cd "$1" && "$FLOTILLA" plan 2>/dev/null | grep -o 'start-up [^;]*' | head -1) || true; }

# compare NAME DIR LABEL=COMMAND...: one cold flotilla run, then ROUNDS rounds of each native
# command and flotilla warm, interleaved; medians and flotilla's ratio to the best native mode.
compare() {
  local name=$1 dir=$2
  shift 2
  local -a labels=() commands=() flotilla_times=()
  local -A native_times=()
  for spec in "$@"; do
    labels+=("${spec%%=*}")
    commands+=("${spec#*=}")
  done
  rm -rf "$dir/.flotilla"
  echo "[$name] warming caches: ${labels[0]}"
  seconds bash -c "${commands[0]}" >/dev/null
  echo "[$name] ${labels[0]} itself: $(grep -E 'Summary|passed|^ok|^FAIL' "$WORK/last.log" | tail -1 | sed 's/^ *//')"
  echo "[$name] flotilla cold: $(cd "$dir" && seconds "$FLOTILLA" run -q)s"
  for round in $(seq "$ROUNDS"); do
    local line="[$name] round $round:"
    for i in "${!labels[@]}"; do
      local t
      t=$(seconds bash -c "${commands[$i]}")
      native_times[$i]+="$t "
      line+=" ${labels[$i]} ${t}s,"
    done
    flotilla_times+=("$(cd "$dir" && seconds "$FLOTILLA" run -q)")
    echo "$line flotilla warm ${flotilla_times[-1]}s"
  done
  local flotilla best=""
  flotilla=$(median "${flotilla_times[@]}")
  for i in "${!labels[@]}"; do
    # shellcheck disable=SC2086
    local m
    m=$(median ${native_times[$i]})
    echo "[$name] median ${labels[$i]}: ${m}s: flotilla warm ${flotilla}s is $(python3 -c "print(f'{$flotilla / $m:.2f}')")x"
  done
  echo "[$name] flotilla counts: $(counts "$dir"); $(learned "$dir")"
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

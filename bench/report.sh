#!/usr/bin/env bash
# Size of report.html and the time to render and open it, for a run of 100,000 named tests.
#
# A temp project holds FILES shell "test files"; each writes a JUnit report of TESTS/FILES
# test cases with pytest-like names (`tests.test_mod_0042::test_case_number_042017[param-a]`),
# one in a hundred failing with a message. So the run has realistic names and a red verdict
# (the failures carry their details into the page). Measured: the wall time of the run (which
# renders the report), report.html's size, the time of `flotilla report` re-rendering it, and
# headless Chromium loading it with a filter in the URL (`--dump-dom`, so the time includes
# Chromium's start, the parse of the data and the first draw), with the rows it drew.
#
# Usage (from the repository root): bash bench/report.sh
# Environment: TESTS (default 100000), FILES (default 100), WORKERS (default 2), KEEP (set: keep
# the project), FLOTILLA (a binary instead of `cargo build --release` of this checkout).
set -euo pipefail

TESTS=${TESTS:-100000}
FILES=${FILES:-100}
WORKERS=${WORKERS:-2}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ -z "${FLOTILLA:-}" ]]; then
    cargo build --release --quiet --manifest-path "$repo/Cargo.toml"
fi
flotilla=${FLOTILLA:-"$repo/target/release/flotilla"}
export CI=true NO_COLOR=1

dir=$(mktemp -d "${TMPDIR:-/tmp}/flotilla-report-$TESTS.XXXXXX")
[[ -n "${KEEP:-}" ]] || trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/t"
per=$((TESTS / FILES))
for ((f = 0; f < FILES; f++)); do
    printf -v name 't/f%04d.sh' "$f"
    cat >"$dir/$name" <<SH
awk -v f=$f -v per=$per 'BEGIN {
  printf "<testsuite name=\"t\">"
  for (i = 0; i < per; i++) {
    n = f * per + i
    printf "<testcase classname=\"tests.test_mod_%04d\" name=\"test_case_number_%06d[param-a]\" time=\"0.00%d\">", f, n, i % 10
    if (n % 100 == 7) printf "<failure message=\"AssertionError: expected %d, got %d\">assert %d == %d</failure>", n, n + 1, n, n + 1
    printf "</testcase>"
  }
  printf "</testsuite>\n"
}' > "\$1"
SH
done
cat >"$dir/flotilla.toml" <<TOML
[run]
workers = $WORKERS

[suite.bench]
runner = "custom"
command = ["sh", "{file}", "{result}"]
files = ["t/*.sh"]
TOML

cd "$dir"
start=$(date +%s.%N)
"$flotilla" run -q >/dev/null || true
run_wall=$(echo "$(date +%s.%N) - $start" | bc)
report=$(readlink -f .flotilla/runs/latest/report.html)
size=$(stat -c %s "$report")
summary=$(stat -c %s .flotilla/runs/latest/summary.json)
start=$(date +%s.%N)
"$flotilla" report .flotilla/runs/latest >/dev/null
render_wall=$(echo "$(date +%s.%N) - $start" | bc)

open_page() {
    local fragment=$1 profile
    profile=$(mktemp -d)
    local start end
    start=$(date +%s.%N)
    chromium --headless=new --no-sandbox --disable-gpu --user-data-dir="$profile" \
        --enable-logging=stderr --v=0 --dump-dom "file://$report$fragment" >"$dir/dom.html" 2>"$dir/console.txt"
    end=$(date +%s.%N)
    rm -rf "$profile"
    local rows console
    rows=$(grep -o 'class="row test ' "$dir/dom.html" | wc -l)
    console=$(grep -c ':CONSOLE' "$dir/console.txt" || true)
    printf '%-28s %8.2f s   rows drawn %4d   console messages %d\n' "open ${fragment:-(no filter)}" "$(echo "$end - $start" | bc)" "$rows" "$console"
}

echo "tests $TESTS in $FILES files, $WORKERS workers (nproc $(nproc), load $(cut -d' ' -f1 /proc/loadavg))"
printf 'run (writes the report)      %8.2f s\n' "$run_wall"
printf 'report.html                  %8.1f MB   (summary.json %.1f MB)\n' "$(echo "$size / 1048576" | bc -l)" "$(echo "$summary / 1048576" | bc -l)"
printf 'flotilla report (re-render)  %8.2f s\n' "$render_wall"
open_page ""
open_page "#status=failed"
open_page "#q=number_042017"
[[ -z "${KEEP:-}" ]] || echo "kept: $dir"

# Shared by the bench scripts (source it): the heavy-tailed sleep suite of docs/benchmarks.md
# section 3, so every benchmark that uses it measures the same files.

# heavy_tailed_durations N: prints "INDEX SECONDS" for N files. Deterministic, the same with any
# awk: Park–Miller LCG (exact in doubles), Box–Muller. Bulk: log-normal, median 0.15 s, sigma
# 0.6, clipped to [0.03, 1.0]; then the same generator picks six distinct files that take 3.0 s
# (20x the median): the heavy tail.
heavy_tailed_durations() {
    awk -v n="$1" 'function next_u() { x = (16807 * x) % 2147483647; return x / 2147483647 }
BEGIN {
    x = 20240607
    for (i = 0; i < n; i++) {
        u1 = next_u(); u2 = next_u()
        d[i] = 0.15 * exp(0.6 * sqrt(-2 * log(u1)) * cos(6.283185307179586 * u2))
        if (d[i] < 0.03) d[i] = 0.03
        if (d[i] > 1.0) d[i] = 1.0
    }
    for (heavy = 0; heavy < 6;) {
        i = int(next_u() * n)
        if (d[i] != 3.0) { d[i] = 3.0; heavy++ }
    }
    for (i = 0; i < n; i++) printf "%d %.3f\n", i, d[i]
}'
}

# write_sleep_suite DIR DURATIONS WORKERS: DIR/tests/tNNN.sh (`sleep SECONDS` each, from the
# DURATIONS file) and DIR/flotilla.toml with one custom suite `sleepy` on WORKERS workers.
write_sleep_suite() {
    local dir=$1 durations=$2 workers=$3 i d
    mkdir -p "$dir/tests"
    while read -r i d; do
        printf 'sleep %s\n' "$d" >"$(printf '%s/tests/t%03d.sh' "$dir" "$i")"
    done <"$durations"
    cat >"$dir/flotilla.toml" <<TOML
[run]
workers = $workers

[suite.sleepy]
runner = "custom"
command = ["sh", "{file}"]
files = ["tests/*.sh"]
TOML
}

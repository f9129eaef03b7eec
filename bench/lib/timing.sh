# Shared by the bench scripts (source it): wall-clock timing and the median of a column.

# now: the current time in seconds, with nanoseconds.
now() { date +%s.%N; }

# elapsed START END: END - START in seconds, 3 decimals.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.3f", b - a}'; }

# median: the median of the numbers on stdin, one per line (the lower middle of an even count).
median() { sort -g | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

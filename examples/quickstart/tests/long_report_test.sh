#!/bin/sh
# Simulated test "long_report": does a little real work, then takes about 1.6s.
set -eu
sleep 1.6
result=$(printf '%s\n' 3 1 2 | sort | tr -d '\n')
[ "$result" = "123" ]
echo "long_report: ok"

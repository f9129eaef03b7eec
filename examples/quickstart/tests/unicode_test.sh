#!/bin/sh
# Simulated test "unicode": does a little real work, then takes about 0.25s.
set -eu
sleep 0.25
result=$(printf '%s\n' 3 1 2 | sort | tr -d '\n')
[ "$result" = "123" ]
echo "unicode: ok"

#!/bin/sh
# Simulated test "math": does a little real work, then takes about 0.4s.
set -eu
sleep 0.4
result=$(printf '%s\n' 3 1 2 | sort | tr -d '\n')
[ "$result" = "123" ]
echo "math: ok"

#!/bin/sh
# Simulated test "pipes": does a little real work, then takes about 0.5s.
set -eu
sleep 0.5
result=$(printf '%s\n' 3 1 2 | sort | tr -d '\n')
[ "$result" = "123" ]
echo "pipes: ok"

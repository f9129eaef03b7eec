#!/bin/sh
# Simulated test "env": does a little real work, then takes about 0.05s.
set -eu
sleep 0.05
result=$(printf '%s\n' 3 1 2 | sort | tr -d '\n')
[ "$result" = "123" ]
echo "env: ok"

#!/bin/sh
# Simulated test "json": does a little real work, then takes about 0.3s.
set -eu
sleep 0.3
result=$(printf '%s\n' 3 1 2 | sort | tr -d '\n')
[ "$result" = "123" ]
echo "json: ok"

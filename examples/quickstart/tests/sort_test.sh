#!/bin/sh
# Simulated test "sort": does a little real work, then takes about 0.2s.
set -eu
sleep 0.2
result=$(printf '%s\n' 3 1 2 | sort | tr -d '\n')
[ "$result" = "123" ]
echo "sort: ok"

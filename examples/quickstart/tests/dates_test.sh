#!/bin/sh
# Simulated test "dates": does a little real work, then takes about 1.2s.
set -eu
sleep 1.2
result=$(printf '%s\n' 3 1 2 | sort | tr -d '\n')
[ "$result" = "123" ]
echo "dates: ok"

#!/bin/sh
# Simulated test "strings": does a little real work, then takes about 0.1s.
set -eu
sleep 0.1
result=$(printf '%s\n' 3 1 2 | sort | tr -d '\n')
[ "$result" = "123" ]
echo "strings: ok"

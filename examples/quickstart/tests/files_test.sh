#!/bin/sh
# Simulated test "files": does a little real work, then takes about 0.8s.
set -eu
sleep 0.8
result=$(printf '%s\n' 3 1 2 | sort | tr -d '\n')
[ "$result" = "123" ]
echo "files: ok"

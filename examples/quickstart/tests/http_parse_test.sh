#!/bin/sh
# Simulated test "http_parse": does a little real work, then takes about 0.6s.
set -eu
sleep 0.6
result=$(printf '%s\n' 3 1 2 | sort | tr -d '\n')
[ "$result" = "123" ]
echo "http_parse: ok"

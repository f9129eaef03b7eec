#!/bin/sh
# Unit test 1: checks the app's files inside the image.
set -eu
test -s /app/index.html
grep -q 'flotilla example' /app/index.html
grep -q '"version": 3' /app/config.json
sleep 0.1
echo "unit 1 ok on worker $FLOTILLA_WORKER"

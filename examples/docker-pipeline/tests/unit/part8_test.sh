#!/bin/sh
# Unit test 8: checks the app's files inside the image.
set -eu
test -s /app/index.html
grep -q 'flotilla example' /app/index.html
grep -q '"version": 3' /app/config.json
sleep 0.8
echo "unit 8 ok on worker $FLOTILLA_WORKER"

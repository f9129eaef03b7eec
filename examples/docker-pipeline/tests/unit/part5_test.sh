#!/bin/sh
# Unit test 5: checks the app's files inside the image.
set -eu
test -s /app/index.html
grep -q 'flotilla example' /app/index.html
grep -q '"version": 3' /app/config.json
sleep 0.5
echo "unit 5 ok on worker $FLOTILLA_WORKER"

#!/bin/sh
# Unit test 6: checks the app's files inside the image.
set -eu
test -s /app/index.html
grep -q 'flotilla example' /app/index.html
grep -q '"version": 3' /app/config.json
sleep 0.6
echo "unit 6 ok on worker $FLOTILLA_WORKER"

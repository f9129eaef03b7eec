#!/bin/sh
# Unit test 4: checks the app's files inside the image.
set -eu
test -s /app/index.html
grep -q 'flotilla example' /app/index.html
grep -q '"version": 3' /app/config.json
sleep 0.4
echo "unit 4 ok on worker $FLOTILLA_WORKER"

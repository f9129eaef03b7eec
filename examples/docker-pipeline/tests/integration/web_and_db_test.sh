#!/bin/sh
# Integration test: the worker's own web and db answer, by service name, inside the project.
set -eu
page=$(wget -q -O - http://web:8080/index.html)
echo "$page" | grep -q 'flotilla example'
rows=$(nc db 5432 </dev/null)
[ "$rows" = "rows for worker $FLOTILLA_WORKER" ]
echo "integration ok: $rows"

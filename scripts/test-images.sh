#!/usr/bin/env bash
# Builds the local images flotilla's Docker tests use, idempotently (cached by tag), because no
# image registry can be reached here: `flotilla-test/busybox:1` is `FROM scratch` plus Debian's
# static busybox with every applet linked into /bin.
#
# Usage: scripts/test-images.sh [DOCKER_HOST...]   (default: the current DOCKER_HOST / local socket)
# Needs Debian's `busybox-static`, which scripts/install-test-deps provides; this script never
# sets up packages itself. scripts/install-test-deps builds the image before any test starts.
#
# Usage: scripts/test-images.sh --check   (build nothing: print the tag if the image is on the
#        default daemon, else fail with what to run; this is what tests call)
# Prints the tag on stdout; everything else goes to stderr.
set -euo pipefail

TAG=${FLOTILLA_TEST_IMAGE:-flotilla-test/busybox:1}

if [[ ${1:-} == --check ]]; then
    if docker image inspect "$TAG" >/dev/null 2>&1; then
        echo "$TAG"
        exit 0
    fi
    echo "test-images: the image $TAG is not built; run scripts/install-test-deps" >&2
    exit 1
fi

busybox=""
for candidate in /bin/busybox /usr/bin/busybox; do
    if [[ -x $candidate ]] && dpkg -s busybox-static >/dev/null 2>&1; then
        busybox=$candidate
        break
    fi
done
if [[ -z $busybox ]]; then
    echo "test-images: busybox-static is not installed; run scripts/install-test-deps (it installs every test dependency)" >&2
    exit 1
fi

build() {
    if docker image inspect "$TAG" >/dev/null 2>&1; then
        return 0
    fi
    local context
    context=$(mktemp -d "${TMPDIR:-/tmp}/flotilla-image.XXXXXX")
    trap 'rm -rf "$context"' RETURN
    cp "$busybox" "$context/busybox"
    cat >"$context/Dockerfile" <<'DOCKERFILE'
FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
RUN ["/bin/busybox", "mkdir", "-p", "/tmp", "/var/www", "/etc"]
RUN ["/bin/sh", "-c", "echo 'root:x:0:0:root:/root:/bin/sh' > /etc/passwd && echo 'root:x:0:' > /etc/group"]
ENV PATH=/bin
LABEL org.flotilla.test-image="1"
DOCKERFILE
    echo "test-images: building $TAG on ${DOCKER_HOST:-the local daemon}" >&2
    # The classic builder: BuildKit is not needed for this and may be missing.
    DOCKER_BUILDKIT=0 docker build -q --force-rm -t "$TAG" "$context" >&2
}

if [[ $# -eq 0 ]]; then
    build
else
    for host in "$@"; do
        DOCKER_HOST=$host build
    done
fi
echo "$TAG"

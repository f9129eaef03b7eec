#!/usr/bin/env bash
# Starts (or stops) a second Docker daemon on this machine, so that flotilla's placement of
# workers across several DOCKER_HOSTs can be tested for real. It has its own data root, exec
# root, pid file and containerd, listens on a unix socket and on tcp://127.0.0.2:2375 (loopback
# only), and leaves iptables alone (published ports go through docker-proxy). Needs root.
#
# Its default bridge is a bridge of its own (flotilla-d2, 10.214.0.1/24), created here. Never
# start a second daemon with `--bridge none`, or with a network store that mentions docker0:
# dockerd then *deletes* the interface docker0, which belongs to the first daemon, and every
# `docker run`/`docker build` there fails afterwards ("could not find bridge docker0").
#
# Usage: scripts/second-dockerd.sh start|stop|status   Prints the DOCKER_HOST on start.
set -euo pipefail

BASE=${FLOTILLA_DOCKERD2_DIR:-/var/lib/flotilla-dockerd2}
SOCK=unix://$BASE/run/docker.sock
TCP=${FLOTILLA_DOCKERD2_TCP:-tcp://127.0.0.2:2375}
BRIDGE=flotilla-d2
BRIDGE_CIDR=10.214.0.1/24

running() { DOCKER_HOST=$SOCK docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

case ${1:-start} in
start)
    if running; then
        echo "$TCP"
        exit 0
    fi
    mkdir -p "$BASE/data" "$BASE/exec" "$BASE/run"
    # Leftovers of an earlier daemon that died hard would block the new one.
    rm -f "$BASE/run/docker.pid" "$BASE/run/docker.sock"
    # Its network store too: on start, dockerd deletes the bridge interface of a stale default
    # network it finds there, and a store that ever named docker0 would take the first daemon's
    # docker0 down with it. Networks do not survive a restart of this test daemon anyway.
    rm -rf "$BASE/data/network"
    if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
        ip link add "$BRIDGE" type bridge
        ip addr add "$BRIDGE_CIDR" dev "$BRIDGE"
        ip link set "$BRIDGE" up
    fi
    # Its own (empty) config file: the machine's /etc/docker/daemon.json belongs to the first daemon.
    echo '{}' >"$BASE/daemon.json"
    nohup setsid dockerd \
        --config-file "$BASE/daemon.json" \
        --data-root "$BASE/data" \
        --exec-root "$BASE/exec" \
        --pidfile "$BASE/run/docker.pid" \
        --host "$SOCK" --host "$TCP" \
        --bridge "$BRIDGE" --iptables=false --ip-masq=false \
        --default-address-pool base=10.213.0.0/16,size=24 \
        >"$BASE/dockerd.log" 2>&1 </dev/null &
    pid=$!
    for _ in $(seq 1 120); do
        if running; then
            echo "$TCP"
            exit 0
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.5
    done
    echo "second-dockerd: the daemon did not start; see $BASE/dockerd.log" >&2
    tail -n 20 "$BASE/dockerd.log" >&2 || true
    exit 1
    ;;
stop)
    if [[ -f $BASE/run/docker.pid ]]; then
        pid=$(cat "$BASE/run/docker.pid")
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 60); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.5
        done
    fi
    if ip link show "$BRIDGE" >/dev/null 2>&1; then
        ip link del "$BRIDGE" || true
    fi
    ;;
status)
    if running; then echo "running: $SOCK $TCP"; else echo "stopped"; exit 1; fi
    ;;
*)
    echo "usage: $0 start|stop|status" >&2
    exit 2
    ;;
esac

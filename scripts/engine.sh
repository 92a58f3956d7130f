#!/usr/bin/env bash
# A private Docker Engine for bakedoctor's end-to-end tests (design.md §6 "engine" driver).
#
#   scripts/engine.sh start   start dockerd (idempotent), wait for /_ping, create the base image
#   scripts/engine.sh env     print `export DOCKER_HOST=unix://…` (eval "$(scripts/engine.sh env)")
#   scripts/engine.sh status  exit 0 when the engine answers /_ping
#   scripts/engine.sh stop    stop dockerd and remove its state
#
# Runs Debian's dockerd (docker.io 20.10) as root with its own data/exec roots and socket, no bridge,
# no iptables, so it does not touch a system engine. The base image `bakedoctor-test/busybox:1` is
# built from the local busybox-static binary (no pulls; the tests run without network).
# Environment: BAKEDOCTOR_ENGINE_DIR (state dir, default /tmp/bakedoctor-engine),
#              DOCKERD (default /usr/bin/dockerd or /usr/sbin/dockerd), BUSYBOX (default /bin/busybox).
set -euo pipefail

STATE_DIR="${BAKEDOCTOR_ENGINE_DIR:-/tmp/bakedoctor-engine}"
SOCK="$STATE_DIR/docker.sock"
PIDFILE="$STATE_DIR/dockerd.pid"
LOG="$STATE_DIR/dockerd.log"
BASE_IMAGE="bakedoctor-test/busybox:1"
BUSYBOX="${BUSYBOX:-/bin/busybox}"
APPLETS="sh ash cat echo tr mkdir sha256sum ls cp mv rm touch sleep true false test printf env wc head tail grep sed sort uniq date id whoami stat chmod ln find xargs tee cut seq expr basename dirname pwd hostname uname"

find_dockerd() {
  if [[ -n "${DOCKERD:-}" ]]; then echo "$DOCKERD"; return; fi
  for c in /usr/bin/dockerd /usr/sbin/dockerd; do
    if [[ -x "$c" ]]; then echo "$c"; return; fi
  done
  command -v dockerd || { echo "engine.sh: dockerd not found (install docker.io)" >&2; exit 1; }
}

# The 20.10 client matches the 20.10 daemon; a newer CLI may negotiate fine too, but prefer the pair.
find_docker() {
  for c in /usr/bin/docker /usr/local/bin/docker; do
    if [[ -x "$c" ]]; then echo "$c"; return; fi
  done
  command -v docker || { echo "engine.sh: docker CLI not found" >&2; exit 1; }
}

ping_engine() {
  curl -fsS --max-time 2 --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1
}

running_pid() {
  [[ -f "$PIDFILE" ]] || return 1
  local pid
  pid="$(cat "$PIDFILE" 2>/dev/null || true)"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

storage_driver() {
  # overlay2 needs a filesystem that supports it (not overlayfs itself, not some sandboxes); vfs always works.
  if [[ -n "${BAKEDOCTOR_STORAGE_DRIVER:-}" ]]; then echo "$BAKEDOCTOR_STORAGE_DRIVER"; return; fi
  echo vfs
}

start_dockerd() {
  local dockerd driver
  dockerd="$(find_dockerd)"
  driver="$(storage_driver)"
  mkdir -p "$STATE_DIR/data" "$STATE_DIR/exec"
  # dockerd must not be a child of this shell's job control: setsid + nohup, output to the log file.
  # shellcheck disable=SC2086
  setsid nohup "$dockerd" \
    --data-root "$STATE_DIR/data" \
    --exec-root "$STATE_DIR/exec" \
    --pidfile "$PIDFILE" \
    --host "unix://$SOCK" \
    --bridge=none \
    --iptables=false \
    --ip6tables=false \
    --ip-masq=false \
    --storage-driver="$driver" \
    ${BAKEDOCTOR_DOCKERD_ARGS:-} \
    >>"$LOG" 2>&1 </dev/null &
  local i
  for i in $(seq 1 120); do
    if ping_engine; then return 0; fi
    if (( i > 5 )) && ! running_pid >/dev/null && ! pgrep -f -- "--host unix://$SOCK" >/dev/null 2>&1; then
      break
    fi
    sleep 0.5
  done
  echo "engine.sh: dockerd did not answer /_ping on $SOCK; last log lines ($LOG):" >&2
  tail -n 30 "$LOG" >&2 || true
  return 1
}

create_base_image() {
  local docker rootfs applet
  docker="$(find_docker)"
  if DOCKER_HOST="unix://$SOCK" "$docker" image inspect "$BASE_IMAGE" >/dev/null 2>&1; then return 0; fi
  [[ -x "$BUSYBOX" ]] || { echo "engine.sh: $BUSYBOX not found (install busybox-static)" >&2; return 1; }
  rootfs="$(mktemp -d "$STATE_DIR/rootfs.XXXXXX")"
  mkdir -p "$rootfs/bin" "$rootfs/tmp" "$rootfs/etc" "$rootfs/root"
  cp "$BUSYBOX" "$rootfs/bin/busybox"
  for applet in $APPLETS; do ln -sf busybox "$rootfs/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\n' >"$rootfs/etc/group"
  tar -C "$rootfs" -c . | DOCKER_HOST="unix://$SOCK" "$docker" import \
    --change 'ENV PATH=/bin' --change 'CMD ["/bin/sh"]' - "$BASE_IMAGE" >>"$LOG"
  rm -rf "$rootfs"
}

cmd_start() {
  mkdir -p "$STATE_DIR"
  if ping_engine; then
    create_base_image
    echo "engine.sh: engine already running on unix://$SOCK" >&2
    return 0
  fi
  echo "engine.sh: starting dockerd on unix://$SOCK (log: $LOG)" >&2
  start_dockerd
  create_base_image
  echo "engine.sh: engine ready on unix://$SOCK" >&2
}

cmd_stop() {
  local pid i
  if pid="$(running_pid)"; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 40); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.25
    done
    kill -9 "$pid" 2>/dev/null || true
  fi
  # vfs layers and containerd state; mounts under exec-root are released when dockerd exits
  if [[ -d "$STATE_DIR" ]]; then
    umount -R "$STATE_DIR/exec" 2>/dev/null || true
    umount -R "$STATE_DIR/data" 2>/dev/null || true
    rm -rf "$STATE_DIR"
  fi
  echo "engine.sh: stopped" >&2
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  env) echo "export DOCKER_HOST=unix://$SOCK" ;;
  status) ping_engine ;;
  *) echo "usage: scripts/engine.sh start|stop|env|status" >&2; exit 2 ;;
esac

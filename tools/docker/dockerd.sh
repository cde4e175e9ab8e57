#!/usr/bin/env bash
# The project's own Docker engine (Debian's docker.io), private to this checkout:
#   dockerd.sh up      install docker.io + debootstrap if missing, start dockerd, wait for it
#   dockerd.sh down    remove all its containers, stop dockerd and its containerd, unmount
#   dockerd.sh status  exit 0 when it answers
#   dockerd.sh env     print `export DOCKER_HOST=unix://...` (eval it)
# Everything lives under .tools/docker (git-ignored): data/ (images, layers), exec/ (runtime state,
# containerd's socket), docker.sock, dockerd.pid, dockerd.log, daemon.json. It never touches the
# machine's own Docker service (/var/lib/docker, /var/run/docker.sock) and can run beside another
# dockerd with other roots.
# Flags, and why:
# - unix socket only (no -H tcp://): nothing listens on the network.
# - --bridge=none --iptables=false --ip6tables=false --ip-masq=false: no docker0 bridge, no NAT or
#   firewall rules touched; containers use --network host, so their ports are on 127.0.0.1.
# - --config-file (our empty daemon.json): /etc/docker/daemon.json of the machine cannot change it.
# - --exec-opt native.cgroupdriver=cgroupfs: the machine has cgroup v1 (hybrid) and no systemd as
#   PID 1, so the systemd driver cannot work; cgroupfs is 20.10's default, stated so it stays so.
# - storage driver: overlay2 when the data root's filesystem can carry it (ext4, xfs here);
#   on overlayfs (e.g. this checkout inside another container) overlay-on-overlay fails, so vfs
#   (full copies: slow, big, but works anywhere). NB67_DOCKER_STORAGE overrides.
# The docker client may be newer than this 20.10 engine (API 1.41): the client negotiates the API
# version down by itself, so DOCKER_API_VERSION is not needed (set it to 1.41 for clients that do
# not negotiate).
set -euo pipefail
ROOT="${NB67_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
PATH="${PATH:+$PATH:}/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
DIR="$ROOT/.tools/docker"
SOCK="$DIR/docker.sock"
PIDFILE="$DIR/dockerd.pid"
LOG="$DIR/dockerd.log"
EXEC="$DIR/exec"
DATA="$DIR/data"
HOST="unix://$SOCK"
START_TIMEOUT="${NB67_DOCKERD_START_TIMEOUT:-60}"

say() { echo "dockerd: $*" >&2; }
as_root() { if [[ $(id -u) -eq 0 ]]; then "$@"; else sudo -n "$@"; fi; }
dk() { docker -H "$HOST" "$@"; }

install() { # idempotent: only when a command is missing
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v containerd >/dev/null || missing+=(containerd)
  command -v docker-init >/dev/null || missing+=(tini) # `docker run --init`
  command -v debootstrap >/dev/null || missing+=(debootstrap)
  [[ ${#missing[@]} -eq 0 ]] && return 0
  say "installing ${missing[*]} (Debian)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Debian's package enables the machine's own docker service; this project uses its private one.
  if command -v systemctl >/dev/null && [[ -d /run/systemd/system ]]; then
    as_root systemctl disable --now docker.service docker.socket containerd.service >/dev/null 2>&1 || true
  fi
}

daemon_pid() { # the running dockerd's pid, or nothing
  [[ -f "$PIDFILE" ]] || return 1
  local pid; pid="$(cat "$PIDFILE" 2>/dev/null)" || return 1
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == dockerd ]] || return 1
  echo "$pid"
}

answers() { dk info >/dev/null 2>&1; }

storage_driver() {
  if [[ -n "${NB67_DOCKER_STORAGE:-}" ]]; then echo "$NB67_DOCKER_STORAGE"; return; fi
  case "$(stat -f -c %T "$DIR")" in
    overlayfs|tmpfs|fuseblk|fuse*) echo vfs ;;
    *) echo overlay2 ;;
  esac
}

up() {
  install
  mkdir -p "$DIR" "$DATA" "$EXEC"
  if daemon_pid >/dev/null && answers; then say "already up ($HOST)"; return 0; fi
  if pid="$(daemon_pid)"; then # running but not answering: start over
    say "pid $pid does not answer: restarting"; down
  fi
  [[ -f "$DIR/daemon.json" ]] || echo '{}' >"$DIR/daemon.json"
  rm -f "$SOCK" "$PIDFILE"
  local driver; driver="$(storage_driver)"
  say "starting (storage driver $driver, log $LOG)"
  # setsid: its own session, so a Ctrl-C of the caller does not stop it half-way.
  as_root setsid dockerd \
    --config-file "$DIR/daemon.json" \
    --data-root "$DATA" --exec-root "$EXEC" --pidfile "$PIDFILE" -H "$HOST" \
    --bridge=none --iptables=false --ip6tables=false --ip-masq=false \
    --exec-opt native.cgroupdriver=cgroupfs --storage-driver "$driver" \
    </dev/null >>"$LOG" 2>&1 &
  local tenths=$((START_TIMEOUT * 10))
  for _ in $(seq 1 "$tenths"); do
    if answers; then say "up ($HOST)"; return 0; fi
    if ! kill -0 $! 2>/dev/null; then say "dockerd exited; last log lines:"; tail -n 20 "$LOG" >&2; return 1; fi
    sleep 0.1
  done
  say "no answer after ${START_TIMEOUT}s; last log lines:"; tail -n 20 "$LOG" >&2
  return 1
}

# pids of processes started by this engine: its containerd and the shims (they name our exec root).
engine_children() { pgrep -f -- "$EXEC/containerd" || true; }

wait_gone() { # wait_gone SECONDS PID...: true when all are gone
  local secs="$1"; shift
  for _ in $(seq 1 $((secs * 10))); do
    local alive=0
    for p in "$@"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [[ $alive -eq 0 ]] && return 0
    sleep 0.1
  done
  return 1
}

down() {
  local pid
  if pid="$(daemon_pid)"; then
    if answers; then
      local ids; ids="$(dk ps -aq 2>/dev/null || true)"
      # shellcheck disable=SC2086
      [[ -z "$ids" ]] || { say "removing containers: $(echo $ids)"; dk rm -f $ids >/dev/null 2>&1 || true; }
    fi
    say "stopping (pid $pid)"
    as_root kill -TERM "$pid" 2>/dev/null || true
    if ! wait_gone 30 "$pid"; then say "still running after 30s: SIGKILL"; as_root kill -KILL "$pid" 2>/dev/null || true; wait_gone 5 "$pid" || true; fi
  fi
  # dockerd stops its containerd on a clean exit; after a crash or SIGKILL they may remain.
  local rest; rest="$(engine_children)"
  if [[ -n "$rest" ]]; then
    # shellcheck disable=SC2086
    { say "stopping leftover containerd/shims: $(echo $rest)"; as_root kill -TERM $rest 2>/dev/null || true; }
    # shellcheck disable=SC2086
    wait_gone 10 $rest || { as_root kill -KILL $rest 2>/dev/null || true; }
  fi
  # Mounts under our roots (overlay layers, shm, netns bind mounts): deepest first.
  local m
  while read -r m; do
    [[ -n "$m" ]] || continue
    as_root umount "$m" 2>/dev/null || as_root umount -l "$m" 2>/dev/null || say "cannot unmount $m"
  done < <(awk -v d="$DIR" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
  rm -f "$SOCK" "$PIDFILE"
  if grep -q -- "$DIR" /proc/mounts || [[ -n "$(engine_children)" ]]; then say "left behind: check /proc/mounts and pgrep"; return 1; fi
  say "down"
}

status() {
  local pid
  if pid="$(daemon_pid)" && answers; then echo "dockerd: up (pid $pid, $HOST)"; return 0; fi
  echo "dockerd: down"; return 1
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) status ;;
  env) echo "export DOCKER_HOST=$HOST" ;;
  install) install ;;
  *) echo "usage: $0 {up|down|status|env|install}" >&2; exit 2 ;;
esac

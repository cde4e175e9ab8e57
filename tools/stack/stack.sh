#!/usr/bin/env bash
# Local stack control: PostgreSQL 15 + Kafka 4 (KRaft) + topics (+ Connect/simulator from run.sh).
#   stack.sh up       start what is not running, wait for readiness, provision topics, apply sql/
#   stack.sh down     stop everything (Connect, simulator, Kafka, PostgreSQL); SIGTERM, then SIGKILL
#   stack.sh status   one line per component; exit 1 if a component is down
# Ports and paths: see tools/stack/postgres.sh and tools/kafka/kafka.sh (env with defaults).
set -euo pipefail
ROOT="${NB67_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
export NB67_ROOT="$ROOT"
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
RUN="$ROOT/.tools/run"
STOP_TIMEOUT="${STACK_STOP_TIMEOUT:-20}"
CONNECT_HTTP_ADDRESS="${CONNECT_HTTP_ADDRESS:-127.0.0.1:4195}"
cd "$ROOT"

# Stops the process (group) recorded in a pid file: SIGTERM, wait, SIGKILL.
stop_pidfile() {
  local name="$1" pidf="$RUN/$1.pid" pid
  [[ -f "$pidf" ]] || return 0
  pid="$(cat "$pidf")"
  # started with setsid by run.sh: the pid is also the process group id
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then stop_process "$name" "$pid" "$STOP_TIMEOUT" group; fi
  rm -f "$pidf"
}

# Processes of this checkout's stack, found by their full paths (never by a bare name).
leftovers() {
  pgrep -f "$ROOT/.tools/kafka/libs/.* kafka.Kafka" || true
  pgrep -f "postgres -D $ROOT/.tools/pg/data" || true
  pgrep -f "$ROOT/.tools/bin/redpanda-connect streams" || true
}

up() {
  mkdir -p "$RUN"
  tools/stack/postgres.sh start
  tools/kafka/kafka.sh start
  tools/stack/topics.sh
  if [[ -f sql/apply.sh ]]; then
    echo "sql: applying schema (sql/apply.sh)"
    bash sql/apply.sh
  fi
  status
}

down() {
  stop_pidfile console
  stop_pidfile sim
  stop_pidfile connect
  if [[ -f .tools/mosquitto/mosquitto.pid ]]; then tools/mqtt/mosquitto.sh stop; fi
  tools/kafka/kafka.sh stop
  tools/stack/postgres.sh stop
  local left; left="$(leftovers | sort -u | tr '\n' ' ')"
  if [[ -n "${left// }" ]]; then
    echo "stack: stray processes of this stack: $left- SIGKILL"
    for p in $left; do kill -KILL "$p" 2>/dev/null || true; done
    sleep 0.5
    left="$(leftovers | sort -u | tr '\n' ' ')"
    if [[ -n "${left// }" ]]; then echo "stack: still running: $left" >&2; exit 1; fi
  fi
  echo "stack: down"
}

status() {
  local rc=0
  tools/stack/postgres.sh status || rc=1
  tools/kafka/kafka.sh status || rc=1
  if [[ -f "$RUN/connect.pid" ]]; then
    local pid; pid="$(cat "$RUN/connect.pid")"
    if kill -0 "$pid" 2>/dev/null; then
      local code; code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://$CONNECT_HTTP_ADDRESS/ready" || true)"
      if [[ "$code" == 200 ]]; then
        echo "connect   up    pid $pid  http://$CONNECT_HTTP_ADDRESS (/ready 200)"
      else
        echo "connect   NOT READY  pid $pid  http://$CONNECT_HTTP_ADDRESS/ready -> ${code:-no answer} (log .tools/run/connect.log)"; rc=1
      fi
    else
      echo "connect   DOWN  (pid file but no process; log .tools/run/connect.log)"; rc=1
    fi
  else
    echo "connect   -     not started (make run starts it)"
  fi
  if [[ -f "$RUN/sim.pid" ]]; then
    if kill -0 "$(cat "$RUN/sim.pid")" 2>/dev/null; then echo "simulator up    pid $(cat "$RUN/sim.pid")"
    else echo "simulator exited (log .tools/run/sim.log)"; fi
  fi
  return $rc
}

case "${1:-status}" in
  up) up ;;
  down) down ;;
  status) status ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac

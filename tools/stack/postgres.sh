#!/usr/bin/env bash
# Project-owned PostgreSQL 15 cluster under .tools/pg (not the system service).
#   postgres.sh install   install Debian's postgresql-15 if its server binary is missing
#   postgres.sh init      initdb .tools/pg/data (once), superuser + database from TSDB_URL
#   postgres.sh start     init if needed, start, wait until it accepts connections, create the database
#   postgres.sh stop      fast shutdown (SIGTERM, then SIGKILL after PG_STOP_TIMEOUT)
#   postgres.sh status    exit 0 when accepting connections
# Environment: TSDB_URL (default postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable): its user,
# port and database name are used; PG_BIN (default /usr/lib/postgresql/15/bin); PG_OS_USER (the
# OS user that runs the server when we are root; postgres refuses to run as root).
set -euo pipefail
ROOT="${NB67_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_DIR="${PG_DIR:-$ROOT/.tools/pg}"
DATA="$PG_DIR/data"
RUN="$ROOT/.tools/run"
SOCK="$RUN/pg"
LOG="$RUN/postgres.log"
TSDB_URL="${TSDB_URL:-postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable}"
PG_STOP_TIMEOUT="${PG_STOP_TIMEOUT:-30}"

# postgres://user[:pw]@host:port/db?params
url_rest="${TSDB_URL#*://}"
PG_USER="${url_rest%%@*}"; PG_USER="${PG_USER%%:*}"
hostport="${url_rest#*@}"; hostport="${hostport%%/*}"
PG_HOST="${hostport%%:*}"
PG_PORT="${PG_PORT:-${hostport##*:}}"; [[ "$PG_PORT" == "$hostport" ]] && PG_PORT=5432
PG_DB="${url_rest#*/}"; PG_DB="${PG_DB%%\?*}"
[[ -n "$PG_USER" && "$PG_USER" != "$url_rest" ]] || PG_USER=nb67
[[ -n "$PG_DB" ]] || PG_DB=nb67
# libpq percent-decodes URI parts; so do we (the names are data: never pasted into SQL, see cmd_start)
pct_decode() { local s="${1//\\/\\\\}"; printf '%b' "${s//%/\\x}"; }
PG_USER="$(pct_decode "$PG_USER")"
PG_DB="$(pct_decode "$PG_DB")"

log() { echo "postgres: $*"; }

as_owner() {
  if [[ $EUID -eq 0 ]]; then runuser -u "$PG_OS_USER" -- "$@"; else "$@"; fi
}

pick_os_user() {
  if [[ $EUID -ne 0 ]]; then PG_OS_USER="$(id -un)"; return; fi
  PG_OS_USER="${PG_OS_USER:-postgres}"
  if ! id "$PG_OS_USER" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_OS_USER"
  fi
}

cmd_install() {
  if [[ -x "$PG_BIN/postgres" ]]; then return 0; fi
  log "installing postgresql-15 from Debian"
  local sudo=""; [[ $EUID -eq 0 ]] || sudo="sudo"
  # Do not let the package create and start its own 'main' cluster: we run our own.
  $sudo mkdir -p /etc/postgresql-common
  echo "create_main_cluster = false" | $sudo tee /etc/postgresql-common/createcluster.conf >/dev/null
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq postgresql-15 >/dev/null
  [[ -x "$PG_BIN/postgres" ]] || { echo "postgres.sh: $PG_BIN/postgres still missing" >&2; exit 1; }
}

prepare_dirs() {
  pick_os_user
  mkdir -p "$PG_DIR" "$SOCK"
  if [[ $EUID -eq 0 ]]; then
    chown "$PG_OS_USER" "$PG_DIR" "$SOCK"
    # the server user must be able to reach the data and socket directories
    local d="$PG_DIR"; while [[ "$d" != "/" ]]; do d="$(dirname "$d")"; chmod o+x "$d" 2>/dev/null || true; done
  fi
  chmod 755 "$SOCK"
}

# Clusters made by earlier versions of this script ran with synchronous_commit = off: remove that line
# (the server default, on, applies) and reload a running server (a reload, not a restart).
reconcile_conf() {
  local conf="$DATA/postgresql.conf" changed=0 live=""
  [[ -f "$conf" ]] || return 0
  if grep -qE '^[[:space:]]*synchronous_commit[[:space:]]*=[[:space:]]*'"'"'?off' "$conf"; then
    log "synchronous_commit = off removed from ${conf#$ROOT/} (durable commits, the default)"
    sed -i -E 's/^([[:space:]]*synchronous_commit[[:space:]]*=[[:space:]]*'"'"'?off.*)$/# \1   (removed by postgres.sh: durable commits)/' "$conf"
    changed=1
  fi
  running_pid >/dev/null || return 0
  live="$("$PG_BIN/psql" -X -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
    "SELECT setting FROM pg_settings WHERE name = 'synchronous_commit' AND source = 'configuration file'" 2>/dev/null || true)"
  if [[ "$changed" == 1 || "$live" == off ]]; then
    pick_os_user
    log "reloading the configuration (no restart)"
    as_owner "$PG_BIN/pg_ctl" -D "$DATA" reload >/dev/null
  fi
}

cmd_init() {
  cmd_install
  prepare_dirs
  if [[ -f "$DATA/PG_VERSION" ]]; then reconcile_conf; return 0; fi
  log "initdb ${DATA#$ROOT/} (superuser $PG_USER)"
  as_owner "$PG_BIN/initdb" -D "$DATA" -U "$PG_USER" --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
  cat >>"$DATA/postgresql.conf" <<CONF

# ---- nb67 local stack (tools/stack/postgres.sh) ----
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$SOCK'
max_connections = 200
shared_buffers = 256MB
work_mem = 16MB
maintenance_work_mem = 128MB
wal_level = minimal
max_wal_senders = 0
# synchronous_commit: the default (on). Every commit is flushed to the WAL before it is acknowledged,
# as in production, so durability tests and published store figures hold for durable commits.
checkpoint_timeout = 15min
max_wal_size = 2GB
log_min_messages = warning
log_line_prefix = '%m [%p] %d '
timezone = 'UTC'
CONF
  # Loopback and the socket only, trusted: a throwaway development cluster.
  cat >"$DATA/pg_hba.conf" <<HBA
local   all   all                  trust
host    all   all   127.0.0.1/32   trust
host    all   all   ::1/128        trust
HBA
}

running_pid() {
  [[ -f "$DATA/postmaster.pid" ]] || return 1
  local pid; pid="$(head -1 "$DATA/postmaster.pid")"
  [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null && echo "$pid"
}

ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres; }

cmd_start() {
  mkdir -p "$RUN"
  if ! running_pid >/dev/null && ready; then
    # e.g. CI in a fresh clone while a developer checkout's cluster still runs: use that server
    log "127.0.0.1:$PG_PORT is already served by a server this checkout did not start: using it"
  elif ! running_pid >/dev/null; then
    cmd_init
    touch "$LOG"; [[ $EUID -eq 0 ]] && chown "$PG_OS_USER" "$LOG"
    log "starting on 127.0.0.1:$PG_PORT (log ${LOG#$ROOT/})"
    as_owner "$PG_BIN/pg_ctl" -D "$DATA" -l "$LOG" -w -t 60 start >/dev/null \
      || { tail -20 "$LOG" >&2; exit 1; }
  else
    reconcile_conf
  fi
  for _ in $(seq 1 60); do ready && break; sleep 0.5; done
  ready || { echo "postgres.sh: not ready on port $PG_PORT" >&2; tail -20 "$LOG" >&2; exit 1; }
  running_pid >"$RUN/postgres.pid" || rm -f "$RUN/postgres.pid"
  local psql=("$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres)
  # The name is a psql variable (:'db' literal, :"db" identifier): any name, nothing pasted into SQL.
  "${psql[@]}" -v db="$PG_DB" <<'SQL'
SELECT NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db') AS missing \gset
\if :missing
\echo 'postgres: creating database' :db
CREATE DATABASE :"db";
\endif
SQL
}

cmd_stop() {
  local pid
  pid="$(running_pid)" || { rm -f "$RUN/postgres.pid"; return 0; }
  pick_os_user
  log "stopping (pid $pid)"
  as_owner "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w -t "$PG_STOP_TIMEOUT" stop >"$RUN/pg_ctl-stop.log" 2>&1 \
    || { log "pg_ctl stop failed:"; cat "$RUN/pg_ctl-stop.log"; }
  # pg_ctl returns once postmaster.pid is gone; the postmaster may take a moment more to exit
  if ! wait_exit "$pid" 5; then
    log "still running after fast shutdown: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    pkill -KILL -P "$pid" 2>/dev/null || true
    wait_exit "$pid" 5 || true
  fi
  rm -f "$RUN/postgres.pid"
}

cmd_status() {
  local pid
  if pid="$(running_pid)" && ready; then
    echo "postgres  up    pid $pid  postgres://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB"
  elif ready; then
    echo "postgres  up    external  postgres://$PG_USER@127.0.0.1:$PG_PORT/$PG_DB (not started by this checkout; stack-down leaves it)"
  else
    echo "postgres  DOWN  (127.0.0.1:$PG_PORT)"; return 1
  fi
}

case "${1:-status}" in
  install) cmd_install ;;
  init) cmd_init ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) echo "usage: $0 install|init|start|stop|status" >&2; exit 2 ;;
esac

#!/bin/bash
# initdb once (superuser POSTGRES_USER, database POSTGRES_DB), then the server in the foreground on
# loopback. Arguments: `postgres [-c name=value ...]` as with the official image.
set -euo pipefail
USER_NAME="${POSTGRES_USER:-nb67}"
DB="${POSTGRES_DB:-$USER_NAME}"
[[ "${1:-postgres}" == postgres ]] || exec "$@"
[[ $# -gt 0 ]] && shift
if [[ ! -f "$PGDATA/PG_VERSION" ]]; then
  auth=(--auth-local=trust --auth-host=trust)
  if [[ -n "${POSTGRES_PASSWORD:-}" ]]; then
    pw="$(mktemp)"; printf '%s\n' "$POSTGRES_PASSWORD" >"$pw"
    auth=(--auth-local=trust --auth-host=scram-sha-256 --pwfile="$pw")
  fi
  initdb -D "$PGDATA" -U "$USER_NAME" -E UTF8 --locale=C.UTF-8 "${auth[@]}" >/dev/null
  rm -f "${pw:-}"
  # host lines for loopback only (initdb's defaults, kept: 127.0.0.1/32 and ::1/128)
  if [[ "$DB" != postgres ]]; then
    # single-user mode: no server to start and stop; the name is quoted as an identifier
    echo "CREATE DATABASE \"${DB//\"/\"\"}\"" | postgres --single -D "$PGDATA" postgres >/dev/null
  fi
fi
exec postgres -D "$PGDATA" -c listen_addresses=127.0.0.1 -c unix_socket_directories=/tmp "$@"

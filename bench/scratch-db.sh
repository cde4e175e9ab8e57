#!/usr/bin/env bash
# Scratch databases of the benchmarks: made with a marker comment, dropped only when they carry it, so
# a BENCH_DB that names a real database (e.g. the stack's own nb67) is refused instead of dropped.
#   bench/scratch-db.sh create BASE_URL NAME   (re)creates NAME (refused if it exists without the
#                                              marker); prints the URL of NAME on BASE_URL's server
#   bench/scratch-db.sh drop BASE_URL NAME     drops NAME if it carries the marker (absent: nothing)
# The name is passed to psql as a variable (:'db' literal, :"db" identifier), never pasted into SQL.
set -euo pipefail
MARK="nb67 benchmark scratch database (bench/scratch-db.sh)"
cmd="${1:-}"; base="${2:-}"; name="${3:-}"
if [[ -z "$cmd" || -z "$base" || -z "$name" ]]; then
  echo "usage: bench/scratch-db.sh create|drop BASE_URL NAME" >&2; exit 2
fi
url="$(node -e 'const u = new URL(process.argv[1]); u.pathname = "/" + encodeURIComponent(process.argv[2]); console.log(u.toString())' "$base" "$name")"
own="$(node -e 'console.log(decodeURIComponent(new URL(process.argv[1]).pathname.slice(1)))' "$base")"
if [[ "$name" == "$own" ]]; then
  echo "scratch-db: refusing to $cmd '$name': it is the database of TSDB_URL, not created by the benchmark" >&2; exit 1
fi
# Exit 0 when NAME is absent or marked; 1 (with the reason) when it exists without the marker.
check() {
  psql "$base" -X -q -v ON_ERROR_STOP=1 -v db="$name" -v mark="$MARK" <<'SQL'
SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'db'
               AND shobj_description(oid, 'pg_database') IS DISTINCT FROM :'mark') AS foreign_db \gset
\if :foreign_db
\warn 'scratch-db: refusing: database' :'db' 'exists and was not created by the benchmark (no marker comment)'
\q 1
\endif
SQL
}
# psql's \q ignores its argument before PostgreSQL 17; the message decides
guard() {
  local out
  out="$(check 2>&1)" || { echo "$out" >&2; exit 1; }
  if [[ "$out" == *"not created by the benchmark"* ]]; then echo "$out" >&2; exit 1; fi
}
case "$cmd" in
  create)
    guard
    psql "$base" -X -q -v ON_ERROR_STOP=1 -v db="$name" -v mark="$MARK" <<'SQL'
DROP DATABASE IF EXISTS :"db" WITH (FORCE);
CREATE DATABASE :"db";
COMMENT ON DATABASE :"db" IS :'mark';
SQL
    echo "$url" ;;
  drop)
    guard
    psql "$base" -X -q -v ON_ERROR_STOP=1 -v db="$name" <<'SQL'
DROP DATABASE IF EXISTS :"db" WITH (FORCE);
SQL
    ;;
  *) echo "usage: bench/scratch-db.sh create|drop BASE_URL NAME" >&2; exit 2 ;;
esac

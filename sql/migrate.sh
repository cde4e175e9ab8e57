#!/usr/bin/env bash
# Versioned schema migrations for NB67 (bash + psql; see sql/README.md for why not a third-party tool).
#
#   sql/migrate.sh [--allow-data-loss] [--dry-run]
#
# In ONE psql session holding an advisory lock (several instances may start at once; the others wait):
#   1. sql/generated/0*_*.sql (the generated column template; idempotent) is applied;
#   2. every sql/migrations/NNNN_<name>.sql not yet recorded in nb67_schema_migrations is applied in
#      version order, each in its own transaction together with its record (version, name, sha256,
#      applied_at). A recorded migration whose file changed is an error (never edit a migration: add
#      one). A pending migration that may lose data (header "-- nb67:lossy <why>", or DROP TABLE/
#      SCHEMA/COLUMN, ALTER TABLE ... DROP <column>, TRUNCATE or DELETE FROM outside comments) is
#      refused before anything is applied, unless NB67_ALLOW_DATA_LOSS=1 or --allow-data-loss;
#   3. every repeatable (sql/repeatable/*.sql and the other sql/generated/*.sql, ordered by file name)
#      whose sha256 differs from the one recorded in nb67_schema_repeatable is applied in its own
#      transaction (CREATE OR REPLACE functions, procedures, views, reference-data seeds).
# Running it again with nothing new changes nothing.
#
#   TSDB_URL                database (default postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable)
#   NB67_MIGRATIONS_DIR     default sql/migrations     NB67_REPEATABLE_DIR  default sql/repeatable
#   NB67_GENERATED_DIR      default sql/generated      NB67_ALLOW_DATA_LOSS 1|true|yes allows lossy ones
#   NB67_MIGRATE_LOCK_TIMEOUT  how long to wait for another runner (10min)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
URL="${TSDB_URL:-postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable}"
MIG_DIR="${NB67_MIGRATIONS_DIR:-$ROOT/sql/migrations}"
REP_DIR="${NB67_REPEATABLE_DIR:-$ROOT/sql/repeatable}"
GEN_DIR="${NB67_GENERATED_DIR:-$ROOT/sql/generated}"
allow_loss=false
case "$(echo "${NB67_ALLOW_DATA_LOSS:-}" | tr '[:upper:]' '[:lower:]')" in
  1|true|yes) allow_loss=true ;;
  ''|0|false|no) ;;
  *) echo "migrate: NB67_ALLOW_DATA_LOSS must be 1/true/yes or 0/false/no, not '${NB67_ALLOW_DATA_LOSS}'" >&2; exit 2 ;;
esac
dry_run=false
for a in "$@"; do
  case "$a" in
    --allow-data-loss) allow_loss=true ;;
    --dry-run) dry_run=true ;;
    *) echo "usage: sql/migrate.sh [--allow-data-loss] [--dry-run]" >&2; exit 2 ;;
  esac
done

sha() { sha256sum "$1" | cut -d' ' -f1; }

# Why a migration may lose data, or nothing. The explicit header wins; the statement scan is a
# safety net (comments removed, statements split on ';', case-insensitive).
lossy_reason() {
  local f="$1" marked
  marked="$(sed -n 's/^[[:space:]]*--[[:space:]]*nb67:lossy[[:space:]]*//p' "$f" | head -n1)"
  if grep -qE '^[[:space:]]*--[[:space:]]*nb67:lossy' "$f"; then
    echo "marked lossy: ${marked:-no reason given}"
    return
  fi
  sed -e 's/--.*$//' "$f" | tr '\n' ' ' | awk 'BEGIN { RS = ";" } {
    s = $0; gsub(/[[:space:]]+/, " ", s); sub(/^ /, "", s); u = toupper(s)
    if (u ~ /(^| )DROP (TABLE|SCHEMA|COLUMN|MATERIALIZED VIEW|DATABASE|OWNED)( |$)/ ||
        u ~ /(^| )TRUNCATE( |$)/ || u ~ /(^| )DELETE FROM( |$)/) { print "contains: " substr(s, 1, 100); exit }
    if (u ~ /(^| )ALTER TABLE /) {
      t = u
      while (match(t, / DROP [A-Z_"][A-Z0-9_"]*/)) {
        w = substr(t, RSTART + 6, RLENGTH - 6)
        if (w != "CONSTRAINT" && w != "DEFAULT" && w != "NOT" && w != "IDENTITY" && w != "EXPRESSION") {
          print "contains: " substr(s, 1, 100); exit
        }
        t = substr(t, RSTART + RLENGTH)
      }
    }
  }'
}


args=(-X -q -v ON_ERROR_STOP=1)
script="$(mktemp)"
trap 'rm -f "$script"' EXIT
emit() { printf '%s\n' "$@" >>"$script"; }

# Another runner holding the lock: say so, wait at most NB67_MIGRATE_LOCK_TIMEOUT (10min).
args+=(-v "lock_timeout=${NB67_MIGRATE_LOCK_TIMEOUT:-10min}")
emit "SET client_min_messages = warning;" \
  "SELECT NOT pg_try_advisory_lock(hashtext('nb67_schema_migrate')) AS busy \\gset" \
  "\\if :busy" \
  "\\echo 'migrate: another migration run holds the lock; waiting (at most' :lock_timeout ')'" \
  "SET statement_timeout = :'lock_timeout';" \
  "SELECT pg_advisory_lock(hashtext('nb67_schema_migrate')) \\g /dev/null" \
  "RESET statement_timeout;" \
  "\\endif"
# a dry run changes nothing: everything it does is rolled back
[[ "$dry_run" == true ]] && emit "BEGIN;"
emit \
  "CREATE TABLE IF NOT EXISTS nb67_schema_migrations (version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, lossy text, applied_at timestamptz NOT NULL DEFAULT now());" \
  "CREATE TABLE IF NOT EXISTS nb67_schema_repeatable (name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now());" \
  "CREATE FUNCTION pg_temp.nb67_fail(msg text) RETURNS void LANGUAGE plpgsql AS \$f\$ BEGIN RAISE EXCEPTION '%', msg; END \$f\$;"

# 1. The generated template (baseline, before the migrations).
n=0
for f in "$GEN_DIR"/0*_*.sql; do
  [[ -f "$f" ]] || continue
  n=$((n + 1)); args+=(-v "pre${n}_file=$f")
  emit "\\i :pre${n}_file"
done

# 2. Migrations: check every name, version uniqueness and (in the database) edits and data loss
#    before applying anything.
declare -A seen=()
m=0
for f in "$MIG_DIR"/*.sql; do
  [[ -f "$f" ]] || continue
  base="$(basename "$f")"
  if [[ ! "$base" =~ ^([0-9]{4})_[a-z0-9_]+\.sql$ ]]; then
    echo "migrate: $base: a migration is named NNNN_<lower_case_name>.sql" >&2; exit 2
  fi
  v=$((10#${BASH_REMATCH[1]}))
  if [[ -n "${seen[$v]:-}" ]]; then echo "migrate: version $v used twice: ${seen[$v]} and $base" >&2; exit 2; fi
  seen[$v]="$base"
  if grep -qiE '^[[:space:]]*(BEGIN|COMMIT|ROLLBACK|START[[:space:]]+TRANSACTION)[[:space:]]*;' "$f"; then
    echo "migrate: $base controls its own transaction (BEGIN/COMMIT); the runner wraps each migration in one" >&2; exit 2
  fi
  m=$((m + 1))
  lossy="$(lossy_reason "$f")"
  blocked=false
  [[ -n "$lossy" && "$allow_loss" != true ]] && blocked=true
  args+=(-v "m${m}_file=$f" -v "m${m}_v=$v" -v "m${m}_name=$base" -v "m${m}_sum=$(sha "$f")"
         -v "m${m}_lossy=$lossy" -v "m${m}_blocked=$blocked")
  emit "SELECT pg_temp.nb67_fail(format('migration %s was applied with checksum %s but the file now has %s: never edit an applied migration, add a new one', name, checksum, :'m${m}_sum'))" \
       "  FROM nb67_schema_migrations WHERE version = :'m${m}_v' AND checksum <> :'m${m}_sum' \\g /dev/null" \
       "SELECT :'m${m}_blocked'::boolean AND NOT EXISTS (SELECT 1 FROM nb67_schema_migrations WHERE version = :'m${m}_v') AS refuse \\gset" \
       "\\if :refuse" \
       "SELECT pg_temp.nb67_fail(format('migration %s may lose data (%s); refused: run with NB67_ALLOW_DATA_LOSS=1 or --allow-data-loss after a backup', :'m${m}_name', :'m${m}_lossy')) \\g /dev/null" \
       "\\endif"
done
emit "SELECT string_agg(version || ' ' || name, ', ' ORDER BY version) AS unknown FROM nb67_schema_migrations" \
     "  WHERE NOT (version = ANY (string_to_array(:'known', ',')::int[])) \\gset" \
     "\\if :{?unknown}" \
     "\\warn 'migrate: WARNING: applied migrations without a file here:' :'unknown'" \
     "\\endif"
args+=(-v "known=$(printf '%s\n' "${!seen[@]}" | sort -n | paste -sd, -)")

if [[ "$dry_run" == true ]]; then
  emit "SELECT version, name, applied_at FROM nb67_schema_migrations ORDER BY version;"
fi
# Apply in version order (the glob is in version order: 4-digit numbers). A lower version added
# later (another version range) still runs; migrations of different ranges must not depend on order.
for i in $(seq 1 "$m"); do
  emit "SELECT NOT EXISTS (SELECT 1 FROM nb67_schema_migrations WHERE version = :'m${i}_v') AS pending \\gset" \
       "\\if :pending"
  if [[ "$dry_run" == true ]]; then
    emit "\\echo 'migrate: pending' :m${i}_name" "\\endif"
    continue
  fi
  emit "\\echo 'migrate: applying' :m${i}_name" \
       "BEGIN;" \
       "\\i :m${i}_file" \
       "INSERT INTO nb67_schema_migrations (version, name, checksum, lossy) VALUES (:'m${i}_v', :'m${i}_name', :'m${i}_sum', NULLIF(:'m${i}_lossy', ''));" \
       "COMMIT;" \
       "\\endif"
done

# 3. Repeatables, ordered by file name across sql/repeatable and sql/generated (numbers interleave).
r=0
while IFS=$'\t' read -r base f; do
  [[ -n "$f" ]] || continue
  r=$((r + 1))
  args+=(-v "r${r}_file=$f" -v "r${r}_name=$base" -v "r${r}_sum=$(sha "$f")")
  emit "SELECT NOT EXISTS (SELECT 1 FROM nb67_schema_repeatable WHERE name = :'r${r}_name' AND checksum = :'r${r}_sum') AS changed \\gset" \
       "\\if :changed"
  if [[ "$dry_run" == true ]]; then
    emit "\\echo 'migrate: repeatable changed' :r${r}_name" "\\endif"
    continue
  fi
  emit "\\echo 'migrate: applying repeatable' :r${r}_name" \
       "BEGIN;" \
       "\\i :r${r}_file" \
       "INSERT INTO nb67_schema_repeatable AS x (name, checksum) VALUES (:'r${r}_name', :'r${r}_sum')" \
       "  ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, applied_at = now();" \
       "COMMIT;" \
       "\\endif"
done < <(for f in "$REP_DIR"/*.sql "$GEN_DIR"/*.sql; do
           [[ -f "$f" ]] || continue
           b="$(basename "$f")"
           [[ "$f" == "$GEN_DIR/"* && "$b" == 0* ]] && continue
           printf '%s\t%s\n' "$b" "$f"
         done | sort)

[[ "$dry_run" == true ]] && emit "ROLLBACK;"
emit "SELECT pg_advisory_unlock(hashtext('nb67_schema_migrate')) \\g /dev/null"
psql "$URL" "${args[@]}" -f "$script"

#!/usr/bin/env bash
# Applies the schema: every sql/*.sql and sql/generated/*.sql, ordered by file name, to TSDB_URL
# with psql (ON_ERROR_STOP). Every file is idempotent, so running it again changes nothing.
# Then records the time zones (DEVICE_TZ, PARSE_TZ), adds the parse-time index when DEV_MODE=true,
# and runs the partition maintenance once.
#   TSDB_URL  default postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable
#   NB67_STORAGE=partitions forces the plain PostgreSQL layout even where TimescaleDB exists.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
URL="${TSDB_URL:-postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable}"
PSQL=(psql "$URL" -X -q -v ON_ERROR_STOP=1)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning${NB67_STORAGE:+ -c nb67.storage=$NB67_STORAGE}"

mapfile -t files < <(for f in "$ROOT"/sql/*.sql "$ROOT"/sql/generated/*.sql; do
  [[ -f "$f" ]] && printf '%s\t%s\n' "$(basename "$f")" "$f"; done | sort | cut -f2)
for f in "${files[@]}"; do
  "${PSQL[@]}" -f "$f"
done

dev="$(echo "${DEV_MODE:-false}" | tr '[:upper:]' '[:lower:]' | tr -d ' ')"
"${PSQL[@]}" -v device_tz="${DEVICE_TZ:-Asia/Shanghai}" -v parse_tz="${PARSE_TZ:-UTC}" -v dev="$dev" <<'SQL'
INSERT INTO nb67_settings (key, value) VALUES ('device_tz', :'device_tz'), ('parse_tz', :'parse_tz')
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
SELECT (:'dev' IN ('true', '1', 'yes')) AS dev_mode \gset
\if :dev_mode
CREATE INDEX IF NOT EXISTS macda_dvc_parse_time ON macda (dvc_no, parse_time);
\endif
CALL nb67_maintain_partitions();
SQL
echo "sql: applied ${#files[@]} files to ${URL%%\?*}"

#!/usr/bin/env bash
# Brings the schema of TSDB_URL to head: sql/migrate.sh (versioned migrations, then the repeatable
# functions/views/seeds whose content changed; see sql/README.md), then records the time zones
# (DEVICE_TZ, PARSE_TZ), adds the parse-time index when DEV_MODE=true, and runs the partition
# maintenance once. Running it again changes nothing.
#   sql/apply.sh [--allow-data-loss]   (or NB67_ALLOW_DATA_LOSS=1): run migrations marked lossy
#   TSDB_URL  default postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable
#   NB67_STORAGE=partitions forces the plain PostgreSQL layout even where TimescaleDB is usable.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
URL="${TSDB_URL:-postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable}"
PSQL=(psql "$URL" -X -q -v ON_ERROR_STOP=1)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning${NB67_STORAGE:+ -c nb67.storage=$NB67_STORAGE}"

TSDB_URL="$URL" bash "$ROOT/sql/migrate.sh" "$@"

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
echo "sql: schema at head on ${URL%%\?*}"

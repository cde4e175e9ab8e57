#!/usr/bin/env bash
# Brings the schema of TSDB_URL to head: sql/migrate.sh (versioned migrations, then the repeatable
# functions/views/seeds whose content changed; see sql/README.md), then records the time zones
# (DEVICE_TZ, PARSE_TZ) and the retention settings, adds the parse-time index when DEV_MODE=true,
# and runs the maintenance (partitions, retention) once. Running it again changes nothing.
#   sql/apply.sh [--allow-data-loss]   (or NB67_ALLOW_DATA_LOSS=1): run migrations marked lossy
#   TSDB_URL  default postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable
#   NB67_STORAGE=partitions forces the plain PostgreSQL layout even where TimescaleDB is usable.
#   Retention (intervals of at least 1 day; recorded in nb67_settings, used by the hourly maintenance
#   nb67_maintain_partitions, see sql/repeatable/20_macda_maintenance.sql):
#   RETENTION_FRAMES (365 days; by arrival for misdated frames), RETENTION_FRAME_DEAD_LETTERS (30 days),
#   RETENTION_PREDICTIONS (365 days; pro_/dev_predict by run), RETENTION_PREDICT_DEAD_LETTERS (30 days)
set -euo pipefail
# One parse of a boolean for the whole bundle (config/settings.yaml): exactly true or false.
dev="${DEV_MODE:-false}"
if [[ "$dev" != true && "$dev" != false ]]; then
  echo "sql: DEV_MODE=\"$dev\": must be exactly true or false" >&2
  exit 2
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
URL="${TSDB_URL:-postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable}"
PSQL=(psql "$URL" -X -q -v ON_ERROR_STOP=1)
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning${NB67_STORAGE:+ -c nb67.storage=$NB67_STORAGE}"

RETENTION=(-v r_frames="${RETENTION_FRAMES:-365 days}" -v r_dl="${RETENTION_FRAME_DEAD_LETTERS:-30 days}"
  -v r_pred="${RETENTION_PREDICTIONS:-365 days}" -v r_pdl="${RETENTION_PREDICT_DEAD_LETTERS:-30 days}")
# Settings are checked before the database is touched.
"${PSQL[@]}" "${RETENTION[@]}" <<'SQL'
SET client_min_messages = error;
CREATE FUNCTION pg_temp.retention(name text, v text) RETURNS text LANGUAGE plpgsql AS $f$
DECLARE i interval;
BEGIN
  BEGIN
    i := v::interval;
  EXCEPTION WHEN others THEN
    i := NULL;
  END;
  IF i IS NULL OR i < interval '1 day' THEN
    RAISE EXCEPTION '% = "%": must be an interval of at least 1 day (e.g. "365 days", "4 weeks", "1 year")', name, v;
  END IF;
  RETURN v;
END $f$;
SELECT pg_temp.retention('RETENTION_FRAMES', :'r_frames'), pg_temp.retention('RETENTION_FRAME_DEAD_LETTERS', :'r_dl'),
       pg_temp.retention('RETENTION_PREDICTIONS', :'r_pred'), pg_temp.retention('RETENTION_PREDICT_DEAD_LETTERS', :'r_pdl') \g /dev/null
SQL

TSDB_URL="$URL" bash "$ROOT/sql/migrate.sh" "$@"

"${PSQL[@]}" -v device_tz="${DEVICE_TZ:-Asia/Shanghai}" -v parse_tz="${PARSE_TZ:-UTC}" -v dev="$dev" "${RETENTION[@]}" <<'SQL'
INSERT INTO nb67_settings (key, value) VALUES ('device_tz', :'device_tz'), ('parse_tz', :'parse_tz'),
  ('retention_frames', :'r_frames'), ('retention_frame_dead_letters', :'r_dl'),
  ('retention_predictions', :'r_pred'), ('retention_predict_dead_letters', :'r_pdl')
ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value;
SELECT (:'dev' = 'true') AS dev_mode \gset
\if :dev_mode
CREATE INDEX IF NOT EXISTS macda_dvc_parse_time ON macda (dvc_no, parse_time);
\endif
CALL nb67_maintain_partitions();
SQL
echo "sql: schema at head on ${URL%%\?*}"

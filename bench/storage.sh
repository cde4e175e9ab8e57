#!/usr/bin/env bash
# Bytes per stored frame: the compact layout (macda: raw smallint/integer/bigint/boolean columns,
# partitioned, natural-key index) vs the legacy layout (228 x double precision + 4 key columns, index on
# the time column as TimescaleDB creates it), same rows, same run.
#   bench/storage.sh [ROWS]   (default 1,000,000)
# Rows come from real simulator frames (600 distinct frames, 100 devices, stored through
# nb67_store_batch) replicated in SQL with increasing device time and frame number.
# Size = total relation size (heap + TOAST + every index, all partitions) / rows.
# Uses a throw-away database on TSDB_URL's server; prints a Markdown table.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ROWS="${1:-1000000}"
BASE="${TSDB_URL:-postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable}"
DB="bench_storage_$$"
# made and dropped by bench/scratch-db.sh (marked; an unmarked database is never dropped)
URL="$(bash bench/scratch-db.sh create "$BASE" "$DB")"
trap 'bash bench/scratch-db.sh drop "$BASE" "$DB" >/dev/null 2>&1 || true' EXIT
TSDB_URL="$URL" bash sql/apply.sh >/dev/null

# 600 real frames -> parsed legacy records -> macda through the bulk function
cat > "bench/.storage-sample-$DB.mts" <<'TS'
import { FrameSimulator } from "../tools/sim/sim.ts";
import { loadModule } from "../test/helpers/wasm-host.ts";
const m = await loadModule("dist/nb67.wasm");
const sim = new FrameSimulator({ trains: 17, start: Date.now() - 86400_000, seed: 3 });
const lines = [];
for (const f of sim.frames(600)) {
  const r = m.call("decode", f.frame, { nb67_decode: "validate=none" });
  const rec = JSON.parse(Buffer.from(r.body).toString());
  rec.msg_calc_parse_time = new Date(f.tMs).toISOString().slice(0, 19).replace("T", " ");
  lines.push(JSON.stringify({ schema: { type: "struct", name: "ACSignal" }, payload: rec }));
}
process.stdout.write(lines.join("\n"));
TS
npx tsx "bench/.storage-sample-$DB.mts" 2>/dev/null > "/tmp/$DB.lines"; rm -f "bench/.storage-sample-$DB.mts"
psql "$URL" -Xq -v ON_ERROR_STOP=1 <<SQL
\set content \`cat /tmp/$DB.lines\`
SELECT nb67_store_batch(:'content', 'Asia/Shanghai', 'UTC') \gset
CREATE TABLE sample AS SELECT * FROM macda;
TRUNCATE macda;
SQL
rm -f "/tmp/$DB.lines"

t0=$(date +%s)
psql "$URL" -Xqc "CALL nb67_maintain_partitions(7, 2)"
# the generic column list (all columns except the two times and msg_frame_no)
COLS=$(psql "$URL" -XAtc "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'macda_template'::regclass AND attnum > 0 AND NOT attisdropped AND attname NOT IN ('dvc_time', 'parse_time', 'msg_frame_no')")
psql "$URL" -Xq -v ON_ERROR_STOP=1 -v rows="$ROWS" <<SQL
SELECT count(*) AS n FROM sample \gset
SELECT ceil(:rows::numeric / :n)::int AS reps \gset
INSERT INTO macda (dvc_time, parse_time, msg_frame_no, $COLS)
SELECT s.dvc_time - make_interval(secs => g * 5), s.parse_time - make_interval(secs => g * 5),
       (s.msg_frame_no + g) % 65536, $COLS
FROM sample s CROSS JOIN generate_series(0, :reps - 1) g
LIMIT :rows
ON CONFLICT DO NOTHING;
SQL
t1=$(date +%s)
# legacy layout: exactly the legacy pro_macda DDL (docs/legacy.md §4.1) + the time index TimescaleDB adds
LEGACY_COLS=$(psql "$URL" -XAtc "SELECT string_agg(quote_ident(attname) || ' double precision NULL', ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'pro_macda'::regclass AND attnum > 4")
psql "$URL" -Xq -v ON_ERROR_STOP=1 <<SQL
CREATE TABLE legacy_pro_macda (msg_calc_dvc_time timestamptz NOT NULL, msg_calc_parse_time text NOT NULL,
  msg_calc_dvc_no text NOT NULL, msg_calc_train_no text NOT NULL, $LEGACY_COLS);
CREATE INDEX legacy_pro_macda_time ON legacy_pro_macda (msg_calc_dvc_time DESC);
INSERT INTO legacy_pro_macda SELECT * FROM pro_macda;
VACUUM ANALYZE macda;
VACUUM ANALYZE legacy_pro_macda;
SQL
t2=$(date +%s)
psql "$URL" -XAt -v ON_ERROR_STOP=1 <<'SQL'
WITH c AS (
  SELECT sum(pg_total_relation_size(relid)) AS bytes FROM pg_partition_tree('macda')
), l AS (
  SELECT pg_total_relation_size('legacy_pro_macda') AS bytes
), n AS (SELECT count(*) AS rows FROM macda), nl AS (SELECT count(*) AS rows FROM legacy_pro_macda),
h AS (SELECT sum(pg_relation_size(relid)) AS heap FROM pg_partition_tree('macda'))
SELECT '| layout | rows | total bytes | bytes/frame | heap bytes/frame |' AS t
UNION ALL SELECT '|---|---|---|---|---|'
UNION ALL SELECT format('| compact macda (raw ints, bools, partitioned, unique key) | %s | %s | %s | %s |', n.rows, c.bytes, round(c.bytes::numeric / n.rows, 1), round(h.heap::numeric / n.rows, 1)) FROM c, n, h
UNION ALL SELECT format('| legacy pro_macda (228 x float8, time index) | %s | %s | %s | %s |', nl.rows, l.bytes, round(l.bytes::numeric / nl.rows, 1), round(pg_relation_size('legacy_pro_macda')::numeric / nl.rows, 1)) FROM l, nl
UNION ALL SELECT format('| ratio legacy / compact | | | %s | |', round((l.bytes::numeric / nl.rows) / (c.bytes::numeric / n.rows), 2)) FROM c, l, n, nl;
SQL
echo "(load ${ROWS} rows: compact $((t1 - t0)) s, legacy copy + vacuum $((t2 - t1)) s)"

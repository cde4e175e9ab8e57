#!/usr/bin/env bash
# Benchmark of the predict job (docs/predict.md; `make bench-predict`, not a test).
#
# Fills a scratch database on the stack's PostgreSQL with BENCH_DEVICES devices x BENCH_HOURS hours of
# 1 Hz frame rows (default 240 x 24 h = 20.7 M rows, about 15 GB with indexes; generated with
# generate_series from the real frame's row), then measures:
#   1. the aggregate statement alone (nb67_predict_input, all devices, 3 runs), and its plan:
#      EXPLAIN (ANALYZE, BUFFERS) -> .reports/bench-predict-explain.txt;
#   2. the whole predict job in Connect (pipelines/predict.yaml, one run): from process start until
#      every device has its row in pro_predict.
# Results: .reports/bench-predict.txt. The scratch database is dropped at the end unless
# BENCH_KEEP=1. Needs the stack's PostgreSQL (make stack-up), the Connect binary and dist/nb67.wasm.
#
#   BENCH_DEVICES (240)  BENCH_HOURS (24)  TSDB_URL (stack default)  BENCH_DB (nb67_bench_predict;
#   a database of that name that the benchmark did not create is refused, never dropped)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DEVICES="${BENCH_DEVICES:-240}"
HOURS="${BENCH_HOURS:-24}"
BASE_URL="${TSDB_URL:-postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable}"
DB="${BENCH_DB:-nb67_bench_predict}"
CONNECT="${CONNECT:-$ROOT/.tools/bin/redpanda-connect}"
WASM="${NB67_WASM:-$ROOT/dist/nb67.wasm}"
OUT="$ROOT/.reports"
mkdir -p "$OUT"
REPORT="$OUT/bench-predict.txt"
log() { echo "bench-predict: $*" >&2; }
now_ms() { date +%s%3N; }

# A scratch database made (and later dropped) only by bench/scratch-db.sh: a BENCH_DB naming a
# database the benchmark did not create is refused, never dropped.
URL="$(bash bench/scratch-db.sh create "$BASE_URL" "$DB")"
PSQL=(psql "$URL" -X -q -v ON_ERROR_STOP=1)
cleanup() { [[ "${BENCH_KEEP:-0}" == 1 ]] || bash bench/scratch-db.sh drop "$BASE_URL" "$DB" || true; }
trap cleanup EXIT
TSDB_URL="$URL" bash sql/apply.sh >/dev/null
log "schema applied to $DB"

# Template row: the real frame, through the store's own function.
REC="$(node -e '
const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
r.msg_calc_dvc_time = "2024-7-19 14:36:13"; r.msg_calc_parse_time = "2024-07-19 06:36:14";
console.log(JSON.stringify(r));' "$ROOT/test/fixtures/legacy/whole_frame.expected.json")"
"${PSQL[@]}" -v rec="$REC" <<'SQL'
SELECT nb67_store_batch(:'rec', 'Asia/Shanghai', 'UTC');
CREATE TABLE bench_tpl AS SELECT * FROM macda;
TRUNCATE macda;
CREATE TABLE bench_t0 AS SELECT date_trunc('second', now()) AS t0;
SQL

# INSERT ... SELECT with every column of macda: rule inputs vary per device and second, the rest is the
# template. $1/$2 = first/last second offset (relative to t0, negative), time-major like a live feed.
COLS="$("${PSQL[@]}" -At -c "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = 'macda_template'")"
SELECT_LIST="$(node -e '
const cols = process.argv[1].split(",");
const u4 = ["u11","u12","u21","u22"];
const o = { dvc_no: "dv.no", dvc_time: "x.ts", parse_time: "x.ts + interval \x27300 ms\x27", msg_frame_no: "((s + 100000) % 65536)",
  wmode_u1: "2", wmode_u2: "2", presdiff_u1: "(1500 + (s * 7 + d * 13) % 200)", presdiff_u2: "(1500 + (s * 11 + d) % 200)",
  fas_u1: "(300 + (s + d) % 20)", fas_u2: "(300 + (s * 3 + d) % 20)", ras_u1: "(250 + s % 10)", ras_u2: "(250 + (s + 5) % 10)",
  aq_co2_u1: "(700 + (s + d) % 80)", aq_co2_u2: "(700 + (s * 5 + d) % 80)", i_exufan: "(19 + s % 3)" };
for (const u of u4) Object.assign(o, {
  ["f_cp_" + u]: "(480 + (s * 13 + d * 7) % 40)", ["i_cp_" + u]: "(127 + (s * 17 + d) % 7)", ["suckp_" + u]: "(45 + (s + d) % 3)",
  ["sp_" + u]: "(55 + (s * 3 + d) % 10)", ["highpress_" + u]: "(167 + (s + d * 3) % 7)", ["i_ef_" + u]: "(13 + s % 3)", ["i_cf_" + u]: "(19 + s % 3)" });
console.log(cols.map((c) => (c in o ? o[c] : "t." + c)).join(", "));' "$COLS")"
"${PSQL[@]}" <<SQL
CREATE FUNCTION bench_fill(lo int, hi int) RETURNS bigint LANGUAGE plpgsql AS \$f\$
DECLARE n bigint;
BEGIN
  INSERT INTO macda ($COLS)
  SELECT $SELECT_LIST
  FROM bench_tpl t, bench_t0 z, generate_series(lo, hi) s,
       LATERAL (SELECT z.t0 + s * interval '1 second' AS ts) x,
       generate_series(1, $DEVICES) d,
       LATERAL (SELECT '07' || lpad(((d - 1) / 6 + 1)::text, 3, '0') || lpad(((d - 1) % 6 + 1)::text, 2, '0') AS no) dv;
  GET DIAGNOSTICS n = ROW_COUNT;
  RETURN n;
END \$f\$;
SQL

t_fill=$(now_ms)
total=$((HOURS * 3600))
for ((h = HOURS; h >= 1; h--)); do
  lo=$(( -h * 3600 + 1 )); hi=$(( -(h - 1) * 3600 ))
  "${PSQL[@]}" -At -c "SET jit = off; SELECT bench_fill($lo, $hi)" >/dev/null
  log "filled hour $((HOURS - h + 1))/$HOURS ($(( ($(now_ms) - t_fill) / 1000 )) s)"
done
# top up from t0 to now, so the last 3 minutes hold data for the Connect run
gap=$("${PSQL[@]}" -At -c "SELECT ceil(extract(epoch FROM now() - t0))::int FROM bench_t0")
"${PSQL[@]}" -At -c "SET jit = off; SELECT bench_fill(1, $gap + 120)" >/dev/null
fill_s=$(( ($(now_ms) - t_fill) / 1000 ))
"${PSQL[@]}" -c "VACUUM ANALYZE macda"
rows=$("${PSQL[@]}" -At -c "SELECT count(*) FROM macda")
size=$("${PSQL[@]}" -At -c "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'macda'::regclass")
log "$rows rows ($size) in ${fill_s}s"

# 1. the aggregate statement alone
times=()
for i in 1 2 3; do
  t=$(now_ms)
  n=$("${PSQL[@]}" -At -c "SELECT count(*) FROM nb67_predict_input(false, now(), '60 seconds')")
  times+=($(( $(now_ms) - t )))
done
log "nb67_predict_input: $n devices, ${times[*]} ms"
Q="$("${PSQL[@]}" -At -c "SELECT nb67_predict_input_sql(false)")"
"${PSQL[@]}" > "$OUT/bench-predict-explain.txt" <<SQL
SET jit = off;
PREPARE p(timestamptz, interval) AS $Q;
EXPLAIN (ANALYZE, BUFFERS) EXECUTE p(now(), '60 seconds');
SQL

# 2. the whole job in Connect: one run, start to all rows written
"${PSQL[@]}" -c "TRUNCATE pro_predict"
t=$(now_ms)
TSDB_URL="$URL" NB67_WASM="$WASM" PREDICT_INTERVAL=1h DEV_MODE=false \
  "$CONNECT" run --set http.enabled=false --log.level warn pipelines/predict.yaml > "$OUT/bench-predict-connect.log" 2>&1 &
pid=$!
job_ms=""
for _ in $(seq 1 1200); do
  c=$("${PSQL[@]}" -At -c "SELECT count(*) FROM pro_predict")
  if [[ "$c" -ge "$n" ]]; then job_ms=$(( $(now_ms) - t )); break; fi
  sleep 0.1
done
kill "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
fired=$("${PSQL[@]}" -At -c "SELECT count(*) FILTER (WHERE ref_leak_u11 + f_cp_u1 + f_presdiff_u1 + f_fas_u11 > 0) FROM pro_predict")

{
  echo "predict benchmark $(date -u +%FT%TZ) on $(nproc) cores, PostgreSQL $("${PSQL[@]}" -At -c 'SHOW server_version')"
  echo "data: $DEVICES devices x $HOURS h at 1 Hz = $rows rows in macda ($size), generated in ${fill_s}s"
  echo "aggregate statement (nb67_predict_input, $n devices, 6 windows, exact percentiles): ${times[*]} ms"
  echo "whole predict job in Connect (start -> $n rows in pro_predict, incl. process start): ${job_ms:-timeout} ms"
  echo "rows with a flag set: $fired"
  echo "plan: .reports/bench-predict-explain.txt"
  grep -E "Execution Time|Planning Time" "$OUT/bench-predict-explain.txt" | sed 's/^ */  /'
  echo "index use (nodes on macda partitions in the plan):"
  grep -oE "(Index Scan|Index Only Scan|Bitmap Index Scan|Bitmap Heap Scan|Seq Scan)( Backward)? (using [a-z0-9_]+ )?on [a-z0-9_]+" "$OUT/bench-predict-explain.txt" | sort | uniq -c | sed 's/^ */  /'
} | tee "$REPORT"

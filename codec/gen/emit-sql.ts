// SQL storage generated from the field model (owner: ingest/store).
//
//   sql/generated/05_macda_template.sql  compact column layout (macda_template) + legacy JSON row shape
//   sql/generated/15_macda_views.sql     legacy views pro_macda / dev_macda + bulk-insert function
//   pipelines/store.yaml                 the store stream (sql_insert needs the explicit column list)
//
// Compact layout: raw integers in the narrowest exact type (u1/s2 -> smallint, u2 -> integer,
// u4 -> bigint, bit -> boolean), columns ordered by alignment (8-byte first) so no padding is wasted.
// The legacy views divide the 0.1-scaled fields by 10 and cast everything to double precision,
// with the legacy names and column order (docs/legacy.md §4.1).
import { GENERATED_NOTE, type Field, type Model } from "./model.ts";

const SQL_TYPE: Record<string, string> = { u1: "smallint", s2: "smallint", u2: "integer", u4: "bigint", b1le: "boolean" };
const ALIGN: Record<string, number> = { bigint: 0, integer: 1, smallint: 2, boolean: 3 };

export function storedFields(model: Model): Field[] {
  const all = [...model.legacy, ...model.extended];
  for (const f of all) if (!(f.type in SQL_TYPE)) throw new Error(`emit-sql: ${f.id}: no SQL type for ${f.type}`);
  // stable sort by alignment class, frame order inside a class
  return all
    .map((f, i) => ({ f, i }))
    .sort((a, b) => ALIGN[SQL_TYPE[a.f.type]] - ALIGN[SQL_TYPE[b.f.type]] || a.i - b.i)
    .map((x) => x.f);
}

/** The table columns in storage order (identity columns first). */
export function tableColumns(model: Model): string[] {
  return ["dvc_time", "parse_time", ...storedFields(model).map((f) => f.id), "dvc_no"];
}

/** Bloblang expression giving the raw DB value of field f from the legacy JSON record in $p. */
function blobl(f: Field): string {
  const v = `$p.${f.id}`;
  if (f.extended) return `${v}` + (f.type === "b1le" ? " == 1" : "");
  if (f.type === "b1le") return `${v} == 1`;
  if (f.scale !== null) return `(${v} * 10).round().int64()`;
  return v;
}

/** SQL expression giving the raw DB value of field f from the json_populate_record row r. */
function sqlRaw(f: Field): string {
  if (f.type === "b1le") return `(r.${f.id} <> 0)`;
  if (f.scale !== null) return `round(r.${f.id} * 10)::smallint`;
  return `r.${f.id}::${SQL_TYPE[f.type]}`;
}

/** SQL expression of the legacy (double precision, scaled) value of field f in table alias m. */
function sqlLegacy(f: Field): string {
  if (f.type === "b1le") return `m.${f.id}::int::float8`;
  if (f.scale !== null) return `m.${f.id}::float8 / 10`;
  return `m.${f.id}::float8`;
}

function templateSql(model: Model): string {
  const fields = storedFields(model);
  const cols = [
    "  dvc_time timestamptz NOT NULL, -- msg_calc_dvc_time as an instant (device clock in nb67_device_tz())",
    "  parse_time timestamptz NOT NULL, -- msg_calc_parse_time as an instant (in nb67_parse_tz())",
    ...fields.map((f) => `  ${f.id} ${SQL_TYPE[f.type]}${f.extended ? "" : " NOT NULL"}, -- ${f.type}${f.scale !== null ? " x0.1" : ""} @${f.offset}${f.bit !== null ? "." + f.bit : ""}`),
    "  dvc_no text NOT NULL -- msg_calc_dvc_no",
  ];
  const shape = [
    ...model.legacy.map((f) => `  ${f.id} ${f.type === "b1le" ? "integer" : f.scale !== null ? "double precision" : "bigint"}`),
    "  msg_calc_train_no text",
    "  msg_calc_dvc_no text",
    "  msg_calc_dvc_time text",
    "  msg_calc_parse_time text",
    ...model.extended.map((f) => `  ${f.id} bigint`),
  ];
  const rowShape = [
    ...model.legacy.map((f) => `  ${f.id} ${SQL_TYPE[f.type]}`),
    "  msg_calc_dvc_no text",
    "  msg_calc_dvc_time text",
    "  msg_calc_parse_time text",
    ...model.extended.map((f) => `  ${f.id} ${SQL_TYPE[f.type]}`),
  ];
  return `-- ${GENERATED_NOTE}
-- (emitter: codec/gen/emit-sql.ts)
--
-- macda_template: the compact column layout of the frame table macda (the migration
-- sql/migrations/0001_baseline_macda.sql creates macda with LIKE macda_template, partitioned or as a
-- hypertable). Always empty. Applied before the migrations; CREATE ... IF NOT EXISTS changes nothing in
-- an existing database, so a column change also needs a migration (sql/README.md).
-- ${fields.length} frame columns: ${fields.filter((f) => f.type === "u4").length} bigint (u4), ${fields.filter((f) => f.type === "u2").length} integer (u2), ${fields.filter((f) => f.type === "u1" || f.type === "s2").length} smallint (u1, s2), ${fields.filter((f) => f.type === "b1le").length} boolean (bits).
-- Raw integers: a 0.1-scaled field stores raw = legacy value * 10 (exact). Extended fields
-- (frame >= ${model.extendedMinLength} bytes) are NULL for shorter frames.
CREATE TABLE IF NOT EXISTS macda_template (
${cols.join("\n")}
);

-- macda_json_shape: the legacy JSON record (signal-parsed payload) as a row type, for
-- json_populate_record in nb67_store_batch(). Always empty.
CREATE TABLE IF NOT EXISTS macda_json_shape (
${shape.join(",\n")}
);

-- macda_row_shape: the record as raw stored values, the row literal the decoder writes into metadata
-- nb67_row (plugin/decode.ts; ingest sends it as a header of signal-parsed). Parsing that literal
-- (record_in) is ~3x cheaper than json_populate_record of the 4.5 KB JSON. Always empty.
CREATE TABLE IF NOT EXISTS macda_row_shape (
${rowShape.join(",\n")}
);
`;
}

function viewsSql(model: Model): string {
  const fields = storedFields(model);
  const legacyCols = model.legacy.map((f) => `  ${sqlLegacy(f)} AS ${f.id}`).join(",\n");
  const train = "lpad((m.dvc_train_no / 1000)::text, 2, '0') || lpad((m.dvc_train_no % 1000)::text, 3, '0')";
  const dvcText = "to_char(m.dvc_time AT TIME ZONE nb67_device_tz(), 'FMYYYY-FMMM-FMDD FMHH24:FMMI:FMSS')";
  const parseText = "to_char(m.parse_time AT TIME ZONE nb67_parse_tz(), 'YYYY-MM-DD HH24:MI:SS')";
  const insCols = tableColumns(model).join(", ");
  const insVals = [
    "r.dvc_ts",
    "r.parse_ts",
    ...fields.map((f) => `r.${f.id}`),
    "r.msg_calc_dvc_no",
  ].join(",\n      ");
  // the JSON branch converts to the raw values, in macda_row_shape's column order
  const jsonAsRow = [
    ...model.legacy.map((f) => sqlRaw(f)),
    "r.msg_calc_dvc_no",
    "r.msg_calc_dvc_time",
    "r.msg_calc_parse_time",
    ...model.extended.map((f) => sqlRaw(f)),
  ].join(",\n      ");
  return `-- ${GENERATED_NOTE}
-- (emitter: codec/gen/emit-sql.ts)

-- Legacy views: same names, column names, order and types as the legacy tables (docs/legacy.md §4.1):
-- 4 identity columns, then the ${model.legacy.length} frame fields as double precision with the ÷10 scaling applied.
-- pro_macda: time column msg_calc_dvc_time (timestamptz), msg_calc_parse_time as legacy text.
-- dev_macda: time column msg_calc_parse_time (timestamptz), msg_calc_dvc_time as legacy text (not padded).
-- Both read the same rows of macda, so DEV_MODE can be switched without moving data.
CREATE OR REPLACE VIEW pro_macda AS
SELECT
  m.dvc_time AS msg_calc_dvc_time,
  ${parseText} AS msg_calc_parse_time,
  m.dvc_no AS msg_calc_dvc_no,
  ${train} AS msg_calc_train_no,
${legacyCols}
FROM macda m;

CREATE OR REPLACE VIEW dev_macda AS
SELECT
  m.parse_time AS msg_calc_parse_time,
  ${dvcText} AS msg_calc_dvc_time,
  m.dvc_no AS msg_calc_dvc_no,
  ${train} AS msg_calc_train_no,
${legacyCols}
FROM macda m;

-- Bulk path (STORE_METHOD=bulk): one statement per batch. batch = newline-separated lines, each
-- either "<nb67_row literal>\\t<signal-parsed value>" (the record had an nb67_row header: the row is
-- parsed, the JSON is kept only for a dead letter) or a signal-parsed value alone (envelope or bare
-- payload: parsed with json_populate_record). Good rows go to macda (duplicates ignored); rows whose
-- device number, device time or parse time is invalid go to macda_dead_letter. Returns the number
-- of rows written (stored or dead-lettered; a duplicate counts 0).
CREATE OR REPLACE FUNCTION nb67_store_batch(batch text, device_tz text, parse_tz text)
RETURNS integer LANGUAGE sql AS $fn$
WITH lines AS (
  SELECT l FROM unnest(string_to_array(batch, E'\\n')) AS l WHERE l <> ''
), from_row AS MATERIALIZED (
  SELECT l AS line, split_part(l, E'\\t', 1)::macda_row_shape AS w FROM lines WHERE left(l, 1) = '('
), from_json AS (
  SELECT coalesce(j -> 'payload', j) AS p
  FROM (SELECT l::json AS j FROM lines WHERE left(l, 1) <> '(') s
), rec AS MATERIALIZED (
  SELECT NULL::json AS p, s.line, (s.w).* FROM from_row s
  UNION ALL
  SELECT j.p, NULL::text,
      ${jsonAsRow}
  FROM from_json j, json_populate_record(NULL::macda_json_shape, j.p) r
), chk AS (
  SELECT r.*, nb67_parse_local(r.msg_calc_dvc_time, device_tz) AS dvc_ts,
         nb67_parse_local(r.msg_calc_parse_time, parse_tz) AS parse_ts
  FROM rec r
), good AS (
  INSERT INTO macda (${insCols})
  SELECT
      ${insVals}
  FROM chk r
  WHERE r.dvc_ts IS NOT NULL AND r.parse_ts IS NOT NULL AND r.msg_calc_dvc_no ~ '^[0-9]{7,8}$'
  ON CONFLICT DO NOTHING
  RETURNING 1
), bad AS (
  INSERT INTO macda_dead_letter (dedup_key, reason, record)
  SELECT CASE WHEN r.msg_calc_dvc_no IS NOT NULL AND r.msg_calc_dvc_time IS NOT NULL AND r.msg_frame_no IS NOT NULL
              THEN r.msg_calc_dvc_no || '|' || r.msg_calc_dvc_time || '|' || r.msg_frame_no::text
              ELSE 'md5:' || md5(x.record_text) END,
         CASE WHEN r.msg_calc_dvc_no IS NULL OR r.msg_calc_dvc_no !~ '^[0-9]{7,8}$' THEN 'invalid device number'
              WHEN r.dvc_ts IS NULL THEN 'invalid device time: ' || coalesce(r.msg_calc_dvc_time, 'missing')
              ELSE 'invalid parse time: ' || coalesce(r.msg_calc_parse_time, 'missing') END,
         convert_to(x.record_text, 'UTF8')
  -- the record as evidence, only for the rows that go here (the JSON part of a row line)
  FROM chk r, LATERAL (SELECT coalesce(r.p::text, split_part(r.line, E'\\t', 2)) AS record_text) x
  WHERE r.dvc_ts IS NULL OR r.parse_ts IS NULL OR r.msg_calc_dvc_no IS NULL OR r.msg_calc_dvc_no !~ '^[0-9]{7,8}$'
  ON CONFLICT DO NOTHING
  RETURNING 1
)
SELECT ((SELECT count(*) FROM good) + (SELECT count(*) FROM bad))::integer
$fn$;
`;
}

function storeYaml(model: Model): string {
  const fields = storedFields(model);
  const cols = tableColumns(model);
  const maxRows = Math.floor(65535 / cols.length);
  const args = [
    "meta(\"nb67_dvc_ts\")",
    "meta(\"nb67_parse_ts\")",
    ...fields.map((f) => blobl(f)),
    "$p.msg_calc_dvc_no",
  ];
  const ind = " ".repeat(14);
  const argsMapping = `let p = this.payload | this\n${ind}root = [\n${args.map((a) => ind + "  " + a).join(",\n")}\n${ind}]`;
  const colsYaml = cols.map((c) => `${ind}- ${c}`).join("\n");
  const dsn = '"${TSDB_URL:postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable}"';
  const dataErr = String.raw`'@fallback_error.or("").re_match("SQLSTATE (22|23|42804)|failed assignment|expected number|expected .* value|cannot add types|mapping")'`;


  // Reusable blocks, inlined (a streams-mode stream file may not contain resources).
  const indent = (text: string, n: number) => text.split("\n").map((l) => (l ? " ".repeat(n) + l : l)).join("\n");
  const VALIDATE = `mutation: |
  map strict_local {
    let m = this.re_find_all_submatch("^(20[0-9][0-9])-([0-9]{1,2})-([0-9]{1,2}) ([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})$")
    let s = if $m.length() == 1 {
      "%s-%02d-%02d %02d:%02d:%02d".format($m.0.1, $m.0.2.number().int64(), $m.0.3.number().int64(), $m.0.4.number().int64(), $m.0.5.number().int64(), $m.0.6.number().int64())
    } else { null }
    let back = if $s != null { $s.ts_strptime("%Y-%m-%d %H:%M:%S").ts_format("2006-01-02 15:04:05", "UTC").catch(null) } else { null }
    root = if $back != null && $back == $s { $s } else { null }
  }
  let p = this.payload | this
  let d = ($p.msg_calc_dvc_time | "").string().apply("strict_local")
  let t = ($p.msg_calc_parse_time | "").string().apply("strict_local")
  meta nb67_dvc_ts = if $d != null { $d + " \${DEVICE_TZ:Asia/Shanghai}" } else { deleted() }
  meta nb67_parse_ts = if $t != null { $t + " \${PARSE_TZ:UTC}" } else { deleted() }
  meta nb67_store_error = if !($p.msg_calc_dvc_no | "").string().re_match("^[0-9]{7,8}$") {
    "invalid device number: " + ($p.msg_calc_dvc_no | "missing").string()
  } else if $d == null {
    "invalid device time: " + ($p.msg_calc_dvc_time | "missing").string()
  } else if $t == null {
    "invalid parse time: " + ($p.msg_calc_parse_time | "missing").string()
  } else { deleted() }
  meta nb67_dedup_key = if $p.msg_calc_dvc_no != null && $p.msg_calc_dvc_time != null && $p.msg_frame_no != null {
    $p.msg_calc_dvc_no.string() + "|" + $p.msg_calc_dvc_time.string() + "|" + $p.msg_frame_no.string()
  } else { "md5:" + content().hash("md5").encode("hex") }`;
  const VALIDATE_CATCH = `catch:
  - mutation: |
      meta nb67_store_error = "not a record: " + error()
      meta nb67_dedup_key = "md5:" + content().hash("md5").encode("hex")`;
  const INSERT_BATCH = `sql_insert:
  driver: pgx
  dsn: ${dsn}
  table: macda
  columns: &store_columns
${colsYaml}
  args_mapping: &store_args |
          ${argsMapping}
  suffix: ON CONFLICT DO NOTHING
  max_in_flight: \${STORE_MAX_IN_FLIGHT:2}
processors:
  - split: { size: ${maxRows} }`;
  const DEAD_LETTER = `sql_insert:
  driver: pgx
  dsn: ${dsn}
  table: macda_dead_letter
  columns: [ dedup_key, reason, record, source_topic, source_partition, source_offset ]
  args_mapping: |
    root = [
      meta("nb67_dedup_key").or(""),
      meta("nb67_store_error").or("unknown"),
      content(),
      meta("kafka_topic").or(""),
      meta("kafka_partition").or("-1").int64(),
      meta("kafka_offset").or("-1").int64()
    ]
  suffix: ON CONFLICT DO NOTHING
  max_in_flight: 1`;
  const item = (text: string, n: number) => indent("- " + text.split("\n").join("\n  "), n);
  const rowwise = (label: string) => `label: ${label}
processors:
  - split: { size: 1 }
fallback:
  - sql_insert:
      driver: pgx
      dsn: ${dsn}
      table: macda
      columns: *store_columns
      args_mapping: *store_args
      suffix: ON CONFLICT DO NOTHING
      max_in_flight: 1
  - switch:
      cases:
        - check: ${dataErr}
          output:
            processors:
              - mutation: 'meta nb67_store_error = @fallback_error'
${indent(DEAD_LETTER, 12)}
        - output:
            reject: '\${! @fallback_error }'`;

  return `# ${GENERATED_NOTE}
# (emitter: codec/gen/emit-sql.ts; edit the template there, then \`make gen\`)
#
# Store: signal-parsed -> PostgreSQL table macda (compact raw integers), read through the legacy
# views pro_macda / dev_macda (sql/generated/15_macda_views.sql). Idempotent: the natural key
# (dvc_no, dvc_time, msg_frame_no) is unique and every insert uses ON CONFLICT DO NOTHING, so a
# replay or a restart after a crash never duplicates a row.
#
# Batches are formed at the input (TSDB_BATCH records or TSDB_BATCH_TIME, whichever first; a batch
# can exceed the count by one Kafka fetch, since whole fetches are merged).
# STORE_METHOD=insert (default): sql_insert, one multi-row INSERT per batch, split into chunks of at
#   most ${maxRows} rows (${cols.length} columns x rows must stay under PostgreSQL's 65,535 bind parameters).
# STORE_METHOD=bulk: one statement per batch through sql_raw + nb67_store_batch(): the batch travels
#   as one text parameter and PostgreSQL parses it; no parameter limit. A record with an nb67_row
#   header (the decoder's row literal of the raw values; ingest's PARSED_ROW_HEADER, on by default) is
#   parsed from that row, ~3x cheaper in PostgreSQL than json_populate_record of the JSON record.
# A batch that fails with a data error (SQLSTATE class 22/23) is retried row by row; a row that still
# fails goes to the dead-letter table macda_dead_letter with the reason and the record. Any other
# error (PostgreSQL down, network) fails the write: the retry output backs off (0.5 s .. 10 s) and
# retries forever, and the input offset is not committed, so nothing is lost.
#
# Environment: KAFKA_BOOTSTRAP_SERVER, PARSED_TOPIC_NAME, STORE_GROUP, TSDB_URL, TSDB_BATCH (250),
# TSDB_BATCH_TIME (100ms), STORE_METHOD (insert|bulk), STORE_MAX_IN_FLIGHT (2), DEVICE_TZ (zone of
# the device clock, legacy Asia/Shanghai), PARSE_TZ (zone ingest wrote msg_calc_parse_time in, UTC),
# STORE_MAINTENANCE_INTERVAL (partition maintenance, 1h), KAFKA_SESSION_TIMEOUT (15s: how long a
# crashed member holds its partitions), STORE_INSTANCE_ID (static group membership),
# KAFKA_FETCH_MAX_WAIT (50ms; Connect's 5 s default stalls a drained partition).
# DEV_MODE is read by sql/apply.sh only (extra parse-time index); both legacy views always exist.
input:
  broker:
    inputs:
      - label: store_in
        redpanda:
          seed_brokers: [ "\${KAFKA_BOOTSTRAP_SERVER:127.0.0.1:19092}" ]
          tls: { enabled: \${KAFKA_TLS:false}, root_cas_file: "\${KAFKA_TLS_CA_FILE:}", client_certs: \${KAFKA_TLS_CLIENT_CERTS:[]} }
          sasl: [ { mechanism: "\${KAFKA_SASL_MECHANISM:none}", username: "\${KAFKA_SASL_USER:}", password: "\${KAFKA_SASL_PASSWORD:}" } ]
          topics: [ "\${PARSED_TOPIC_NAME:signal-parsed}" ]
          consumer_group: "\${STORE_GROUP:nb67-store}"
          start_offset: earliest
          commit_period: 1s
          session_timeout: \${KAFKA_SESSION_TIMEOUT:15s}
          instance_id: "\${STORE_INSTANCE_ID:}"
          fetch_max_wait: \${KAFKA_FETCH_MAX_WAIT:50ms}
          max_yield_batch_bytes: 256KB
          # Order does not matter here (the natural key makes every write idempotent), so several
          # batches per partition may be in flight; offsets are committed in order (checkpointed).
          unordered_processing:
            enabled: true
            checkpoint_limit: \${STORE_CHECKPOINT_LIMIT:4096}
            batching:
              count: \${TSDB_BATCH:250}
              period: \${TSDB_BATCH_TIME:100ms}
      - label: store_maintenance_tick
        generate:
          interval: "@every \${STORE_MAINTENANCE_INTERVAL:1h}"
          mapping: |
            root = ""
            meta nb67_maintenance = "partitions"

pipeline:
  processors:
    - label: store_maintenance
      switch:
        - check: '@nb67_maintenance == "partitions"'
          processors:
            - label: store_maintain_sql
              sql_raw:
                driver: pgx
                dsn: ${dsn}
                query: CALL nb67_maintain_partitions()
                exec_only: true
            - mapping: root = deleted()

output:
  retry:
    backoff:
      initial_interval: 500ms
      max_interval: 10s
      max_elapsed_time: 0s
    output:
      switch:
        cases:
          - check: '"\${STORE_METHOD:insert}" != "bulk"'
            output:
              label: store_insert
              processors:
${item(VALIDATE, 16)}
${item(VALIDATE_CATCH, 16)}
              switch:
                cases:
                  - check: '@nb67_store_error != null'
                    output:
${indent(DEAD_LETTER, 22)}
                  - output:
                      fallback:
${item(INSERT_BATCH, 24)}
                        - switch:
                            cases:
                              - check: ${dataErr}
                                output:
${indent(rowwise("store_insert_rowwise"), 34)}
                              - output:
                                  reject: '\${! @fallback_error }'
          - check: '"\${STORE_METHOD:insert}" == "bulk"'
            output:
              label: store_bulk
              fallback:
                - sql_raw:
                    driver: pgx
                    dsn: ${dsn}
                    query: SELECT nb67_store_batch($1, $2, $3)
                    args_mapping: 'root = [ content().string(), "\${DEVICE_TZ:Asia/Shanghai}", "\${PARSE_TZ:UTC}" ]'
                    max_in_flight: \${STORE_MAX_IN_FLIGHT:2}
                  processors:
                    # A record with an nb67_row header (the decoder's row literal, ingest's default)
                    # travels as "<row>\\t<record>": PostgreSQL parses the row (~3x cheaper than the
                    # JSON) and keeps the record only for a dead letter. A header that is not one
                    # parenthesised line is ignored (the JSON is parsed instead).
                    - label: store_bulk_row
                      mapping: |
                        let r = @nb67_row.or("").string()
                        root = if $r.has_prefix("(") && $r.has_suffix(")") && !$r.contains("\\n") && !$r.contains("\\t") {
                          $r + "\\t" + content().string()
                        } else { content() }
                    - archive: { format: lines }
                - switch:
                    cases:
                      - check: ${dataErr}
                        output:
                          processors:
                            - unarchive: { format: lines }
                            - mapping: |
                                let parts = content().string().split("\\t")
                                root = if content().string().has_prefix("(") && $parts.length() == 2 { $parts.index(1) } else { content() }
${item(VALIDATE, 28)}
${item(VALIDATE_CATCH, 28)}
                          switch:
                            cases:
                              - check: '@nb67_store_error != null'
                                output:
${indent(DEAD_LETTER, 34)}
                              - output:
${indent(rowwise("store_bulk_rowwise"), 34)}
                      - output:
                          reject: '\${! @fallback_error }'

`;
}

export default function emit(model: Model) {
  return [
    { path: "sql/generated/05_macda_template.sql", content: templateSql(model) },
    { path: "sql/generated/15_macda_views.sql", content: viewsSql(model) },
    { path: "pipelines/store.yaml", content: storeYaml(model) },
  ];
}

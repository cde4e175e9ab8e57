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
import { readFileSync } from "node:fs";
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

// Every write into macda: an identical replay changes nothing, a key stored with other content is a
// conflict (nb67_store_conflict raises 23505). The row path's trigger, bulk's statement and sql_insert.
const ON_CONFLICT = "ON CONFLICT (dvc_no, dvc_time, msg_frame_no) DO UPDATE SET dvc_no = EXCLUDED.dvc_no WHERE nb67_store_conflict(macda, EXCLUDED)";

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
  // the frame fields of a row (natural key and parse time aside), for the conflict comparison
  const rowCmp = (a: string) => fields.filter((f) => f.id !== "msg_frame_no").map((f) => `${a}.${f.id}`).join(", ");
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

-- Both methods insert with ON CONFLICT (natural key) DO UPDATE ... WHERE nb67_store_conflict(macda, EXCLUDED):
-- false for an identical replay (nothing is updated), an error with SQLSTATE 23505 when the stored
-- row differs (parse time aside), so the store dead-letters the record as a conflict.
CREATE OR REPLACE FUNCTION nb67_store_conflict(old macda, new macda) RETURNS boolean
LANGUAGE plpgsql AS $cf$
BEGIN
  new.parse_time := old.parse_time;
  IF old IS NOT DISTINCT FROM new THEN
    RETURN false;
  END IF;
  RAISE EXCEPTION 'nb67 natural key conflict: % % % is stored with different content', old.dvc_no, old.dvc_time, old.msg_frame_no
    USING ERRCODE = 'unique_violation';
END
$cf$;

-- Insert path (STORE_METHOD=insert, the default) for records with the decoder's row literal: Connect's
-- sql_insert writes (row literal, device time, parse time) into macda_store_in (3 parameters a row,
-- table in sql/migrations/0105_store_insert_staging.sql); this statement trigger expands the rows of
-- that statement into macda in one INSERT with the same ON CONFLICT as every path, then deletes them,
-- so macda_store_in is empty outside a store transaction. Two records of one key in the statement, a
-- conflict (23505) or a bad literal fail the statement with a data error, and the store writes that
-- batch row by row, as it does for the JSON path.
CREATE OR REPLACE FUNCTION nb67_store_in_batch() RETURNS trigger
LANGUAGE plpgsql AS $tr$
BEGIN
  WITH w AS MATERIALIZED (
    SELECT s.dvc_ts, s.parse_ts, s.row_text::macda_row_shape AS w FROM nb67_store_in_rows s
  ), r AS MATERIALIZED (
    SELECT w.dvc_ts, w.parse_ts, (w.w).* FROM w
  )
  INSERT INTO macda (${insCols})
  SELECT
      ${insVals}
  FROM r
  ${ON_CONFLICT};
  DELETE FROM macda_store_in;
  RETURN NULL;
END
$tr$;

CREATE OR REPLACE TRIGGER macda_store_in_batch AFTER INSERT ON macda_store_in
  REFERENCING NEW TABLE AS nb67_store_in_rows
  FOR EACH STATEMENT EXECUTE FUNCTION nb67_store_in_batch();

-- Bulk path (STORE_METHOD=bulk): one statement per batch. batch = newline-separated lines, each
--   "#<partition>,<offset>,<t|b>\\t<nb67_row literal or empty>\\t<signal-parsed value>" (the store
--     stream: source coordinates from the broker, the value as it is (t) or base64 (b) when it holds a
--     line break, the row literal only when its identity matched the JSON), or
--   "<nb67_row literal>\\t<signal-parsed value>", or a signal-parsed value alone (envelope or bare
--     payload: parsed with json_populate_record).
-- Good rows go to macda. A row whose natural key is already stored (or appears earlier in the batch)
-- with the same content is a replay (ignored). With different content it is a conflict (first write
-- wins): against the batch's first record of that key, a dead letter "conflict: ..." here; against a
-- stored row, nb67_store_conflict() raises SQLSTATE 23505 (the store then goes row by row). Rows
-- whose device number, device time or parse time is invalid go to macda_dead_letter with the whole
-- value as evidence, key and reason bounded (the unique index holds at most 2,704 bytes). Returns: stored (rows now in macda: new or identical replays), dead
-- (dead letters, conflicts included), conflicts, written (new rows + new dead letters).
CREATE OR REPLACE FUNCTION nb67_store_lines(batch text, device_tz text, parse_tz text, source_topic text DEFAULT NULL,
  OUT stored integer, OUT dead integer, OUT conflicts integer, OUT written integer)
LANGUAGE sql AS $fn$
WITH lines AS (
  SELECT n, l,
         CASE WHEN left(l, 1) = '#' THEN split_part(l, E'\\t', 1) END AS hdr,
         CASE WHEN left(l, 1) = '#' THEN nullif(split_part(l, E'\\t', 2), '')
              WHEN left(l, 1) = '(' THEN split_part(l, E'\\t', 1) END AS row_text
  FROM unnest(string_to_array(batch, E'\\n')) WITH ORDINALITY AS u(l, n) WHERE l <> ''
), src AS MATERIALIZED (
  SELECT n, l, row_text,
         -- characters before the value: "#...\\t<row>\\t", "<row>\\t" or none
         CASE WHEN hdr IS NOT NULL THEN length(hdr) + length(coalesce(row_text, '')) + 2
              WHEN row_text IS NOT NULL THEN length(row_text) + 1 ELSE 0 END AS skip,
         coalesce(split_part(hdr, ',', 3) = 'b', false) AS b64,
         CASE WHEN split_part(substr(hdr, 2), ',', 1) ~ '^[0-9]{1,9}$' THEN split_part(substr(hdr, 2), ',', 1)::integer END AS part,
         CASE WHEN split_part(hdr, ',', 2) ~ '^[0-9]{1,18}$' THEN split_part(hdr, ',', 2)::bigint END AS off
  FROM lines
), from_row AS MATERIALIZED (
  SELECT s.n, s.row_text::macda_row_shape AS w FROM src s WHERE s.row_text IS NOT NULL
), from_json AS (
  SELECT s.n, coalesce(j -> 'payload', j) AS p
  FROM src s, LATERAL (SELECT (CASE WHEN s.b64 THEN convert_from(decode(substr(s.l, s.skip + 1), 'base64'), 'UTF8')
                                    WHEN s.skip = 0 THEN s.l ELSE substr(s.l, s.skip + 1) END)::json AS j) x
  WHERE s.row_text IS NULL
), rec AS MATERIALIZED (
  -- (the line itself stays in src: only a dead letter needs it)
  SELECT s.n, (s.w).* FROM from_row s
  UNION ALL
  SELECT j.n,
      ${jsonAsRow}
  FROM from_json j, json_populate_record(NULL::macda_json_shape, j.p) r
), chk AS MATERIALIZED (
  SELECT r.*, nb67_parse_local(r.msg_calc_dvc_time, device_tz) AS dvc_ts,
         nb67_parse_local(r.msg_calc_parse_time, parse_tz) AS parse_ts
  FROM rec r
), valid AS (
  SELECT * FROM chk r
  WHERE r.dvc_ts IS NOT NULL AND r.parse_ts IS NOT NULL AND r.msg_calc_dvc_no ~ '^[0-9]{7,8}$'
), ranked AS MATERIALIZED (
  -- the first record of each natural key in the batch is the one offered to macda
  SELECT r.*, row_number() OVER (k ORDER BY r.n) = 1 AS first, count(*) OVER k AS copies
  FROM valid r WINDOW k AS (PARTITION BY r.msg_calc_dvc_no, r.dvc_ts, r.msg_frame_no)
), good AS (
  INSERT INTO macda (${insCols})
  SELECT
      ${insVals}
  FROM ranked r WHERE r.first
  -- a key already stored: nothing for an identical replay; different content raises (23505), the
  -- batch fails and the store writes it row by row, where that record becomes a conflict dead letter
  -- (also when the row was committed by a concurrent batch this statement's snapshot does not see)
  ${ON_CONFLICT}
  RETURNING dvc_no, dvc_time, msg_frame_no
), dup AS MATERIALIZED (
  -- records whose key appears more than once in the batch: content hash against the first one's
  SELECT d.n, d.h <> first_value(d.h) OVER (PARTITION BY d.msg_calc_dvc_no, d.dvc_ts, d.msg_frame_no ORDER BY d.n) AS differs
  FROM (SELECT r.n, r.msg_calc_dvc_no, r.dvc_ts, r.msg_frame_no, md5(ROW(${rowCmp("r")})::text) AS h
        FROM ranked r WHERE r.copies > 1) d
), conf AS MATERIALIZED (
  -- a later record of a key in this batch with other content than the first one
  SELECT v.* FROM ranked v WHERE v.n IN (SELECT n FROM dup WHERE differs)
), rejected AS (
  SELECT r.n, r.msg_calc_dvc_no, r.msg_calc_dvc_time, r.msg_frame_no,
         CASE WHEN r.msg_calc_dvc_no IS NULL OR r.msg_calc_dvc_no !~ '^[0-9]{7,8}$' THEN 'invalid device number: ' || left(coalesce(r.msg_calc_dvc_no, 'missing'), 100)
              WHEN r.dvc_ts IS NULL THEN 'invalid device time: ' || left(coalesce(r.msg_calc_dvc_time, 'missing'), 100)
              ELSE 'invalid parse time: ' || left(coalesce(r.msg_calc_parse_time, 'missing'), 100) END AS reason
  FROM chk r
  WHERE r.dvc_ts IS NULL OR r.parse_ts IS NULL OR r.msg_calc_dvc_no IS NULL OR r.msg_calc_dvc_no !~ '^[0-9]{7,8}$'
  UNION ALL
  SELECT c.n, c.msg_calc_dvc_no, c.msg_calc_dvc_time, c.msg_frame_no,
         'conflict: the natural key is stored with different content'
  FROM conf c
), bad AS (
  INSERT INTO macda_dead_letter (dedup_key, reason, record, source_topic, source_partition, source_offset)
  SELECT CASE WHEN k.key IS NULL THEN 'md5:' || md5(x.record)
              WHEN octet_length(k.key) <= 120 THEN k.key ELSE 'md5:' || md5(k.key) END,
         r.reason, x.record, source_topic, s.part, s.off
  -- the whole value as evidence, only for the rows that go here
  FROM rejected r JOIN src s ON s.n = r.n,
       LATERAL (SELECT r.msg_calc_dvc_no || '|' || r.msg_calc_dvc_time || '|' || r.msg_frame_no::text AS key) k,
       LATERAL (SELECT CASE WHEN s.b64 THEN decode(substr(s.l, s.skip + 1), 'base64')
                            ELSE convert_to(substr(s.l, s.skip + 1), 'UTF8') END AS record) x
  ON CONFLICT DO NOTHING
  RETURNING 1
)
SELECT ((SELECT count(*) FROM valid) - (SELECT count(*) FROM conf))::integer,
       (SELECT count(*) FROM rejected)::integer,
       (SELECT count(*) FROM conf)::integer,
       ((SELECT count(*) FROM good) + (SELECT count(*) FROM bad))::integer
$fn$;

-- The earlier interface (tests, tools): the number of rows written (new rows + new dead letters).
CREATE OR REPLACE FUNCTION nb67_store_batch(batch text, device_tz text, parse_tz text)
RETURNS integer LANGUAGE sql AS $fn$
  SELECT written FROM nb67_store_lines(batch, device_tz, parse_tz, NULL)
$fn$;

`;
}

/**
 * store_row_check reads four fields of the ~2 KB row literal without splitting all of it (a split
 * allocated a string per field, ~12 KB a record, most of the store's garbage after the record itself):
 * it counts the commas, takes the frame number with a pattern anchored at the start, and splits only
 * the last ROW_TAIL_CHARS characters for the identity, which is among the last ROW_TAIL_MAX_FIELDS
 * fields (at most ~160 characters in a decoder's literal; a longer tail is not used: the JSON is).
 */
export const ROW_TAIL_CHARS = 256;
const ROW_TAIL_MAX_FIELDS = 12;
/** An RE2 pattern anchored at the start whose group 1 is field `index` of a comma-separated list. */
export function rowHeadPattern(index: number): string {
  return `^${index === 0 ? "" : index === 1 ? "[^,]*," : `(?:[^,]*,){${index}}`}([^,]*),`;
}

/** The store stream: codec/gen/store.template.yaml with the column lists and indices filled in. */
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
  const argsMapping = ["let p = this.payload | this", "root = [", ...args.map((a, i) => "  " + a + (i < args.length - 1 ? "," : "")), "]"].join("\n");
  const dataErr = String.raw`'errored() && error().re_match("SQLSTATE (21|22|23|54|42804)|failed assignment|expected number|expected .* value|cannot add types|mapping|non-structured|non-array")'`;
  // the row literal's fields (macda_row_shape): legacy fields, dvc_no, dvc_time, parse_time, extended
  const rowFields = model.legacy.length + 3 + model.extended.length;
  const frameIdx = model.legacy.findIndex((f) => f.id === "msg_frame_no");
  if (frameIdx < 0) throw new Error("emit-sql: no msg_frame_no");
  // the fields store_row_check reads: the frame number near the start, the identity and parse time
  // just after the legacy fields, near the end
  const rowHead = rowHeadPattern(frameIdx);
  const rowTail = { DVC: rowFields - model.legacy.length, TIME: rowFields - model.legacy.length - 1, PARSE: rowFields - model.legacy.length - 2 };
  if (frameIdx >= rowFields / 2 || Math.max(...Object.values(rowTail)) > ROW_TAIL_MAX_FIELDS)
    throw new Error("emit-sql: store_row_check reads msg_frame_no from the first half of the row literal and the identity from its last fields");

  // a local time "Y-M-D h:m:s" that is a real date in 2000-2099, zero-padded; else null
  const strictLocal = `map strict_local {
      let m = this.re_find_all_submatch("^(20[0-9][0-9])-([0-9]{1,2})-([0-9]{1,2}) ([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})$")
      let s = if $m.length() == 1 {
        "%s-%02d-%02d %02d:%02d:%02d".format($m.0.1, $m.0.2.number().int64(), $m.0.3.number().int64(), $m.0.4.number().int64(), $m.0.5.number().int64(), $m.0.6.number().int64())
      } else { null }
      let back = if $s != null { $s.ts_strptime("%Y-%m-%d %H:%M:%S").ts_format("2006-01-02 15:04:05", "UTC").catch(null) } else { null }
      root = if $back != null && $back == $s { $s } else { null }
    }`;
  const validate = (label: string) => `- label: ${label}
  mapping: |
    root = content()
    ${strictLocal}
    let p = this.payload | this
    let d = ($p.msg_calc_dvc_time | "").string().apply("strict_local")
    let t = ($p.msg_calc_parse_time | "").string().apply("strict_local")
    meta nb67_dvc_ts = if $d != null { $d + " \${DEVICE_TZ:Asia/Shanghai}" } else { deleted() }
    meta nb67_parse_ts = if $t != null { $t + " \${PARSE_TZ:UTC}" } else { deleted() }
    meta nb67_store_error = if @nb67_store_error != null {
      @nb67_store_error
    } else if !($p.msg_calc_dvc_no | "").string().re_match("^[0-9]{7,8}$") {
      "invalid device number: " + ($p.msg_calc_dvc_no | "missing").string()
    } else if $d == null {
      "invalid device time: " + ($p.msg_calc_dvc_time | "missing").string()
    } else if $t == null {
      "invalid parse time: " + ($p.msg_calc_parse_time | "missing").string()
    } else { deleted() }
    meta nb67_dedup_key = if $p.msg_calc_dvc_no != null && $p.msg_calc_dvc_time != null && $p.msg_frame_no != null {
      $p.msg_calc_dvc_no.string() + "|" + $p.msg_calc_dvc_time.string() + "|" + $p.msg_frame_no.string()
    } else { "md5:" + content().hash("md5").encode("hex") }
- catch:
    - mapping: |
        root = content()
        meta nb67_store_error = "not a record: " + error()
        meta nb67_dedup_key = "md5:" + content().hash("md5").encode("hex")`;
  // The same checks as validate(), on the row literal's device number, device time, frame no and parse
  // time that store_row_check put in nb67_row_key (tab-separated, unquoted; it checked that the
  // identity equals the JSON's), so no JSON parse and no second split of the literal; an empty field
  // (NULL in a row literal) is "missing".
  const validateRow = (label: string) => `- label: ${label}
  mapping: |
    root = content()
    ${strictLocal}
    let k = @nb67_row_key.or("").string().split("\\t")
    let no = if $k.length() == 4 && $k.index(0) != "" { $k.index(0) } else { null }
    let dt = if $k.length() == 4 && $k.index(1) != "" { $k.index(1) } else { null }
    let fr = if $k.length() == 4 && $k.index(2) != "" { $k.index(2) } else { null }
    let pt = if $k.length() == 4 && $k.index(3) != "" { $k.index(3) } else { null }
    let d = ($dt | "").apply("strict_local")
    let t = ($pt | "").apply("strict_local")
    meta nb67_dvc_ts = if $d != null { $d + " \${DEVICE_TZ:Asia/Shanghai}" } else { deleted() }
    meta nb67_parse_ts = if $t != null { $t + " \${PARSE_TZ:UTC}" } else { deleted() }
    meta nb67_store_error = if @nb67_store_error != null {
      @nb67_store_error
    } else if !($no | "").re_match("^[0-9]{7,8}$") {
      "invalid device number: " + ($no | "missing")
    } else if $d == null {
      "invalid device time: " + ($dt | "missing")
    } else if $t == null {
      "invalid parse time: " + ($pt | "missing")
    } else { deleted() }
    meta nb67_dedup_key = if $no != null && $dt != null && $fr != null {
      $no + "|" + $dt + "|" + $fr
    } else { "md5:" + content().hash("md5").encode("hex") }
- catch:
    - mapping: |
        root = content()
        meta nb67_store_error = "not a record: " + error()
        meta nb67_dedup_key = "md5:" + content().hash("md5").encode("hex")`;
  // one INSERT per record; a data error makes the record a dead letter (a conflict with its reason)
  const intoMacda = "table: macda\n        columns: *store_columns\n        args_mapping: *store_args\n        suffix: *store_suffix";
  // the same, defining the anchors (YAML: an alias must follow its anchor; this is the first use)
  const intoMacdaDefined = [
    "table: macda",
    "        columns: &store_columns",
    indentBlock(cols.map((c) => `- ${c}`).join("\n"), 10),
    "        args_mapping: &store_args |",
    indentBlock(argsMapping, 10),
    `        suffix: &store_suffix ${ON_CONFLICT}`,
  ].join("\n");
  const intoStoreIn = "table: macda_store_in\n        columns: *store_row_columns\n        args_mapping: *store_row_args";
  const rowwise = (label: string, into = intoMacda) => `- label: ${label}
  for_each:
    - sql_insert:
        driver: pgx
        dsn: ${DSN}
        ${into}
    - switch:
        - check: ${dataErr}
          processors:
            - catch:
                - mapping: |
                    root = content()
                    let c = error().contains("nb67 natural key conflict")
                    meta nb67_conflict = if $c { "true" } else { deleted() }
                    meta nb67_store_error = if $c { "conflict: the natural key is stored with different content" } else { error() }`;
  const ROWWISE = `${validate("store_bulk_validate")}
- switch:
    - check: '@nb67_store_error == null'
      processors:
${indentBlock(rowwise("store_bulk_rowwise"), 8)}`;

  // The row path's fallback: each record's literal alone; a record whose literal the database refuses
  // (a field out of range, say: not a conflict) is tried once more from its JSON, as bulk's fallback
  // stores every record, so a bad header never costs a good record.
  const ROWWISE_ROWS = `${rowwise("store_insert_rows_rowwise", intoStoreIn)}
- label: store_insert_rows_json_retry
  switch:
    - check: '@nb67_store_error != null && @nb67_conflict == null'
      processors:
        - mapping: |
            root = content()
            meta nb67_store_error = deleted()
            meta nb67_row = deleted()
${indentBlock(validate("store_insert_rows_json_validate"), 8)}
        - switch:
            - check: '@nb67_store_error == null'
              processors:
${indentBlock(rowwise("store_insert_rows_json_rowwise", intoMacdaDefined), 16)}`;

  const template = readFileSync(new URL("./store.template.yaml", import.meta.url), "utf8");
  const inline: Record<string, string> = {
    NOTE: GENERATED_NOTE,
    MAX_ROWS: String(maxRows),
    N_COLS: String(cols.length),
    DSN,
    DATA_ERROR: dataErr,
    ROW_FIELDS: String(rowFields),
    ROW_COMMAS: String(rowFields - 1),
    ROW_HEAD_RE: rowHead,
    ROW_TAIL_CHARS: String(ROW_TAIL_CHARS),
    ROW_TAIL_FIELDS: String(Math.max(...Object.values(rowTail))),
    ...Object.fromEntries(Object.entries(rowTail).map(([k, n]) => [`ROW_T_${k}`, String(n)])),
  };
  const blocks: Record<string, string> = {
    VALIDATE: validate("store_validate"),
    ROWWISE,
    ROWWISE_ONLY: rowwise("store_insert_rowwise"),
    VALIDATE_ROW: validateRow("store_validate_row"),
    ROWWISE_ROWS,
  };
  return template
    .split("\n")
    .map((line) => {
      const b = /^\{\{([A-Z_]+):(\d+)\}\}$/.exec(line);
      if (b) {
        if (!(b[1] in blocks)) throw new Error(`store.template.yaml: unknown block ${b[1]}`);
        return indentBlock(blocks[b[1]], Number(b[2]));
      }
      return line.replace(/\{\{([A-Z_]+)\}\}/g, (_, k: string) => {
        if (!(k in inline)) throw new Error(`store.template.yaml: unknown placeholder ${k}`);
        return inline[k];
      });
    })
    .join("\n");
}

const DSN = '"${TSDB_URL:postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable}"';

function indentBlock(text: string, n: number): string {
  return text
    .split("\n")
    .map((l) => (l ? " ".repeat(n) + l : l))
    .join("\n");
}

export default function emit(model: Model) {
  return [
    { path: "sql/generated/05_macda_template.sql", content: templateSql(model) },
    { path: "sql/generated/15_macda_views.sql", content: viewsSql(model) },
    { path: "pipelines/store.yaml", content: storeYaml(model) },
  ];
}

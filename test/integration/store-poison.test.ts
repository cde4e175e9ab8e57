// Hostile records on signal-parsed must never stop the store (both STORE_METHODs, the real store
// pipeline in streams mode with its /metrics, a private database, a one-partition topic so that a
// blocked record would block everything behind it):
// - a record whose device number holds a NUL (JSON "\u0000": PostgreSQL text cannot hold it);
// - a bad record with forged kafka_partition / kafka_offset / kafka_topic headers (headers override
//   Connect's kafka_* metadata): the dead letter carries the broker's coordinates or none, never
//   the forged ones;
// - a record whose dead-letter insert itself fails (a CHECK constraint added in this test database):
//   the last resort logs it, counts nb67_store_last_resort_total and moves on;
// - a valid pretty-printed (multi-line) record: stored like a one-line one, no dead letter;
// - an nb67_row header whose identity (device, device time, frame no) differs from the JSON: dead
//   letter, nothing stored under the forged identity;
// - a record with the natural key of a stored row but different content: dead letter ("conflict"),
//   nb67_rows_conflicts_total; an identical replay is neither;
// - the same with the decoder's row literal (nb67_row header), the insert method's default path
//   (3 parameters a row into macda_store_in, expanded by its statement trigger): a conflicting row, a
//   row with an impossible device time, an identical replay in the same batch; every good row passes
//   through macda_store_in, which is empty afterwards.
// Good rows before and after are all stored, the group's offsets reach the end, and the store's
// metrics (nb67_rows_*, nb67_store_last_resort_total, nb67_consumer_lag{stage="store"}) count it.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeKafka, createTopic, deleteTopic, partitionCount, produce, type ProduceRecord } from "../helpers/kafka.ts";
import { createTestDatabase, freePort, getStack, REPO_ROOT, type TestDatabase } from "../helpers/stack.ts";
import { loadModule, type WasmModule } from "../helpers/wasm-host.ts";
import { FrameSimulator } from "../../tools/sim/sim.ts";
import { groupLag, LOG_DIR, names, query, rowCount, waitFor } from "./ingest-support.ts";

const td = new TextDecoder();
let m: WasmModule;
const topics: string[] = [];
const dbs: TestDatabase[] = [];

interface Rec {
  env: { schema: unknown; payload: Record<string, number | string> };
  json: string;
  row: string;
  key: string;
}

function decoded(seed: number, n: number): Rec[] {
  const sim = new FrameSimulator({ trains: 1, start: Date.now() - 3600_000, seed });
  const out: Rec[] = [];
  for (const f of sim.frames(n)) {
    const r = m.call("decode", f.frame, { nb67_decode: "row=true;envelope=true;parse_time=2026-12-04 08:00:00" });
    if (r.meta.nb67_error) throw new Error(r.meta.nb67_error);
    const json = td.decode(r.body);
    const env = JSON.parse(json);
    out.push({ env, json, row: r.setMeta.nb67_row, key: `${env.payload.msg_calc_dvc_no}|${env.payload.msg_calc_dvc_time}|${env.payload.msg_frame_no}` });
  }
  return out;
}

/** Sum of every sample of a metric family (any labels; `want` filters on a label substring). */
function metric(text: string, name: string, want = ""): number | undefined {
  let sum: number | undefined;
  for (const line of text.split("\n")) {
    if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
    if (want && !line.includes(want)) continue;
    sum = (sum ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

interface Run {
  db: TestDatabase;
  topic: string;
  good: Rec[];
  dead: Array<{ reason: string; record: Buffer; source_topic: string | null; source_partition: number | null; source_offset: string | null }>;
  stored: Array<{ k: string; dwpower: string }>;
  metrics: string;
  log: string;
}

/**
 * Runs the store (streams mode, own HTTP port, private database, one-partition topic) over
 * `before` good records, the given records, `after` good records; waits until every good row is
 * stored and the group's offsets reach the end of the topic; returns what it left behind.
 */
async function runStore(
  method: "insert" | "bulk",
  tag: string,
  records: (good: Rec[]) => ProduceRecord[],
  expectRows: (good: Rec[]) => string[],
  setupSql: string[] = [],
  prepare?: (db: TestDatabase, good: Rec[]) => Promise<void>,
): Promise<Run> {
  const n = names(`${tag}-${method}`);
  topics.push(n.parsed);
  const db = await createTestDatabase(`${tag}_${method}`, { applySchema: true });
  dbs.push(db);
  for (const q of setupSql) await query(db.url, q);
  // a loaded broker may answer "does not host this topic-partition" while the topic is being created
  await waitFor("topic created", async () => (await createTopic(n.parsed, 1).catch(() => false), (await partitionCount(n.parsed)) === 1), 60_000, 1000);
  const good = decoded(method === "insert" ? 21 : 22, 26);
  if (prepare) await prepare(db, good);
  const stack = await getStack();
  const port = await freePort();
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = path.join(LOG_DIR, `${n.id}-store.log`);
  const out = createWriteStream(logFile, { flags: "a" });
  const proc = spawn(stack.connectBin, ["streams", "--no-api", "-o", "rpk-connect.yaml", "pipelines/store.yaml"], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      KAFKA_BOOTSTRAP_SERVER: stack.kafkaBrokers.join(","),
      CONNECT_HTTP_ADDRESS: `127.0.0.1:${port}`,
      PARSED_TOPIC_NAME: n.parsed,
      STORE_GROUP: n.storeGroup,
      TSDB_URL: db.url,
      STORE_METHOD: method,
      TSDB_BATCH_TIME: "50ms",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.pipe(out, { end: false });
  proc.stderr!.pipe(out, { end: false });
  const exited = new Promise((r) => proc.once("exit", r));
  try {
    // a topic just created may not be served yet on a loaded broker: retry the first write
    await waitFor("first write to the new topic", async () => (await produce(n.parsed, good.slice(0, 10).map(withRow)), true), 30_000, 1000);
    await produce(n.parsed, records(good));
    await produce(n.parsed, good.slice(10, 20).map(withRow));
    const keys = expectRows(good);
    await waitFor("every good row (before and after the hostile records)", async () => (await rowCount(db.url)) >= keys.length, 60_000, 500);
    await waitFor("offsets at the end of the topic", async () => (await groupLag(n.storeGroup, n.parsed)) === 0, 30_000, 500);
    await new Promise((r) => setTimeout(r, 500));
    const stored = await query<{ k: string; dwpower: string }>(
      db.url,
      "SELECT dvc_no || '|' || to_char(dvc_time AT TIME ZONE 'Asia/Shanghai', 'FMYYYY-FMMM-FMDD FMHH24:FMMI:FMSS') || '|' || msg_frame_no AS k, dwpower FROM macda ORDER BY 1",
    );
    expect(stored.map((r) => r.k).sort()).toEqual([...keys].sort());
    const dead = await query<Run["dead"][number]>(
      db.url,
      "SELECT reason, record, source_topic, source_partition, source_offset FROM macda_dead_letter ORDER BY id",
    );
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return { db, topic: n.parsed, good, dead, stored, metrics, log: readFileSync(logFile, "utf8") };
  } finally {
    proc.kill("SIGTERM");
    const t = setTimeout(() => proc.kill("SIGKILL"), 20_000);
    await exited;
    clearTimeout(t);
  }
}

/** The row literal of r with fields replaced (by macda_row_shape column name; values as in a literal). */
async function rowWith(db: TestDatabase, r: Rec, patch: Record<string, string>): Promise<string> {
  const cols = (await query<{ attname: string }>(db.url, "SELECT attname FROM pg_attribute WHERE attrelid = 'macda_row_shape'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum")).map((c) => c.attname);
  const f = r.row.slice(1, -1).split(",");
  expect(f.length).toBe(cols.length);
  for (const [k, v] of Object.entries(patch)) {
    const i = cols.indexOf(k);
    expect(i, k).toBeGreaterThanOrEqual(0);
    f[i] = v;
  }
  return "(" + f.join(",") + ")";
}
// counts the rows each statement writes into macda_store_in (the insert method's row path)
const COUNT_STORE_IN = [
  "CREATE TABLE test_store_in (n bigint NOT NULL)",
  `CREATE FUNCTION test_store_in() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN INSERT INTO test_store_in SELECT count(*) FROM test_rows; RETURN NULL; END $$`,
  "CREATE TRIGGER test_store_in AFTER INSERT ON macda_store_in REFERENCING NEW TABLE AS test_rows FOR EACH STATEMENT EXECUTE FUNCTION test_store_in()",
];

const withRow = (r: Rec): ProduceRecord => ({ key: String(r.env.payload.msg_calc_dvc_no), value: r.json, headers: { nb67_row: r.row } });
const variant = (r: Rec, patch: Record<string, number | string>) => JSON.stringify({ ...r.env, payload: { ...r.env.payload, ...patch } });
const goodKeys = (g: Rec[], extra: Rec[] = []) => [...g.slice(0, 20), ...extra].map((r) => r.key);
const byRecord = (run: Run, v: string) => run.dead.find((d) => d.record.toString() === v);

describe("store: hostile records are dead-lettered (or logged as a last resort) and never block", () => {
  beforeAll(async () => {
    m = await loadModule(path.join(REPO_ROOT, "dist", "nb67.wasm"));
  });
  afterAll(async () => {
    for (const t of topics) await deleteTopic(t).catch(() => {});
    for (const d of dbs) await d.drop().catch(() => {});
    await closeKafka();
  });

  for (const method of ["insert", "bulk"] as const) {
    it(`${method}: a record whose dead-letter write fails (NUL, raw bytes, forged kafka_partition, a failing insert) does not stop the store`, async () => {
      let nul = "";
      let badTime = "";
      let lastResort = "";
      // a value that is not UTF-8 text at all (raw NUL and 0xff bytes): PostgreSQL text cannot hold it
      const rawBytes = Buffer.concat([Buffer.from('{"payload": "'), Buffer.from([0x00, 0xff, 0xfe]), Buffer.from('"}')]);
      const run = await runStore(
        method,
        "poison",
        (g) => {
          nul = variant(g[20], { msg_calc_dvc_no: "\u0000" + "700203" });
          badTime = variant(g[21], { msg_calc_dvc_time: "2024-2-30 1:1:1" });
          lastResort = variant(g[22], { msg_calc_dvc_no: "lastresort" });
          return [
            { key: "nul", value: nul },
            { key: "forged-coordinates", value: badTime, headers: { kafka_partition: "x", kafka_offset: "y", kafka_topic: "forged" } },
            { key: "last-resort", value: lastResort },
            { key: "raw-bytes", value: rawBytes },
          ];
        },
        (g) => goodKeys(g),
        // the dead-letter insert of a record whose reason says "lastresort" fails with a data error
        ["ALTER TABLE macda_dead_letter ADD CONSTRAINT test_last_resort CHECK (reason NOT LIKE '%lastresort%')"],
      );
      expect(run.dead.length, JSON.stringify(run.dead.map((d) => d.reason))).toBe(3);
      // the raw bytes: kept byte for byte, the broker's coordinates (offset 13)
      const dRaw = run.dead.find((d) => d.record.equals(rawBytes));
      expect(dRaw, JSON.stringify(run.dead.map((d) => d.reason))).toBeDefined();
      expect(dRaw!.reason).toMatch(/^not a record: /);
      expect([dRaw!.source_partition, Number(dRaw!.source_offset)]).toEqual([0, 13]);
      // the NUL record: its bytes kept exactly, the reason escaped, the broker's coordinates (offset 10)
      const dNul = byRecord(run, nul);
      expect(dNul, JSON.stringify(run.dead.map((d) => d.reason))).toBeDefined();
      expect(dNul!.reason).toBe("invalid device number: \\u0000700203");
      expect([dNul!.source_topic, dNul!.source_partition, Number(dNul!.source_offset)]).toEqual([run.topic, 0, 10]);
      // masked coordinates: the broker's are not recoverable, so none are kept (never the forged ones)
      const dForged = byRecord(run, badTime);
      expect(dForged!.reason).toBe("invalid device time: 2024-2-30 1:1:1");
      expect([dForged!.source_topic, dForged!.source_partition, dForged!.source_offset]).toEqual([run.topic, null, null]);
      // the last resort: in the log (reason, coordinates, the record as base64), not in the table
      expect(byRecord(run, lastResort)).toBeUndefined();
      expect(run.log).toMatch(/nb67 store last resort/);
      expect(run.log).toContain(Buffer.from(lastResort).toString("base64"));
      expect(run.log).toMatch(/offset=12\b/);
      expect(metric(run.metrics, "nb67_rows_stored_total")).toBe(20);
      expect(metric(run.metrics, "nb67_rows_dead_lettered_total")).toBe(3);
      expect(metric(run.metrics, "nb67_store_last_resort_total")).toBe(1);
      expect(metric(run.metrics, "nb67_rows_conflicts_total") ?? 0).toBe(0);
      expect(metric(run.metrics, "nb67_consumer_lag", 'stage="store"')).toBeDefined();
    }, 180_000);

    it(`${method}: a valid pretty-printed (multi-line) record is stored, never split into lines`, async () => {
      const run = await runStore(
        method,
        "pretty",
        (g) => [{ key: "pretty", value: JSON.stringify(g[20].env, null, 2) }, { key: "tabs", value: JSON.stringify(g[21].env, null, "\t") }],
        (g) => goodKeys(g, [g[20], g[21]]),
      );
      expect(run.dead.map((d) => d.reason)).toEqual([]);
      expect(metric(run.metrics, "nb67_rows_stored_total")).toBe(22);
      expect(metric(run.metrics, "nb67_rows_dead_lettered_total") ?? 0).toBe(0);
    }, 180_000);

    it(`${method}: forged kafka_topic/partition/offset headers do not change the dead-letter evidence`, async () => {
      let bad = "";
      const run = await runStore(
        method,
        "forged",
        (g) => {
          bad = variant(g[20], { msg_calc_dvc_time: "2024-13-01 0:0:0" });
          return [{ key: "k", value: bad, headers: { kafka_topic: "forged", kafka_partition: "7", kafka_offset: "12345" } }];
        },
        (g) => goodKeys(g),
      );
      const d = byRecord(run, bad);
      expect(d, JSON.stringify(run.dead)).toBeDefined();
      expect([d!.source_topic, d!.source_partition, d!.source_offset]).toEqual([run.topic, null, null]);
    }, 180_000);

    it(`${method}: a conflicting record and a forged nb67_row identity are dead letters; an identical replay is not`, async () => {
      let conflict = "";
      let forgedJson = "";
      const run = await runStore(
        method,
        "conflict",
        (g) => {
          conflict = variant(g[0], { dwpower: Number(g[0].env.payload.dwpower) + 1 });
          forgedJson = g[20].json;
          return [
            { key: "conflict", value: conflict },
            // the row literal of another frame (other time and frame no) on the JSON of g[20]
            { key: "forged-row", value: g[20].json, headers: { nb67_row: g[21].row } },
            withRow(g[1]), // identical replay
          ];
        },
        (g) => goodKeys(g),
      );
      // first write wins: the stored row is the first one
      const first = run.good[0];
      expect(run.stored.find((r) => r.k === first.key)!.dwpower).toBe(String(first.env.payload.dwpower));
      expect(run.dead.length, JSON.stringify(run.dead.map((d) => d.reason))).toBe(2);
      expect(byRecord(run, conflict)!.reason).toBe("conflict: the natural key is stored with different content");
      expect(byRecord(run, forgedJson)!.reason).toMatch(/^nb67_row header does not match the record: row /);
      expect(metric(run.metrics, "nb67_rows_stored_total")).toBe(21); // 20 + the identical replay
      expect(metric(run.metrics, "nb67_rows_dead_lettered_total")).toBe(2);
      expect(metric(run.metrics, "nb67_rows_conflicts_total")).toBe(1);
    }, 180_000);

    it(`${method}: with row literals, a conflicting row and an impossible device time are dead letters, a replay in the batch is not`, async () => {
      let conflict = "";
      let badTime = "";
      let db: TestDatabase | undefined;
      const rows: Record<string, string> = {};
      const run = await runStore(
        method,
        "rows",
        (g) => {
          conflict = variant(g[0], { dwpower: Number(g[0].env.payload.dwpower) + 1 });
          badTime = variant(g[20], { msg_calc_dvc_time: "2024-2-30 1:1:1" });
          return [
            { key: "conflict", value: conflict, headers: { nb67_row: rows.conflict } },
            { key: "bad-time", value: badTime, headers: { nb67_row: rows.badTime } },
            withRow(g[1]),
            withRow(g[1]),
            // a producer's nb67_row_key header (the store's own metadata) changes nothing: a replay
            { ...withRow(g[2]), headers: { nb67_row: g[2].row, nb67_row_key: "1\tnot a time\t1\t" } },
          ];
        },
        (g) => goodKeys(g),
        COUNT_STORE_IN,
        async (d, g) => {
          db = d;
          rows.conflict = await rowWith(d, g[0], { dwpower: String(Number(g[0].env.payload.dwpower) + 1) });
          rows.badTime = await rowWith(d, g[20], { msg_calc_dvc_time: '"2024-2-30 1:1:1"' });
        },
      );
      const reasons = JSON.stringify(run.dead.map((d) => d.reason));
      expect(run.dead.length, reasons).toBe(2);
      expect(byRecord(run, conflict)!.reason).toBe("conflict: the natural key is stored with different content");
      expect(byRecord(run, badTime)!.reason).toBe("invalid device time: 2024-2-30 1:1:1");
      const first = run.good[0];
      expect(run.stored.find((r) => r.k === first.key)!.dwpower).toBe(String(first.env.payload.dwpower));
      expect(metric(run.metrics, "nb67_rows_stored_total")).toBe(23); // 20 + three identical replays
      expect(metric(run.metrics, "nb67_rows_conflicts_total")).toBe(1);
      const [{ n }] = await query<{ n: string }>(db!.url, "SELECT coalesce(sum(n), 0) AS n FROM test_store_in");
      const [{ left }] = await query<{ left: string }>(db!.url, "SELECT count(*) AS left FROM macda_store_in");
      expect(Number(left)).toBe(0);
      // insert: every good row and the conflict went through macda_store_in (batches, then row by
      // row after the conflict failed one); bulk never uses it
      if (method === "insert") expect(Number(n)).toBeGreaterThanOrEqual(23);
      else expect(Number(n)).toBe(0);
    }, 180_000);

    it(`${method}: an nb67_row header that is not one plain literal of the decoder's shape, or that the database refuses, costs nothing: the JSON is stored`, async () => {
      const inner = (r: Rec) => r.row.slice(1, -1).split(",");
      const run = await runStore(
        method,
        "oddrow",
        (g) => [
          { ...withRow(g[20]), headers: { nb67_row: "(" + inner(g[20]).slice(0, -1).join(",") + ")" } }, // a field short
          { ...withRow(g[21]), headers: { nb67_row: "(" + [...inner(g[21]), "1"].join(",") + ")" } }, // a field more
          { ...withRow(g[22]), headers: { nb67_row: inner(g[22]).join(",") } }, // no parentheses
          { ...withRow(g[23]), headers: { nb67_row: "(" + [...inner(g[23]).slice(0, -1), '"1,2"'].join(",") + ")" } }, // a quoted comma
          // the right number of fields and the identity intact, but a last field no decoder writes (a
          // 300-digit bigint) puts the identity beyond the last 256 characters: not read as a row
          // literal (before, insert took it and PostgreSQL's out-of-range error dead-lettered it)
          { ...withRow(g[24]), headers: { nb67_row: "(" + [...inner(g[24]).slice(0, -1), "9".repeat(300)].join(",") + ")" } },
          // the decoder's shape and identity, but a field in the middle the database refuses (out of
          // range): the literal fails, the record is stored from its JSON (before, insert
          // dead-lettered it; bulk's fallback always took the JSON)
          { ...withRow(g[25]), headers: { nb67_row: "(" + inner(g[25]).map((v, i) => (i === 100 ? "9".repeat(30) : v)).join(",") + ")" } },
        ],
        (g) => goodKeys(g, g.slice(20, 26)),
      );
      expect(run.dead.map((d) => d.reason)).toEqual([]);
      for (const r of [run.good[24], run.good[25]]) expect(run.stored.find((x) => x.k === r.key)!.dwpower).toBe(String(r.env.payload.dwpower));
      expect(metric(run.metrics, "nb67_rows_stored_total")).toBe(26);
    }, 180_000);
  }
});

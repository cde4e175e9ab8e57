// sql/40_predict.sql on the real PostgreSQL of the stack: nb67_predict_input() returns, per device
// with data in the last 3 minutes, exactly the aggregates the test computes itself from the same rows
// (exact percentile_cont, PostgreSQL round() half to even), per window, in pro and dev mode; the
// predict tables are idempotent per (device, run slot).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "../helpers/stack.ts";
import { createTemplateRow } from "../helpers/template-row.ts";

const RUN_AT = Date.parse("2026-11-22T10:00:00Z");
const MIN = 60_000;

// window -> [alias, percentile, round?, raw expression over a row]
type Row = Record<string, number>;
type Agg = [string, number, boolean, (r: Row) => number];
const v = (c: string, scale = 10) => (r: Row) => r[c]! / scale;
const b = (c: string) => (r: Row) => r[c]!; // 0/1 bits and unscaled values
const modes: Agg[] = [
  ["dvc_w_op_mode_u1", 0.95, true, b("wmode_u1")],
  ["dvc_w_op_mode_u2", 0.95, true, b("wmode_u2")],
];
const U4 = ["u11", "u12", "u21", "u22"];
const WINDOWS: Record<number, Agg[]> = {
  3: [
    ...modes,
    ...U4.map((u): Agg => [`f_cp_${u}`, 0.95, false, v(`f_cp_${u}`)]),
    ["w_crntu1_sub", 0.8, true, (r) => Math.abs(r.i_cp_u11! / 10 - r.i_cp_u12! / 10)],
    ["w_crntu2_sub", 0.8, true, (r) => Math.abs(r.i_cp_u21! / 10 - r.i_cp_u22! / 10)],
  ],
  5: [
    ...modes,
    ...U4.map((u): Agg => [`f_cp_${u}`, 0.95, false, v(`f_cp_${u}`)]),
    ...U4.map((u): Agg => [`suckp_${u}`, 0.9, false, v(`suckp_${u}`)]),
    ["fas_sub", 0.8, true, (r) => Math.abs(r.fas_u1! / 10 - r.fas_u2! / 10)],
    ["ras_sub", 0.8, true, (r) => Math.abs(r.ras_u1! / 10 - r.ras_u2! / 10)],
  ],
  10: [
    ...modes,
    ...U4.map((u): Agg => [`sp_${u}`, 0.95, false, v(`sp_${u}`)]),
    ...["cfbk_ef_u11", "cfbk_ef_u21", "cfbk_cf_u11", "cfbk_cf_u21"].map((c): Agg => [c, 0.95, false, b(c)]),
    ...U4.map((u): Agg => [`i_ef_${u}`, 0.95, false, v(`i_ef_${u}`)]),
    ...U4.map((u): Agg => [`i_cf_${u}`, 0.95, false, v(`i_cf_${u}`)]),
    ["fas_u1", 0.95, false, v("fas_u1")],
    ["fas_u2", 0.95, false, v("fas_u2")],
    ["cfbk_exufan", 0.95, false, b("cfbk_exufan")],
    ["i_exufan", 0.95, false, v("i_exufan")],
    ...U4.map((u): Agg => [`i_cp_${u}`, 0.95, false, v(`i_cp_${u}`)]),
  ],
  15: [...modes, ...U4.map((u): Agg => [`highpress_${u}`, 0.95, false, v(`highpress_${u}`)])],
  20: [
    ...modes,
    ...["bflt_tempover", "cfbk_ef_u11", "cfbk_ef_u21"].map((c): Agg => [c, 0.95, false, b(c)]),
    ...["aq_co2_u1", "aq_co2_u2", "aq_tvoc_u1", "aq_tvoc_u2", "aq_pm2_5_u1", "aq_pm2_5_u2", "aq_pm10_u1", "aq_pm10_u2"].map(
      (c): Agg => [c, 0.95, false, b(c)],
    ),
  ],
  30: [
    ...modes,
    ...["cfbk_ef_u11", "cfbk_ef_u21", "cfbk_cf_u11", "cfbk_cf_u21"].map((c): Agg => [c, 0.95, false, b(c)]),
    ["presdiff_u1", 0.95, false, v("presdiff_u1")],
    ["presdiff_u2", 0.95, false, v("presdiff_u2")],
  ],
};
const BITS = ["cfbk_ef_u11", "cfbk_ef_u21", "cfbk_cf_u11", "cfbk_cf_u21", "cfbk_exufan", "bflt_tempover"];
const INTS = [
  "wmode_u1", "wmode_u2", "aq_co2_u1", "aq_co2_u2", "aq_tvoc_u1", "aq_tvoc_u2", "aq_pm2_5_u1", "aq_pm2_5_u2", "aq_pm10_u1", "aq_pm10_u2",
  ...U4.flatMap((u) => [`f_cp_${u}`, `i_cp_${u}`, `suckp_${u}`, `sp_${u}`, `highpress_${u}`, `i_ef_${u}`, `i_cf_${u}`]),
  "fas_u1", "fas_u2", "ras_u1", "ras_u2", "i_exufan", "presdiff_u1", "presdiff_u2",
];

/** PostgreSQL percentile_cont on float8: lo + (pos - floor(pos)) * (hi - lo). */
function percentileCont(values: number[], p: number): number | null {
  if (!values.length) return null;
  const s = [...values].sort((x, y) => x - y);
  const pos = p * (s.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  const first = s[lo]!;
  if (lo === hi) return first;
  return first + (pos - lo) * (s[hi]! - first);
}
/** PostgreSQL round(float8) = rint(): half to even. */
function rint(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

let db: TestDatabase;
let client: pg.Client;
beforeAll(async () => {
  db = await createTestDatabase("predict_sql", { applySchema: true });
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query("SET jit = off");
  // template: the real frame's row, written by the store's own function
  await createTemplateRow(client, { dvcTime: "2026-11-22 17:00:00", parseTime: "2026-11-22 09:00:00" });
});
afterAll(async () => {
  await client?.end();
  await db?.drop();
});

let seed = 99;
const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));

interface Sample {
  dvc: string;
  dvcTime: number;
  parseTime: number;
  row: Row;
}
/** Insert samples as macda rows (raw integer columns), all other columns from the template frame. */
async function insert(samples: Sample[]): Promise<void> {
  for (let i = 0; i < samples.length; i += 500) {
    const chunk = samples.slice(i, i + 500).map((s, k) => ({
      ...Object.fromEntries(Object.entries(s.row).map(([c, x]) => [c, BITS.includes(c) ? x === 1 : x])),
      dvc_no: s.dvc,
      dvc_time: new Date(s.dvcTime).toISOString(),
      parse_time: new Date(s.parseTime).toISOString(),
      msg_frame_no: (i + k) % 65536,
    }));
    await client.query(
      `INSERT INTO macda SELECT r.* FROM tpl t, jsonb_array_elements($1::jsonb) o, LATERAL jsonb_populate_record(t, o) r`,
      [JSON.stringify(chunk)],
    );
  }
}

function randomRow(): Row {
  const r: Row = {};
  for (const c of BITS) r[c] = rnd() < 0.7 ? 1 : 0;
  for (const c of INTS) r[c] = int(-50, 400);
  r.wmode_u1 = int(0, 4);
  r.wmode_u2 = int(0, 4);
  return r;
}

async function check(devMode: boolean, samples: Sample[], devices: string[]): Promise<void> {
  const res = await client.query("SELECT * FROM nb67_predict_input($1, $2, '60 seconds')", [devMode, new Date(RUN_AT)]);
  expect(res.rows.map((r) => r.msg_calc_dvc_no)).toEqual(devices);
  for (const row of res.rows) {
    const input = JSON.parse(row.predict_input);
    expect(new Date(row.run_slot).getTime()).toBe(RUN_AT);
    const t = (s: Sample) => (devMode ? s.parseTime : s.dvcTime);
    // a sample dated more than the allowed clock skew (default 5 minutes) after the run is in no window
    const mine = samples.filter((s) => s.dvc === row.msg_calc_dvc_no && t(s) <= RUN_AT + 5 * MIN);
    for (const [w, aggs] of Object.entries(WINDOWS)) {
      const inWin = mine.filter((s) => t(s) > RUN_AT - Number(w) * MIN);
      const got = input[`data${w}m`];
      expect(Object.keys(got), `data${w}m`).toEqual(aggs.map((a) => a[0]));
      for (const [alias, p, round, f] of aggs) {
        let want = percentileCont(inWin.map((s) => f(s.row)), p);
        if (want !== null && round) want = rint(want);
        expect(got[alias], `${row.msg_calc_dvc_no} data${w}m.${alias}`).toBe(want);
      }
    }
    // identity: the device's latest sample
    const last = [...mine].sort((a, b) => t(b) - t(a))[0]!;
    expect(input.msg_calc_dvc_no).toBe(row.msg_calc_dvc_no);
    expect(input.msg_calc_train_no).toBe("07002");
    if (devMode) expect(new Date(input.msg_calc_parse_time).getTime()).toBe(last.parseTime);
    else expect(new Date(input.msg_calc_dvc_time).getTime()).toBe(last.dvcTime);
  }
}

describe("predict SQL: window aggregates (sql/40_predict.sql)", () => {
  const samples: Sample[] = [];

  it("pro mode (device time): exact percentiles per window equal the test's own computation", async () => {
    // A: 1 Hz over 40 min (some rows outside every window, some in the future as legacy allows)
    for (let s = -40 * 60; s <= 20; s++) samples.push({ dvc: "0700201", dvcTime: RUN_AT + s * 1000, parseTime: RUN_AT + s * 1000 + 700, row: randomRow() });
    // B: irregular, a few samples only, 2 of them inside 3 minutes
    for (const s of [-29 * 60, -14 * 60 - 1, -4 * 60, -2 * 60 - 59, -1]) {
      samples.push({ dvc: "0700202", dvcTime: RUN_AT + s * 1000, parseTime: RUN_AT + s * 1000, row: randomRow() });
    }
    // C: last sample 3 min + 1 s ago -> no row (legacy: no data in the 3 minute window, no prediction)
    for (let s = -20 * 60; s <= -181; s += 7) samples.push({ dvc: "0700203", dvcTime: RUN_AT + s * 1000, parseTime: RUN_AT + s * 1000, row: randomRow() });
    // D: exactly at the 3 minute boundary is outside ("time > run_at - 3 minutes")
    samples.push({ dvc: "0700204", dvcTime: RUN_AT - 180_000, parseTime: RUN_AT - 180_000, row: randomRow() });
    // E: only one sample -> every window has one value
    samples.push({ dvc: "0700205", dvcTime: RUN_AT - 5_000, parseTime: RUN_AT - 5_000, row: randomRow() });
    await insert(samples);
    await check(false, samples, ["0700201", "0700202", "0700205"]);
  });

  it("dev mode (parse time): windows follow msg_calc_parse_time", async () => {
    // F: device clock 1 hour behind, parse time current: in dev mode it is recent, in pro mode it is not
    const f: Sample[] = [];
    for (let s = -10 * 60; s <= 0; s += 3) f.push({ dvc: "0700206", dvcTime: RUN_AT + s * 1000 - 3_600_000, parseTime: RUN_AT + s * 1000, row: randomRow() });
    await insert(f);
    samples.push(...f);
    await check(true, samples, ["0700201", "0700202", "0700205", "0700206"]);
    await check(false, samples, ["0700201", "0700202", "0700205"]);
  });

  it("a future-dated frame (wrong device clock) keeps no device in the run and is in no window or identity", async () => {
    const g: Sample[] = [];
    // G: its only frame is dated tomorrow, received a second ago: not a device with recent data
    g.push({ dvc: "0700207", dvcTime: RUN_AT + 86_400_000, parseTime: RUN_AT - 1_000, row: randomRow() });
    // H: 10 minutes of ordinary samples plus one frame dated 2099 and one 4 minutes ahead (within the skew)
    for (let s = -10 * 60; s <= 0; s += 5) g.push({ dvc: "0700208", dvcTime: RUN_AT + s * 1000, parseTime: RUN_AT + s * 1000, row: randomRow() });
    g.push({ dvc: "0700208", dvcTime: Date.parse("2099-01-01T00:00:00Z"), parseTime: RUN_AT - 2_000, row: randomRow() });
    g.push({ dvc: "0700208", dvcTime: RUN_AT + 4 * MIN, parseTime: RUN_AT - 3_000, row: randomRow() });
    await insert(g);
    samples.push(...g);
    await check(false, samples, ["0700201", "0700202", "0700205", "0700208"]);
    const res = await client.query("SELECT predict_input FROM nb67_predict_input(false, $1, '60 seconds') WHERE msg_calc_dvc_no = '0700208'", [new Date(RUN_AT)]);
    expect(new Date(JSON.parse(res.rows[0].predict_input).msg_calc_dvc_time).getTime()).toBe(RUN_AT + 4 * MIN);
    // a zero skew leaves out the frame 4 minutes ahead too
    const strict = await client.query(
      "SELECT predict_input FROM nb67_predict_input(false, $1, '60 seconds', '0 seconds') WHERE msg_calc_dvc_no = '0700208'",
      [new Date(RUN_AT)],
    );
    expect(new Date(JSON.parse(strict.rows[0].predict_input).msg_calc_dvc_time).getTime()).toBe(RUN_AT);
  });

  it("the statement reads each device's 30 minutes through the (device, time) index, never the whole table", async () => {
    // The test table is small (a few thousand rows), where a sequential scan is the planner's honest
    // choice; bench/predict.sh shows the plan it picks on a day of 1 Hz data for 240 devices. Here we
    // check that the index paths exist and are what the statement uses once sequential scans are ruled out.
    await client.query("ANALYZE macda");
    await client.query("SET enable_seqscan = off");
    const sql = (await client.query("SELECT nb67_predict_input_sql(false) AS q")).rows[0].q;
    await client.query(`PREPARE pi(timestamptz, interval) AS ${sql}`);
    const plan = (await client.query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE pi('${new Date(RUN_AT).toISOString()}', '60 seconds')`)).rows[0]["QUERY PLAN"];
    const nodes: Array<Record<string, unknown>> = [];
    const walk = (n: Record<string, unknown>) => {
      nodes.push(n);
      for (const c of (n.Plans as Array<Record<string, unknown>>) ?? []) walk(c);
    };
    walk(plan[0].Plan);
    const onMacda = nodes.filter((n) => String(n["Relation Name"] ?? "").startsWith("macda"));
    expect(onMacda.length).toBeGreaterThan(0);
    if (process.env.PREDICT_DEBUG) console.log(onMacda.map((n) => `${n["Node Type"]} ${n["Relation Name"]} ${n["Index Name"] ?? ""} rows=${n["Actual Rows"]}`).join("\n"));
    // sequential scans only on empty partitions (the days ahead, DEFAULT): they read no row at all
    const seqRead = onMacda.filter(
      (n) => n["Node Type"] === "Seq Scan" && (Number(n["Actual Rows"]) > 0 || Number(n["Rows Removed by Filter"] ?? 0) > 0),
    );
    expect(seqRead.map((n) => n["Relation Name"])).toEqual([]);
    const indexes = nodes.map((n) => String(n["Index Name"] ?? ""));
    expect(indexes.some((i) => /dvc_no_dvc_time|natural_key/.test(i))).toBe(true); // (dvc_no, dvc_time, ..)
    expect(indexes.some((i) => /brin|dvc_time_idx/.test(i))).toBe(true); // recent devices
    await client.query("RESET enable_seqscan");
  });

  it("predict tables: one row per (device, run slot), a second insert is a no-op", async () => {
    const ins = `INSERT INTO pro_predict (msg_calc_dvc_time, msg_calc_parse_time, msg_calc_dvc_no, msg_calc_train_no, ref_leak_u11, run_slot, profile)
                 VALUES (now(), '2026-11-22 10:00:00', '0700201', '07002', $1, $2, 'default') ON CONFLICT (msg_calc_dvc_no, run_slot) DO NOTHING`;
    const slot = new Date(RUN_AT);
    expect((await client.query(ins, [1, slot])).rowCount).toBe(1);
    expect((await client.query(ins, [0, slot])).rowCount).toBe(0);
    const cols = (await client.query(`SELECT column_name FROM information_schema.columns WHERE table_name = 'dev_predict' ORDER BY ordinal_position`)).rows.map((r) => r.column_name);
    expect(cols.slice(0, 4)).toEqual(["msg_calc_parse_time", "msg_calc_dvc_time", "msg_calc_dvc_no", "msg_calc_train_no"]);
    expect(cols.slice(4, 30)[0]).toBe("ref_leak_u11");
    expect(cols.slice(4, 30)[25]).toBe("f_aq_u2");
  });
});

// End to end with the real stack's PostgreSQL and the real Connect binary: six carriages of one train
// at 1 Hz for 32 minutes in a steady cooling regime, with an injected refrigerant leak on unit 1
// compressor 1 of one carriage (suction 1.2 bar, high pressure 9 bar, superheat 15 K) and a clogged
// unit-1 filter on another (400 Pa) -> macda (rows derived from the real frame's row, written with
// SQL, see below) -> `redpanda-connect run pipelines/predict.yaml` with a 2 s interval -> pro_predict.
// Checks: the right flags for exactly those devices within two intervals, healthy devices all 0; two
// instances never double a row; a threshold changed in the YAML changes the decision without a
// rebuild; an invalid rules file stops the process at start with a clear error and writes nothing.
//
// This test pins the predict pipeline alone, on rows written with SQL so every window is exact and
// fast to set up. The simulator-driven path through the whole chain (frames -> Kafka -> ingest ->
// store -> predict -> faultreport -> platform) is test/integration/chain.test.ts.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, getStack, REPO_ROOT, type TestDatabase } from "../helpers/stack.ts";
import { createTemplateRow } from "../helpers/template-row.ts";

const LEAK = "0700102";
const FILTER = "0700104";
const INTERVAL_S = 2;
const FLAGS = [
  "ref_leak_u11", "ref_leak_u12", "ref_leak_u21", "ref_leak_u22", "f_cp_u1", "f_cp_u2", "f_fas", "f_ras",
  "cabin_overtemp", "f_presdiff_u1", "f_presdiff_u2", "f_ef_u11", "f_ef_u12", "f_ef_u21", "f_ef_u22",
  "f_cf_u11", "f_cf_u12", "f_cf_u21", "f_cf_u22", "f_exufan", "f_fas_u11", "f_fas_u12", "f_fas_u21",
  "f_fas_u22", "f_aq_u1", "f_aq_u2",
];
const WASM = process.env.NB67_WASM ?? path.join(REPO_ROOT, "dist/nb67.wasm");
const devices = ["0700101", "0700102", "0700103", "0700104", "0700105", "0700106"];

// Raw column values (0.1-scaled fields are stored x10) of a healthy unit in steady cooling; n(x, a) = x ± a.
const U4 = ["u11", "u12", "u21", "u22"];
const HEALTHY: Record<string, string> = {
  wmode_u1: "2", wmode_u2: "2",
  ...Object.fromEntries(U4.flatMap((u) => [
    [`f_cp_${u}`, "n(500, 20)"], [`i_cp_${u}`, "n(130, 3)"], [`suckp_${u}`, "n(46, 1)"], [`sp_${u}`, "n(60, 5)"],
    [`highpress_${u}`, "n(170, 3)"], [`i_ef_${u}`, "n(14, 1)"], [`i_cf_${u}`, "n(20, 1)"],
  ])),
  fas_u1: "n(300, 3)", fas_u2: "n(300, 3)", ras_u1: "n(250, 3)", ras_u2: "n(250, 3)",
  cfbk_ef_u11: "true", cfbk_ef_u21: "true", cfbk_cf_u11: "true", cfbk_cf_u21: "true", cfbk_exufan: "true",
  i_exufan: "n(19, 1)", presdiff_u1: "n(1500, 80)", presdiff_u2: "n(1500, 80)", bflt_tempover: "false",
  aq_co2_u1: "n(700, 40)", aq_co2_u2: "n(700, 40)", aq_tvoc_u1: "n(150, 20)", aq_tvoc_u2: "n(150, 20)",
  aq_pm2_5_u1: "n(25, 5)", aq_pm2_5_u2: "n(25, 5)", aq_pm10_u1: "n(45, 8)", aq_pm10_u2: "n(45, 8)",
};
const FAULTS: Record<string, Record<string, string>> = {
  [LEAK]: { suckp_u11: "n(12, 1)", highpress_u11: "n(90, 3)", sp_u11: "n(150, 5)" },
  [FILTER]: { presdiff_u1: "n(4000, 80)" },
};

let db: TestDatabase;
let client: pg.Client;
const procs: ChildProcess[] = [];

const utc = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace("T", " ");

beforeAll(async () => {
  await getStack();
  db = await createTestDatabase("predict_e2e", { applySchema: true });
  client = new pg.Client({ connectionString: db.url });
  await client.connect();
  await client.query("SET jit = off");
  // template: the real frame's row, written by the store's own function
  await createTemplateRow(client, { dvcTime: "2024-7-19 14:36:13", parseTime: "2024-07-19 06:36:14" });
  await client.query(
    "CREATE FUNCTION pg_temp.n(x int, a int) RETURNS int LANGUAGE sql AS 'SELECT x - a + floor(random() * (2 * a + 1))::int'",
  );
  const cols = (
    await client.query("SELECT column_name FROM information_schema.columns WHERE table_name = 'macda_template' ORDER BY ordinal_position")
  ).rows.map((r) => r.column_name as string);
  for (const dvc of devices) {
    const over: Record<string, string> = {
      ...HEALTHY,
      ...FAULTS[dvc],
      dvc_no: `'${dvc}'`,
      dvc_time: "ts",
      parse_time: "ts + interval '300 milliseconds'",
      msg_frame_no: "(s % 65536)",
      dvc_train_no: "7001",
      dvc_carriage_no: dvc.slice(5),
    };
    const list = cols.map((c) => (c in over ? over[c]!.replace(/\bn\(/g, "pg_temp.n(") : `t.${c}`)).join(", ");
    await client.query(
      `INSERT INTO macda (${cols.join(", ")})
       SELECT ${list} FROM tpl t, generate_series(0, 32 * 60 - 1) s, LATERAL (SELECT now() - (32 * 60 - 1 - s) * interval '1 second' AS ts) x`,
    );
  }
  expect((await client.query("SELECT count(*)::int AS n FROM macda")).rows[0].n).toBe(32 * 60 * 6);
}, 300_000);

afterAll(async () => {
  for (const p of procs) if (p.exitCode === null) p.kill("SIGTERM");
  await client?.end();
  await db?.drop();
});

function startConnect(env: Record<string, string>): { proc: ChildProcess; log: () => string } {
  let out = "";
  const proc = spawn(
    path.join(REPO_ROOT, ".tools/bin/redpanda-connect"),
    ["run", "--set", "http.enabled=false", "pipelines/predict.yaml"],
    {
      cwd: REPO_ROOT,
      env: { ...process.env, TSDB_URL: db.url, PREDICT_INTERVAL: `${INTERVAL_S}s`, DEV_MODE: "false", NB67_WASM: WASM, ...env },
    },
  );
  proc.stdout!.on("data", (d) => (out += d));
  proc.stderr!.on("data", (d) => (out += d));
  procs.push(proc);
  return { proc, log: () => out };
}
async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null) return;
  const done = new Promise((r) => p.once("exit", r));
  p.kill("SIGTERM");
  await done;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function latestRows(): Promise<Map<string, Record<string, unknown>>> {
  const rows = (
    await client.query(`SELECT DISTINCT ON (msg_calc_dvc_no) * FROM pro_predict ORDER BY msg_calc_dvc_no, run_slot DESC`)
  ).rows;
  return new Map(rows.map((r) => [r.msg_calc_dvc_no as string, r]));
}
const fired = (r: Record<string, unknown>) => FLAGS.filter((f) => r[f] === 1);

describe("predict end to end (PostgreSQL rows -> Connect predict stream -> predict table)", () => {
  it("leak and clogged filter flagged on exactly those devices within two intervals; healthy devices 0", async () => {
    const c = startConnect({});
    const t0 = Date.now();
    let rows = new Map<string, Record<string, unknown>>();
    while (Date.now() - t0 < 30_000) {
      rows = await latestRows();
      if (rows.size === devices.length) break;
      await sleep(250);
    }
    const firstRowsAfter = Date.now() - t0;
    await stop(c.proc);
    expect(rows.size, c.log()).toBe(devices.length);
    // start-up (~1 s) + at most two intervals
    expect(firstRowsAfter).toBeLessThan(2 * INTERVAL_S * 1000 + 5000);
    const got = Object.fromEntries([...rows].map(([d, r]) => [d, fired(r)]));
    const want = Object.fromEntries(devices.map((d) => [d, d === LEAK ? ["ref_leak_u11"] : d === FILTER ? ["f_presdiff_u1"] : []]));
    expect(got).toEqual(want);
    const r = rows.get(LEAK)!;
    expect(r.msg_calc_train_no).toBe("07001");
    expect(r.profile).toBe("default");
    expect(c.log()).not.toMatch(/level=error/);
  }, 60_000);

  it("two instances at once: one row per device and run slot, no errors", async () => {
    await client.query("TRUNCATE pro_predict");
    const a = startConnect({});
    const b = startConnect({});
    await sleep(4 * INTERVAL_S * 1000 + 1500);
    await Promise.all([stop(a.proc), stop(b.proc)]);
    const slots = (
      await client.query(
        `SELECT run_slot, count(*)::int AS n, count(DISTINCT msg_calc_dvc_no)::int AS d FROM pro_predict GROUP BY run_slot ORDER BY run_slot`,
      )
    ).rows;
    expect(slots.length).toBeGreaterThanOrEqual(3);
    for (const s of slots) {
      expect(s.n).toBe(s.d);
      expect(s.n).toBeLessThanOrEqual(devices.length);
    }
    expect(a.log() + b.log()).not.toMatch(/level=error/);
  }, 60_000);

  it("a threshold changed in the YAML changes the decision after a restart, same module", async () => {
    await client.query("TRUNCATE pro_predict");
    const dir = mkdtempSync(path.join(os.tmpdir(), "nb67-rules-"));
    const yaml = readFileSync(path.join(REPO_ROOT, "config/predict-rules.yaml"), "utf8");
    // legacy 2 bar; at 0.5 bar the simulated leak (suction pressure about 1.x bar) is no longer a leak
    const edited = yaml.replace(/suction_pressure_max: 2 /, "suction_pressure_max: 0.5 ").replace(/presdiff_max: 300 /, "presdiff_max: 30000 ");
    expect(edited).not.toBe(yaml);
    writeFileSync(path.join(dir, "rules.yaml"), edited);
    const c = startConnect({ PREDICT_RULES: path.join(dir, "rules.yaml") });
    const t0 = Date.now();
    let rows = new Map<string, Record<string, unknown>>();
    while (Date.now() - t0 < 30_000 && rows.size < devices.length) {
      await sleep(250);
      rows = await latestRows();
    }
    await stop(c.proc);
    expect(rows.size, c.log()).toBe(devices.length);
    for (const [d, r] of rows) expect(fired(r), d).toEqual([]);
  }, 60_000);

  it("threshold overrides in the database (console) apply at the next run without a restart; a rejected set skips runs", async () => {
    await client.query("TRUNCATE pro_predict");
    const c = startConnect({});
    const t0 = Date.now();
    let rows = new Map<string, Record<string, unknown>>();
    while (Date.now() - t0 < 30_000 && rows.size < devices.length) {
      await sleep(250);
      rows = await latestRows();
    }
    expect(fired(rows.get(LEAK)!), c.log()).toEqual(["ref_leak_u11"]);
    // an operator raises the thresholds: the leak and the filter are no longer faults
    await client.query(
      `INSERT INTO console_threshold_version (created_by, action, reason, overrides)
       VALUES ('test', 'set', 'e2e', '{"ref_leak": {"suction_pressure_max": 0.5}, "f_presdiff": {"presdiff_max": 30000}}')`,
    );
    const since = new Date();
    let after: Array<Record<string, unknown>> = [];
    while (Date.now() - since.getTime() < 20_000) {
      after = (await client.query("SELECT * FROM pro_predict WHERE run_slot > $1 AND msg_calc_dvc_no = ANY($2)", [since, [LEAK, FILTER]])).rows;
      if (after.length >= 2) break;
      await sleep(250);
    }
    expect(after.length, c.log()).toBeGreaterThanOrEqual(2);
    for (const r of after) expect(fired(r), String(r.msg_calc_dvc_no)).toEqual([]);
    // a set the module rejects: runs are skipped with the reason, the process keeps running
    await client.query(
      `INSERT INTO console_threshold_version (created_by, action, reason, overrides)
       VALUES ('test', 'set', 'e2e bad', '{"f_cf": {"current_max": "high"}}')`,
    );
    await sleep(2 * INTERVAL_S * 1000 + 1000);
    expect(c.proc.exitCode).toBeNull();
    await stop(c.proc);
    expect(c.log()).toMatch(/predict: run skipped, nothing written: rules with override version \d+ rejected: predict: nb67_params: 'f_cf.current_max' must be a number/);
    await client.query("DELETE FROM console_threshold_version");
  }, 90_000);

  it("DEV_MODE=true: parse-time windows, rows in dev_predict with the same decisions", async () => {
    const c = startConnect({ DEV_MODE: "true" });
    const t0 = Date.now();
    let rows: Array<Record<string, unknown>> = [];
    while (Date.now() - t0 < 30_000) {
      rows = (await client.query(`SELECT DISTINCT ON (msg_calc_dvc_no) * FROM dev_predict ORDER BY msg_calc_dvc_no, run_slot DESC`)).rows;
      if (rows.length === devices.length) break;
      await sleep(250);
    }
    await stop(c.proc);
    expect(rows.length, c.log()).toBe(devices.length);
    const got = Object.fromEntries(rows.map((r) => [r.msg_calc_dvc_no as string, fired(r)]));
    expect(got[LEAK]).toEqual(["ref_leak_u11"]);
    expect(got[FILTER]).toEqual(["f_presdiff_u1"]);
    expect(rows[0]!.msg_calc_parse_time).toBeInstanceOf(Date); // the time column of dev_predict
    expect(typeof rows[0]!.msg_calc_dvc_time).toBe("string"); // legacy text, unpadded
  }, 60_000);

  it("an invalid rules file stops the process at start with the parameter's name and nothing is written", async () => {
    await client.query("TRUNCATE pro_predict");
    const dir = mkdtempSync(path.join(os.tmpdir(), "nb67-rules-"));
    const yaml = readFileSync(path.join(REPO_ROOT, "config/predict-rules.yaml"), "utf8");
    writeFileSync(path.join(dir, "rules.yaml"), yaml.replace(/current_max: 2.9 /, "current_max: high "));
    const c = startConnect({ PREDICT_RULES: path.join(dir, "rules.yaml") });
    const exit = await Promise.race([new Promise((r) => c.proc.once("exit", r)), sleep(10_000).then(() => "running")]);
    await stop(c.proc);
    expect(exit, c.log()).not.toBe("running");
    expect(exit).not.toBe(0);
    expect(c.log()).toMatch(/level=fatal msg="predict: refusing to run: rules rejected \([^)]*rules.yaml\): predict: nb67_params: 'f_cf.current_max' must be a number"/);
    expect((await client.query("SELECT count(*)::int AS n FROM pro_predict")).rows[0].n).toBe(0);
    // a missing rules file stops the start-up with the reason
    const m = startConnect({ PREDICT_RULES: path.join(dir, "missing.yaml") });
    const code = await new Promise((r) => m.proc.once("exit", r));
    expect(code).not.toBe(0);
    expect(m.log()).toMatch(/missing\.yaml: no such file or directory/);
  }, 60_000);
});

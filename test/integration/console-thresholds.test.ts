// Threshold overrides from the console reach the predict stream at its next run, without a
// restart, are audited, and a rollback restores the factory behaviour at the run after that.
// Real PostgreSQL, the real predict pipeline (Connect + dist/nb67.wasm), the console's API.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { loadConfig } from "../../console/server/config.ts";
import { startConsole, type RunningConsole } from "../../console/server/start.ts";
import { addUser } from "../../console/server/users/store.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/stack.ts";
import { startConnect, stopConnect, waitFor, type ConnectProc } from "./ingest-support.ts";
import { record, Session, store } from "./console-support.ts";

const DEV = "0700101";
let db: TestDatabase;
let pool: pg.Pool;
let c: RunningConsole;
let predict: ConnectProc | undefined;
let eng: Session;

beforeAll(async () => {
  db = await createTestDatabase("console_thr", { applySchema: true });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  await addUser(pool, "eng", "engineer", "test", "engineer-password-1");
  await addUser(pool, "viewer", "viewer", "test", "viewer-password-1");
  // 30 minutes of rows up to 4 minutes ahead (within MAX_CLOCK_SKEW): the fresh-air sensors of the
  // two units disagree by 5 degC, below the factory limit of f_fas (8), above an override of 3.
  const now = Date.now();
  const recs = [];
  for (let s = -30 * 60; s <= 4 * 60; s += 10) recs.push(record(DEV, new Date(now + s * 1000), { set: { fas_u1: 25, fas_u2: 20 } }));
  await store(pool, recs);
  c = await startConsole(loadConfig({ TSDB_URL: db.url, CONSOLE_ADDRESS: "127.0.0.1:0", CONSOLE_LIVE: "false", PREDICT_INTERVAL: "5s" }), { logger: false });
  eng = new Session(c.url);
  expect((await eng.login("eng", "engineer-password-1")).status).toBe(200);
  predict = await startConnect("pipelines/predict.yaml", { TSDB_URL: db.url, PREDICT_INTERVAL: "5s", DEV_MODE: "false" }, `console-thr-predict-${Date.now().toString(36)}`);
});
afterAll(async () => {
  await c?.close();
  await stopConnect(predict);
  await pool?.end();
  await db?.drop();
});

const flagAfter = (t: Date) =>
  waitFor(`a predict row after ${t.toISOString()}`, async () => {
    const { rows } = await pool.query("SELECT f_fas, run_slot FROM pro_predict WHERE msg_calc_dvc_no = $1 AND run_slot > $2 ORDER BY run_slot LIMIT 1", [DEV, t]);
    return rows[0] as { f_fas: number; run_slot: Date } | undefined;
  }, 60_000);

describe("console thresholds", () => {
  it("refuses an invalid value with the module's own reason and previews a diff without saving", async () => {
    const bad = await eng.send("PUT", "/api/thresholds", { reason: "try", changes: { f_aq: { decimals: 7 } } });
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.error).toBe("invalid_thresholds");
    expect(body.message).toMatch(/f_aq\.decimals/);
    const pv = await eng.send("POST", "/api/thresholds/preview", { changes: { f_fas: { temp_diff_max: 3 } } });
    expect(pv.status).toBe(200);
    expect(await pv.json()).toMatchObject({ valid: true, changes: [{ group: "f_fas", name: "temp_diff_max", factory: 8, before: 8, after: 3 }] });
    expect((await eng.json("/api/thresholds")).version).toBe(0);
  });

  it("applies an override at the next predict run, audits it, and rolls it back", async () => {
    const before = await flagAfter(new Date(Date.now() - 60_000));
    expect(before.f_fas).toBe(0);

    const put = await eng.send("PUT", "/api/thresholds", { reason: "sensor pair drifts, tighten", changes: { f_fas: { temp_diff_max: 3 } } });
    expect(put.status).toBe(200);
    const saved = await put.json();
    expect(saved.version).toBeGreaterThan(0);
    expect(Date.parse(saved.applies_at)).toBeGreaterThan(Date.now());
    const changedAt = new Date();
    const on = await flagAfter(changedAt);
    expect(on.f_fas).toBe(1);
    const st = await eng.json("/api/thresholds");
    expect(st.params.find((p: { group: string; name: string }) => p.group === "f_fas" && p.name === "temp_diff_max")).toMatchObject({ factory: 8, value: 3, overridden: true });

    const rb = await eng.send("POST", "/api/thresholds/rollback", { version: 0, reason: "back to factory" });
    expect(rb.status).toBe(200);
    const rolledAt = new Date();
    const off = await flagAfter(rolledAt);
    expect(off.f_fas).toBe(0);

    const hist = await eng.json("/api/thresholds/history");
    expect(hist.items.map((h: { action: string }) => h.action)).toEqual(["rollback", "set"]);
    const { rows } = await pool.query("SELECT actor, action, reason, before, after FROM console_audit WHERE target_kind = 'thresholds' ORDER BY id");
    expect(rows.map((r) => `${r.actor}:${r.action}`)).toEqual(["eng:thresholds.set", "eng:thresholds.rollback"]);
    expect(rows[0].after.changes).toEqual([{ group: "f_fas", name: "temp_diff_max", factory: 8, before: 8, after: 3 }]);
    expect(rows[1].reason).toBe("back to factory");
  }, 180_000);

  it("refuses threshold changes from a viewer", async () => {
    const v = new Session(c.url);
    await v.login("viewer", "viewer-password-1");
    expect((await v.send("PUT", "/api/thresholds", { reason: "x", changes: { f_fas: { temp_diff_max: 1 } } })).status).toBe(403);
  });
});

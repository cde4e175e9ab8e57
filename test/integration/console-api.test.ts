// The console service against a real PostgreSQL (schema by sql/apply.sh): authorisation and
// lock-out, fleet and offline detection from device_latest, episodes from the report SQL with
// acknowledge, shelve (not queued for the platform) and auto-unshelve when it clears and recurs,
// trends over raw rows and rollups, and an export of 100,000 rows whose count equals the database's.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { loadConfig } from "../../console/server/config.ts";
import { startConsole, type RunningConsole } from "../../console/server/start.ts";
import { addUser } from "../../console/server/users/store.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/stack.ts";
import { record, Session, store } from "./console-support.ts";

let db: TestDatabase;
let pool: pg.Pool;
let c: RunningConsole;
const PW = { admin: "admin-password-1", eng: "engineer-password-1", viewer: "viewer-password-1" };

beforeAll(async () => {
  db = await createTestDatabase("console_api", { applySchema: true });
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  await addUser(pool, "admin", "admin", "test", PW.admin);
  await addUser(pool, "eng", "engineer", "test", PW.eng);
  await addUser(pool, "viewer", "viewer", "test", PW.viewer);
  c = await startConsole(loadConfig({ TSDB_URL: db.url, CONSOLE_ADDRESS: "127.0.0.1:0", CONSOLE_LIVE: "false", OFFLINE_AFTER: "4s", CONSOLE_LOGIN_MAX_FAILURES: "3", CONNECT_READY_URLS: "http://127.0.0.1:1/ready" }), { logger: false });
});
afterAll(async () => {
  await c?.close();
  await pool?.end();
  await db?.drop();
});

describe("console authorisation", () => {
  it("401 without a session, 403 for a viewer's write and for a write without the CSRF token", async () => {
    const anon = new Session(c.url);
    expect((await anon.get("/api/fleet")).status).toBe(401);
    const v = new Session(c.url);
    expect((await v.login("viewer", PW.viewer)).status).toBe(200);
    expect(v.cookie).toMatch(/^nb67_session=/);
    expect((await v.get("/api/fleet")).status).toBe(200);
    const w = await v.send("POST", "/api/thresholds/reset", { reason: "try" });
    expect(w.status).toBe(403);
    expect((await w.json()).error).toBe("forbidden");
    const e = new Session(c.url);
    await e.login("eng", PW.eng);
    const noCsrf = await e.send("POST", "/api/thresholds/reset", { reason: "try" }, false);
    expect(noCsrf.status).toBe(403);
    expect((await noCsrf.json()).error).toBe("csrf");
  });

  it("sets an HttpOnly SameSite=Strict cookie and ends the session on logout", async () => {
    const r = await fetch(`${c.url}/api/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "viewer", password: PW.viewer }) });
    const sc = r.headers.get("set-cookie") ?? "";
    expect(sc).toMatch(/HttpOnly/i);
    expect(sc).toMatch(/SameSite=Strict/i);
    const s = new Session(c.url);
    await s.login("viewer", PW.viewer);
    expect((await s.send("POST", "/api/logout")).status).toBe(204);
    expect((await s.get("/api/session")).status).toBe(401);
  });

  it("locks a user out after repeated bad logins, even with the right password, and audits logins", async () => {
    const s = new Session(c.url);
    for (let i = 0; i < 3; i++) expect((await s.login("eng", "wrong-password")).status).toBe(401);
    const locked = await s.login("eng", PW.eng);
    expect(locked.status).toBe(429);
    expect((await locked.json()).error).toBe("locked");
    // the lock lives in PostgreSQL: a second console instance refuses too
    const c2 = await startConsole(loadConfig({ TSDB_URL: db.url, CONSOLE_ADDRESS: "127.0.0.1:0", CONSOLE_LIVE: "false", CONSOLE_LOGIN_MAX_FAILURES: "3" }), { logger: false });
    try {
      expect((await new Session(c2.url).login("eng", PW.eng)).status).toBe(429);
    } finally {
      await c2.close();
    }
    await pool.query("DELETE FROM console_login_failure WHERE username = 'eng'");
    expect((await s.login("eng", PW.eng)).status).toBe(200);
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM console_audit WHERE action = 'login' AND actor = 'eng'");
    expect(rows[0].n).toBeGreaterThan(0);
  });

  it("lets an admin add a user whose random password works, and refuses that to an engineer", async () => {
    const a = new Session(c.url);
    await a.login("admin", PW.admin);
    const r = await a.send("POST", "/api/users", { name: "Operator1", role: "viewer" });
    expect(r.status).toBe(201);
    const { password } = await r.json();
    expect(password).toMatch(/^[A-Za-z2-9]{20}$/);
    expect((await new Session(c.url).login("operator1", password)).status).toBe(200);
    const e = new Session(c.url);
    await e.login("eng", PW.eng);
    expect((await e.send("POST", "/api/users", { name: "x2", role: "admin" })).status).toBe(403);
  });
});

describe("console fleet, episodes, shelve", () => {
  const DEV = "0700103";
  const OTHER = "0700104";
  let eng: Session;
  const base = Date.now() - 20 * 60_000;
  const at = (s: number) => new Date(base + s * 1000);
  const update = () => pool.query("SELECT report_update_events(p_dev_mode => false, p_settle => '0 seconds', p_lookback => '1 day')");

  beforeAll(async () => {
    eng = new Session(c.url);
    await eng.login("eng", PW.eng);
  });

  it("discovers trains and devices from the data and reports a fault bit as an alarm at once", async () => {
    await store(pool, [record(DEV, at(0)), record(OTHER, at(0)), record(DEV, at(1), { bits: ["bocflt_ef_u11"] }), record(OTHER, at(1))]);
    const f = await eng.json("/api/fleet");
    const train = f.trains.find((t: { train_no: string }) => t.train_no === "07001");
    expect(train.devices.map((d: { dvc_no: string }) => d.dvc_no)).toEqual([DEV, OTHER]);
    const d = train.devices[0];
    expect(d.status).toBe("alarm");
    expect(d.live_faults).toEqual(["bocflt_ef_u11"]);
    expect(train.devices[1].status).toBe("normal");
    expect(train.status).toBe("alarm");
    const dev = await eng.json(`/api/devices/${DEV}`);
    const tveh = dev.fields.find((x: { id: string }) => x.id === "tveh_1");
    expect(tveh.unit).toBe("degC");
    expect(typeof tveh.value).toBe("number");
    expect(dev.fields.length).toBeGreaterThan(200);
  });

  it("acknowledges and shelves an episode: audited, counted apart, not queued for the platform; auto-unshelved when it clears and recurs", async () => {
    await update();
    const list = await eng.json(`/api/episodes?state=active&dvc_no=${DEV}`);
    expect(list.total).toBe(1);
    const ep = list.items[0];
    expect(ep.kind).toBe("alarm");
    expect(ep.code).toBe("HVAC327");
    const ack = await eng.send("POST", `/api/episodes/${ep.id}/ack`, { note: "crew informed" });
    expect(ack.status).toBe(200);
    expect((await ack.json()).ack.by).toBe("eng");
    expect((await eng.send("POST", `/api/episodes/${ep.id}/ack`, { note: "again" })).status).toBe(409);

    // the outbox of the platform: shelve before the start record is queued
    await pool.query("UPDATE report_event SET start_queued = false WHERE id = $1", [ep.id]);
    await pool.query("DELETE FROM report_outbox WHERE event_id = $1", [ep.id]);
    const until = new Date(Date.now() + 3600_000).toISOString();
    const sh = await eng.send("POST", `/api/episodes/${ep.id}/shelve`, { reason: "sensor known bad, repair booked", until });
    expect(sh.status).toBe(200);
    expect((await sh.json()).shelve.reason).toMatch(/repair booked/);
    expect((await pool.query("SELECT nb67_event_shelved($1) AS s", [ep.id])).rows[0].s).toBe(true);
    await update();
    const queued = await pool.query("SELECT count(*)::int AS n FROM report_outbox WHERE event_id = $1", [ep.id]);
    expect(queued.rows[0].n).toBe(0);
    // the bit is still set but its episode is shelved: the device counts as shelved, not alarm
    const f = await eng.json("/api/fleet");
    expect(f.trains[0].devices[0].status).toBe("shelved");
    expect(f.totals.devices.shelved).toBe(1);
    const stats = await eng.json(`/api/episodes/stats?from=${new Date(base - 60_000).toISOString()}&to=${new Date().toISOString()}`);
    expect(stats.shelved).toBe(1);

    // clears, then recurs: the shelve ends (audited by system), the new episode is not shelved
    await store(pool, [record(DEV, at(2)), record(DEV, at(3), { bits: ["bocflt_ef_u11"] })]);
    await update();
    const after = await eng.json(`/api/episodes?dvc_no=${DEV}&state=all`);
    expect(after.total).toBe(2);
    const [recurred, first] = after.items;
    expect(first.id).toBe(ep.id);
    expect(first.active).toBe(false);
    expect(first.shelve).toBeNull();
    expect(recurred.active).toBe(true);
    expect(recurred.shelve).toBeNull();
    expect((await pool.query("SELECT nb67_event_shelved($1) AS s", [recurred.id])).rows[0].s).toBe(false);
    const audit = await pool.query("SELECT actor, action, reason FROM console_audit WHERE target_kind = 'episode' AND target = $1 ORDER BY id", [String(ep.id)]);
    expect(audit.rows.map((r) => `${r.actor}:${r.action}`)).toEqual(["eng:episode.ack", "eng:episode.shelve", "system:episode.unshelve"]);
    expect(audit.rows[2].reason).toBe("episode cleared");
    const f2 = await eng.json("/api/fleet");
    expect(f2.trains[0].devices[0].status).toBe("alarm");
    const detail = await eng.json(`/api/episodes/${ep.id}`);
    expect(detail.signals.series.map((s: { field: string }) => s.field)).toContain("bocflt_ef_u11");
    expect(detail.history.map((h: { action: string }) => h.action)).toEqual(["episode.ack", "episode.shelve", "episode.unshelve"]);
  });

  it("marks a device offline when nothing arrived for OFFLINE_AFTER", async () => {
    await store(pool, [record("0700201", new Date())]);
    const fresh = (await eng.json("/api/fleet")).trains.find((t: { train_no: string }) => t.train_no === "07002");
    expect(fresh.devices[0].status).toBe("normal");
    await new Promise((r) => setTimeout(r, 4500));
    const later = (await eng.json("/api/fleet")).trains.find((t: { train_no: string }) => t.train_no === "07002");
    expect(later.devices[0].status).toBe("offline");
    expect(later.status).toBe("offline");
  });
});

describe("console trends and exports", () => {
  const DEV = "0700305";
  let v: Session;
  beforeAll(async () => {
    v = new Session(c.url);
    await v.login("viewer", PW.viewer);
  });

  it("serves raw points for an hour and rollups for longer ranges, at most ~2,000 points", async () => {
    const end = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 3 * 60_000);
    const recs = [];
    for (let s = 0; s < 3 * 3600; s += 10) recs.push(record(DEV, new Date(end.getTime() - s * 1000), { set: { fas_u1: 20 + (s % 100) / 10 } }));
    await store(pool, recs);
    await pool.query("SELECT console_rollup_run(p_settle => '0 seconds', p_backfill => '4 hours')");
    const again = await pool.query("SELECT console_rollup_run(p_settle => '0 seconds', p_backfill => '4 hours') AS r");
    expect(again.rows[0].r.rows_1m).toBe(0); // re-running the window changes nothing
    const q = (from: Date, to: Date) => v.json(`/api/trends?dvc_no=${DEV}&fields=fas_u1,ras_u1&from=${from.toISOString()}&to=${to.toISOString()}`);
    const h1 = await q(new Date(end.getTime() - 3600_000), end);
    expect(h1.resolution).toBe("raw");
    expect(h1.series[0].points.length).toBeGreaterThan(300);
    expect(h1.series[0].unit).toBe("degC");
    const p = h1.series[0].points[0];
    expect(p[1]).toBeGreaterThanOrEqual(20);
    expect(p[1]).toBeLessThan(30); // scaled x0.1
    const d1 = await q(new Date(end.getTime() - 86400_000), end);
    expect(d1.resolution).toBe("1m");
    expect(d1.series[0].points.length).toBeGreaterThan(100);
    expect(d1.series[0].points.length).toBeLessThanOrEqual(2000);
    const y1 = await q(new Date(end.getTime() - 365 * 86400_000), end);
    expect(y1.resolution).toBe("1h");
    expect(y1.series[0].points.length).toBeLessThanOrEqual(2000);
  });

  it("exports 100,000 raw rows as CSV with a BOM, row count equal to the database's", async () => {
    const DEV2 = "0700406";
    const t0 = new Date(Date.now() - 30 * 3600_000);
    await store(pool, [record(DEV2, t0, { frameNo: 0 })]);
    // 99,999 more rows, one per second, copied from that row (column list from the catalogue)
    const { rows: cols } = await pool.query("SELECT attname FROM pg_attribute WHERE attrelid = 'macda'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum");
    const expr = (c: string) => (c === "dvc_time" || c === "parse_time" ? `m.${c} + g * interval '1 second'` : c === "msg_frame_no" ? "g % 65536" : `m."${c}"`);
    await pool.query(`INSERT INTO macda SELECT ${cols.map((r) => expr(r.attname)).join(", ")} FROM macda m, generate_series(1, 99999) g WHERE m.dvc_no = $1`, [DEV2]);
    const from = new Date(t0.getTime() - 1000).toISOString();
    const to = new Date(t0.getTime() + 200_000_000).toISOString();
    const r = await v.get(`/api/exports/raw.csv?dvc_no=${DEV2}&from=${from}&to=${to}`);
    expect(r.status).toBe(200);
    expect(r.headers.get("content-type")).toMatch(/text\/csv/);
    const buf = Buffer.from(await r.arrayBuffer());
    expect([...buf.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = buf.toString("utf8").split("\n").filter((l) => l.length);
    const { rows } = await pool.query("SELECT count(*)::int AS n FROM pro_macda WHERE msg_calc_dvc_no = $1 AND msg_calc_dvc_time >= $2 AND msg_calc_dvc_time < $3", [DEV2, from, to]);
    expect(rows[0].n).toBe(100_000);
    expect(lines.length - 1).toBe(rows[0].n);
    expect(lines[0].replace(/^\uFEFF/, "").split(",")[0]).toBe("msg_calc_dvc_time");
    const tooLong = await v.get(`/api/exports/raw.csv?dvc_no=${DEV2}&from=2020-01-01T00:00:00Z&to=2021-01-01T00:00:00Z`);
    expect(tooLong.status).toBe(400);
  }, 300_000);

  it("exports the episode list with the same filters as CSV", async () => {
    const from = new Date(Date.now() - 86400_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const api = await v.json(`/api/episodes?from=${from}&to=${to}&limit=500`);
    const r = await v.get(`/api/exports/episodes.csv?from=${from}&to=${to}`);
    expect(r.status).toBe(200);
    const lines = (await r.text()).split("\n").filter((l) => l.length);
    expect(lines.length - 1).toBe(api.total);
    expect(api.total).toBeGreaterThan(0);
  });
});

// Console features computed from seeded data in a private database: component health against the
// rated life in config/component-life.yaml, MTBF/MTTR from closed episodes, pipeline health
// (Connect readiness from a real HTTP server, dead letters and the platform outbox), the threshold
// backtest (exact episode counts of one rule) and a prediction episode's explanation. Every
// expected value is derived here from what the test seeded, not copied from an answer.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { parse } from "yaml";
import { loadConfig } from "../../console/server/config.ts";
import { startConsole, type RunningConsole } from "../../console/server/start.ts";
import { addUser } from "../../console/server/users/store.ts";
import { createTestDatabase, REPO_ROOT, type TestDatabase } from "../helpers/stack.ts";
import { record, Session, store } from "./console-support.ts";

let db: TestDatabase;
let pool: pg.Pool;
let c: RunningConsole;
let ready: Server;
let readyBase = "";
let v: Session;
const PW = "viewer-password-features-1";
const DAY = 86400_000;

beforeAll(async () => {
  // Two Connect stand-ins: /up/ready answers 200, /down/ready 503.
  ready = createServer((req, res) => {
    if (req.url === "/up/ready") res.writeHead(200).end("OK");
    else if (req.url === "/down/ready") res.writeHead(503).end("input not connected");
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => ready.listen(0, "127.0.0.1", r));
  readyBase = `http://127.0.0.1:${(ready.address() as AddressInfo).port}`;
  db = await createTestDatabase("console_features", { applySchema: true });
  pool = new pg.Pool({ connectionString: db.url, max: 4 });
  await addUser(pool, "viewer", "viewer", "test", PW);
  c = await startConsole(
    loadConfig({ TSDB_URL: db.url, CONSOLE_ADDRESS: "127.0.0.1:0", CONSOLE_LIVE: "false", CONNECT_READY_URLS: `${readyBase}/up/ready,${readyBase}/down/ready` }),
    { logger: false },
  );
  v = new Session(c.url);
  expect((await v.login("viewer", PW)).status).toBe(200);
});
afterAll(async () => {
  await c?.close();
  await pool?.end();
  await db?.drop();
  await new Promise((r) => (ready ? ready.close(r) : r(undefined)));
});

interface LifeComponent {
  id: string;
  counter: string;
  unit: "seconds" | "actions";
  rated: number;
}
const life = parse(readFileSync(path.join(REPO_ROOT, "config/component-life.yaml"), "utf8")) as { bands: { watch: number; replace: number }; rate_window_days: number; components: LifeComponent[] };

describe("component health", () => {
  const DEV = "0900101";
  it("reports used share, band and projected date from the counters against the rated life", async () => {
    const byId = new Map(life.components.map((x) => [x.id, x]));
    const div = (x: LifeComponent) => (x.unit === "seconds" ? 3600 : 1);
    const { watch, replace } = life.bands;
    // target shares of rated life now: one per band and both band edges exactly
    const target: Record<string, number> = { ef_u1: 50, cf_u1: watch, cp_u11: (watch + replace) / 2, cp_u12: replace, fad_u1: replace + 5, rad_u1: 101 };
    const now = Math.floor(Date.now() / 1000) * 1000; // the device clock has whole seconds
    const t1 = new Date(now - 60_000);
    const t0 = new Date(now - 20 * DAY); // inside the rate window
    const tOut = new Date(now - (life.rate_window_days + 10) * DAY); // outside: must not set the rate
    const elapsedDays = (t1.getTime() - t0.getTime()) / DAY;
    const setNow: Record<string, number> = {};
    const setOld: Record<string, number> = {};
    const setOut: Record<string, number> = {};
    for (const x of life.components) {
      const pct = target[x.id] ?? 10;
      setNow[x.counter] = Math.round(((pct / 100) * x.rated * div(x)));
      // moved by 1 % of the rated life over the 20 days (rad_u1: did not move at all)
      setOld[x.counter] = x.id === "rad_u1" ? setNow[x.counter] : setNow[x.counter] - Math.round(0.01 * x.rated * div(x));
      setOut[x.counter] = 0;
    }
    await store(pool, [record(DEV, tOut, { set: setOut }), record(DEV, t0, { set: setOld }), record(DEV, t1, { set: setNow })]);
    // the stored counters are what the test set (no scaling in between)
    const stored = await pool.query(`SELECT "${byId.get("ef_u1")!.counter}"::bigint AS n FROM macda WHERE dvc_no = $1 AND dvc_time = $2`, [DEV, t1]);
    expect(Number(stored.rows[0].n)).toBe(setNow[byId.get("ef_u1")!.counter]);

    const before = Date.now();
    const h = await v.json(`/api/health/components?dvc_no=${DEV}`);
    const after = Date.now();
    expect(h.bands).toEqual(life.bands);
    expect(h.devices.map((d: { dvc_no: string }) => d.dvc_no)).toEqual([DEV]);
    const got = new Map<string, any>(h.devices[0].components.map((x: { id: string }) => [x.id, x]));
    expect([...got.keys()].sort()).toEqual(life.components.map((x) => x.id).sort());
    const bandOf = (p: number) => (p >= replace ? "replace" : p >= watch ? "watch" : "healthy");
    for (const x of life.components) {
      const g = got.get(x.id);
      const used = setNow[x.counter] / div(x);
      const pct = (used / x.rated) * 100;
      expect(g.counter).toBe(x.counter);
      expect(g.rated).toBe(x.rated);
      expect(g.used).toBeCloseTo(used, 0);
      expect(g.pct).toBeCloseTo(pct, 1);
      expect(g.band).toBe(bandOf(Math.round(pct * 10) / 10));
      const moved = (setNow[x.counter] - setOld[x.counter]) / div(x);
      if (moved === 0) {
        expect(g.rate_per_day).toBeNull();
        // no rate: a date only when the rated life is already used up (today)
        expect(g.projected_date).toBe(used >= x.rated ? new Date(after).toISOString().slice(0, 10) : null);
        continue;
      }
      const rate = moved / elapsedDays;
      expect(g.rate_per_day).toBeCloseTo(rate, 2);
      const dates = [before, after].map((t) => (used >= x.rated ? new Date(t) : new Date(t + ((x.rated - used) / rate) * DAY)).toISOString().slice(0, 10));
      expect(dates).toContain(g.projected_date);
    }
    // every band is exercised, edges included
    expect(got.get("ef_u1").band).toBe("healthy");
    expect(got.get("cf_u1").band).toBe("watch");
    expect(got.get("cp_u11").band).toBe("watch");
    expect(got.get("cp_u12").band).toBe("replace");
    expect(got.get("rad_u1").band).toBe("replace");
    // the counter's rate: 1 % of rated life in 20 days -> the rest of the life at that pace
    expect(got.get("ef_u1").rate_per_day).toBeCloseTo((0.01 * life.components.find((x) => x.id === "ef_u1")!.rated) / elapsedDays, 2);

    // by train: every device of the train
    const t = await v.json(`/api/health/components?train_no=${DEV.slice(0, 5)}`);
    expect(t.devices.map((d: { dvc_no: string }) => d.dvc_no)).toEqual([DEV]);
    expect((await v.get("/api/health/components?dvc_no=0999999")).status).toBe(404);
  });
});

describe("reliability", () => {
  const TRAIN = "09002";
  const DEVS = ["0900201", "0900202", "0900203"];
  const from = new Date(Math.floor(Date.now() / 3600_000) * 3600_000 - 10 * DAY);
  const to = new Date(from.getTime() + 7 * DAY);
  const H = 3600_000;
  // [dvc, code, kind, start offset h, duration h | null (open)]
  const EPISODES: [string, string, "fault" | "predict", number, number | null][] = [
    [DEVS[0], "HVAC901", "fault", 1, 2],
    [DEVS[0], "HVAC901", "fault", 10, 3.5],
    [DEVS[1], "HVAC901", "fault", 30, 0.25],
    [DEVS[1], "HVAC901", "fault", 50, null], // open: counts as an episode, not in MTTR
    [DEVS[2], "HVAC902", "fault", 5, 1],
    [DEVS[2], "HVAC903", "predict", 7, 6],
    [DEVS[0], "HVAC901", "fault", -2, 1], // starts before the range: not counted
    [DEVS[0], "HVAC901", "fault", 7 * 24, 1], // starts at `to`: not counted
  ];
  const hours = (to.getTime() - from.getTime()) / H;
  const inRange = EPISODES.filter((e) => e[3] >= 0 && from.getTime() + e[3] * H < to.getTime());

  function expected(key: (e: (typeof EPISODES)[number]) => string, devices: (k: string) => number, eps = inRange) {
    const m = new Map<string, { episodes: number; cleared: number; mtbf_h: number; mttr_h: number | null }>();
    const keys = [...new Set(eps.map(key))];
    for (const k of keys) {
      const mine = eps.filter((e) => key(e) === k);
      const closed = mine.filter((e) => e[4] !== null).map((e) => e[4] as number);
      m.set(k, {
        episodes: mine.length,
        cleared: closed.length,
        mtbf_h: (devices(k) * hours) / mine.length,
        mttr_h: closed.length ? closed.reduce((a, b) => a + b, 0) / closed.length : null,
      });
    }
    return m;
  }
  function check(items: any[], want: ReturnType<typeof expected>) {
    expect(items.map((i) => i.key).sort()).toEqual([...want.keys()].sort());
    for (const i of items) {
      const w = want.get(i.key)!;
      expect(i.episodes).toBe(w.episodes);
      expect(i.cleared).toBe(w.cleared);
      expect(i.mtbf_h).toBeCloseTo(w.mtbf_h, 1);
      if (w.mttr_h === null) expect(i.mttr_h).toBeNull();
      else expect(i.mttr_h).toBeCloseTo(w.mttr_h, 2);
    }
  }

  it("gives MTTR as the mean duration of cleared episodes and MTBF as device-hours per episode", async () => {
    await store(pool, DEVS.map((d) => record(d, new Date(Date.now() - 120_000))));
    for (const [dvc, code, kind, startH, durH] of EPISODES) {
      const s = new Date(from.getTime() + startH * H);
      const e = durH === null ? null : new Date(s.getTime() + durH * H);
      await pool.query(
        "INSERT INTO report_event (dvc_no, train_no, carriage, event_key, source_kind, code, start_time, end_time, status) VALUES ($1, $2, $3, $4, $5, $4, $6, $7, $8)",
        [dvc, TRAIN, Number(dvc.slice(-2)), code, kind, s, e, e ? "closed" : "open"],
      );
    }
    const q = (extra: string) => v.json(`/api/reliability?from=${from.toISOString()}&to=${to.toISOString()}&train_no=${TRAIN}${extra}`);
    const nDev = DEVS.length;

    const byCode = await q("&by=code");
    expect(byCode.devices).toBe(nDev);
    check(byCode.items, expected((e) => e[1], () => nDev));
    // sanity of the derivation for the main code: 3 episodes, MTTR (2 + 3.5 + 0.25) / 3 h
    expect(byCode.items.find((i: { key: string }) => i.key === "HVAC901").mttr_h).toBeCloseTo(5.75 / 3, 2);

    check((await q("&by=dvc_no")).items, expected((e) => e[0], () => 1));
    check((await q("&by=train_no")).items, expected(() => TRAIN, () => nDev));
    check((await q("&by=code&kind=warning")).items, expected((e) => e[1], () => nDev, inRange.filter((e) => e[2] === "predict")));
    check((await q("&by=code&kind=alarm")).items, expected((e) => e[1], () => nDev, inRange.filter((e) => e[2] === "fault")));
    expect((await v.get(`/api/reliability?from=${to.toISOString()}&to=${from.toISOString()}`)).status).toBe(400);
  });
});

describe("pipeline health", () => {
  it("reports Connect readiness per URL, recent dead letters and the outbox backlog and last delivery", async () => {
    const now = Date.now();
    const ms = (t: number) => new Date(Math.floor(t));
    const dead = [10 * 60_000, 50 * 60_000, 3 * 3600_000, 20 * 3600_000, 2 * DAY, 3 * DAY].map((ago) => ms(now - ago));
    let i = 0;
    for (const t of dead) await pool.query("INSERT INTO macda_dead_letter (received_at, dedup_key, reason, record) VALUES ($1, $2, 'short', $3)", [t, `features-${i++}`, Buffer.from([1, 2, 3])]);
    const wantHour = dead.filter((t) => t.getTime() > now - 3600_000).length;
    const wantDay = dead.filter((t) => t.getTime() > now - DAY).length;

    const ev = await pool.query(
      "INSERT INTO report_event (dvc_no, train_no, carriage, event_key, source_kind, code, start_time, status) VALUES ('0900301', '09003', 1, 'HVAC904', 'fault', 'HVAC904', $1, 'open') RETURNING id",
      [ms(now - DAY)],
    );
    const id = ev.rows[0].id;
    // [kind, seq, created ago, sent ago | null, cancelled, last_error]
    const OUT: [string, number, number, number | null, boolean, string | null][] = [
      ["start", 0, 5 * 3600_000, 4 * 3600_000, false, null],
      ["repush", 1, 3 * 3600_000, 2 * 3600_000, false, null],
      ["repush", 2, 90 * 60_000, null, true, "HTTP 400 (cancelled)"],
      ["repush", 3, 60 * 60_000, null, false, "HTTP 502 from the platform"],
      ["repush", 4, 30 * 60_000, null, false, null],
      ["end", 0, 10 * 60_000, null, false, null],
    ];
    const rows = OUT.map(([kind, seq, cAgo, sAgo, canc, err]) => ({ kind, seq, created: ms(now - cAgo), sent: sAgo === null ? null : ms(now - sAgo), cancelled: canc ? ms(now - 60_000) : null, err }));
    for (const r of rows)
      await pool.query("INSERT INTO report_outbox (event_id, record_kind, seq, message_type, created_at, sent_at, cancelled_at, last_error) VALUES ($1, $2, $3, '0', $4, $5, $6, $7)", [id, r.kind, r.seq, r.created, r.sent, r.cancelled, r.err]);
    const pending = rows.filter((r) => r.sent === null && r.cancelled === null);

    const p = await v.json("/api/pipeline");
    const byUrl = new Map<string, any>(p.connect.map((x: { url: string }) => [x.url, x]));
    expect(byUrl.get(`${readyBase}/up/ready`)).toMatchObject({ ready: true, status: 200, error: null });
    expect(byUrl.get(`${readyBase}/down/ready`)).toMatchObject({ ready: false, status: 503, detail: "input not connected" });
    expect(p.dead_letters.store_hour).toBe(wantHour);
    expect(p.dead_letters.store_day).toBe(wantDay);
    expect(p.dead_letters.predict_hour).toBe(0);
    expect(p.outbox.pending).toBe(pending.length);
    expect(p.outbox.failing).toBe(pending.filter((r) => r.err !== null).length);
    expect(p.outbox.oldest_pending).toBe(new Date(Math.min(...pending.map((r) => r.created.getTime()))).toISOString());
    expect(p.outbox.last_delivery).toBe(new Date(Math.max(...rows.filter((r) => r.sent).map((r) => r.sent!.getTime()))).toISOString());
    expect(p.outbox.last_error).toBe(pending.filter((r) => r.err !== null).at(-1)!.err);

    // a delivery of the oldest pending record moves both the backlog and the last delivery
    const sentNow = ms(Date.now());
    await pool.query("UPDATE report_outbox SET sent_at = $2, last_error = NULL WHERE event_id = $1 AND record_kind = 'repush' AND seq = 3", [id, sentNow]);
    const p2 = await v.json("/api/pipeline");
    expect(p2.outbox.pending).toBe(pending.length - 1);
    expect(p2.outbox.failing).toBe(0);
    expect(p2.outbox.last_error).toBeNull();
    expect(p2.outbox.last_delivery).toBe(sentNow.toISOString());
    expect(p2.outbox.oldest_pending).toBe(pending[1].created.toISOString());
  });
});

// Prediction rule f_fas (from config/predict-rules.yaml): fires when round(p80 |fas_u1 - fas_u2| @5m)
// exceeds temp_diff_max. Rows are seeded as the legacy (scaled) record values, in °C.
const rules = parse(readFileSync(path.join(REPO_ROOT, "config/predict-rules.yaml"), "utf8")) as { f_fas: { temp_diff_max: number; decimals: number } };
const T = rules.f_fas.temp_diff_max;

describe("threshold backtest and prediction explanation", () => {
  let eng: Session;
  beforeAll(async () => {
    await addUser(pool, "eng", "engineer", "test", "engineer-password-features-1");
    eng = new Session(c.url);
    expect((await eng.login("eng", "engineer-password-features-1")).status).toBe(200);
  });

  it("counts more f_fas episodes with a lower temp_diff_max than the factory value and fewer with a higher one, exactly", async () => {
    const DEV = "0900401";
    const now = Math.floor(Date.now() / 1000) * 1000;
    // days=1: the backtest runs at now - i * step (96 runs); each seeded segment sits 1-4 minutes
    // before one run, so only that run's window (-5 min .. +5 min) sees it.
    const step = (86400 / 96) * 1000;
    const mid = T - 1;
    const high = T + 2;
    const pattern = [high, 0, mid, 0, high, mid, 0, high]; // runs i = 8 .. 1, oldest first
    const recs = [];
    for (let k = 0; k < pattern.length; k++) {
      const runAt = now - (pattern.length - k) * step;
      for (let s = 60; s <= 240; s += 10) recs.push(record(DEV, new Date(runAt - s * 1000), { set: { fas_u2: 20, fas_u1: 20 + pattern[k] } }));
    }
    await store(pool, recs);
    const edges = (thr: number) => pattern.filter((d, k) => d > thr && !(k > 0 && pattern[k - 1] > thr)).length;
    const bt = async (value: number | null) => {
      const r = await eng.send("POST", "/api/thresholds/backtest", { changes: { f_fas: { temp_diff_max: value } }, days: 1, dvc_no: DEV });
      expect(r.status).toBe(200);
      return r.json();
    };
    const lower = await bt(T - 2);
    const higher = await bt(T + 4);
    const factory = await bt(null);
    expect(lower.runs).toBe(96);
    expect(lower.devices).toBe(1);
    const ff = (x: any) => x.by_rule.f_fas ?? 0;
    expect(ff(factory.current)).toBe(edges(T));
    expect(ff(factory.proposed)).toBe(edges(T));
    expect(ff(lower.current)).toBe(edges(T));
    expect(ff(lower.proposed)).toBe(edges(T - 2));
    expect(ff(higher.proposed)).toBe(edges(T + 4));
    expect(edges(T - 2)).toBeGreaterThan(edges(T));
    expect(edges(T + 4)).toBeLessThan(edges(T));
    // the other rules do not change with f_fas's parameter
    expect(lower.proposed.episodes - ff(lower.proposed)).toBe(lower.current.episodes - ff(lower.current));
    // an invalid proposal is refused with the module's reason
    const bad = await eng.send("POST", "/api/thresholds/backtest", { changes: { f_fas: { decimals: -5 } }, days: 1 });
    expect(bad.status).toBe(400);
  }, 120_000);

  it("explains a prediction episode: the condition that fired, the window value and the thresholds in force", async () => {
    const DEV = "0900501";
    const start = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 20 * 60_000);
    const diff = T + 2; // whole degrees: the explanation reports the window value as the rule rounds it
    const recs = [];
    for (let s = 0; s <= 240; s += 10) recs.push(record(DEV, new Date(start.getTime() - s * 1000), { set: { fas_u2: 21, fas_u1: 21 + diff } }));
    await store(pool, recs);
    const key = (await pool.query("SELECT event_key FROM report_alert_source WHERE source = 'f_fas' AND kind = 'predict'")).rows[0].event_key;
    const ins = await pool.query(
      "INSERT INTO report_event (dvc_no, train_no, carriage, event_key, source_kind, code, start_time, status) VALUES ($1, $2, 1, $3, 'predict', $3, $4, 'open') RETURNING id",
      [DEV, DEV.slice(0, 5), key, start],
    );
    const id = ins.rows[0].id;
    const d = await eng.json(`/api/episodes/${id}`);
    expect(d.episode.kind).toBe("warning");
    const x = d.explanation;
    expect(x).not.toBeNull();
    expect(x.skipped).toBeNull();
    expect(x.thresholds_version).toBe(0);
    expect(x.rules.map((r: { flag: string }) => r.flag)).toEqual(["f_fas"]);
    const rule = x.rules[0];
    expect(rule.fired).toBe(true);
    expect(rule.thresholds).toEqual(rules.f_fas);
    const w = rule.windows.find((v: { name: string }) => v.name === "fas_sub");
    expect(w.window).toBe("5m");
    expect(Math.abs(w.value)).toBeCloseTo(diff, 1);
    expect(d.signals.series.map((s: { field: string }) => s.field).sort()).toEqual(["fas_u1", "fas_u2"]);

    // thresholds in force: raise temp_diff_max above the seeded difference -> the same window no longer fires
    const put = await eng.send("PUT", "/api/thresholds", { changes: { f_fas: { temp_diff_max: diff + 1 } }, reason: "explanation test" });
    expect(put.status).toBe(200);
    try {
      const d2 = await eng.json(`/api/episodes/${id}`);
      const r2 = d2.explanation.rules[0];
      expect(d2.explanation.thresholds_version).toBe((await put.json()).version);
      expect(r2.thresholds.temp_diff_max).toBe(diff + 1);
      expect(r2.fired).toBe(false);
      expect(Math.abs(r2.windows.find((v: { name: string }) => v.name === "fas_sub").value)).toBeCloseTo(diff, 1);
    } finally {
      expect((await eng.send("POST", "/api/thresholds/reset", { reason: "explanation test done" })).status).toBe(200);
    }
  }, 120_000);
});

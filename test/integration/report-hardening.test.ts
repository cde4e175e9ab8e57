/**
 * The report pipelines under hostile data and careless operation, with the real Connect binary, a
 * real PostgreSQL and a real HTTP peer playing the platform (test/helpers/platform.ts):
 * - a record the platform always rejects (400) does not block the others and is parked after
 *   FAULT_PARK_AFTER rejections, visible in report_outbox_parked and on /metrics;
 * - with SEND_FAULT_RECORD=false the outbox does not fill; switching sending on later pushes only
 *   open episodes and those detected within FAULT_SEND_LOOKBACK, never the history;
 * - the heartbeat is based on arrival, and no time beyond now + MAX_CLOCK_SKEW counts;
 * - FAULT_REPUSH_INTERVAL=0 is a clear error, not a division by zero;
 * - a failed life report is retried after LIFE_RETRY_INTERVAL, not the next day.
 */
import { spawn } from "node:child_process";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import {
  ROOT,
  connectBin,
  createReportDatabase,
  insertRow,
  sleep,
  startConnect,
  startPlatform,
  type ConnectProc,
  type Platform,
  type ReportDb,
  FAULT_PATH,
  LIFE_PATH,
} from "../helpers/platform.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/stack.ts";
import { createTemplateRow } from "../helpers/template-row.ts";

type Item = Record<string, unknown>;

let db: ReportDb | undefined;
let platform: Platform | undefined;
let procs: ConnectProc[] = [];
afterEach(async () => {
  await Promise.all(procs.map((p) => p.stop()));
  procs = [];
  await platform?.close();
  platform = undefined;
  await db?.drop();
  db = undefined;
});

function env(d: ReportDb, p: Platform, extra: Record<string, string> = {}): Record<string, string> {
  return {
    TSDB_URL: d.url,
    DEV_MODE: "true",
    EVENT_SETTLE: "0s",
    EVENT_LOOKBACK: "1h",
    FAULT_RECORD_URL: p.url(FAULT_PATH),
    LIFE_RECORD_URL: p.url(LIFE_PATH),
    PLATFORM_TIMEOUT: "2s",
    PLATFORM_RETRIES: "0",
    PLATFORM_RETRY_PERIOD: "100ms",
    PLATFORM_MAX_RETRY_BACKOFF: "200ms",
    SEND_FAULT_INTERVAL: "1s",
    ...extra,
  };
}
function run(pipeline: string, e: Record<string, string>): ConnectProc {
  const p = startConnect(pipeline, e);
  procs.push(p);
  return p;
}
async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}
/** Connect with its HTTP server on a private loopback port, for /metrics. */
function runWithMetrics(pipeline: string, e: Record<string, string>, port: number): ConnectProc {
  const logs: string[] = [];
  const proc = spawn(connectBin(), ["run", "--set", `http.address=127.0.0.1:${port}`, path.join(ROOT, pipeline)], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...e },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const push = (b: Buffer) => logs.push(...b.toString("utf8").split("\n").filter(Boolean));
  proc.stdout?.on("data", push);
  proc.stderr?.on("data", push);
  const c: ConnectProc = {
    proc,
    logs,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        proc.once("exit", () => resolve());
        proc.kill("SIGTERM");
      }),
  };
  procs.push(c);
  return c;
}
/**
 * Sum of the samples of a metric in the Prometheus text whose labels include `labels` (Connect adds
 * its own bounded `label`/`path`, and `stream` in streams mode); undefined when there is none.
 */
function metric(text: string, name: string, labels = ""): number | undefined {
  const want = labels ? labels.split(",") : [];
  const values = text
    .split("\n")
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .filter((l) => want.every((w) => l.slice(0, l.lastIndexOf(" ")).includes(w)))
    .map((l) => Number(l.slice(l.lastIndexOf(" ") + 1)));
  return values.length ? values.reduce((a, b) => a + b, 0) : undefined;
}

const itemsOf = (p: Platform) => p.items(FAULT_PATH);

describe("faultreport: a record the platform always rejects", () => {
  it("others are delivered; the poison record is parked after FAULT_PARK_AFTER rejections and shown (view, metrics)", async () => {
    db = await createReportDatabase("rep_poison");
    const p = (platform = await startPlatform());
    // the platform refuses any body holding a record of train 07099 (its validation, say)
    p.rejectWhen((json) => (Array.isArray(json) && json.some((i: Item) => i.train_no === "07099") ? 400 : undefined));
    const t = new Date(Date.now() - 60_000);
    await insertRow(db, "dev_predict", "0700203", "07002", t, { ref_leak_u11: 1 });
    await insertRow(db, "dev_predict", "0709901", "07099", t, { ref_leak_u11: 1 });
    await insertRow(db, "dev_predict", "0701001", "07010", t, { cabin_overtemp: 1 });
    const port = await freePort();
    const c = runWithMetrics("pipelines/faultreport.yaml", env(db, p, { SEND_FAULT_RECORD: "true", FAULT_PARK_AFTER: "3" }), port);

    await p.waitFor(() => new Set(itemsOf(p).map((i) => i.train_no)).size >= 2, 30_000, "the two good records");
    expect(new Set(itemsOf(p).map((i) => i.train_no))).toEqual(new Set(["07002", "07010"]));
    const d = db;
    const parked = async () => d.q<Record<string, unknown>>("SELECT * FROM report_outbox_parked");
    const until = Date.now() + 30_000;
    while ((await parked()).length === 0 && Date.now() < until) await sleep(250);
    const rows = await parked();
    expect(rows, c.logs.join("\n")).toHaveLength(1);
    expect(rows[0]!.dvc_no).toBe("0709901");
    expect(rows[0]!.rejections).toBe(3);
    expect(String(rows[0]!.park_reason)).toMatch(/^rejected 3 times \(HTTP 400\): .*400/);
    expect((rows[0]!.record as Item).train_no).toBe("07099");
    // once parked it is never offered again
    const rejectedSoFar = p.requests.filter((r) => r.status === 400).length;
    await sleep(3_000);
    expect(p.requests.filter((r) => r.status === 400).length).toBe(rejectedSoFar);
    // batch of three rejected once, then the poison record alone three times
    expect(rejectedSoFar).toBe(4);
    const [pending] = await db.q<{ n: number }>("SELECT count(*)::int AS n FROM report_outbox WHERE sent_at IS NULL AND parked_at IS NULL");
    expect(pending!.n).toBe(0);
    expect(c.logs.join("\n")).toMatch(/fault report: parked records \d+ \(rejected 3 times; see report_outbox_parked\)/);

    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    if (process.env.H4_DEBUG) console.log(text.split("\n").filter((l) => l.includes("nb67")).join("\n"));
    expect(metric(text, "nb67_outbox_parked")).toBe(1);
    expect(metric(text, "nb67_outbox_backlog")).toBe(0);
    expect(metric(text, "nb67_platform_failures_total", 'report="fault"')).toBe(4);
    expect(metric(text, "nb67_platform_deliveries_total", 'report="fault"')).toBeGreaterThanOrEqual(1);
    expect(metric(text, "nb67_episodes_opened_total", 'kind="warning"')).toBe(3);
  }, 90_000);
});

describe("faultreport: a platform that rejects everything", () => {
  it("parks nothing (no record was accepted since): the records wait and are delivered once it accepts again", async () => {
    db = await createReportDatabase("rep_allreject");
    const p = (platform = await startPlatform());
    p.rejectWhen(() => 400);
    const t = new Date(Date.now() - 60_000);
    await insertRow(db, "dev_predict", "0700203", "07002", t, { ref_leak_u11: 1 });
    await insertRow(db, "dev_predict", "0701001", "07010", t, { cabin_overtemp: 1 });
    run("pipelines/faultreport.yaml", env(db, p, { SEND_FAULT_RECORD: "true", FAULT_PARK_AFTER: "2" }));
    // the batch, then each record alone well past FAULT_PARK_AFTER
    await p.waitFor(() => p.requests.filter((r) => r.status === 400).length >= 7, 30_000, "repeated rejections");
    const d = db;
    const [s1] = await d.q<{ parked: number; pending: number; maxrej: number }>(
      `SELECT count(parked_at)::int AS parked, count(*) FILTER (WHERE sent_at IS NULL AND parked_at IS NULL)::int AS pending,
              max(rejections)::int AS maxrej FROM report_outbox`,
    );
    expect(s1).toMatchObject({ parked: 0, pending: 2 });
    expect(s1!.maxrej).toBeGreaterThanOrEqual(2);
    p.rejectWhen(undefined);
    await p.waitFor(() => itemsOf(p).length >= 2, 30_000, "both records once the platform accepts");
    expect(new Set(itemsOf(p).map((i) => i.train_no))).toEqual(new Set(["07002", "07010"]));
  }, 90_000);
});

describe("faultreport: SEND_FAULT_RECORD switched off, then on", () => {
  it("off: episodes recorded, the outbox does not fill; on: open and recent episodes are sent, history never", async () => {
    db = await createReportDatabase("rep_sendoff");
    const p = (platform = await startPlatform());
    const now = Date.now();
    const at = (minAgo: number) => new Date(now - minAgo * 60_000);
    // A: warning raised and cleared 30 min ago (will be history); B: raised 20 min ago, still on;
    // C: raised and cleared 5 min ago
    await insertRow(db, "dev_predict", "0700201", "07002", at(30), { ref_leak_u11: 1 });
    await insertRow(db, "dev_predict", "0700201", "07002", at(29), {});
    await insertRow(db, "dev_predict", "0700202", "07002", at(20), { ref_leak_u11: 1 });
    await insertRow(db, "dev_predict", "0700203", "07002", at(5), { cabin_overtemp: 1 });
    await insertRow(db, "dev_predict", "0700203", "07002", at(4), {});
    const off = run("pipelines/faultreport.yaml", env(db, p, { SEND_FAULT_RECORD: "false" }));
    const d = db;
    const until = Date.now() + 20_000;
    const episodes = async () => (await d.q<{ n: number }>("SELECT count(*)::int AS n FROM report_event"))[0]!.n;
    while ((await episodes()) < 3 && Date.now() < until) await sleep(250);
    await sleep(2_500); // more cycles while off
    await off.stop();
    expect(await episodes(), off.logs.join("\n")).toBe(3);
    const [ob] = await db.q<{ n: number }>("SELECT count(*)::int AS n FROM report_outbox");
    expect(ob!.n).toBe(0);
    expect(p.requests).toHaveLength(0);

    // A was detected long before sending is switched on (as if the system had run for hours)
    await db.q("UPDATE report_event SET opened_at = now() - interval '2 hours', closed_at = now() - interval '2 hours' WHERE dvc_no = '0700201'");
    run("pipelines/faultreport.yaml", env(db, p, { SEND_FAULT_RECORD: "true", FAULT_SEND_LOOKBACK: "1h" }));
    await p.waitFor(() => itemsOf(p).length >= 3, 30_000, "B start, C start and end");
    await sleep(2_500);
    const got = itemsOf(p)
      .map((i) => `${i.coach}|${i.code}|${i.endtime === 0 ? "start" : "end"}`)
      .sort();
    // coach of carriage 2 = Mp1, carriage 3 = M1
    expect(got).toEqual(["M1|HVAC309|end", "M1|HVAC309|start", "Mp1|HVAC201|start"]);
    const [a] = await db.q<{ send_skipped: string | null }>("SELECT send_skipped FROM report_event WHERE dvc_no = '0700201'");
    expect(a!.send_skipped).toMatch(/closed before it could be sent/);
  }, 90_000);

  it("records pending when sending is switched off are purged, and their episodes queued again when it is on", async () => {
    db = await createReportDatabase("rep_purge");
    await insertRow(db, "dev_predict", "0700202", "07002", new Date(Date.now() - 120_000), { ref_leak_u11: 1 });
    const call = (send: boolean) =>
      db!.q<{ r: Record<string, number> }>(
        "SELECT report_update_events(true, '0s', '1h', true, '12h', '365 days', $1, '1h') AS r",
        [send],
      );
    const r1 = (await call(true))[0]!.r;
    expect(r1.starts).toBe(1);
    expect(r1.backlog).toBe(1);
    const r2 = (await call(false))[0]!.r;
    expect(r2.unqueued).toBe(1);
    expect(r2.backlog).toBe(0);
    for (let i = 0; i < 3; i++) expect((await call(false))[0]!.r.backlog).toBe(0);
    const r3 = (await call(true))[0]!.r;
    expect(r3.starts).toBe(1); // still open: offered again
    expect(r3.backlog).toBe(1);
  }, 30_000);
});

describe("faultreport: settings the SQL refuses clearly", () => {
  it("FAULT_REPUSH_INTERVAL=0 is an error naming the setting, not a division by zero", async () => {
    db = await createReportDatabase("rep_repush0");
    await insertRow(db, "dev_predict", "0700202", "07002", new Date(Date.now() - 120_000), { ref_leak_u11: 1 });
    await expect(db.q("SELECT report_update_events(true, '0s', '1h', true, '0 seconds')")).rejects.toThrow(
      /FAULT_REPUSH_INTERVAL must be positive/,
    );
  }, 30_000);
});

describe("status heartbeat: arrival, bounded", () => {
  it("legacy-shaped relations: a frame dated tomorrow does not keep the status at 1", async () => {
    db = await createReportDatabase("rep_future");
    await insertRow(db, "pro_macda", "0700203", "07002", new Date(Date.now() + 86_400_000), {});
    const [r] = await db.q<{ b: string }>("SELECT report_status_body(false, '5 minutes') AS b");
    expect(JSON.parse(r!.b)[0].status).toBe("0");
    await insertRow(db, "pro_macda", "0700203", "07002", new Date(Date.now() - 60_000), {});
    const [r2] = await db.q<{ b: string }>("SELECT report_status_body(false, '5 minutes') AS b");
    expect(JSON.parse(r2!.b)[0].status).toBe("1");
  }, 30_000);

  it("project schema: health follows arrival (parse time), whatever the device clock says", async () => {
    let t: TestDatabase | undefined;
    try {
      t = await createTestDatabase("rep_arrival", { applySchema: true });
      const c = new pg.Client({ connectionString: t.url });
      await c.connect();
      try {
        await createTemplateRow(c, { dvcTime: "2024-7-19 14:36:13", parseTime: "2024-07-19 06:36:14" });
        const ins = (dvcTime: string, parseTime: string, frame: number) =>
          c.query(
            "INSERT INTO macda SELECT r.* FROM tpl t, LATERAL jsonb_populate_record(t, jsonb_build_object('dvc_time', $1::timestamptz, 'parse_time', $2::timestamptz, 'msg_frame_no', $3::int)) r",
            [dvcTime, parseTime, frame],
          );
        const status = async () => JSON.parse((await c.query("SELECT report_status_body(false, '5 minutes') AS b")).rows[0].b)[0];
        // an outage: the last frame arrived an hour ago, but its device clock says tomorrow
        await ins(new Date(Date.now() + 86_400_000).toISOString(), new Date(Date.now() - 3_600_000).toISOString(), 1);
        expect((await status()).status).toBe("0");
        // frames arriving now from a device whose clock lags two hours: healthy
        await ins(new Date(Date.now() - 7_200_000).toISOString(), new Date(Date.now() - 10_000).toISOString(), 2);
        expect((await status()).status).toBe("1");
      } finally {
        await c.end();
      }
    } finally {
      await t?.drop();
    }
  }, 60_000);
});

describe("lifereport: a failed report is retried soon", () => {
  it("POST fails on the scheduled run: delivered after LIFE_RETRY_INTERVAL, not at the next schedule", async () => {
    db = await createReportDatabase("rep_liferetry");
    const p = (platform = await startPlatform());
    await insertRow(db, "dev_macda", "0700203", "07002", new Date(Date.now() - 60_000), { dwef_op_tm_u11: 53334 });
    p.failNext(1, 503);
    // the schedule fires every 20 s; LIFE_REPORT_MIN_GAP keeps later schedule ticks from re-running it
    run("pipelines/lifereport.yaml", env(db, p, { SEND_LIFE_RECORD: "true", LIFE_REPORT_CRON: "*/20 * * * * *", LIFE_RETRY_INTERVAL: "1s" }));
    await p.waitFor(() => p.requests.some((r) => r.path === LIFE_PATH && r.status === 503), 30_000, "the failed scheduled POST");
    const failedAt = p.requests.find((r) => r.status === 503)!.at;
    await p.waitFor(() => p.accepted(LIFE_PATH).length >= 1, 30_000, "the retried POST");
    const deliveredAt = p.accepted(LIFE_PATH)[0]!.at;
    expect(deliveredAt - failedAt).toBeLessThan(8_000);
    await sleep(2_500);
    expect(p.accepted(LIFE_PATH)).toHaveLength(1); // retries stop once it succeeded
  }, 90_000);
});

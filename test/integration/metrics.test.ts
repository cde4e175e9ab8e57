// Domain metrics of a running stack, as `make run` runs it: every pipeline in one streams process
// (--no-api, the root config, its own HTTP port), a private database and unique topics, the frame
// simulator (tools/sim/main.ts) for about a minute after a 31-minute back-fill (so the prediction
// windows hold), report timers shortened through the environment, and real HTTP peers for the
// platform. Then every metric the README documents must be in /metrics with a non-zero value.
//
// Metrics that are zero in a healthy run get their condition made here: a corrupt share of frames
// (rejections), a record the database refuses (dead letter), a second record with a stored key and
// other content (conflict), a record whose dead-letter insert also fails (last resort), a platform
// that fails one request per report (failures) and always rejects one fault record (parked), alarm
// bits that set and clear (episodes opened and closed). Gauges (lag, backlog, parked, run seconds)
// are sampled every 2 s and their largest value counts: a lag is legitimately 0 once caught up.
// A record's kafka_lag is its group's lag (end of partition minus committed offset) as Connect last
// read it (every 5 s), so the store is slowed here (1 ms a row) to be behind for several readings
// while the back-fill drains; at full speed it could drain between two readings (both lags stayed 0).
import { spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FrameSimulator } from "../../tools/sim/sim.ts";
import { closeKafka, createTopic, deleteTopic, produce } from "../helpers/kafka.ts";
import { startPlatform, type Platform } from "../helpers/platform.ts";
import { createTestDatabase, getStack, REPO_ROOT, type TestDatabase } from "../helpers/stack.ts";
import { loadModule } from "../helpers/wasm-host.ts";
import { freePort, httpStatus, startConnect, waitFor, type ConnectProc } from "./metrics-support.ts";

/** The metrics the README's "Metrics" section documents (the names in its table's first column). */
export function documentedMetrics(): string[] {
  const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const start = readme.indexOf("## Metrics");
  if (start < 0) return [];
  const section = readme.slice(start, readme.indexOf("\n## ", start + 5));
  return [...new Set([...section.matchAll(/^\| `(nb67_[a-z0-9_]+)/gm)].map((m) => m[1]))];
}

/** name{labels} -> value of every nb67_* sample in a Prometheus text exposition. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line.startsWith("nb67_")) continue;
    const sp = line.lastIndexOf(" ");
    out.set(line.slice(0, sp), Number(line.slice(sp + 1)));
  }
  return out;
}
const nameOf = (series: string) => series.replace(/\{.*$/, "");
const label = (series: string, l: string) => new RegExp(`[{,]${l}="([^"]*)"`).exec(series)?.[1];

const BACKFILL_MIN = 31;
const LIVE_S = 60;
const ALARM_DEVICE = "0700101";
const LEAK_DEVICE = "0700102";
const POISON_DEVICE = "0700103";
const POISON_CODE = "HVAC329"; // the platform code of bocflt_cf_u11 (sql/repeatable/50_report_alert_codes.sql)

describe("a running stack exports every documented metric with a non-zero value", () => {
  const id = `met${Date.now().toString(36)}`;
  const t = { in: `${id}-in`, parsed: `${id}-parsed`, dead: `${id}-dead`, archive: `${id}-archive-` };
  let db: TestDatabase;
  let connect: ConnectProc | undefined;
  const platforms: Record<"fault" | "life" | "status", Platform | undefined> = { fault: undefined, life: undefined, status: undefined };
  const sims: ReturnType<typeof spawn>[] = [];
  const archives: string[] = [];

  beforeAll(async () => {
    await getStack();
    db = await createTestDatabase("metrics", { applySchema: true });
    // The dead-letter insert of a record whose reason mentions "lastresort" fails (last resort).
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    await c.query("ALTER TABLE macda_dead_letter ADD CONSTRAINT test_last_resort CHECK (reason NOT LIKE '%lastresort%')");
    // The store's drain of the back-fill (~11,000 rows) takes > 10 s: nb67_consumer_lag{stage="store"} > 0.
    await c.query("CREATE FUNCTION test_slow_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.001); RETURN NEW; END $$");
    await c.query("CREATE TRIGGER test_slow_row BEFORE INSERT ON macda FOR EACH ROW EXECUTE FUNCTION test_slow_row()");
    await c.end();
    // The shared broker is busy with other tests' topics; a metadata race is retried.
    const create = async (name: string, parts: number) => {
      for (let i = 0; ; i++) {
        try {
          await createTopic(name, parts);
          return;
        } catch (e) {
          if (i >= 4) throw e;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
    };
    await create(t.in, 2);
    await create(t.parsed, 2);
    await create(t.dead, 1);
    for (const d of new FrameSimulator({ trains: 1 }).devices) archives.push(`${t.archive}${d.dvcNo}`);
  });

  afterAll(async () => {
    for (const s of sims) if (s.exitCode === null) s.kill("SIGTERM");
    await connect?.stop();
    for (const p of Object.values(platforms)) await p?.close();
    for (const x of [t.in, t.parsed, t.dead, ...archives]) await deleteTopic(x).catch(() => undefined);
    await closeKafka();
    await db?.drop();
  });

  it("after the simulator ran a minute", async () => {
    const documented = documentedMetrics();
    expect(documented.length, "README ## Metrics table lists the nb67_* metrics").toBeGreaterThanOrEqual(16);
    const stack = await getStack();

    // Platforms: each fails its first request (500, no retry within the cycle); the fault platform
    // also rejects every request with the poison record, which FAULT_PARK_AFTER=1 then parks.
    for (const r of ["fault", "life", "status"] as const) {
      const p = await startPlatform();
      p.failNext(1, 500);
      platforms[r] = p;
    }
    // A poison record: every request carrying code HVAC329 (the condenser fan 1-1 alarm of one
    // device) is rejected (400), so that record is split out, rejected alone and parked.
    platforms.fault!.rejectWhen((json) => (JSON.stringify(json ?? "").includes(POISON_CODE) ? 400 : undefined));

    const port = await freePort();
    // As make run: the edge stream (MQTT) only with EDGE_MQTT=true and a broker, so not here.
    const pipelines = readdirSync(path.join(REPO_ROOT, "pipelines"))
      .filter((f) => /\.ya?ml$/.test(f) && f !== "edge.yaml")
      .map((f) => `pipelines/${f}`);
    const env: NodeJS.ProcessEnv = {
      CONNECT_HTTP_ADDRESS: `127.0.0.1:${port}`,
      TSDB_URL: db.url,
      KAFKA_BOOTSTRAP_SERVER: stack.kafkaBrokers.join(","),
      SOURCE_TOPIC_NAME: t.in,
      PARSED_TOPIC_NAME: t.parsed,
      DEAD_LETTER_TOPIC: t.dead,
      ARCHIVE_TOPIC_PREFIX: t.archive,
      ARCHIVE_AUTO_CREATE: "true",
      INGEST_GROUP: `${id}-ingest`,
      STORE_GROUP: `${id}-store`,
      LOG_LEVEL: "WARN",
      PREDICT_INTERVAL: "5s",
      SEND_FAULT_RECORD: "true",
      SEND_LIFE_RECORD: "true",
      SEND_STATUS_RECORD: "true",
      FAULT_RECORD_URL: platforms.fault!.url("/fault"),
      LIFE_RECORD_URL: platforms.life!.url("/life"),
      SYS_STATUS_URL: platforms.status!.url("/status"),
      SEND_FAULT_INTERVAL: "3s",
      SEND_STATUS_INTERVAL: "3s",
      STATUS_MIN_GAP: "1s",
      EVENT_SETTLE: "1s",
      LIFE_REPORT_CRON: "*/10 * * * * *",
      LIFE_REPORT_MIN_GAP: "1s",
      LIFE_RETRY_INTERVAL: "3s",
      FAULT_PARK_AFTER: "1",
      PLATFORM_RETRIES: "0",
      PLATFORM_TIMEOUT: "5s",
      ROLLUP_INTERVAL: "5s",
    };
    connect = startConnect(stack.connectBin, ["streams", "--no-api", "-o", "rpk-connect.yaml", ...pipelines], env);
    const base = `http://127.0.0.1:${port}`;
    const ready = await waitFor(async () => (await httpStatus(`${base}/ready`)) === 200, 60_000);
    expect(ready, `Connect /ready; log:\n${connect.log().slice(-3000)}`).toBe(true);

    // Largest value seen per series, sampled every 2 s from now on.
    const seen = new Map<string, number>();
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        try {
          const r = await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(3000) });
          for (const [k, v] of samples(await r.text())) seen.set(k, Math.max(seen.get(k) ?? -Infinity, v));
        } catch {
          /* next round */
        }
        await new Promise((r) => setTimeout(r, 2000));
      }
    })();

    const sim = (args: string[]) =>
      new Promise<number>((resolve) => {
        const p = spawn(path.join(REPO_ROOT, "node_modules/.bin/tsx"), ["tools/sim/main.ts", "--quiet", "--topic", t.in, "--brokers", stack.kafkaBrokers.join(","), ...args], {
          cwd: REPO_ROOT,
          stdio: ["ignore", "ignore", "inherit"],
        });
        sims.push(p);
        p.once("exit", (code) => resolve(code ?? -1));
      });
    // 31 minutes of history as fast as the stack takes it (a refrigerant leak on one carriage from
    // the start, so predict warns), then live at 1 Hz with 1 % corrupt frames and an alarm bit
    // on each of two devices that is set for 20 s and cleared (one of them the poison).
    const t0 = Date.now();
    const histStart = new Date(t0 - BACKFILL_MIN * 60_000);
    expect(await sim(["--start", histStart.toISOString(), "--duration", String(BACKFILL_MIN * 60), "--fast", "--seed", "11", "--scenario", `leak:${LEAK_DEVICE}:u11`])).toBe(0);
    const live = sim([
      "--start", new Date(histStart.getTime() + BACKFILL_MIN * 60_000).toISOString(),
      "--duration", String(LIVE_S), "--seed", "12", "--corrupt", "0.01",
      "--scenario", `leak:${LEAK_DEVICE}:u11,bit:${ALARM_DEVICE}:bocflt_ef_u11@0.1-0.45,bit:${POISON_DEVICE}:bocflt_cf_u11@0.1-0.45`,
    ]);

    // Records the database refuses, conflicts with, or cannot even dead-letter, straight onto the
    // parsed topic (as a producer could).
    const m = await loadModule(path.join(REPO_ROOT, "dist/nb67.wasm"));
    const frames = [...new FrameSimulator({ trains: 1, start: t0 - 5 * 60_000, seed: 99 }).frames(3)];
    const recs = frames.map((f) => {
      const r = m.call("decode", f.frame, { nb67_decode: "envelope=true;parse_time=2026-12-04 08:00:00" });
      return JSON.parse(new TextDecoder().decode(r.body)) as { schema: unknown; payload: Record<string, number | string> };
    });
    const variant = (r: (typeof recs)[number], patch: Record<string, number | string>) => JSON.stringify({ ...r, payload: { ...r.payload, ...patch } });
    const other = Object.keys(recs[0].payload).find((k) => !k.startsWith("msg_") && typeof recs[0].payload[k] === "number")!;
    await produce(t.parsed, [{ key: "c", value: JSON.stringify(recs[0]) }]);
    await new Promise((r) => setTimeout(r, 3000));
    await produce(t.parsed, [
      { key: "c", value: variant(recs[0], { [other]: Number(recs[0].payload[other]) + 1 }) },
      { key: "d", value: variant(recs[1], { msg_calc_dvc_time: "2024-2-30 1:1:1" }) },
      { key: "l", value: variant(recs[2], { msg_calc_dvc_no: "lastresort" }) },
    ]);

    expect(await live).toBe(0);
    // Then until every documented metric has been non-zero, at most 90 s more.
    const missing = () =>
      documented.filter((n) => ![...seen].some(([k, v]) => nameOf(k) === n && v > 0));
    const perReport = (n: string) =>
      ["fault", "life", "status"].filter((r) => ![...seen].some(([k, v]) => nameOf(k) === n && label(k, "report") === r && v > 0)).map((r) => `${n}{report="${r}"}`);
    const gaps = () => [...missing(), ...perReport("nb67_platform_deliveries_total"), ...perReport("nb67_platform_failures_total")];
    await waitFor(() => gaps().length === 0, 90_000, 2000);
    sampling = false;
    await sampler;

    const report = documented.map((n) => `${n}: ${[...seen].filter(([k]) => nameOf(k) === n).map(([k, v]) => `${k.slice(n.length) || ""}=${v}`).join(" ") || "absent"}`);
    for (const [r, p] of Object.entries(platforms)) {
      report.push(`platform ${r}: ${p!.requests.map((q) => `${q.status} ${Array.isArray(q.json) ? (q.json as { code?: string }[]).map((i) => i.code ?? "?").join("+") : "-"}`).join(", ")}`);
    }
    console.log(`metrics after ${((Date.now() - t0) / 1000).toFixed(0)} s:\n  ${report.join("\n  ")}`);
    expect(gaps(), report.join("\n")).toEqual([]);
    // Bounded labels only: the reason classes and kinds the README lists.
    const reasons = [...seen.keys()].filter((k) => nameOf(k) === "nb67_frames_rejected_total").map((k) => label(k, "reason"));
    for (const r of reasons) expect(["short", "train", "header", "clock", "device", "unwrap", "oversize", "other"]).toContain(r);
    // Connect's timings are histograms (rpk-connect.yaml), not its default summaries, whose quantile
    // streams held ~15 MiB of live heap with every stream in one process.
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).toMatch(/^processor_latency_ns_bucket\{/m);
    expect(text).not.toMatch(/^processor_latency_ns\{[^}]*quantile="/m);
  }, 420_000);
});

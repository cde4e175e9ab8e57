/**
 * Prediction and reports end to end through the whole real chain, driven by the frame simulator:
 *
 *   tools/sim frames -> Kafka (unique signal-in topic) -> pipelines/ingest.yaml (real Connect, real
 *   wasm decode) -> parsed topic -> pipelines/store.yaml -> PostgreSQL (per-test database, project
 *   schema) -> pipelines/predict.yaml (PREDICT_INTERVAL 5s) -> pro_predict -> pipelines/faultreport.yaml
 *   (SEND_FAULT_INTERVAL 1s) -> the test's real HTTP platform (test/helpers/platform.ts).
 *
 * One train (6 carriages) at 1 Hz, DEV_MODE=false (device clock). The simulated device time starts
 * 31 minutes in the past, so the back-fill fills the 5/15/30-minute windows as fast as the stack takes
 * it; after that the simulator runs live (1 frame per device per second of wall time). Carriage 2 has a
 * refrigerant leak on unit 1 circuit 1 from the start (ref_leak_u11, platform code HVAC201), carriage 4
 * a clogged unit-1 filter (f_presdiff_u1, HVAC410); the others are healthy. Checked: the flags appear
 * for exactly those devices within two predict intervals after the device's windows hold (its
 * stored data reaches the 3-minute "recent" window), healthy devices have all 26 flags 0 in every row,
 * the platform gets the leak's start record; then the leak is repaired (simulator stops the scenario)
 * and the platform gets the end record with the same starttime.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeKafka, createTopic, deleteTopic, kafkaClient, listTopics } from "../helpers/kafka.ts";
import { FAULT_PATH, PREDICT_FLAGS, startPlatform, type Platform } from "../helpers/platform.ts";
import { createTestDatabase, REPO_ROOT, type TestDatabase } from "../helpers/stack.ts";
import { FrameSimulator, parseScenarios } from "../../tools/sim/sim.ts";
import { LOG_DIR, names, pipelineEnv, query, startConnect, stopConnect, waitFor, type ConnectProc } from "./ingest-support.ts";

const LEAK = "0700102"; // unit 1 circuit 1
const FILTER = "0700104"; // unit 1 filter
const LEAK_CODE = "HVAC201"; // HVAC101 template, carriage 2
const FILTER_CODE = "HVAC410"; // HVAC110 template, carriage 4
const INTERVAL_S = 5;
const BACKFILL_MIN = 31;
const PROFILE = process.env.CHAIN_PREDICT_PROFILE ?? "default";

const n = names("chain");
let db: TestDatabase;
let platform: Platform;
const procs: ConnectProc[] = [];
let sim: FrameSimulator;
let live: { stop: () => Promise<void>; error: () => unknown; sent: () => number } | undefined;

/** Produces the simulator's frames up to wall-clock now, then keeps it live until stopped. */
async function runSimulator(s: FrameSimulator, topic: string) {
  const kafka = await kafkaClient();
  const producer = kafka.producer();
  await producer.connect();
  let stopped = false;
  let err: unknown;
  let sent = 0;
  const loop = (async () => {
    while (!stopped) {
      const batch: Array<{ key: string; value: Buffer; timestamp: string }> = [];
      while (s.now <= Date.now() && batch.length < 1200) {
        for (const f of s.tick()) batch.push({ key: f.dvcNo, value: f.frame, timestamp: String(Math.round(f.tMs)) });
      }
      if (batch.length) {
        await producer.send({ topic, acks: -1, messages: batch });
        sent += batch.length;
      } else await new Promise((r) => setTimeout(r, 200));
    }
  })().catch((e) => (err = e));
  return {
    async stop() {
      stopped = true;
      await loop;
      await producer.disconnect();
    },
    error: () => err,
    sent: () => sent,
  };
}

const logs = () => procs.map((p) => path.relative(REPO_ROOT, p.log)).join(", ");

beforeAll(async () => {
  db = await createTestDatabase("chain", { applySchema: true });
  platform = await startPlatform();
  await createTopic(n.source, 3);
  await createTopic(n.parsed, 3);
  await createTopic(n.dead, 1);
}, 120_000);

afterAll(async () => {
  await live?.stop().catch(() => {});
  await Promise.all(procs.map((p) => stopConnect(p)));
  await platform?.close();
  const topics = (await listTopics().catch(() => [] as string[])).filter((t) => t.includes(n.id));
  for (const t of topics) await deleteTopic(t).catch(() => {});
  await closeKafka();
  await db?.drop();
}, 120_000);

describe("chain: simulator -> Kafka -> ingest -> store -> predict -> faultreport -> platform", () => {
  it("flags the leak and the clogged filter on exactly those devices, reports the leak's start and end", async () => {
    const t0 = Date.now();
    const env = pipelineEnv(n, db.url, {
      DEV_MODE: "false",
      PREDICT_INTERVAL: `${INTERVAL_S}s`,
      PREDICT_PROFILE: PROFILE,
      SEND_FAULT_RECORD: "true",
      SEND_FAULT_INTERVAL: "1s",
      EVENT_SETTLE: "2s",
      EVENT_LOOKBACK: "10m",
      FAULT_RECORD_URL: platform.url(FAULT_PATH),
    });
    for (const p of ["ingest", "store", "predict", "faultreport"]) {
      procs.push(await startConnect(`pipelines/${p}.yaml`, env, `${n.id}-${p}`));
    }
    sim = new FrameSimulator({
      trains: 1,
      start: Date.now() - BACKFILL_MIN * 60_000,
      scenarios: parseScenarios(`leak:${LEAK}:u11,filter:${FILTER}:u1`),
    });
    const devices = sim.devices.map((d) => d.dvcNo);
    live = await runSimulator(sim, n.source);

    // when each device's windows hold: its stored data reaches the predict's 3-minute "recent" window
    // (rows are produced in time order, so its 30 minutes before are stored by then)
    const holdAt = new Map<string, number>();
    const flagAt = new Map<string, number>();
    await waitFor(
      "every device's windows filled and the leak and filter flagged",
      async () => {
        if (live!.error()) throw live!.error();
        const now = Date.now();
        const recent = await query<{ d: string }>(
          db.url,
          "SELECT DISTINCT msg_calc_dvc_no AS d FROM pro_macda WHERE msg_calc_dvc_time > now() - interval '3 minutes'",
        );
        for (const r of recent) if (!holdAt.has(r.d)) holdAt.set(r.d, now);
        const fl = await query<{ d: string; t: Date }>(
          db.url,
          `SELECT msg_calc_dvc_no AS d, min(run_slot) AS t FROM pro_predict
           WHERE (msg_calc_dvc_no = $1 AND ref_leak_u11 = 1) OR (msg_calc_dvc_no = $2 AND f_presdiff_u1 = 1) GROUP BY 1`,
          [LEAK, FILTER],
        );
        for (const r of fl) if (!flagAt.has(r.d)) flagAt.set(r.d, now);
        return holdAt.size === devices.length && flagAt.size === 2;
      },
      150_000,
      250,
    );
    const backfillS = (Math.max(...holdAt.values()) - t0) / 1000;
    for (const d of [LEAK, FILTER]) {
      // polled every 250 ms: run slot <= run time, the row lands within the run
      const delay = (flagAt.get(d)! - holdAt.get(d)!) / 1000;
      console.log(`chain: ${d} windows held ${((holdAt.get(d)! - t0) / 1000).toFixed(1)} s after start, flag seen ${delay.toFixed(1)} s later`);
      expect(delay, logs()).toBeLessThanOrEqual(2 * INTERVAL_S + 1.5);
    }

    // the platform gets the leak's start record
    await platform.waitFor(() => platform.items(FAULT_PATH).some((i) => i.code === LEAK_CODE), 60_000, `start record ${LEAK_CODE}`);
    const start = platform.items(FAULT_PATH).find((i) => i.code === LEAK_CODE)!;
    expect(start).toMatchObject({ message_type: "1", train_no: "07001", line_name: "7", coach: "Mp1", endtime: 0 });
    const first = await query<{ t: Date }>(
      db.url,
      "SELECT min(msg_calc_dvc_time) AS t FROM pro_predict WHERE msg_calc_dvc_no = $1 AND ref_leak_u11 = 1",
      [LEAK],
    );
    expect(start.starttime).toBe(String(first[0].t.getTime()));
    const startSeen = Date.now();

    // the leak is repaired: from now on the simulator sends healthy frames for that circuit
    expect(sim.stopScenario("leak", LEAK)).toBe(1);
    await platform.waitFor(
      () => platform.items(FAULT_PATH).filter((i) => i.code === LEAK_CODE).length >= 2,
      90_000,
      `end record ${LEAK_CODE}`,
    );
    const end = platform.items(FAULT_PATH).filter((i) => i.code === LEAK_CODE)[1]!;
    expect(end).toMatchObject({ message_type: "1", train_no: "07001", coach: "Mp1", starttime: start.starttime });
    expect(Number(end.endtime)).toBeGreaterThan(Number(start.starttime));
    const endSeen = Date.now();
    await live!.stop();
    live = undefined;

    // every predict row: healthy devices all 0, the faulty ones only their own flag
    const rows = await query<Record<string, unknown>>(db.url, "SELECT * FROM pro_predict ORDER BY run_slot");
    const fired = new Map<string, Set<string>>();
    for (const r of rows) {
      const set = fired.get(r.msg_calc_dvc_no as string) ?? new Set<string>();
      for (const f of PREDICT_FLAGS) if (r[f] !== 0) set.add(f);
      fired.set(r.msg_calc_dvc_no as string, set);
      expect(r.profile).toBe(PROFILE);
    }
    expect(Object.fromEntries(devices.map((d) => [d, [...(fired.get(d) ?? [])]]))).toEqual(
      Object.fromEntries(devices.map((d) => [d, d === LEAK ? ["ref_leak_u11"] : d === FILTER ? ["f_presdiff_u1"] : []])),
    );
    for (const d of devices) expect(rows.filter((r) => r.msg_calc_dvc_no === d).length, d).toBeGreaterThanOrEqual(3);
    // after the repair the leak device's latest rows are clear
    const lastLeak = rows.filter((r) => r.msg_calc_dvc_no === LEAK).at(-1)!;
    expect(lastLeak.ref_leak_u11).toBe(0);
    // the platform heard of nothing but the leak and the filter (no fault bits are simulated)
    const codes = new Set(platform.items(FAULT_PATH).map((i) => i.code as string));
    expect([...codes].sort()).toEqual([LEAK_CODE, FILTER_CODE].sort());
    // ingest rejected nothing and the store kept every frame (dead-letter table empty)
    expect((await query<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM macda_dead_letter"))[0].n).toBe(0);
    const stored = (await query<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM macda"))[0].n;
    expect(stored).toBeGreaterThanOrEqual(BACKFILL_MIN * 60 * devices.length);
    // no stage logged an error
    await Promise.all(procs.map((p) => stopConnect(p)));
    for (const p of procs) expect(readFileSync(p.log, "utf8"), p.name).not.toMatch(/level=(error|fatal)/);
    console.log(
      `chain: back-fill ${backfillS.toFixed(1)} s, start record after ${((startSeen - t0) / 1000).toFixed(1)} s, ` +
        `end record ${((endSeen - startSeen) / 1000).toFixed(1)} s after the repair, ${stored} rows, ${rows.length} predict rows; logs in ${path.relative(REPO_ROOT, LOG_DIR)}`,
    );
  }, 240_000);
});

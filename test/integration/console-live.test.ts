// The live feed end to end: simulator frames -> Kafka -> Connect ingest (pipelines/ingest.yaml, the
// real WASM decoder) -> signal-parsed -> the console's consumer -> a logged-in WebSocket client.
// A fault bit injected by the simulator must reach the subscribed client within 5 s; changes are
// throttled to one per device per second; no session, no WebSocket.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import WebSocket from "ws";
import { FrameSimulator, parseScenarios } from "../../tools/sim/sim.ts";
import { loadConfig } from "../../console/server/config.ts";
import { startConsole, type RunningConsole } from "../../console/server/start.ts";
import { addUser } from "../../console/server/users/store.ts";
import { createTopic, deleteTopic, kafkaClient } from "../helpers/kafka.ts";
import { createTestDatabase, getStack, type TestDatabase } from "../helpers/stack.ts";
import { names, pipelineEnv, startConnect, stopConnect, type ConnectProc } from "./ingest-support.ts";
import { Session } from "./console-support.ts";

const n = names("console-live");
let db: TestDatabase;
let pool: pg.Pool;
let c: RunningConsole;
let ingest: ConnectProc | undefined;

beforeAll(async () => {
  db = await createTestDatabase("console_live", { applySchema: true });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  await addUser(pool, "watcher", "viewer", "test", "watcher-password-1");
  await createTopic(n.source, 1);
  await createTopic(n.parsed, 1);
  await createTopic(n.dead, 1);
  ingest = await startConnect("pipelines/ingest.yaml", pipelineEnv(n, db.url, { PARSED_ROW_HEADER: "false" }), `console-live-ingest-${n.id}`);
  c = await startConsole(loadConfig({ TSDB_URL: db.url, KAFKA_BOOTSTRAP_SERVER: (await getStack()).kafkaBrokers.join(","), CONSOLE_ADDRESS: "127.0.0.1:0", PARSED_TOPIC_NAME: n.parsed, CONSOLE_LIVE_GROUP: `nb67-console-${n.id}` }), { logger: false });
  await Promise.race([c.app.live!.joined, new Promise((_, rej) => setTimeout(() => rej(new Error("live consumer did not join")), 60_000))]);
});
afterAll(async () => {
  await c?.close();
  await stopConnect(ingest);
  await pool?.end();
  for (const t of [n.source, n.parsed, n.dead]) await deleteTopic(t).catch(() => {});
  await db?.drop();
});

interface Msg {
  type: string;
  devices?: { dvc_no: string; status: string; live_faults: string[] }[];
}

function connect(cookie: string): Promise<{ ws: WebSocket; msgs: { at: number; m: Msg }[] }> {
  const ws = new WebSocket(c.url.replace(/^http/, "ws") + "/api/live", { headers: { cookie } });
  const msgs: { at: number; m: Msg }[] = [];
  ws.on("message", (d) => msgs.push({ at: Date.now(), m: JSON.parse(d.toString()) }));
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ ws, msgs }));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

describe("console live feed", () => {
  it("refuses the WebSocket without a session", async () => {
    await expect(connect("")).rejects.toThrow(/401/);
  });

  it("delivers a simulator-injected fault to a subscribed client within 5 s, at most one change per device per second", async () => {
    const s = new Session(c.url);
    expect((await s.login("watcher", "watcher-password-1")).status).toBe(200);
    const { ws, msgs } = await connect(s.cookie);
    ws.send(JSON.stringify({ type: "subscribe", devices: ["*"] }));
    const kafka = await kafkaClient();
    const producer = kafka.producer();
    await producer.connect();
    const DEV = "0700102";
    // fault bit from 8 s after the simulation start, 1 frame/s per carriage, 6 carriages
    const sim = new FrameSimulator({ trains: 1, rateHz: 1, start: Date.now(), scenarios: parseScenarios(`bit:${DEV}:bocflt_ef_u11@${8 / 60}`) });
    let faultProducedAt = 0;
    try {
      for (let i = 0; i < 20; i++) {
        const frames = sim.tick();
        const t = Date.now();
        await producer.send({ topic: n.source, messages: frames.map((f) => ({ key: f.dvcNo, value: f.frame })) });
        const f = frames.find((x) => x.dvcNo === DEV);
        if (!faultProducedAt && f?.record && Number((f.record as unknown as Record<string, unknown>).bocflt_ef_u11) === 1) faultProducedAt = t;
        if (faultProducedAt && msgs.some((x) => x.m.devices?.some((d) => d.dvc_no === DEV && d.live_faults.includes("bocflt_ef_u11")))) break;
        await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - t))));
      }
    } finally {
      await producer.disconnect();
    }
    expect(faultProducedAt).toBeGreaterThan(0);
    const hit = msgs.find((x) => x.m.devices?.some((d) => d.dvc_no === DEV && d.live_faults.includes("bocflt_ef_u11") && d.status === "alarm"));
    expect(hit, "alarm for the injected fault").toBeDefined();
    const latency = hit!.at - faultProducedAt;
    console.log(`console live: fault produced -> WebSocket message ${latency} ms`);
    expect(latency).toBeLessThanOrEqual(5000);
    // every device appeared, and no device was sent twice within a second
    const seen = new Map<string, number[]>();
    for (const x of msgs) if (x.m.type === "changes") for (const d of x.m.devices!) seen.set(d.dvc_no, [...(seen.get(d.dvc_no) ?? []), x.at]);
    expect([...seen.keys()].sort()).toEqual(sim.devices.map((d) => d.dvcNo).sort());
    for (const [, ts] of seen) for (let i = 1; i < ts.length; i++) expect(ts[i] - ts[i - 1]).toBeGreaterThanOrEqual(900);
    ws.close();
  }, 120_000);
});

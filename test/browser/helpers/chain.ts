// The data path the console shows, for browser tests: simulator frames -> Kafka (unique topics) ->
// pipelines/ingest.yaml -> parsed topic -> pipelines/store.yaml -> the test's private database.
// Scenarios can be added while it runs (the array is the simulator's own), so a test injects a
// fault at a moment it chooses.
import { createTopic, deleteTopic, kafkaClient, listTopics } from "../../helpers/kafka.ts";
import { FrameSimulator, parseScenarios, type Scenario } from "../../../tools/sim/sim.ts";
import { names, pipelineEnv, startConnect, stopConnect, type ConnectProc, type Names } from "../../integration/ingest-support.ts";

export interface Chain {
  n: Names;
  sim: FrameSimulator;
  devices: string[];
  /** Adds a scenario from now on, e.g. "bit:0700103:bflt_tempover". */
  inject(spec: string): void;
  sent(): number;
  /** Stops the simulator and the Connect processes, keeps the topics (benchmarks measure quietly). */
  stopTraffic(): Promise<void>;
  stop(): Promise<void>;
}

export async function startChain(tag: string, dbUrl: string, opts: { trains?: number; backfillMin?: number; pipelines?: string[]; extraEnv?: Record<string, string> } = {}): Promise<Chain> {
  const n = names(tag);
  await createTopic(n.source, 3);
  await createTopic(n.parsed, 3);
  await createTopic(n.dead, 1);
  const env = pipelineEnv(n, dbUrl, { DEV_MODE: "false", ...(opts.extraEnv ?? {}) });
  const procs: ConnectProc[] = [];
  for (const p of opts.pipelines ?? ["ingest", "store"]) procs.push(await startConnect(`pipelines/${p}.yaml`, env, `${n.id}-${p}`));
  const scenarios: Scenario[] = [];
  const sim = new FrameSimulator({ trains: opts.trains ?? 2, start: Date.now() - (opts.backfillMin ?? 3) * 60_000, scenarios });
  const kafka = await kafkaClient();
  const producer = kafka.producer();
  await producer.connect();
  let stopped = false;
  let err: unknown;
  let sent = 0;
  const loop = (async () => {
    while (!stopped) {
      const batch: Array<{ key: string; value: Buffer; timestamp: string }> = [];
      while (sim.now <= Date.now() && batch.length < 1200) {
        for (const f of sim.tick()) batch.push({ key: f.dvcNo, value: f.frame, timestamp: String(Math.round(f.tMs)) });
      }
      if (batch.length) {
        await producer.send({ topic: n.source, acks: -1, messages: batch });
        sent += batch.length;
      } else await new Promise((r) => setTimeout(r, 100));
    }
  })().catch((e) => (err = e));
  const stopTraffic = async () => {
    stopped = true;
    await loop;
    await producer.disconnect().catch(() => {});
    await Promise.all(procs.map((p) => stopConnect(p)));
  };
  return {
    n,
    sim,
    devices: sim.devices.map((d) => d.dvcNo),
    inject(spec: string) {
      const minutesSinceStart = (sim.now - sim.start) / 60_000;
      for (const s of parseScenarios(spec)) scenarios.push({ ...s, startMin: minutesSinceStart });
    },
    sent: () => {
      if (err) throw err;
      return sent;
    },
    stopTraffic,
    async stop() {
      await stopTraffic();
      const topics = (await listTopics().catch(() => [] as string[])).filter((t) => t.includes(n.id));
      for (const t of topics) await deleteTopic(t).catch(() => {});
    },
  };
}

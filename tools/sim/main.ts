/**
 * NB67 frame simulator (CLI). See tools/sim/sim.ts for the model and the scenario syntax.
 *
 *   npx tsx tools/sim/main.ts [flags]
 *     --trains N          trains (default $SIM_TRAINS or 1), 6 carriages each (--carriages)
 *     --line L            metro line (default 7) ; --first-train T (default 1)
 *     --rate R            frames/s per carriage (default $SIM_RATE or 1)
 *     --count N           stop after N frames (default: run until killed)
 *     --duration S        stop after S simulated seconds
 *     --fast              do not pace in real time (as fast as possible; simulated clock still R Hz)
 *     --start ISO         simulated start time (default now)
 *     --scenario SPEC     e.g. leak:0700103:u11,filter:0700204:u1@5+20 (default $SIM_SCENARIO)
 *                         (kind:device:target[@startMin[+rampMin][-endMin]], see sim.ts)
 *     --corrupt SHARE     share of corrupt frames 0..1 (default $SIM_CORRUPT or 0)
 *     --seed N            PRNG seed
 *     --tz ZONE           device clock zone (default $DEVICE_TZ or Asia/Shanghai)
 *     --length BYTES      frame length (538 default, 492 = legacy minimum)
 *     --format bin|json   raw frames, or the legacy SRC_MODE=json hex wrapper
 *     --out kafka|stdout|dir:PATH|ndjson
 *                         kafka (default): topic --topic ($SOURCE_TOPIC_NAME or signal-in) at
 *                         --brokers ($KAFKA_BOOTSTRAP_SERVER or 127.0.0.1:19092), key = device number;
 *                         stdout: raw frames back to back; dir:PATH: one file per frame
 *                         (FRAME-DATA_<n>.BIN, like the legacy SpoolDir source);
 *                         ndjson: one JSON line per frame {dvc_no, t, corrupt, hex}
 *     --quiet             no progress lines on stderr
 *     --list-devices      print the device numbers of this configuration (one per line) and exit,
 *                         e.g. for ARCHIVE_DEVICES (tools/stack/topics.sh pre-creates archive topics)
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { FrameSimulator, jsonWrapper, parseScenarios, type SimFrame } from "./sim.ts";

const { values: a } = parseArgs({
  options: {
    trains: { type: "string" },
    carriages: { type: "string" },
    line: { type: "string" },
    "first-train": { type: "string" },
    rate: { type: "string" },
    count: { type: "string" },
    duration: { type: "string" },
    fast: { type: "boolean" },
    start: { type: "string" },
    scenario: { type: "string" },
    corrupt: { type: "string" },
    seed: { type: "string" },
    tz: { type: "string" },
    length: { type: "string" },
    format: { type: "string" },
    out: { type: "string" },
    topic: { type: "string" },
    brokers: { type: "string" },
    quiet: { type: "boolean" },
    "list-devices": { type: "boolean" },
  },
});
const env = process.env;
const num = (v: string | undefined, d: number) => (v === undefined || v === "" ? d : Number(v));

async function main(): Promise<void> {
  const rate = num(a.rate ?? env.SIM_RATE, 1);
  const sim = new FrameSimulator({
    trains: num(a.trains ?? env.SIM_TRAINS, 1),
    carriages: num(a.carriages, 6),
    line: num(a.line, 7),
    firstTrain: num(a["first-train"], 1),
    rateHz: rate,
    start: a.start ? Date.parse(a.start) : Date.now(),
    seed: num(a.seed, 20240719),
    scenarios: parseScenarios(a.scenario ?? env.SIM_SCENARIO),
    corruptShare: num(a.corrupt ?? env.SIM_CORRUPT, 0),
    tz: a.tz ?? env.DEVICE_TZ ?? "Asia/Shanghai",
    frameLength: num(a.length, 538),
  });
  if (a["list-devices"]) {
    process.stdout.write(sim.devices.map((d) => d.dvcNo).join("\n") + "\n");
    return;
  }
  const perTick = sim.devices.length;
  let limit = num(a.count, Infinity);
  if (a.duration) limit = Math.min(limit, Math.round(Number(a.duration) * rate) * perTick);
  const json = (a.format ?? "bin") === "json";
  const out = a.out ?? "kafka";
  const value = (f: SimFrame) => (json ? jsonWrapper(f.frame) : f.frame);

  let send: (batch: SimFrame[]) => Promise<void>;
  let close = async () => {};
  if (out === "kafka") {
    const { Kafka, logLevel, CompressionTypes } = await import("kafkajs");
    process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= "1";
    const brokers = (a.brokers ?? env.KAFKA_BOOTSTRAP_SERVER ?? "127.0.0.1:19092").split(",");
    const topic = a.topic ?? env.SOURCE_TOPIC_NAME ?? "signal-in";
    const kafka = new Kafka({ clientId: "nb67-sim", brokers, logLevel: logLevel.WARN });
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    send = async (batch) => {
      await producer.send({
        topic,
        compression: CompressionTypes.None,
        messages: batch.map((f) => ({ key: f.dvcNo, value: value(f), timestamp: String(Math.round(f.tMs)) })),
      });
    };
    close = () => producer.disconnect();
  } else if (out === "stdout") {
    send = async (batch) => {
      for (const f of batch) process.stdout.write(value(f));
    };
  } else if (out === "ndjson") {
    send = async (batch) => {
      process.stdout.write(
        batch.map((f) => JSON.stringify({ dvc_no: f.dvcNo, t: f.tMs, corrupt: f.corrupt ?? null, hex: value(f).toString("hex") })).join("\n") + "\n",
      );
    };
  } else if (out.startsWith("dir:")) {
    const dir = out.slice(4);
    mkdirSync(dir, { recursive: true });
    let n = 0;
    send = async (batch) => {
      for (const f of batch) writeFileSync(join(dir, `FRAME-DATA_${++n}.BIN`), value(f));
    };
  } else {
    throw new Error(`--out ${out}: expected kafka, stdout, ndjson or dir:PATH`);
  }

  let stop = false;
  process.on("SIGINT", () => (stop = true));
  process.on("SIGTERM", () => (stop = true));
  const t0 = Date.now();
  let sent = 0;
  let corrupt = 0;
  let lastLog = t0;
  const chunk = a.fast ? Math.max(perTick, 1000) : perTick;
  while (!stop && sent < limit) {
    const batch: SimFrame[] = [];
    while (batch.length < chunk && sent + batch.length < limit) {
      for (const f of sim.tick()) {
        if (sent + batch.length >= limit) break;
        batch.push(f);
      }
    }
    await send(batch);
    sent += batch.length;
    corrupt += batch.filter((f) => f.corrupt).length;
    if (!a.fast) {
      const due = t0 + ((sim.now - sim.start) as number);
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
    if (!a.quiet && Date.now() - lastLog > 5000) {
      lastLog = Date.now();
      process.stderr.write(`sim: ${sent} frames (${corrupt} corrupt), ${Math.round((sent * 1000) / (Date.now() - t0))}/s\n`);
    }
  }
  await close();
  if (!a.quiet) process.stderr.write(`sim: done, ${sent} frames (${corrupt} corrupt) in ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

main().catch((e) => {
  process.stderr.write(`sim: ${e instanceof Error ? e.message : e}\n`);
  process.exit(1);
});

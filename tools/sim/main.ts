/**
 * NB67 frame simulator (CLI). See tools/sim/sim.ts for the model and the scenario syntax, and
 * `npx tsx tools/sim/main.ts --help` (tools/sim/cli.ts) for every option: fleet size and rate,
 * scenarios, corrupt frames, and the outputs kafka (default), stdout, ndjson, dir:PATH and MQTT
 * (--mqtt URL: topic nb67/<train>/<device>/frame, QoS 1, for pipelines/edge.yaml).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { HELP, mqttTopic, parseCli } from "./cli.ts";
import { FrameSimulator, jsonWrapper, parseScenarios, type SimFrame } from "./sim.ts";

const cli = parseCli(process.argv.slice(2));
if (cli.kind === "help") {
  process.stdout.write(HELP);
  process.exit(0);
}
if (cli.kind === "error") {
  process.stderr.write(`sim: ${cli.message} (--help lists the options)\n`);
  process.exit(2);
}
const a = cli.values;
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
  } else if (out === "mqtt") {
    const mqtt = await import("mqtt");
    const qos = Number(a["mqtt-qos"] ?? 1) as 0 | 1 | 2;
    const template = a["mqtt-topic"] ?? "nb67/{train}/{device}/frame";
    const train = new Map(sim.devices.map((d) => [d.dvcNo, d.trainNo]));
    const client = await mqtt.connectAsync(a.mqtt!, {
      clientId: a["mqtt-client-id"] ?? `nb67-sim-${process.pid}`,
      clean: true,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      username: a["mqtt-user"],
      password: env.SIM_MQTT_PASSWORD || undefined,
      ca: a["mqtt-ca"] ? readFileSync(a["mqtt-ca"]) : undefined,
      cert: a["mqtt-cert"] ? readFileSync(a["mqtt-cert"]) : undefined,
      key: a["mqtt-key"] ? readFileSync(a["mqtt-key"]) : undefined,
      rejectUnauthorized: true,
    });
    // A failed TLS handshake or a refused connection after the first is reported, not retried silently.
    client.on("error", (e) => process.stderr.write(`sim: mqtt: ${e.message}\n`));
    send = async (batch) => {
      // QoS 1/2: resolves when the broker acknowledged each message (PUBACK / PUBCOMP)
      await Promise.all(batch.map((f) => client.publishAsync(mqttTopic(template, train.get(f.dvcNo) ?? 0, f.dvcNo), value(f), { qos })));
    };
    close = () => client.endAsync();
  } else {
    throw new Error(`--out ${out}: expected kafka, stdout, ndjson, mqtt or dir:PATH`);
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

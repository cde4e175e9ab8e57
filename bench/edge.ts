/**
 * Edge benchmark: frames/s from MQTT publish (QoS 1) to signal-in through pipelines/edge.yaml, and
 * Connect's CPU per frame (utime+stime from /proc of the Connect process, over the whole run).
 * A private Mosquitto (tools/mqtt/mosquitto.sh) and a throw-away topic on the local Kafka; the frames
 * are made before the clock starts (the simulator's cost is not measured).
 *   npx tsx bench/edge.ts [frames=50000]     (make bench-edge)
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import mqtt from "mqtt";
import { closeKafka, createTopic, deleteTopic, kafkaClient } from "../test/helpers/kafka.ts";
import { getStack, REPO_ROOT } from "../test/helpers/stack.ts";
import { startMosquitto } from "../test/integration/edge-support.ts";
import { FrameSimulator } from "../tools/sim/sim.ts";

const N = Number(process.argv[2] ?? 50_000);
const id = `bench-edge-${Date.now().toString(36)}`;
const topic = `nb67-in-${id}`;
const TICK = 100; // USER_HZ (clock ticks per second of /proc/<pid>/stat) on Linux

function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8");
  const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
  return (Number(rest[11]) + Number(rest[12])) / TICK; // utime, stime
}

async function records(admin: ReturnType<Awaited<ReturnType<typeof kafkaClient>>["admin"]>): Promise<number> {
  return (await admin.fetchTopicOffsets(topic)).reduce((s, p) => s + Number(p.high), 0);
}

const stack = await getStack();
const mq = await startMosquitto();
await createTopic(topic, 3);
const sim = new FrameSimulator({ trains: 40, start: Date.now() - 6 * 3600_000, seed: 7 });
const frames = [...sim.frames(N)].map((f) => ({ t: `nb67/${7000 + Number(f.dvcNo.slice(2, 5))}/${f.dvcNo}/frame`, v: f.frame }));
const connect = spawn(stack.connectBin, ["run", "--log.level", "warn", "-s", "http.enabled=false", "pipelines/edge.yaml"], {
  cwd: REPO_ROOT,
  env: { ...process.env, GOGC: process.env.GOGC ?? "off", GOMEMLIMIT: process.env.GOMEMLIMIT ?? "1GiB", KAFKA_BOOTSTRAP_SERVER: stack.kafkaBrokers.join(","),
    EDGE_MQTT_URLS: `tcp://127.0.0.1:${mq.port}`, EDGE_MQTT_CLIENT_ID: id, SOURCE_TOPIC_NAME: topic, DEAD_LETTER_TOPIC: `${topic}-dead` },
  stdio: ["ignore", "inherit", "inherit"],
});
const admin = (await kafkaClient()).admin();
await admin.connect();
try {
  for (let i = 0; i < 150 && !readFileSync(`${mq.dir}/mosquitto.log`, "utf8").includes(`as ${id}`); i++) await new Promise((r) => setTimeout(r, 200));
  const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${mq.port}`, { clientId: `${id}-pub` });
  const cpu0 = cpuSeconds(connect.pid!);
  const t0 = performance.now();
  let published = 0;
  let pubDone = 0;
  const CHUNK = 1000;
  const pub = (async () => {
    for (let i = 0; i < N; i += CHUNK) {
      await Promise.all(frames.slice(i, i + CHUNK).map((f) => client.publishAsync(f.t, f.v, { qos: 1 })));
      published = Math.min(N, i + CHUNK);
    }
    pubDone = performance.now();
  })();
  let got = 0;
  while (got < N) {
    got = await records(admin);
    if (performance.now() - t0 > 600_000) throw new Error(`timeout: ${got} of ${N} on signal-in (${published} published)`);
    if (got < N) await new Promise((r) => setTimeout(r, 50));
  }
  const t1 = performance.now();
  const cpu = cpuSeconds(connect.pid!) - cpu0;
  await pub;
  await client.endAsync();
  const secs = (t1 - t0) / 1000;
  console.log(`edge bench: ${N} frames MQTT QoS 1 publish -> signal-in in ${secs.toFixed(2)} s = ${Math.round(N / secs)} frames/s ` +
    `(publisher alone: ${Math.round(N / ((pubDone - t0) / 1000))} frames/s acknowledged); Connect CPU ${cpu.toFixed(2)} s = ` +
    `${((cpu * 1e6) / N).toFixed(1)} µs per frame (${((cpu / secs) * 100).toFixed(0)} % of one core)`);
} finally {
  connect.kill("SIGTERM");
  await new Promise((r) => connect.once("exit", r));
  await admin.disconnect();
  mq.stop();
  await deleteTopic(topic).catch(() => {});
  await deleteTopic(`${topic}-dead`).catch(() => {});
  await closeKafka();
}

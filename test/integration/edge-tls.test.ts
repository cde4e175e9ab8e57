// Edge security against a real Mosquitto with a mutual-TLS listener (certificates made here with
// openssl): a client without a certificate, or with one from another CA, is refused by the broker;
// the edge stream with the right certificate delivers the simulator's frames (published over mTLS
// too) to signal-in. And the edge stream refuses to start on a plain non-loopback URL or a TLS setting
// with a plain URL, before it connects anywhere.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import mqtt from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeKafka, consumeAll, createTopic, deleteTopic, headerText, listTopics } from "../helpers/kafka.ts";
import { getStack, REPO_ROOT } from "../helpers/stack.ts";
import { makeCerts, runSim, startMosquitto, type Certs, type Mosquitto } from "./edge-support.ts";
import { names, startConnect, stopConnect, type ConnectProc } from "./ingest-support.ts";

const n = names("edgetls");
let certs: Certs;
let mq: Mosquitto;
let edge: ConnectProc | undefined;

/** Tries an MQTT connection over TLS; resolves "connected" or the error. */
async function tryConnect(opts: mqtt.IClientOptions): Promise<string> {
  try {
    const c = await mqtt.connectAsync(`mqtts://127.0.0.1:${mq.tlsPort}`, { reconnectPeriod: 0, connectTimeout: 5000, ...opts });
    await c.endAsync();
    return "connected";
  } catch (e) {
    return `refused: ${(e as Error).message}`;
  }
}

describe("edge: mutual TLS", () => {
  beforeAll(async () => {
    certs = makeCerts();
    mq = await startMosquitto({ ca: certs.ca, cert: certs.serverCert, key: certs.serverKey });
    await createTopic(n.source, 1);
    await createTopic(n.dead, 1);
  }, 120_000);

  afterAll(async () => {
    await stopConnect(edge);
    mq?.stop();
    certs?.cleanup();
    for (const t of (await listTopics()).filter((t) => t.includes(n.id))) await deleteTopic(t).catch(() => {});
    await closeKafka();
  });

  it("the broker refuses a client without a certificate or with one from another CA", async () => {
    const ca = readFileSync(certs.ca);
    expect(await tryConnect({ ca })).toMatch(/^refused/);
    expect(await tryConnect({ ca, cert: readFileSync(certs.rogueCert), key: readFileSync(certs.rogueKey) })).toMatch(/^refused/);
    // the control: the same call with the CA-signed certificate connects
    expect(await tryConnect({ ca, cert: readFileSync(certs.clientCert), key: readFileSync(certs.clientKey) })).toBe("connected");
  }, 60_000);

  it("the edge stream with the right certificate delivers frames to signal-in", async () => {
    edge = await startConnect("pipelines/edge.yaml", {
      EDGE_MQTT_URLS: `ssl://127.0.0.1:${mq.tlsPort}`,
      EDGE_MQTT_CLIENT_ID: `nb67-edge-${n.id}`,
      EDGE_MQTT_TLS: "true",
      EDGE_MQTT_TLS_CA_FILE: certs.ca,
      EDGE_MQTT_TLS_CLIENT_CERTS: `[{cert_file: "${certs.clientCert}", key_file: "${certs.clientKey}"}]`,
      SOURCE_TOPIC_NAME: n.source,
      DEAD_LETTER_TOPIC: n.dead,
    }, `${n.id}-edge`);
    const log = () => readFileSync(`${mq.dir}/mosquitto.log`, "utf8");
    for (let i = 0; i < 150 && !log().includes(`as nb67-edge-${n.id}`); i++) await new Promise((r) => setTimeout(r, 200));
    expect(log()).toContain(`as nb67-edge-${n.id}`);
    const sim = runSim(["--mqtt", `mqtts://127.0.0.1:${mq.tlsPort}`, "--mqtt-ca", certs.ca, "--mqtt-cert", certs.clientCert, "--mqtt-key", certs.clientKey,
      "--count", "120", "--fast", "--quiet"]);
    expect((await sim.exited).code).toBe(0);
    const recs = await consumeAll(n.source, { expected: 120, timeoutMs: 60_000 });
    expect(recs.length).toBe(120);
    expect(headerText(recs[0], "nb67_mqtt_topic")).toMatch(/^nb67\/7001\/07001\d\d\/frame$/);
  }, 120_000);

  it("refuses to start on a plain non-loopback URL, or EDGE_MQTT_TLS with a plain URL", async () => {
    const stack = await getStack();
    const run = (env: Record<string, string>) =>
      spawnSync(stack.connectBin, ["run", "-s", "http.enabled=false", "pipelines/edge.yaml"], {
        cwd: REPO_ROOT, env: { ...process.env, SOURCE_TOPIC_NAME: n.source, DEAD_LETTER_TOPIC: n.dead, ...env }, encoding: "utf8", timeout: 30_000,
      });
    // Connect logs to stdout
    const plain = run({ EDGE_MQTT_URLS: "tcp://192.0.2.10:1883" });
    expect(plain.status).toBe(1);
    expect(plain.stdout + plain.stderr).toContain("edge: refusing to run, invalid setting");
    expect(plain.stdout + plain.stderr).toContain("plain MQTT to a non-loopback host");
    const tlsPlain = run({ EDGE_MQTT_URLS: `tcp://127.0.0.1:${mq.port}`, EDGE_MQTT_TLS: "true" });
    expect(tlsPlain.status).toBe(1);
    expect(tlsPlain.stdout + tlsPlain.stderr).toContain("EDGE_MQTT_TLS=true needs a TLS URL");
    // never connected: the broker saw no connection from either
    expect(readFileSync(`${mq.dir}/mosquitto.log`, "utf8")).not.toMatch(/New connection from .* on port ${mq.port}\./);
  }, 90_000);
});

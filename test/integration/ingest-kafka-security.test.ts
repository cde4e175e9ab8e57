// Kafka TLS and SASL for the pipelines (docs/security.md), against a private throw-away Kafka
// (tools/kafka/secure.sh: own ports and directory; certificates made here with openssl; the SCRAM
// user created at format time with a fresh random password). pipelines/ingest.yaml reads a frame
// over each secured listener and writes the record back; the checks read through a plain listener.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT, freePort, getStack } from "../helpers/stack.ts";
import { LOG_DIR, VECTORS, stopConnect, type ConnectProc } from "./ingest-support.ts";

const dir = mkdtempSync(path.join(tmpdir(), "nb67-secure-kafka-"));
const certs = path.join(dir, "certs");
const user = "nb67-ingest";
const password = randomBytes(18).toString("base64url");
const ports: Record<string, number> = {};
const frame = readFileSync(path.join(VECTORS, "whole_frame.bin"));
let kafka: Kafka;


function secureEnv(): Record<string, string> {
  return {
    ...process.env as Record<string, string>,
    SECURE_PLAIN_PORT: String(ports.plain),
    SECURE_TLS_PORT: String(ports.tls),
    SECURE_SASL_PORT: String(ports.sasl),
    SECURE_SASL_PLAIN_PORT: String(ports.saslPlain),
    SECURE_CONTROLLER_PORT: String(ports.controller),
    SECURE_SCRAM_USER: user,
    SECURE_SCRAM_PASSWORD: password,
  };
}

/** Runs ingest with `env` on a fresh topic set holding one frame; resolves the parsed records seen
 *  within `waitMs` and the Connect log. */
async function ingestOnce(tag: string, env: Record<string, string>, waitMs: number): Promise<{ parsed: number; log: string }> {
  const t = { in: `in-${tag}`, parsed: `parsed-${tag}`, dead: `dead-${tag}` };
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: Object.values(t).map((topic) => ({ topic, numPartitions: 1 })), waitForLeaders: true });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: t.in, messages: [{ value: frame }] });
  await producer.disconnect();

  const stack = await getStack();
  mkdirSync(LOG_DIR, { recursive: true });
  const log = path.join(LOG_DIR, `secure-kafka-${tag}.log`);
  const out = createWriteStream(log);
  const proc = spawn(stack.connectBin, ["run", "--log.level", "warn", "-s", "http.enabled=false", "pipelines/ingest.yaml"], {
    cwd: REPO_ROOT,
    env: { ...process.env, SOURCE_TOPIC_NAME: t.in, PARSED_TOPIC_NAME: t.parsed, DEAD_LETTER_TOPIC: t.dead, INGEST_GROUP: `g-${tag}`, ARCHIVE_AUTO_CREATE: "true", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.pipe(out, { end: false });
  proc.stderr!.pipe(out, { end: false });
  const c: ConnectProc = { proc, name: tag, exited: new Promise((r) => proc.once("exit", r)), log };

  const consumer = kafka.consumer({ groupId: `check-${tag}` });
  await consumer.connect();
  await consumer.subscribe({ topic: t.parsed, fromBeginning: true });
  let parsed = 0;
  let dvc = "";
  await consumer.run({
    eachMessage: async ({ message }) => {
      parsed++;
      dvc = JSON.parse(message.value!.toString()).payload.msg_calc_dvc_no;
    },
  });
  const end = Date.now() + waitMs;
  while (parsed === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
  await consumer.disconnect();
  await stopConnect(c);
  if (parsed) expect(dvc).toBe("0700203");
  return { parsed, log: readFileSync(log, "utf8") };
}

describe("Kafka TLS and SASL/SCRAM (private broker)", () => {
  beforeAll(async () => {
    for (const k of ["plain", "tls", "sasl", "saslPlain", "controller"]) ports[k] = await freePort();
    const r = spawnSync("bash", [path.join(REPO_ROOT, "tools/kafka/secure.sh"), "start", dir], { env: secureEnv(), encoding: "utf8", timeout: 180_000 });
    if (r.status !== 0) throw new Error(`secure.sh start: ${r.stdout}${r.stderr}`);
    kafka = new Kafka({ clientId: "nb67-secure-test", brokers: [`127.0.0.1:${ports.plain}`], logLevel: logLevel.NOTHING });
  }, 200_000);

  afterAll(() => {
    spawnSync("bash", [path.join(REPO_ROOT, "tools/kafka/secure.sh"), "stop", dir], { env: secureEnv(), encoding: "utf8", timeout: 60_000 });
    rmSync(dir, { recursive: true, force: true });
  });

  const tls = () => ({ KAFKA_TLS: "true", KAFKA_TLS_CA_FILE: path.join(certs, "ca.crt") });

  it("mutual TLS: CA file + client certificate (the listener requires one)", async () => {
    const r = await ingestOnce("mtls", {
      KAFKA_BOOTSTRAP_SERVER: `127.0.0.1:${ports.tls}`,
      ...tls(),
      KAFKA_TLS_CLIENT_CERTS: `[{cert_file: "${path.join(certs, "client.crt")}", key_file: "${path.join(certs, "client.key")}"}]`,
    }, 30_000);
    expect(r.parsed, r.log).toBe(1);
  }, 60_000);

  it("SASL_SSL with SCRAM-SHA-512 over TLS with the CA only (no client certificate)", async () => {
    const r = await ingestOnce("scram512", {
      KAFKA_BOOTSTRAP_SERVER: `127.0.0.1:${ports.sasl}`,
      ...tls(),
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
      KAFKA_SASL_USER: user,
      KAFKA_SASL_PASSWORD: password,
    }, 30_000);
    expect(r.parsed, r.log).toBe(1);
  }, 60_000);

  it("SASL_PLAINTEXT with SCRAM-SHA-256", async () => {
    const r = await ingestOnce("scram256", {
      KAFKA_BOOTSTRAP_SERVER: `127.0.0.1:${ports.saslPlain}`,
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-256",
      KAFKA_SASL_USER: user,
      KAFKA_SASL_PASSWORD: password,
    }, 30_000);
    expect(r.parsed, r.log).toBe(1);
  }, 60_000);

  it("a wrong SCRAM password reads nothing (the listener really authenticates)", async () => {
    const r = await ingestOnce("badpw", {
      KAFKA_BOOTSTRAP_SERVER: `127.0.0.1:${ports.saslPlain}`,
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-256",
      KAFKA_SASL_USER: user,
      KAFKA_SASL_PASSWORD: `${password}x`,
    }, 8_000);
    expect(r.parsed).toBe(0);
    expect(r.log).toMatch(/SASL|authentic/i);
  }, 60_000);
});

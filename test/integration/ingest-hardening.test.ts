// Ingest under hostile input and careless operation, on the real stack (Kafka + Connect), with the
// default acceptance settings (docs/deviations.md I9):
// - producer headers named kafka_* never become dead-letter evidence (coordinates and key come from
//   the broker, or are left empty and named in nb67_source_masked);
// - a device without a provisioned archive topic neither creates a topic nor blocks the stream: its
//   frames reach signal-parsed and the archive copy is a dead letter with reason device;
// - a record between the producer limit (1 MiB) and the broker limit (4 MiB) is a dead letter of its
//   first NB67_MAX_FRAME_BYTES and the frames after it in the same partition still flow;
// - a device clock beyond NB67_MAX_CLOCK_SKEW is a dead letter with reason clock;
// - /metrics shows nb67_frames_decoded_total, nb67_frames_rejected_total{reason} and
//   nb67_consumer_lag{stage="ingest"}.
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeKafka, consumeAll, createTopic, deleteTopic, kafkaClient, listTopics, type ConsumedRecord } from "../helpers/kafka.ts";
import { REPO_ROOT, freePort, getStack } from "../helpers/stack.ts";
import { FrameSimulator } from "../../tools/sim/sim.ts";
import { LOG_DIR, VECTORS, names, stopConnect, waitFor, type ConnectProc } from "./ingest-support.ts";

const n = names("ingest-hard");
const PROVISIONED = "0700101";
const bad = readFileSync(path.join(VECTORS, "edge-all-00.bin")); // header 00 00: rejected (header)
const good = readFileSync(path.join(VECTORS, "whole_frame.bin")); // device 0700203, 2024
const FORGED = { kafka_topic: "forged-topic", kafka_partition: "7", kafka_offset: "999999", kafka_key: "forged-key" };

let ingest: ConnectProc | undefined;
let httpPort = 0;
let dead: ConsumedRecord[] = [];
const sent = new Map<string, { partition: number; offset: string }>();
let sim: FrameSimulator;


const h = (r: ConsumedRecord, k: string) => r.headers[k]?.toString();

describe("ingest hardening (default acceptance settings)", () => {
  beforeAll(async () => {
    const stack = await getStack();
    await createTopic(n.source, 3, { "max.message.bytes": "4194304" });
    await createTopic(n.parsed, 3);
    await createTopic(n.dead, 1);
    await createTopic(n.archivePrefix + PROVISIONED, 1);

    const kafka = await kafkaClient();
    const producer = kafka.producer();
    await producer.connect();
    const send = async (tag: string, partition: number, m: { key?: string; value: Buffer; headers?: Record<string, string> }) => {
      const [md] = await producer.send({ topic: n.source, messages: [{ ...m, partition }] });
      sent.set(tag, { partition: md.partition, offset: md.baseOffset! });
    };
    sim = new FrameSimulator({ trains: 1, start: Date.now() - 60_000, seed: 3 });
    const frames = [...sim.frames(12)];
    // partition 0: 6 frames, a 2 MiB record, 6 more frames
    for (const [i, f] of frames.slice(0, 6).entries()) await send(`sim${i}`, 0, { key: f.dvcNo, value: f.frame });
    await send("huge", 0, { key: "huge", value: Buffer.alloc(2 * 1024 * 1024, 0x2c) });
    for (const [i, f] of frames.slice(6).entries()) await send(`sim${i + 6}`, 0, { key: f.dvcNo, value: f.frame });
    // partition 1: a bad frame, the same with forged coordinates, a good frame with forged coordinates,
    // a frame from the day after tomorrow
    await send("plain", 1, { key: "key-plain", value: bad });
    await send("forged", 1, { key: "key-real", value: bad, headers: FORGED });
    await send("forgedGood", 1, { key: "key-good", value: good, headers: FORGED });
    const future = new FrameSimulator({ trains: 1, start: Date.now() + 48 * 3600_000, seed: 4 });
    await send("future", 1, { key: "future", value: [...future.frames(1)][0].frame });
    await producer.disconnect();

    httpPort = await freePort();
    mkdirSync(LOG_DIR, { recursive: true });
    const log = path.join(LOG_DIR, `${n.id}-ingest.log`);
    const out = createWriteStream(log, { flags: "a" });
    const proc = spawn(stack.connectBin, ["run", "--log.level", "warn", "-s", `http.address=127.0.0.1:${httpPort}`, "pipelines/ingest.yaml"], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        KAFKA_BOOTSTRAP_SERVER: stack.kafkaBrokers.join(","),
        SOURCE_TOPIC_NAME: n.source,
        PARSED_TOPIC_NAME: n.parsed,
        DEAD_LETTER_TOPIC: n.dead,
        ARCHIVE_TOPIC_PREFIX: n.archivePrefix,
        INGEST_GROUP: n.ingestGroup,
        ARCHIVE_DEVICES: PROVISIONED,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    proc.stdout!.pipe(out, { end: false });
    proc.stderr!.pipe(out, { end: false });
    const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
    ingest = { proc, name: `${n.id}-ingest`, exited, log };
    // 1 plain + 1 forged + 1 huge + 1 future + 10 archive copies of unprovisioned sim devices + the
    // forged good frame's archive copy (0700203 is not provisioned)
    // (on a timeout the tests below check what did arrive, so each names its own failure)
    dead = await consumeAll(n.dead, { expected: 15, timeoutMs: 60_000 }).catch(() => consumeAll(n.dead, { idleMs: 2000 }));
  }, 120_000);

  afterAll(async () => {
    await stopConnect(ingest);
    for (const t of (await listTopics()).filter((x) => x.includes(n.id))) await deleteTopic(t).catch(() => {});
    await closeKafka();
  });

  const deadFor = (tag: string) => dead.filter((r) => h(r, "nb67_source_offset") === sent.get(tag)!.offset && h(r, "nb67_source_partition") === String(sent.get(tag)!.partition));

  it("takes dead-letter coordinates and key from the broker, never from producer headers", () => {
    const forged = dead.filter((r) => h(r, "nb67_source_masked") !== undefined && r.value.equals(bad));
    expect(forged).toHaveLength(1);
    const f = forged[0];
    // the broker's partition/offset were masked by the headers: left empty and named, never the forged ones
    expect(h(f, "nb67_source_topic")).toBe(n.source);
    expect(h(f, "nb67_source_partition")).toBe("");
    expect(h(f, "nb67_source_offset")).toBe("");
    expect(h(f, "nb67_source_masked")).toBe("kafka_key,kafka_offset,kafka_partition,kafka_topic");
    expect(f.key?.toString() ?? "").not.toContain("forged");
    const plain = deadFor("plain");
    expect(plain).toHaveLength(1);
    expect(h(plain[0], "nb67_source_topic")).toBe(n.source);
    expect(plain[0].key?.toString()).toBe("key-plain");
    expect(h(plain[0], "nb67_reason")).toBe("header");
    expect(plain[0].headers.nb67_source_masked).toBeUndefined();

    for (const r of dead) {
      for (const v of Object.values(r.headers)) expect(v.toString()).not.toMatch(/forged|999999/);
      expect(Object.keys(r.headers).every((k) => /^nb67_(error|reason|source_(topic|partition|offset|masked))$/.test(k))).toBe(true);
    }
  });

  it("decodes a good frame whatever kafka_* headers it carries", async () => {
    const parsed = await consumeAll(n.parsed, { expected: 13, timeoutMs: 30_000 });
    expect(parsed.map((r) => r.key?.toString())).toContain("0700203");
    expect(parsed.every((r) => Object.keys(r.headers).join() === "nb67_row")).toBe(true);
  });

  it("does not create archive topics for unprovisioned devices; their archive copy is a dead letter and nothing blocks", async () => {
    const parsed = await consumeAll(n.parsed, { expected: 13, timeoutMs: 30_000 });
    const devices = new Set(sim.devices.map((d) => d.dvcNo));
    expect(parsed.filter((r) => devices.has(r.key!.toString()))).toHaveLength(12);
    const archives = (await listTopics()).filter((t) => t.startsWith(n.archivePrefix));
    expect(archives).toEqual([n.archivePrefix + PROVISIONED]);
    const arch = await consumeAll(n.archivePrefix + PROVISIONED, { expected: 2, timeoutMs: 20_000 });
    expect(arch.map((r) => r.key?.toString())).toEqual([PROVISIONED, PROVISIONED]);
    const copies = dead.filter((r) => h(r, "nb67_reason") === "device");
    expect(copies).toHaveLength(11);
    for (const c of copies) expect(h(c, "nb67_error")).toMatch(/^device 07\d{5}: no archive topic provisioned/);
  });

  it("dead-letters a record between the producer and the broker limit (first NB67_MAX_FRAME_BYTES) and keeps going", () => {
    const huge = deadFor("huge");
    expect(huge).toHaveLength(1);
    expect(h(huge[0], "nb67_reason")).toBe("oversize");
    expect(huge[0].value.length).toBe(65536);
    expect(h(huge[0], "nb67_error")).toBe("oversize: record of 2097152 bytes exceeds NB67_MAX_FRAME_BYTES=65536, the dead letter keeps the first 65536");
  });

  it("dead-letters a device clock more than NB67_MAX_CLOCK_SKEW (24h) ahead with reason clock", () => {
    const fut = deadFor("future");
    expect(fut).toHaveLength(1);
    expect(h(fut[0], "nb67_reason")).toBe("clock");
    expect(h(fut[0], "nb67_error")).toMatch(/^clock: device time \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d \(Asia\/Shanghai\) is more than NB67_MAX_CLOCK_SKEW=24h after arrival$/);
  });

  it("exports the ingest metrics on /metrics", async () => {
    const text = await waitFor("metrics", async () => {
      const t = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
      return /^nb67_frames_decoded_total(\{[^}]*\})? 13$/m.test(t) ? t : undefined;
    }, 20_000);
    const val = (re: RegExp) => Number(re.exec(text)?.[1]);
    expect(val(/^nb67_frames_rejected_total\{[^}]*reason="header"[^}]*\} (\d+)$/m)).toBe(2);
    expect(val(/^nb67_frames_rejected_total\{[^}]*reason="oversize"[^}]*\} (\d+)$/m)).toBe(1);
    expect(val(/^nb67_frames_rejected_total\{[^}]*reason="clock"[^}]*\} (\d+)$/m)).toBe(1);
    expect(val(/^nb67_frames_rejected_total\{[^}]*reason="device"[^}]*\} (\d+)$/m)).toBe(11);
    expect(text).toMatch(/^nb67_consumer_lag\{[^}]*stage="ingest"[^}]*\} \d+$/m);
  });
});

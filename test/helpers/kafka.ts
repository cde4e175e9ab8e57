/**
 * A tiny Kafka client for integration tests (kafkajs 2.2.4).
 *
 * Verified 2026-11-22 against the local stack's Apache Kafka 4.1.1 (KRaft, which dropped the old
 * protocol versions, KIP-896): kafkajs negotiates versions that Kafka 4 still serves, and admin
 * createTopics (with per-topic configs) / fetchTopicMetadata / fetchTopicOffsets / describeConfigs /
 * deleteTopics, producing binary values with keys and headers, and consumer-group consumption
 * from the beginning all work. One transient "group coordinator is not available" error is logged
 * on the very first consumer group of a fresh broker (the offsets topic being created) and retried
 * by kafkajs. Partitioning: kafkajs 2's default partitioner is Java-compatible murmur2.
 *
 *   await createTopic("t", 3);
 *   await produce("t", [{ key: "42", value: frameBuffer, headers: { source: "test" } }]);
 *   const recs = await consumeAll("t", { expected: 1 });   // or { idleMs: 2000 }
 *   await deleteTopic("t");
 *   afterAll(closeKafka);
 */
import { Kafka, logLevel, type Admin, type IHeaders, type Producer } from "kafkajs";
import { getStack } from "./stack.ts";

process.env.KAFKAJS_NO_PARTITIONER_WARNING ??= "1";

export interface ProduceRecord {
  key?: string | Buffer | null;
  value: Buffer | string;
  headers?: Record<string, string | Buffer>;
  partition?: number;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer;
  headers: Record<string, Buffer>;
  timestamp: string;
}

export interface ConsumeOptions {
  /** Resolve as soon as this many records arrived (rejects on timeoutMs with what arrived). */
  expected?: number;
  /** Without `expected`: resolve once the topic's end (as of the call) is reached and no record
   *  arrived for this long. Default 1500 ms. */
  idleMs?: number;
  /** Hard limit. Default 30 s. */
  timeoutMs?: number;
  /** Consumer group id; default a fresh one per call (so every call reads from the beginning). */
  groupId?: string;
}

let kafkaP: Promise<{ kafka: Kafka; admin: Admin; producer: Producer }> | undefined;

async function client(): Promise<{ kafka: Kafka; admin: Admin; producer: Producer }> {
  kafkaP ??= (async () => {
    const { kafkaBrokers } = await getStack();
    const kafka = new Kafka({
      clientId: "nb67-tests",
      brokers: kafkaBrokers,
      logLevel: logLevel.ERROR,
      retry: { retries: 8, initialRetryTime: 100 },
    });
    const admin = kafka.admin();
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await Promise.all([admin.connect(), producer.connect()]);
    return { kafka, admin, producer };
  })();
  return kafkaP;
}

/** The shared kafkajs instance, for anything the helpers below do not cover. */
export async function kafkaClient(): Promise<Kafka> {
  return (await client()).kafka;
}

/** Creates the topic if missing (true when created). `configs` e.g. { "retention.ms": "86400000" }. */
export async function createTopic(
  name: string,
  partitions = 3,
  configs: Record<string, string> = {},
): Promise<boolean> {
  const { admin } = await client();
  if ((await admin.listTopics()).includes(name)) return false;
  const created = await admin.createTopics({
    topics: [
      {
        topic: name,
        numPartitions: partitions,
        replicationFactor: 1,
        configEntries: Object.entries(configs).map(([n, value]) => ({ name: n, value })),
      },
    ],
    waitForLeaders: true,
  });
  return created;
}

export async function deleteTopic(name: string): Promise<void> {
  const { admin } = await client();
  const existing = await admin.listTopics();
  if (!existing.includes(name)) return;
  await admin.deleteTopics({ topics: [name], timeout: 10_000 });
}

export async function listTopics(): Promise<string[]> {
  return (await client()).admin.listTopics();
}

/** Per-topic config values (only those set on the topic, not broker defaults, unless all=true). */
export async function topicConfig(name: string, all = false): Promise<Record<string, string>> {
  const { admin } = await client();
  const res = await admin.describeConfigs({
    resources: [{ type: 2 /* TOPIC */, name }],
    includeSynonyms: false,
  });
  const out: Record<string, string> = {};
  for (const e of res.resources[0]?.configEntries ?? []) {
    if (all || !e.isDefault) out[e.configName] = e.configValue;
  }
  return out;
}

export async function partitionCount(name: string): Promise<number> {
  const { admin } = await client();
  const md = await admin.fetchTopicMetadata({ topics: [name] });
  return md.topics[0]?.partitions.length ?? 0;
}

export async function produce(topic: string, records: ProduceRecord[]): Promise<void> {
  const { producer } = await client();
  await producer.send({
    topic,
    acks: -1,
    messages: records.map((r) => ({
      key: r.key ?? null,
      value: r.value,
      headers: r.headers as IHeaders | undefined,
      partition: r.partition,
    })),
  });
}

/** Reads the topic from the beginning (see ConsumeOptions for when it stops). */
export async function consumeAll(
  topic: string,
  opts: ConsumeOptions = {},
): Promise<ConsumedRecord[]> {
  const { kafka, admin } = await client();
  const idleMs = opts.idleMs ?? 1500;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  // end offsets as of now: without `expected`, we stop only after reaching them
  const ends = new Map<number, bigint>();
  for (const p of await admin.fetchTopicOffsets(topic)) ends.set(p.partition, BigInt(p.high));
  const reached = new Map<number, bigint>();
  const atEnd = () =>
    [...ends].every(([p, high]) => high === 0n || (reached.get(p) ?? -1n) + 1n >= high);

  const consumer = kafka.consumer({
    groupId: opts.groupId ?? `nb67-test-${Date.now()}-${Math.random().toString(36).slice(2, 8)}`,
    sessionTimeout: 10_000,
    heartbeatInterval: 1_000,
    maxWaitTimeInMs: 200,
    allowAutoTopicCreation: false,
  });
  const records: ConsumedRecord[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      let last = Date.now();
      const deadline = setTimeout(() => {
        clearInterval(idle);
        if (opts.expected !== undefined) {
          reject(
            new Error(
              `consumeAll(${topic}): ${records.length}/${opts.expected} records after ${timeoutMs} ms`,
            ),
          );
        } else resolve();
      }, timeoutMs);
      const idle = setInterval(() => {
        if (opts.expected === undefined && atEnd() && Date.now() - last >= idleMs) {
          clearTimeout(deadline);
          clearInterval(idle);
          resolve();
        }
      }, 100);
      consumer
        .run({
          eachMessage: async ({ topic: t, partition, message }) => {
            last = Date.now();
            reached.set(partition, BigInt(message.offset));
            const headers: Record<string, Buffer> = {};
            for (const [k, v] of Object.entries(message.headers ?? {})) {
              const one = Array.isArray(v) ? v[v.length - 1] : v;
              if (one !== undefined) headers[k] = Buffer.isBuffer(one) ? one : Buffer.from(one);
            }
            records.push({
              topic: t,
              partition,
              offset: message.offset,
              key: message.key,
              value: message.value ?? Buffer.alloc(0),
              headers,
              timestamp: message.timestamp,
            });
            if (opts.expected !== undefined && records.length >= opts.expected) {
              clearTimeout(deadline);
              clearInterval(idle);
              resolve();
            }
          },
        })
        .catch((e: unknown) => {
          clearTimeout(deadline);
          clearInterval(idle);
          reject(e instanceof Error ? e : new Error(String(e)));
        });
    });
  } finally {
    await consumer.disconnect();
  }
  return records;
}

/** A header's value as text (undefined when absent). */
export function headerText(rec: ConsumedRecord, name: string): string | undefined {
  return rec.headers[name]?.toString("utf8");
}

/** Disconnects the shared admin/producer (call in afterAll). */
export async function closeKafka(): Promise<void> {
  if (!kafkaP) return;
  const { admin, producer } = await kafkaP;
  kafkaP = undefined;
  await Promise.allSettled([producer.disconnect(), admin.disconnect()]);
}

// Ingest + store end to end on the real stack (Kafka, Connect, PostgreSQL):
// the shared vectors and simulator frames (with corrupt ones) go through pipelines/ingest.yaml and
// pipelines/store.yaml. Every good frame is in signal-parsed (key = device) and its device's archive
// topic, every rejected frame is in the dead-letter topic with its original bytes, reason and source,
// every distinct good frame is exactly one row with the decoder's values (legacy views), rows with an
// impossible device time are in the dead-letter table; replaying both pipelines adds nothing.
// Runs for both store methods: insert (sql_insert from the JSON) and bulk (nb67_store_batch from the
// nb67_row header ingest attaches, docs/deviations.md D9).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeKafka, consumeAll, createTopic, deleteTopic, kafkaClient, listTopics } from "../helpers/kafka.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/stack.ts";
import { FrameSimulator } from "../../tools/sim/sim.ts";
import {
  LEGACY_ACCEPTANCE, decodeFrame, groupLag, names, naturalKey, pipelineEnv, produceMany, query, rowCount, startConnect, stopConnect,
  validDvcTime, vectorFrames, waitFor, type ConnectProc, type Decoded,
} from "./ingest-support.ts";

interface Sent {
  name: string;
  frame: Buffer;
  d: Decoded;
}

describe.each(["insert", "bulk"] as const)("ingest + store (STORE_METHOD=%s)", (method) => {
  const n = names(`ingest-${method}`);
  let db: TestDatabase;
  let ingest: ConnectProc | undefined;
  let store: ConnectProc | undefined;
  const sent: Sent[] = [];

  beforeAll(async () => {
    db = await createTestDatabase(`ingest_${method}`, { applySchema: true });
    await createTopic(n.source, 3);
    await createTopic(n.parsed, 3);
    await createTopic(n.dead, 1);
    for (const v of vectorFrames()) sent.push({ name: v.name, frame: v.frame, d: await decodeFrame(v.frame) });
    const sim = new FrameSimulator({ trains: 2, start: Date.now() - 30 * 60_000, corruptShare: 0.03, seed: 7 });
    for (const f of sim.frames(3600)) sent.push({ name: `sim-${f.dvcNo}-${f.tMs}`, frame: f.frame, d: await decodeFrame(f.frame) });
    await produceMany(
      n.source,
      sent.map((s, i) => ({ key: `k${i % 17}`, value: s.frame })),
    );
    // the legacy corpus (random vectors, carriage 0/255, ...) under the legacy acceptance settings
    const env = pipelineEnv(n, db.url, { STORE_METHOD: method, ...LEGACY_ACCEPTANCE });
    ingest = await startConnect("pipelines/ingest.yaml", env, `${n.id}-ingest`);
    store = await startConnect("pipelines/store.yaml", env, `${n.id}-store`);
  }, 300_000);

  afterAll(async () => {
    await stopConnect(ingest);
    await stopConnect(store);
    const topics = (await listTopics()).filter((t) => t.includes(n.id));
    for (const t of topics) await deleteTopic(t).catch(() => {});
    await closeKafka();
    await db?.drop();
  });

  it("sends every rejected frame to the dead-letter topic with its original bytes, reason and source", async () => {
    const bad = sent.filter((s) => !s.d.ok);
    expect(bad.length).toBeGreaterThan(50);
    const dead = await consumeAll(n.dead, { expected: bad.length, timeoutMs: 120_000 });
    expect(dead.length).toBe(bad.length);
    const want = bad.map((b) => b.frame.toString("hex")).sort();
    expect(dead.map((r) => r.value.toString("hex")).sort()).toEqual(want);
    for (const r of dead) {
      expect(r.headers.nb67_error?.toString().length).toBeGreaterThan(0);
      expect(r.headers.nb67_source_topic?.toString()).toBe(n.source);
      expect(Number(r.headers.nb67_source_partition?.toString())).toBeGreaterThanOrEqual(0);
      expect(Number(r.headers.nb67_source_offset?.toString())).toBeGreaterThanOrEqual(0);
      expect(["short", "train", "header", "other"]).toContain(r.headers.nb67_reason?.toString());
      expect(Object.keys(r.headers).sort()).toEqual(["nb67_error", "nb67_reason", "nb67_source_offset", "nb67_source_partition", "nb67_source_topic"]);
    }
  }, 180_000);

  it("writes every good frame to signal-parsed (key = device number) in the legacy envelope", async () => {
    const good = sent.filter((s) => s.d.ok);
    const parsed = await consumeAll(n.parsed, { expected: good.length, timeoutMs: 120_000 });
    expect(parsed.length).toBe(good.length);
    const byKey = new Map<string, number>();
    for (const r of parsed) {
      const v = JSON.parse(r.value.toString());
      expect(v.schema).toEqual({ type: "struct", name: "ACSignal" });
      expect(r.key?.toString()).toBe(v.payload.msg_calc_dvc_no);
      expect(v.payload.msg_calc_parse_time).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
      // the row literal for the bulk store (D9): raw values, then the quoted device number, times
      const row = r.headers.nb67_row?.toString() ?? "";
      expect(row.startsWith("(") && row.endsWith(")"), row.slice(0, 40)).toBe(true);
      expect(row).toContain(`,"${v.payload.msg_calc_dvc_no}","${v.payload.msg_calc_dvc_time}","${v.payload.msg_calc_parse_time}"`);
      expect(Object.keys(r.headers)).toEqual(["nb67_row"]);
      byKey.set(naturalKey(v.payload), (byKey.get(naturalKey(v.payload)) ?? 0) + 1);
    }
    const wantKeys = new Map<string, number>();
    for (const g of good) wantKeys.set(naturalKey(g.d.record!), (wantKeys.get(naturalKey(g.d.record!)) ?? 0) + 1);
    expect(byKey).toEqual(wantKeys);
  }, 180_000);

  it("writes each device's records to its archive topic", async () => {
    const good = sent.filter((s) => s.d.ok);
    const perDevice = new Map<string, number>();
    for (const g of good) perDevice.set(g.d.dvcNo!, (perDevice.get(g.d.dvcNo!) ?? 0) + 1);
    const topics = await waitFor("archive topics", async () => {
      const t = (await listTopics()).filter((x) => x.startsWith(n.archivePrefix));
      return t.length === perDevice.size ? t : undefined;
    });
    expect(topics.map((t) => t.slice(n.archivePrefix.length)).sort()).toEqual([...perDevice.keys()].sort());
    // one consumer for all archive topics
    const kafka = await kafkaClient();
    const consumer = kafka.consumer({ groupId: `${n.id}-archive-check` });
    await consumer.connect();
    const got = new Map<string, number>();
    let total = 0;
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const dvc = topic.slice(n.archivePrefix.length);
        const v = JSON.parse(message.value!.toString());
        expect(v.payload.msg_calc_dvc_no).toBe(dvc);
        expect(message.key?.toString()).toBe(dvc);
        got.set(dvc, (got.get(dvc) ?? 0) + 1);
        total++;
      },
    });
    await waitFor("archive records", async () => total >= good.length, 120_000);
    await new Promise((r) => setTimeout(r, 1000));
    await consumer.disconnect();
    expect(got).toEqual(perDevice);
  }, 240_000);

  it("stores every distinct good frame exactly once with the decoder's values; bad dates go to the dead-letter table", async () => {
    const good = sent.filter((s) => s.d.ok);
    const groups = new Map<string, Sent[]>();
    for (const g of good) {
      const k = naturalKey(g.d.record!);
      groups.set(k, [...(groups.get(k) ?? []), g]);
    }
    const storable = [...groups.entries()].filter(([, g]) => validDvcTime(String(g[0].d.record!.msg_calc_dvc_time)));
    const undatable = [...groups.entries()].filter(([, g]) => !validDvcTime(String(g[0].d.record!.msg_calc_dvc_time)));
    expect(undatable.length).toBeGreaterThan(0);
    await waitFor("rows", async () => (await rowCount(db.url)) >= storable.length, 180_000);
    await waitFor("dead-letter rows", async () => (await rowCount(db.url, "macda_dead_letter")) >= undatable.length, 60_000);
    await new Promise((r) => setTimeout(r, 2000));
    expect(await rowCount(db.url)).toBe(storable.length);
    const dl = await query<{ reason: string; record: Buffer }>(db.url, "SELECT reason, record FROM macda_dead_letter");
    // undatable rows, plus (store: first write wins, a different record under a stored key is a
    // conflict dead letter) records of keys that the corpus holds with different content
    const content = (r: Record<string, number | string>) => JSON.stringify({ ...r, msg_calc_parse_time: undefined });
    const mixed = new Set([...groups.entries()].filter(([, g]) => new Set(g.map((x) => content(x.d.record!))).size > 1).map(([k]) => k));
    const undatableDl = dl.filter((r) => r.reason.startsWith("invalid device time: "));
    expect(undatableDl.length).toBe(undatable.length);
    for (const r of dl) {
      const rec = JSON.parse(r.record.toString());
      expect(groups.has(naturalKey(rec.payload ?? rec))).toBe(true);
      if (!r.reason.startsWith("invalid device time: ")) {
        expect(r.reason).toMatch(/^conflict: /);
        expect(mixed.has(naturalKey(rec.payload ?? rec))).toBe(true);
      }
    }
    // values through the legacy views (dev_macda carries the legacy device-time text)
    const rows = await query<Record<string, unknown>>(db.url, "SELECT * FROM dev_macda");
    const pro = await query<Record<string, unknown>>(db.url, "SELECT * FROM pro_macda LIMIT 1");
    expect(Object.keys(pro[0]).length).toBe(232);
    expect(Object.keys(rows[0]).length).toBe(232);
    expect(rows.length).toBe(storable.length);
    const seen = new Set<string>();
    for (const row of rows) {
      const key = `${row.msg_calc_dvc_no}|${row.msg_calc_dvc_time}|${row.msg_frame_no}`;
      expect(groups.has(key), key).toBe(true);
      seen.add(key);
      const match = groups.get(key)!.some((s) => {
        const rec = s.d.record!;
        return Object.keys(row).every((c) => c === "msg_calc_parse_time" || row[c] === rec[c]);
      });
      expect(match, `row ${key} differs from the decoder`).toBe(true);
    }
    expect(seen.size).toBe(storable.length);
  }, 300_000);

  it("replaying both pipelines from the start (new consumer groups) adds no row", async () => {
    const before = await rowCount(db.url);
    const dlBefore = await rowCount(db.url, "macda_dead_letter");
    await stopConnect(ingest);
    await stopConnect(store);
    const env = pipelineEnv(n, db.url, { INGEST_GROUP: `${n.ingestGroup}-replay`, STORE_GROUP: `${n.storeGroup}-replay`, STORE_METHOD: method, ...LEGACY_ACCEPTANCE });
    ingest = await startConnect("pipelines/ingest.yaml", env, `${n.id}-ingest-replay`);
    store = await startConnect("pipelines/store.yaml", env, `${n.id}-store-replay`);
    await waitFor("ingest replay", async () => (await groupLag(`${n.ingestGroup}-replay`, n.source)) === 0, 180_000, 1000);
    await waitFor("store replay", async () => (await groupLag(`${n.storeGroup}-replay`, n.parsed)) === 0, 180_000, 1000);
    expect(await rowCount(db.url)).toBe(before);
    expect(await rowCount(db.url, "macda_dead_letter")).toBe(dlBefore);
  }, 400_000);
});

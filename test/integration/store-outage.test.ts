// PostgreSQL outage: the store writes into a PRIVATE PostgreSQL server (temp dir, own port; the
// shared stack's server is never touched), which is stopped for 30 s in the middle of a stream.
// The store keeps running, backs off (retry output), does not commit what it could not write, and
// after the restart writes everything: rows equal distinct frames, nothing in the dead-letter table.
// Both store methods are exercised (insert = sql_insert, bulk = sql_raw + nb67_store_batch).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeKafka, createTopic, deleteTopic, listTopics } from "../helpers/kafka.ts";
import { FrameSimulator } from "../../tools/sim/sim.ts";
import {
  applySchema, decodeFrame, names, PrivatePostgres, produceMany, query, rowCount, startConnect, stopConnect, waitFor,
  type ConnectProc,
} from "./ingest-support.ts";

const OUTAGE_MS = 30_000;
const FRAMES = 12_000;
let pgsrv: PrivatePostgres;
const topics: string[] = [];

async function parsedRecords(seed: number, start: number) {
  const sim = new FrameSimulator({ trains: 2, start, seed });
  const out: Array<{ key: string; value: Buffer }> = [];
  const parseTime = new Date().toISOString().slice(0, 19).replace("T", " ");
  for (const f of sim.frames(FRAMES)) {
    const d = await decodeFrame(f.frame);
    const payload = { ...d.record!, msg_calc_parse_time: parseTime };
    out.push({ key: f.dvcNo, value: Buffer.from(JSON.stringify({ schema: { type: "struct", name: "ACSignal" }, payload })) });
  }
  return out;
}

describe("PostgreSQL stopped for 30 s mid-stream", () => {
  beforeAll(() => {
    pgsrv = new PrivatePostgres(25400 + Math.floor(Math.random() * 500));
    pgsrv.init();
    pgsrv.start();
  }, 120_000);

  afterAll(async () => {
    pgsrv?.destroy();
    for (const t of (await listTopics()).filter((t) => topics.some((x) => t === x))) await deleteTopic(t).catch(() => {});
    await closeKafka();
  });

  for (const method of ["insert", "bulk"] as const) {
    it(`${method}: backs off, recovers by itself, loses nothing`, async () => {
      const n = names(`outage-${method}`);
      topics.push(n.parsed);
      const dbName = `outage_${method}`;
      const url = pgsrv.url.replace("/nb67?", `/${dbName}?`);
      await query(pgsrv.url.replace("/nb67?", "/postgres?"), `CREATE DATABASE ${dbName}`);
      applySchema(url);
      await createTopic(n.parsed, 3);
      const records = await parsedRecords(method === "insert" ? 1 : 2, Date.now() - 3600_000);
      let store: ConnectProc | undefined = await startConnect(
        "pipelines/store.yaml",
        { PARSED_TOPIC_NAME: n.parsed, STORE_GROUP: n.storeGroup, TSDB_URL: url, STORE_METHOD: method },
        `${n.id}-store`,
      );
      try {
        const third = Math.floor(FRAMES / 3);
        await produceMany(n.parsed, records.slice(0, third));
        await waitFor("first rows", async () => (await rowCount(url)) > 0, 60_000, 200);
        pgsrv.stop();
        const stoppedAt = Date.now();
        await produceMany(n.parsed, records.slice(third, 2 * third));
        await new Promise((r) => setTimeout(r, OUTAGE_MS - (Date.now() - stoppedAt)));
        expect(store.proc.exitCode).toBeNull(); // still running, backing off
        pgsrv.start();
        await produceMany(n.parsed, records.slice(2 * third));
        await waitFor("all rows after the outage", async () => (await rowCount(url)) >= FRAMES, 240_000, 1000);
        await new Promise((r) => setTimeout(r, 2000));
        const [{ rows, distinct }] = await query<{ rows: string; distinct: string }>(
          url,
          "SELECT count(*) AS rows, count(DISTINCT (dvc_no, dvc_time, msg_frame_no)) AS distinct FROM macda",
        );
        expect(Number(rows)).toBe(FRAMES);
        expect(Number(distinct)).toBe(FRAMES);
        expect(await rowCount(url, "macda_dead_letter")).toBe(0);
      } finally {
        await stopConnect(store);
        store = undefined;
      }
    }, 600_000);
  }
});

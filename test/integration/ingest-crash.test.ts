// Crash safety: a stream of 50,000 simulator frames goes through ingest + store while both Connect
// processes are killed with SIGKILL (no shutdown, no final commit) three times and restarted.
// At-least-once delivery replays the uncommitted tail; the natural key makes the replay harmless:
// in the end the table holds exactly one row per distinct frame — nothing lost, nothing duplicated.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeKafka, createTopic, deleteTopic, listTopics } from "../helpers/kafka.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/stack.ts";
import { FrameSimulator } from "../../tools/sim/sim.ts";
import { names, pipelineEnv, produceMany, query, rowCount, startConnect, stopConnect, waitFor, type ConnectProc } from "./ingest-support.ts";

const FRAMES = 50_040; // 10 trains x 6 carriages x 834 s
const KILLS = 3;
const n = names("crash");
let db: TestDatabase;
let ingest: ConnectProc | undefined;
let store: ConnectProc | undefined;

describe("SIGKILL during a 50,000-frame stream", () => {
  beforeAll(async () => {
    db = await createTestDatabase("crash", { applySchema: true });
    await createTopic(n.source, 3);
    await createTopic(n.parsed, 3);
    await createTopic(n.dead, 1);
  }, 120_000);

  afterAll(async () => {
    await stopConnect(ingest);
    await stopConnect(store);
    for (const t of (await listTopics()).filter((t) => t.includes(n.id))) await deleteTopic(t).catch(() => {});
    await closeKafka();
    await db?.drop();
  });

  it("rows equal distinct frames after 3 SIGKILLs of ingest and store", async () => {
    const sim = new FrameSimulator({ trains: 10, start: Date.now() - 3 * 3600_000, seed: 11 });
    const frames = [...sim.frames(FRAMES)].map((f) => ({ key: f.dvcNo, value: f.frame }));
    expect(frames.length).toBe(FRAMES);
    const env = pipelineEnv(n, db.url);
    let gen = 0;
    const start = async () => {
      gen++;
      ingest = await startConnect("pipelines/ingest.yaml", env, `${n.id}-ingest-${gen}`);
      store = await startConnect("pipelines/store.yaml", env, `${n.id}-store-${gen}`);
    };
    await start();
    const chunk = Math.ceil(FRAMES / (KILLS + 1));
    const kills: number[] = [];
    for (let k = 0; k <= KILLS; k++) {
      await produceMany(n.source, frames.slice(k * chunk, (k + 1) * chunk));
      if (k === KILLS) break;
      // let the pipelines get busy with this chunk, then kill them mid-stream
      const before = await rowCount(db.url);
      await waitFor("progress before the kill", async () => (await rowCount(db.url)) > before + 500, 120_000, 200);
      kills.push(await rowCount(db.url));
      ingest!.proc.kill("SIGKILL");
      store!.proc.kill("SIGKILL");
      await Promise.all([ingest!.exited, store!.exited]);
      await start();
    }
    expect(kills.length).toBe(KILLS);
    // each kill happened before that chunk was fully stored
    kills.forEach((rows, i) => expect(rows).toBeLessThan((i + 1) * chunk));
    await waitFor("all rows", async () => (await rowCount(db.url)) >= FRAMES, 600_000, 2000);
    await new Promise((r) => setTimeout(r, 3000));
    const [{ rows, distinct }] = await query<{ rows: string; distinct: string }>(
      db.url,
      "SELECT count(*) AS rows, count(DISTINCT (dvc_no, dvc_time, msg_frame_no)) AS distinct FROM macda",
    );
    expect(Number(rows)).toBe(FRAMES);
    expect(Number(distinct)).toBe(FRAMES);
    expect(await rowCount(db.url, "macda_dead_letter")).toBe(0);
  }, 900_000);
});

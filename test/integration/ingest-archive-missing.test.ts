// A device listed in ARCHIVE_DEVICES whose archive topic does not exist (never created, or deleted):
// with ARCHIVE_AUTO_CREATE=false the broker refuses the write (UNKNOWN_TOPIC_OR_PARTITION) after the
// client's retries, and the archive copy becomes a dead letter with the broker's error instead of a
// retry loop; the frames still reach signal-parsed and ingest keeps going. (The fallback receives the
// failed produce batch, so archive copies of other devices in that batch may be dead letters too:
// a dead letter keeps the original frame, to be replayed once the topic exists.)
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeKafka, consumeAll, createTopic, deleteTopic, listTopics } from "../helpers/kafka.ts";
import { FrameSimulator } from "../../tools/sim/sim.ts";
import { names, produceMany, startConnect, stopConnect, type ConnectProc } from "./ingest-support.ts";

const n = names("ingest-archmiss");
let ingest: ConnectProc | undefined;

describe("ingest: a provisioned archive topic that is missing", () => {
  beforeAll(async () => {
    await createTopic(n.source, 1);
    await createTopic(n.parsed, 1);
    await createTopic(n.dead, 1);
    const sim = new FrameSimulator({ trains: 1, carriages: 2, start: Date.now() - 60_000, seed: 5 });
    await produceMany(n.source, [...sim.frames(4)].map((f) => ({ key: f.dvcNo, value: f.frame })));
    ingest = await startConnect("pipelines/ingest.yaml", {
      SOURCE_TOPIC_NAME: n.source, PARSED_TOPIC_NAME: n.parsed, DEAD_LETTER_TOPIC: n.dead,
      ARCHIVE_TOPIC_PREFIX: n.archivePrefix, INGEST_GROUP: n.ingestGroup,
      ARCHIVE_DEVICES: "0700101 0700102", ARCHIVE_AUTO_CREATE: "false",
    }, `${n.id}-ingest`);
  }, 60_000);

  afterAll(async () => {
    await stopConnect(ingest);
    for (const t of (await listTopics()).filter((x) => x.includes(n.id))) await deleteTopic(t).catch(() => {});
    await closeKafka();
  });

  it("dead-letters the archive copies with the broker's error, stores every frame, creates no topic", async () => {
    const parsed = await consumeAll(n.parsed, { expected: 4, timeoutMs: 90_000 });
    expect(parsed).toHaveLength(4);
    const dead = await consumeAll(n.dead, { expected: 4, timeoutMs: 90_000 });
    expect(dead).toHaveLength(4);
    for (const r of dead) {
      expect(r.headers.nb67_reason?.toString()).toBe("device");
      expect(r.headers.nb67_error?.toString()).toMatch(/^device 070010[12]: archive topic not written: UNKNOWN_TOPIC_OR_PARTITION/);
    }
    expect((await listTopics()).filter((t) => t.startsWith(n.archivePrefix))).toEqual([]);
    expect(readFileSync(ingest!.log, "utf8")).not.toMatch(/level=fatal/);
  }, 200_000);
});

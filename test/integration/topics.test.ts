// tools/stack/topics.sh on the real broker: the pipeline topics with their retention, and the
// per-device archive topics of ARCHIVE_DEVICES created beforehand (1 partition, archive retention),
// so a device's first frame does not wait for topic auto-creation.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { closeKafka, deleteTopic, kafkaClient, listTopics } from "../helpers/kafka.ts";
import { getStack } from "../helpers/stack.ts";
import { ROOT } from "../helpers/reference.ts";

const run = promisify(execFile);
const id = `topics-${Date.now().toString(36)}`;
const env = {
  SOURCE_TOPIC_NAME: `nb67-in-${id}`,
  PARSED_TOPIC_NAME: `nb67-parsed-${id}`,
  DEAD_LETTER_TOPIC: `nb67-dead-${id}`,
  ARCHIVE_TOPIC_PREFIX: `nb67-arch-${id}-`,
};

async function topicsSh(extra: Record<string, string>) {
  const stack = await getStack();
  return run("tools/stack/topics.sh", [], {
    cwd: ROOT,
    env: { ...process.env, KAFKA_BOOTSTRAP_SERVER: stack.kafkaBrokers.join(","), ...env, ...extra },
  });
}

describe("tools/stack/topics.sh", () => {
  afterAll(async () => {
    for (const t of (await listTopics()).filter((x) => x.includes(id))) await deleteTopic(t).catch(() => {});
    await closeKafka();
  });

  it("creates the archive topics of ARCHIVE_DEVICES with 1 partition and the archive retention, idempotently", async () => {
    const devices = ["0799901", "0799902", "07999031"];
    const first = await topicsSh({ ARCHIVE_DEVICES: `${devices[0]}, ${devices[1]}\n${devices[2]}`, ARCHIVE_TOPIC_RETENTION_HOURS: "72" });
    expect(first.stdout).toContain("3 devices  3 created");
    const again = await topicsSh({ ARCHIVE_DEVICES: devices.join(",") });
    expect(again.stdout).toContain("3 devices  0 created");
    const want = devices.map((d) => env.ARCHIVE_TOPIC_PREFIX + d);
    expect((await listTopics()).filter((t) => t.startsWith(env.ARCHIVE_TOPIC_PREFIX)).sort()).toEqual(want.sort());
    const admin = (await kafkaClient()).admin();
    await admin.connect();
    try {
      const md = await admin.fetchTopicMetadata({ topics: want });
      for (const t of md.topics) expect(t.partitions.length, t.name).toBe(1);
      const cfg = await admin.describeConfigs({
        resources: want.map((name) => ({ type: 2, name, configNames: ["retention.ms"] })),
        includeSynonyms: false,
      });
      for (const r of cfg.resources) {
        expect(r.configEntries.find((e) => e.configName === "retention.ms")?.configValue, r.resourceName).toBe(String(72 * 3_600_000));
      }
    } finally {
      await admin.disconnect();
    }
  }, 120_000);

  it("sets and converges the retention of signal-in, signal-parsed and the dead-letter topic per topic", async () => {
    const retention = async () => {
      const admin = (await kafkaClient()).admin();
      await admin.connect();
      try {
        const names = [env.SOURCE_TOPIC_NAME, env.PARSED_TOPIC_NAME, env.DEAD_LETTER_TOPIC];
        const cfg = await admin.describeConfigs({ resources: names.map((name) => ({ type: 2, name, configNames: ["retention.ms"] })), includeSynonyms: false });
        return names.map((n) => Number(cfg.resources.find((r) => r.resourceName === n)?.configEntries.find((e) => e.configName === "retention.ms")?.configValue) / 3_600_000);
      } finally {
        await admin.disconnect();
      }
    };
    await topicsSh({ SOURCE_TOPIC_RETENTION_HOURS: "72", PARSED_TOPIC_RETENTION_HOURS: "48", DEAD_LETTER_TOPIC_RETENTION_HOURS: "336" });
    expect(await retention()).toEqual([72, 48, 336]);
    // an existing topic converges to a changed setting (e.g. longer, to ride out a longer store outage)
    const again = await topicsSh({ SOURCE_TOPIC_RETENTION_HOURS: "96", PARSED_TOPIC_RETENTION_HOURS: "48", DEAD_LETTER_TOPIC_RETENTION_HOURS: "336" });
    expect(again.stdout).toMatch(/retention 259200000->345600000 ms/);
    expect(await retention()).toEqual([96, 48, 336]);
    await expect(topicsSh({ PARSED_TOPIC_RETENTION_HOURS: "0" })).rejects.toThrow(/PARSED_TOPIC_RETENTION_HOURS must be a positive number of hours/);
  }, 120_000);

  it("refuses a device number that is not 7-8 digits, creating nothing for it", async () => {
    await expect(topicsSh({ ARCHIVE_DEVICES: "0799904,07999/x" })).rejects.toThrow(/ARCHIVE_DEVICES: "07999\/x" is not a 7-8 digit device number/);
    expect((await listTopics()).some((t) => t === `${env.ARCHIVE_TOPIC_PREFIX}0799904`)).toBe(false);
  }, 60_000);
});

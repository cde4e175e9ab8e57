// Idempotent topic provisioning for the local stack (run by tools/stack/topics.sh).
// Creates missing topics, raises partition counts that are too low and converges retention.ms.
// Per-device archive topics (MACDA-archive-<parsed>-<dvc>): ingest writes only those of
// ARCHIVE_DEVICES (device numbers, comma or space separated; the same variable ingest reads), which
// this creates beforehand (ARCHIVE_TOPIC_RETENTION_HOURS 168 h, ARCHIVE_TOPIC_PARTITIONS 1). Another
// device's archive copy is a dead letter unless ARCHIVE_AUTO_CREATE=true lets the broker create its
// topic on the first frame (~50 ms per topic, during which ingest holds that partition's batch).
import { Kafka, logLevel } from "kafkajs";

const env = (name: string, def: string): string => process.env[name] || def;
const hours = (name: string, def: number): number => {
  const v = Number(env(name, String(def)));
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${name} must be a positive number of hours`);
  return v;
};

const partitions = Number(env("TOPIC_PARTITIONS", "3"));
const topics = [
  { name: env("SOURCE_TOPIC_NAME", "signal-in"), hours: hours("SOURCE_TOPIC_RETENTION_HOURS", 24) },
  { name: env("PARSED_TOPIC_NAME", "signal-parsed"), hours: hours("PARSED_TOPIC_RETENTION_HOURS", 24) },
  { name: env("DEAD_LETTER_TOPIC", "signal-dead-letter"), hours: hours("DEAD_LETTER_TOPIC_RETENTION_HOURS", 168) },
];
const archivePrefix = env("ARCHIVE_TOPIC_PREFIX", "MACDA-archive-signal-parsed-"); // as pipelines/ingest.yaml
const archiveDevices = env("ARCHIVE_DEVICES", "").split(/[\s,]+/).filter(Boolean);
for (const d of archiveDevices) {
  // the same rule ingest applies before it builds an archive topic name
  if (!/^[0-9]{7,8}$/.test(d)) throw new Error(`ARCHIVE_DEVICES: "${d}" is not a 7-8 digit device number`);
}
const brokers = env("KAFKA_BOOTSTRAP_SERVER", "127.0.0.1:19092")
  .split(",")
  .map((b) => b.trim().replace(/^[a-z]+:\/\//, "").replace(/\/+$/, ""))
  .filter(Boolean);

const kafka = new Kafka({ clientId: "nb67-topics", brokers, logLevel: logLevel.ERROR });
const admin = kafka.admin();
await admin.connect();
try {
  const existing = new Set(await admin.listTopics());
  for (const t of topics) {
    const retentionMs = String(Math.round(t.hours * 3_600_000));
    let action = "ok";
    if (!existing.has(t.name)) {
      await admin.createTopics({
        topics: [{ topic: t.name, numPartitions: partitions, replicationFactor: 1,
                   configEntries: [{ name: "retention.ms", value: retentionMs }] }],
        waitForLeaders: true,
      });
      action = "created";
    } else {
      const md = await admin.fetchTopicMetadata({ topics: [t.name] });
      const have = md.topics[0]?.partitions.length ?? 0;
      if (have < partitions) {
        await admin.createPartitions({ topicPartitions: [{ topic: t.name, count: partitions }] });
        action = `partitions ${have}->${partitions}`;
      }
      const cfg = await admin.describeConfigs({ resources: [{ type: 2, name: t.name, configNames: ["retention.ms"] }], includeSynonyms: false });
      const cur = cfg.resources[0]?.configEntries.find((e) => e.configName === "retention.ms")?.configValue;
      if (cur !== retentionMs) {
        await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: t.name, configEntries: [{ name: "retention.ms", value: retentionMs }] }] });
        action = action === "ok" ? `retention ${cur}->${retentionMs} ms` : `${action}, retention updated`;
      }
    }
    console.log(`topic  ${t.name.padEnd(24)} partitions>=${partitions} retention ${t.hours} h  ${action}`);
  }
  if (archiveDevices.length) {
    const missing = archiveDevices.map((d) => archivePrefix + d).filter((t) => !existing.has(t));
    if (missing.length) {
      const retentionMs = String(Math.round(hours("ARCHIVE_TOPIC_RETENTION_HOURS", 168) * 3_600_000));
      await admin.createTopics({
        topics: missing.map((topic) => ({ topic, numPartitions: Number(env("ARCHIVE_TOPIC_PARTITIONS", "1")), replicationFactor: 1,
                                          configEntries: [{ name: "retention.ms", value: retentionMs }] })),
        waitForLeaders: true,
      });
    }
    console.log(`topic  ${(archivePrefix + "<device>").padEnd(24)} ${archiveDevices.length} devices  ${missing.length} created`);
  }
} finally {
  await admin.disconnect();
}

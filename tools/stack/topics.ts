// Idempotent topic provisioning for the local stack (run by tools/stack/topics.sh).
// Creates missing topics, raises partition counts that are too low and converges retention.ms.
// Per-device archive topics (MACDA-archive-<parsed>-<dvc>) are auto-created by the broker and
// take its default retention (log.retention.hours, ARCHIVE_TOPIC_RETENTION_HOURS, 168 h).
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
} finally {
  await admin.disconnect();
}

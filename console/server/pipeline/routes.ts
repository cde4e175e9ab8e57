// Pipeline health: /ready of each Connect instance (CONNECT_READY_URLS), consumer lag of the ingest
// and store groups (kafkajs admin), dead letters over the last hour and day (topic and tables), the
// platform outbox backlog and the last successful delivery. Each source is reported on its own, so
// one being down shows as that source's error instead of failing the page.
import type { FastifyInstance } from "fastify";
import { Kafka, logLevel, type Admin } from "kafkajs";
import { errors, NoQuery, obj, Timestamp } from "../lib/schemas.ts";

const Err = { type: ["string", "null"] } as const;
const Int = { type: ["integer", "null"] } as const;

export default async function pipelineRoutes(app: FastifyInstance): Promise<void> {
  let admin: Admin | undefined;
  const getAdmin = async () => {
    if (!admin) {
      const a = new Kafka({ clientId: "nb67-console-admin", brokers: app.cfg.kafkaBrokers, logLevel: logLevel.NOTHING, connectionTimeout: 2000, requestTimeout: 5000, retry: { retries: 1 } }).admin();
      await a.connect();
      admin = a;
    }
    return admin;
  };
  app.addHook("onClose", async () => admin?.disconnect().catch(() => {}));

  async function lag(group: string, topic: string) {
    try {
      const a = await getAdmin();
      const [ends, committed] = await Promise.all([a.fetchTopicOffsets(topic), a.fetchOffsets({ groupId: group, topics: [topic] })]);
      const end = new Map(ends.map((e) => [e.partition, Number(e.high)]));
      let total = 0;
      for (const p of committed[0]?.partitions ?? []) {
        const c = Number(p.offset);
        const h = end.get(p.partition) ?? 0;
        total += c < 0 ? h - Number(ends.find((e) => e.partition === p.partition)?.low ?? 0) : Math.max(0, h - c);
      }
      return { group, topic, lag: total, error: null };
    } catch (e) {
      admin = undefined;
      return { group, topic, lag: null, error: String((e as Error).message).slice(0, 200) };
    }
  }

  async function topicCountSince(topic: string, sinceMs: number): Promise<number | null> {
    try {
      const a = await getAdmin();
      const [ends, at] = await Promise.all([a.fetchTopicOffsets(topic), a.fetchTopicOffsetsByTimestamp(topic, Date.now() - sinceMs)]);
      const hi = new Map(ends.map((e) => [e.partition, Number(e.high)]));
      return at.reduce((s, p) => s + Math.max(0, (hi.get(p.partition) ?? 0) - (Number(p.offset) < 0 ? (hi.get(p.partition) ?? 0) : Number(p.offset))), 0);
    } catch {
      return null;
    }
  }

  async function ready(url: string) {
    const ctl = new AbortController();
    const t = setTimeout(() => ctl.abort(), 2000);
    try {
      const r = await fetch(url, { signal: ctl.signal });
      const text = (await r.text()).slice(0, 500);
      return { url, ready: r.status === 200, status: r.status, detail: text, error: null };
    } catch (e) {
      return { url, ready: false, status: null, detail: null, error: String((e as Error).message).slice(0, 200) };
    } finally {
      clearTimeout(t);
    }
  }

  const safe = async <T>(p: Promise<T>): Promise<T | null> => p.catch(() => null);

  app.get(
    "/api/pipeline",
    {
      schema: {
        tags: ["pipeline"],
        summary: "Connect readiness, ingest/store consumer lag, dead letters (last hour/day), platform outbox backlog and last delivery",
        querystring: NoQuery,
        response: {
          200: obj(
            {
              at: Timestamp,
              connect: { type: "array", items: obj({ url: { type: "string" }, ready: { type: "boolean" }, status: Int, detail: Err, error: Err }, ["url", "ready", "status", "detail", "error"]) },
              lag: { type: "array", items: obj({ stage: { type: "string" }, group: { type: "string" }, topic: { type: "string" }, lag: Int, error: Err }, ["stage", "group", "topic", "lag", "error"]) },
              dead_letters: obj(
                { topic: { type: "string" }, topic_hour: Int, topic_day: Int, store_hour: Int, store_day: Int, predict_hour: Int, predict_day: Int },
                ["topic", "topic_hour", "topic_day", "store_hour", "store_day", "predict_hour", "predict_day"],
              ),
              outbox: obj({ pending: Int, failing: Int, oldest_pending: { type: ["string", "null"], format: "date-time" }, last_delivery: { type: ["string", "null"], format: "date-time" }, last_error: Err }, ["pending", "failing", "oldest_pending", "last_delivery", "last_error"]),
              rollup: obj({ done_1m: { type: ["string", "null"], format: "date-time" }, done_1h: { type: ["string", "null"], format: "date-time" } }, ["done_1m", "done_1h"]),
              live: obj({ clients: { type: "integer" }, messages: { type: "integer" } }, ["clients", "messages"]),
            },
            ["at", "connect", "lag", "dead_letters", "outbox", "rollup", "live"],
          ),
          ...errors,
        },
      },
    },
    async () => {
      const q = (sql: string) => safe(app.db.query(sql).then((r) => r.rows[0]));
      const [connect, lIngest, lStore, th, td, dl, pdl, ob, ru] = await Promise.all([
        Promise.all(app.cfg.connectReadyUrls.map(ready)),
        lag(app.cfg.lagGroups.ingest, process.env.SOURCE_TOPIC_NAME || "signal-in"),
        lag(app.cfg.lagGroups.store, app.cfg.parsedTopic),
        topicCountSince(app.cfg.deadLetterTopic, 3600_000),
        topicCountSince(app.cfg.deadLetterTopic, 86400_000),
        q("SELECT count(*) FILTER (WHERE received_at > now() - interval '1 hour')::int AS h, count(*)::int AS d FROM macda_dead_letter WHERE received_at > now() - interval '1 day'"),
        q("SELECT count(*) FILTER (WHERE received_at > now() - interval '1 hour')::int AS h, count(*)::int AS d FROM predict_dead_letter WHERE received_at > now() - interval '1 day'"),
        q(`SELECT count(*)::int AS pending, count(*) FILTER (WHERE last_error IS NOT NULL)::int AS failing, min(created_at) AS oldest,
                  (SELECT max(sent_at) FROM report_outbox) AS last_delivery,
                  (SELECT last_error FROM report_outbox WHERE last_error IS NOT NULL AND sent_at IS NULL AND cancelled_at IS NULL ORDER BY id DESC LIMIT 1) AS last_error
             FROM report_outbox WHERE sent_at IS NULL AND cancelled_at IS NULL`),
        q("SELECT max(done_until) FILTER (WHERE level = '1m') AS m, max(done_until) FILTER (WHERE level = '1h') AS h FROM rollup_state"),
      ]);
      const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);
      return {
        at: new Date().toISOString(),
        connect,
        lag: [
          { stage: "ingest", ...lIngest },
          { stage: "store", ...lStore },
        ],
        dead_letters: { topic: app.cfg.deadLetterTopic, topic_hour: th, topic_day: td, store_hour: dl?.h ?? null, store_day: dl?.d ?? null, predict_hour: pdl?.h ?? null, predict_day: pdl?.d ?? null },
        outbox: { pending: ob?.pending ?? null, failing: ob?.failing ?? null, oldest_pending: iso(ob?.oldest), last_delivery: iso(ob?.last_delivery), last_error: ob?.last_error ?? null },
        rollup: { done_1m: iso(ru?.m), done_1h: iso(ru?.h) },
        live: { clients: app.live?.clientCount ?? 0, messages: app.live?.stats.messages ?? 0 },
      };
    },
  );
}

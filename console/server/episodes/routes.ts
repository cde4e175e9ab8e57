// Episodes: list with filters and paging, statistics (episodes, not rows, by code/train/month),
// detail with the signals around it, acknowledge, shelve and unshelve (engineer role, audited).
import type { FastifyInstance } from "fastify";
import { audit, tx } from "../lib/audit.ts";
import { badRequest, conflict, isoTime, notFound } from "../lib/errors.ts";
import { DvcNo, errors, Kind, obj, Reason, Timestamp, TrainNo } from "../lib/schemas.ts";
import { fieldCatalogue } from "../lib/fields.ts";
import { trend } from "../trends/queries.ts";
import { TrendSeries } from "../trends/routes.ts";
import { explainPrediction, ExplanationSchema, signalsFor } from "./explain.ts";
import { EPISODE_COLUMNS, EPISODE_JOINS, EpisodeSchema, episodeWhere, type EpisodeFilter } from "./queries.ts";

export const FilterProps = {
  state: { type: "string", enum: ["active", "closed", "all"], default: "all" },
  kind: Kind,
  train_no: TrainNo,
  carriage: { type: "integer", minimum: 0, maximum: 99 },
  dvc_no: DvcNo,
  unit: { type: "integer", enum: [1, 2] },
  code: { type: "string", pattern: "^[A-Za-z0-9_]{1,40}$" },
  shelved: { type: "boolean" },
  from: Timestamp,
  to: Timestamp,
} as const;

export interface FilterQuery {
  state?: "active" | "closed" | "all";
  kind?: "alarm" | "warning";
  train_no?: string;
  carriage?: number;
  dvc_no?: string;
  unit?: number;
  code?: string;
  shelved?: boolean;
  from?: string;
  to?: string;
}

export function toFilter(q: FilterQuery): EpisodeFilter {
  const from = q.from === undefined ? undefined : isoTime(q.from, "from");
  const to = q.to === undefined ? undefined : isoTime(q.to, "to");
  if (from && to && to <= from) throw badRequest("to must be after from");
  return { state: q.state, kind: q.kind, train: q.train_no, carriage: q.carriage, dvc: q.dvc_no, unit: q.unit, code: q.code, shelved: q.shelved, from, to };
}

const IdParams = obj({ id: { type: "integer", minimum: 1, maximum: 9007199254740991 } }, ["id"]);
const Count = (key: string) => ({ type: "array", items: obj({ [key]: { type: ["string", "null"] }, alarms: { type: "integer" }, warnings: { type: "integer" }, total: { type: "integer" } }, [key, "alarms", "warnings", "total"]) });
const engineer = { role: "engineer" as const };

export default async function episodeRoutes(app: FastifyInstance): Promise<void> {
  // Shelves of cleared or expired episodes end before anything is listed (any instance may do it).
  const sweep = () => app.db.query("SELECT console_shelve_sweep()");

  app.get<{ Querystring: FilterQuery & { limit: number; offset: number } }>(
    "/api/episodes",
    {
      schema: {
        tags: ["episodes"],
        summary: "Episodes (alarms from fault bits, warnings from predictions), newest first, with filters and paging; overlap with [from, to)",
        querystring: obj({ ...FilterProps, limit: { type: "integer", minimum: 1, maximum: 500, default: 50 }, offset: { type: "integer", minimum: 0, maximum: 1000000, default: 0 } }),
        response: { 200: obj({ total: { type: "integer" }, limit: { type: "integer" }, offset: { type: "integer" }, items: { type: "array", items: EpisodeSchema } }, ["total", "limit", "offset", "items"]), ...errors },
      },
    },
    async (req) => {
      await sweep();
      const w = episodeWhere(toFilter(req.query));
      const n = w.params.length;
      const [items, total] = await Promise.all([
        app.db.query(`SELECT ${EPISODE_COLUMNS} FROM report_event e ${EPISODE_JOINS} ${w.where} ORDER BY e.start_time DESC, e.id DESC LIMIT $${n + 1} OFFSET $${n + 2}`, [...w.params, req.query.limit, req.query.offset]),
        app.db.query(`SELECT count(*)::int AS n FROM report_event e LEFT JOIN console_shelve s ON s.event_id = e.id AND s.ended_at IS NULL AND s.until > now() ${w.where}`, w.params),
      ]);
      return { total: total.rows[0].n, limit: req.query.limit, offset: req.query.offset, items: items.rows };
    },
  );

  app.get<{ Querystring: FilterQuery }>(
    "/api/episodes/stats",
    {
      schema: {
        tags: ["episodes"],
        summary: "Fault statistics: episodes (not rows) starting in [from, to) by code, train and month (UTC)",
        querystring: obj({ ...FilterProps, from: Timestamp, to: Timestamp }, ["from", "to"]),
        response: {
          200: obj({ from: Timestamp, to: Timestamp, total: { type: "integer" }, shelved: { type: "integer" }, by_code: Count("code"), by_train: Count("train_no"), by_month: Count("month") }, ["from", "to", "total", "shelved", "by_code", "by_train", "by_month"]),
          ...errors,
        },
      },
    },
    async (req) => {
      const f = toFilter(req.query);
      // statistics count episodes that STARTED in the range
      const w = episodeWhere({ ...f, from: undefined, to: undefined });
      const n = w.params.length;
      const where = `${w.where ? w.where + " AND" : "WHERE"} e.start_time >= $${n + 1}::timestamptz AND e.start_time < $${n + 2}::timestamptz`;
      const params = [...w.params, f.from, f.to];
      const group = (key: string, expr: string) =>
        app.db.query(
          `SELECT ${expr} AS ${key}, count(*) FILTER (WHERE e.source_kind = 'fault')::int AS alarms,
                  count(*) FILTER (WHERE e.source_kind = 'predict')::int AS warnings, count(*)::int AS total
             FROM report_event e LEFT JOIN console_shelve s ON s.event_id = e.id AND s.ended_at IS NULL AND s.until > now()
             ${where} GROUP BY 1 ORDER BY total DESC, 1 LIMIT 1000`,
          params,
        );
      const [byCode, byTrain, byMonth, tot] = await Promise.all([
        group("code", "coalesce(e.code, e.event_key)"),
        group("train_no", "e.train_no"),
        group("month", "to_char(date_trunc('month', e.start_time AT TIME ZONE 'UTC'), 'YYYY-MM')"),
        app.db.query(`SELECT count(*)::int AS total, count(s.id)::int AS shelved FROM report_event e LEFT JOIN console_shelve s ON s.event_id = e.id AND s.ended_at IS NULL AND s.until > now() ${where}`, params),
      ]);
      byMonth.rows.sort((a, b) => String(a.month).localeCompare(String(b.month)));
      return { from: f.from!, to: f.to!, total: tot.rows[0].total, shelved: tot.rows[0].shelved, by_code: byCode.rows, by_train: byTrain.rows, by_month: byMonth.rows };
    },
  );

  app.get<{ Params: { id: number } }>(
    "/api/episodes/:id",
    {
      schema: {
        tags: ["episodes"],
        summary: "One episode with the signals its rule reads, ±30 minutes around it, and for a prediction which condition fired with the window values and thresholds",
        params: IdParams,
        response: {
          200: obj(
            {
              episode: EpisodeSchema,
              signals: obj({ from: Timestamp, to: Timestamp, resolution: { type: "string" }, step_s: { type: "integer" }, series: TrendSeries }, ["from", "to", "resolution", "step_s", "series"]),
              explanation: { anyOf: [{ type: "null" }, ExplanationSchema] },
              history: { type: "array", items: obj({ at: Timestamp, actor: { type: "string" }, action: { type: "string" }, reason: { type: ["string", "null"] } }, ["at", "actor", "action", "reason"]) },
            },
            ["episode", "signals", "explanation", "history"],
          ),
          ...errors,
        },
      },
    },
    async (req) => {
      await sweep();
      const { rows } = await app.db.query(`SELECT ${EPISODE_COLUMNS}, e.source_kind FROM report_event e ${EPISODE_JOINS} WHERE e.id = $1`, [req.params.id]);
      const ep = rows[0];
      if (!ep) throw notFound(`no episode ${req.params.id}`);
      const from = new Date(new Date(ep.start_time).getTime() - 30 * 60_000);
      const end = ep.end_time ? new Date(ep.end_time) : new Date();
      const to = new Date(Math.min(end.getTime() + 30 * 60_000, Math.max(Date.now(), from.getTime() + 60_000)));
      const { byId } = fieldCatalogue();
      const sources = (await app.db.query<{ source: string }>("SELECT source FROM report_alert_source WHERE event_key = $1 AND kind = $2 ORDER BY ord", [ep.event_key, ep.source_kind])).rows.map((r) => r.source);
      const fields = signalsFor(sources).map((id) => byId.get(id)).filter((f) => f !== undefined);
      const sig = fields.length ? await trend(app.db, ep.dvc_no, fields.slice(0, 16), from, to) : { resolution: "raw" as const, step_s: 1, series: [] };
      const explanation = ep.source_kind === "predict" ? await explainPrediction(app, ep.dvc_no, new Date(ep.start_time), sources).catch((e) => {
        req.log.warn({ err: e }, "episode explanation failed");
        return null;
      }) : null;
      const hist = await app.db.query("SELECT at, actor, action, reason FROM console_audit WHERE target_kind = 'episode' AND target = $1 ORDER BY id", [String(ep.id)]);
      delete ep.source_kind;
      return { episode: ep, signals: { from: from.toISOString(), to: to.toISOString(), ...sig }, explanation, history: hist.rows };
    },
  );

  app.post<{ Params: { id: number }; Body: { note?: string } }>(
    "/api/episodes/:id/ack",
    {
      config: engineer,
      schema: {
        tags: ["episodes"],
        summary: "Acknowledge an episode with a note (audited)",
        params: IdParams,
        body: obj({ note: { type: "string", maxLength: 500 } }),
        response: { 200: EpisodeSchema, ...errors },
      },
    },
    async (req) => {
      const id = req.params.id;
      await tx(app.db, async (c) => {
        const { rows } = await c.query("SELECT e.id, k.acked_at, k.acked_by, k.note FROM report_event e LEFT JOIN console_episode_ack k ON k.event_id = e.id WHERE e.id = $1 FOR UPDATE OF e", [id]);
        if (!rows[0]) throw notFound(`no episode ${id}`);
        if (rows[0].acked_at) throw conflict(`episode ${id} was acknowledged by ${rows[0].acked_by} at ${new Date(rows[0].acked_at).toISOString()}`);
        await c.query("INSERT INTO console_episode_ack (event_id, acked_by, note) VALUES ($1, $2, $3)", [id, req.user!.name, req.body.note ?? null]);
        await audit(c, { actor: req.user!.name, action: "episode.ack", targetKind: "episode", target: String(id), before: { acknowledged: false }, after: { acknowledged: true, note: req.body.note ?? null }, reason: req.body.note ?? null });
      });
      return (await app.db.query(`SELECT ${EPISODE_COLUMNS} FROM report_event e ${EPISODE_JOINS} WHERE e.id = $1`, [id])).rows[0];
    },
  );

  app.post<{ Params: { id: number }; Body: { reason: string; until: string } }>(
    "/api/episodes/:id/shelve",
    {
      config: engineer,
      schema: {
        tags: ["episodes"],
        summary: "Shelve an active episode until a time (max 30 days): not pushed to the platform, counted apart; ends when it clears (a recurrence is a new, unshelved episode) or expires",
        params: IdParams,
        body: obj({ reason: Reason, until: Timestamp }, ["reason", "until"]),
        response: { 200: EpisodeSchema, ...errors },
      },
    },
    async (req) => {
      const id = req.params.id;
      const until = new Date(req.body.until);
      if (until.getTime() <= Date.now()) throw badRequest("until must be in the future");
      if (until.getTime() > Date.now() + 30 * 86400_000) throw badRequest("until: at most 30 days ahead");
      await tx(app.db, async (c) => {
        const { rows } = await c.query("SELECT id, dvc_no, event_key, status FROM report_event WHERE id = $1 FOR UPDATE", [id]);
        if (!rows[0]) throw notFound(`no episode ${id}`);
        if (rows[0].status !== "open") throw conflict(`episode ${id} has cleared; only an active episode can be shelved`);
        const { rows: cur } = await c.query("SELECT id, until, reason, shelved_by FROM console_shelve WHERE event_id = $1 AND ended_at IS NULL", [id]);
        if (cur[0]) {
          await c.query("UPDATE console_shelve SET ended_at = now(), ended_by = $2, end_reason = 'replaced by a new shelve' WHERE id = $1", [cur[0].id, req.user!.name]);
        }
        await c.query("INSERT INTO console_shelve (event_id, dvc_no, event_key, shelved_by, reason, until) VALUES ($1, $2, $3, $4, $5, $6)", [id, rows[0].dvc_no, rows[0].event_key, req.user!.name, req.body.reason, until.toISOString()]);
        await audit(c, { actor: req.user!.name, action: "episode.shelve", targetKind: "episode", target: String(id), before: cur[0] ? { shelved: true, until: cur[0].until, reason: cur[0].reason } : { shelved: false }, after: { shelved: true, until: until.toISOString() }, reason: req.body.reason });
      });
      return (await app.db.query(`SELECT ${EPISODE_COLUMNS} FROM report_event e ${EPISODE_JOINS} WHERE e.id = $1`, [id])).rows[0];
    },
  );

  app.post<{ Params: { id: number }; Body: { reason: string } }>(
    "/api/episodes/:id/unshelve",
    {
      config: engineer,
      schema: {
        tags: ["episodes"],
        summary: "End a shelve before its expiry (audited)",
        params: IdParams,
        body: obj({ reason: Reason }, ["reason"]),
        response: { 200: EpisodeSchema, ...errors },
      },
    },
    async (req) => {
      const id = req.params.id;
      await tx(app.db, async (c) => {
        const { rows } = await c.query("UPDATE console_shelve SET ended_at = now(), ended_by = $2, end_reason = $3 WHERE event_id = $1 AND ended_at IS NULL RETURNING until, reason", [id, req.user!.name, req.body.reason]);
        if (!rows[0]) throw notFound(`episode ${id} is not shelved`);
        await audit(c, { actor: req.user!.name, action: "episode.unshelve", targetKind: "episode", target: String(id), before: { shelved: true, until: rows[0].until, reason: rows[0].reason }, after: { shelved: false }, reason: req.body.reason });
      });
      return (await app.db.query(`SELECT ${EPISODE_COLUMNS} FROM report_event e ${EPISODE_JOINS} WHERE e.id = $1`, [id])).rows[0];
    },
  );
}

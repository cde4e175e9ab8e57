// Episodes (report_event: alarms from fault bits, warnings from predictions) with the console's
// acknowledgement and shelve state. Every listing is bounded by an index: open episodes through the
// partial index report_event_open, ranges through (start_time) / (train_no, start_time).
import type pg from "pg";
import { obj, NullableTimestamp, Timestamp } from "../lib/schemas.ts";

export const EPISODE_COLUMNS = `
  e.id, e.dvc_no, e.train_no, e.carriage,
  CASE e.source_kind WHEN 'fault' THEN 'alarm' ELSE 'warning' END AS kind,
  e.event_key, coalesce(e.code, a.code) AS code, a.location, a.fault_name AS description, a.level,
  e.start_time, e.end_time,
  extract(epoch FROM coalesce(e.end_time, now()) - e.start_time)::float8 AS duration_s,
  e.status = 'open' AS active,
  nullif(e.start_station1, '1') AS start_station, nullif(e.start_station2, '1') AS start_next_station,
  nullif(e.end_station1, '1') AS end_station,
  CASE WHEN k.event_id IS NULL THEN NULL ELSE json_build_object('at', k.acked_at, 'by', k.acked_by, 'note', k.note) END AS ack,
  CASE WHEN s.id IS NULL THEN NULL ELSE json_build_object('at', s.shelved_at, 'by', s.shelved_by, 'reason', s.reason, 'until', s.until) END AS shelve`;

export const EPISODE_JOINS = `
  LEFT JOIN LATERAL (SELECT x.code, x.location, x.fault_name, x.level FROM report_alert_source x
                      WHERE x.event_key = e.event_key AND x.kind = e.source_kind ORDER BY x.ord LIMIT 1) a ON true
  LEFT JOIN console_episode_ack k ON k.event_id = e.id
  LEFT JOIN console_shelve s ON s.event_id = e.id AND s.ended_at IS NULL AND s.until > now()`;

export const EpisodeSchema = obj(
  {
    id: { type: "integer" },
    dvc_no: { type: "string" },
    train_no: { type: "string" },
    carriage: { type: ["integer", "null"] },
    kind: { type: "string", enum: ["alarm", "warning"] },
    event_key: { type: "string" },
    code: { type: ["string", "null"] },
    location: { type: ["string", "null"] },
    description: { type: ["string", "null"] },
    level: { type: ["integer", "null"] },
    start_time: Timestamp,
    end_time: NullableTimestamp,
    duration_s: { type: "number" },
    active: { type: "boolean" },
    start_station: { type: ["string", "null"] },
    start_next_station: { type: ["string", "null"] },
    end_station: { type: ["string", "null"] },
    ack: { anyOf: [{ type: "null" }, obj({ at: Timestamp, by: { type: "string" }, note: { type: ["string", "null"] } }, ["at", "by", "note"])] },
    shelve: { anyOf: [{ type: "null" }, obj({ at: Timestamp, by: { type: "string" }, reason: { type: "string" }, until: Timestamp }, ["at", "by", "reason", "until"])] },
  },
  ["id", "dvc_no", "train_no", "carriage", "kind", "event_key", "code", "start_time", "end_time", "duration_s", "active", "ack", "shelve"],
);
export const ActiveEpisodeSchema = EpisodeSchema;

export interface EpisodeFilter {
  state?: "active" | "closed" | "all";
  kind?: "alarm" | "warning";
  train?: string;
  carriage?: number;
  dvc?: string;
  unit?: number;
  code?: string;
  from?: string;
  to?: string;
  shelved?: boolean;
}

/** WHERE clause and parameters for a filter (parameters only; never values in the SQL text). */
export function episodeWhere(f: EpisodeFilter, first = 1): { where: string; params: unknown[] } {
  const c: string[] = [];
  const p: unknown[] = [];
  const add = (sql: string, v: unknown) => {
    p.push(v);
    c.push(sql.replaceAll("%%", `$${first + p.length - 1}`));
  };
  if (f.state === "active") c.push("e.status = 'open'");
  if (f.state === "closed") c.push("e.status = 'closed'");
  if (f.kind) add("e.source_kind = %%", f.kind === "alarm" ? "fault" : "predict");
  if (f.train) add("e.train_no = %%", f.train);
  if (f.carriage !== undefined) add("e.carriage = %%::int", f.carriage);
  if (f.dvc) add("e.dvc_no = %%", f.dvc);
  if (f.code) add("(e.code = %% OR e.event_key = %%)", f.code);
  // unit: the episode's source names end in _u1/_u11/_u12 (unit 1) or _u2/_u21/_u22 (unit 2)
  if (f.unit !== undefined) add("EXISTS (SELECT 1 FROM report_alert_source x WHERE x.event_key = e.event_key AND x.kind = e.source_kind AND x.source ~ ('_u' || %%::text || '[12]?$'))", f.unit);
  if (f.from) add("(e.end_time IS NULL OR e.end_time >= %%::timestamptz)", f.from);
  if (f.to) add("e.start_time < %%::timestamptz", f.to);
  if (f.shelved === true) c.push("s.id IS NOT NULL");
  if (f.shelved === false) c.push("s.id IS NULL");
  return { where: c.length ? "WHERE " + c.join(" AND ") : "", params: p };
}

export async function activeEpisodes(db: pg.Pool, f: { train?: string; dvc?: string }): Promise<unknown[]> {
  const w = episodeWhere({ state: "active", ...f });
  const { rows } = await db.query(
    `SELECT ${EPISODE_COLUMNS} FROM report_event e ${EPISODE_JOINS} ${w.where} ORDER BY e.start_time DESC LIMIT 500`,
    w.params,
  );
  return rows;
}

// Component health (run-time/action counters against rated life, bands, projected replacement
// date) and reliability (MTBF/MTTR from episodes).
import type { FastifyInstance } from "fastify";
import { badRequest, isoTime, notFound } from "../lib/errors.ts";
import { DvcNo, errors, Kind, obj, Timestamp, TrainNo } from "../lib/schemas.ts";
import { band, loadLife } from "./life.ts";

const ComponentHealth = obj(
  {
    id: { type: "string" },
    name: { type: "string" },
    counter: { type: "string" },
    used: { type: ["number", "null"], description: "hours or actions" },
    rated: { type: "number" },
    unit: { type: "string", enum: ["hours", "actions"] },
    pct: { type: ["number", "null"] },
    band: { type: ["string", "null"], enum: ["healthy", "watch", "replace", null] },
    rate_per_day: { type: ["number", "null"] },
    projected_date: { type: ["string", "null"], format: "date" },
  },
  ["id", "name", "counter", "used", "rated", "unit", "pct", "band", "rate_per_day", "projected_date"],
);

export default async function healthRoutes(app: FastifyInstance): Promise<void> {
  const life = loadLife(app.cfg.componentLifePath);

  async function deviceHealth(dvc: string) {
    const cols = [...new Set(life.components.map((c) => c.counter))];
    const q = (c: string) => '"' + c + '"';
    // newest row by its key (device_latest), oldest row of the rate window by the natural key index
    const { rows } = await app.db.query(
      `SELECT l.dvc_time AS t1, ${cols.map((c) => `n.${q(c)} AS ${q("n_" + c)}`).join(", ")},
              o.dvc_time AS t0, ${cols.map((c) => `o.${q(c)} AS ${q("o_" + c)}`).join(", ")}
         FROM device_latest l
         JOIN LATERAL (SELECT * FROM macda m WHERE m.dvc_no = l.dvc_no AND m.dvc_time = l.dvc_time AND m.msg_frame_no = l.msg_frame_no LIMIT 1) n ON true
         LEFT JOIN LATERAL (SELECT * FROM macda m WHERE m.dvc_no = l.dvc_no AND m.dvc_time >= l.dvc_time - make_interval(days => $2)
                             ORDER BY m.dvc_time LIMIT 1) o ON true
        WHERE l.dvc_no = $1`,
      [dvc, life.rate_window_days],
    );
    const r = rows[0];
    if (!r) return null;
    const days = r.t0 ? (new Date(r.t1).getTime() - new Date(r.t0).getTime()) / 86400_000 : 0;
    return life.components.map((c) => {
      const div = c.unit === "seconds" ? 3600 : 1;
      const now = r["n_" + c.counter] === null ? null : Number(r["n_" + c.counter]) / div;
      const old = r["o_" + c.counter] === null || r["o_" + c.counter] === undefined ? null : Number(r["o_" + c.counter]) / div;
      const pct = now === null ? null : Math.round((now / c.rated) * 1000) / 10;
      const rate = now !== null && old !== null && days >= 1 && now > old ? (now - old) / days : null;
      const projected = rate && now !== null && now < c.rated ? new Date(Date.now() + ((c.rated - now) / rate) * 86400_000).toISOString().slice(0, 10) : now !== null && now >= c.rated ? new Date().toISOString().slice(0, 10) : null;
      return { id: c.id, name: c.name, counter: c.counter, used: now === null ? null : Math.round(now * 10) / 10, rated: c.rated, unit: c.rated_unit, pct, band: pct === null ? null : band(pct, life.bands), rate_per_day: rate === null ? null : Math.round(rate * 1000) / 1000, projected_date: projected };
    });
  }

  app.get<{ Querystring: { dvc_no?: string; train_no?: string } }>(
    "/api/health/components",
    {
      schema: {
        tags: ["health"],
        summary: "Component health of one device or every device of a train: used share of rated life, band, projected replacement date",
        querystring: obj({ dvc_no: DvcNo, train_no: TrainNo }),
        response: {
          200: obj(
            { bands: obj({ watch: { type: "number" }, replace: { type: "number" } }, ["watch", "replace"]), devices: { type: "array", items: obj({ dvc_no: { type: "string" }, components: { type: "array", items: ComponentHealth } }, ["dvc_no", "components"]) } },
            ["bands", "devices"],
          ),
          ...errors,
        },
      },
    },
    async (req) => {
      const { dvc_no, train_no } = req.query;
      if (!dvc_no === !train_no) throw badRequest("give exactly one of dvc_no, train_no");
      const { rows } = await app.db.query<{ dvc_no: string }>("SELECT dvc_no FROM device_latest WHERE ($1::text IS NULL OR dvc_no = $1) AND ($2::text IS NULL OR train_no = $2) ORDER BY carriage, dvc_no LIMIT 100", [dvc_no ?? null, train_no ?? null]);
      if (!rows.length) throw notFound("no such device or train in the data");
      const devices = [];
      for (const r of rows) devices.push({ dvc_no: r.dvc_no, components: (await deviceHealth(r.dvc_no)) ?? [] });
      return { bands: life.bands, devices };
    },
  );

  app.get<{ Querystring: { from: string; to: string; by: "code" | "dvc_no" | "train_no"; kind?: "alarm" | "warning"; train_no?: string } }>(
    "/api/reliability",
    {
      schema: {
        tags: ["health"],
        summary: "MTBF and MTTR for a range per code, device or train, from episodes starting in [from, to); MTBF = device-hours in the range / episodes (calendar time), MTTR = mean duration of the cleared ones",
        querystring: obj({ from: Timestamp, to: Timestamp, by: { type: "string", enum: ["code", "dvc_no", "train_no"], default: "code" }, kind: Kind, train_no: TrainNo }, ["from", "to"]),
        response: {
          200: obj(
            {
              from: Timestamp,
              to: Timestamp,
              by: { type: "string" },
              devices: { type: "integer" },
              items: { type: "array", items: obj({ key: { type: "string" }, episodes: { type: "integer" }, cleared: { type: "integer" }, mtbf_h: { type: ["number", "null"] }, mttr_h: { type: ["number", "null"] } }, ["key", "episodes", "cleared", "mtbf_h", "mttr_h"]) },
            },
            ["from", "to", "by", "devices", "items"],
          ),
          ...errors,
        },
      },
    },
    async (req) => {
      const { by, kind, train_no } = req.query;
      const from = isoTime(req.query.from, "from");
      const to = isoTime(req.query.to, "to");
      const hours = (new Date(to).getTime() - new Date(from).getTime()) / 3600_000;
      if (!(hours > 0)) throw badRequest("to must be after from");
      if (hours > 24 * 800) throw badRequest("range: at most 800 days");
      const key = by === "code" ? "coalesce(e.code, e.event_key)" : by === "dvc_no" ? "e.dvc_no" : "e.train_no";
      const { rows } = await app.db.query(
        `WITH d AS (SELECT dvc_no, train_no FROM device_latest WHERE $4::text IS NULL OR train_no = $4)
         SELECT ${key} AS key, count(*)::int AS episodes, count(e.end_time)::int AS cleared,
                avg(extract(epoch FROM e.end_time - e.start_time)) FILTER (WHERE e.end_time IS NOT NULL) / 3600 AS mttr_h,
                ${by === "code" ? "(SELECT count(*) FROM d)" : by === "dvc_no" ? "1" : "(SELECT count(*) FROM d WHERE d.train_no = e.train_no)"}::int AS devices
           FROM report_event e
          WHERE e.start_time >= $1::timestamptz AND e.start_time < $2::timestamptz
            AND ($3::text IS NULL OR e.source_kind = $3) AND ($4::text IS NULL OR e.train_no = $4)
          GROUP BY 1, e.train_no ${by === "train_no" ? "" : ""} ORDER BY 2 DESC LIMIT 1000`,
        [from, to, kind ? (kind === "alarm" ? "fault" : "predict") : null, train_no ?? null],
      );
      // (grouped by train as well for the device count; fold back per key)
      const agg = new Map<string, { episodes: number; cleared: number; mttrSum: number; devices: number }>();
      for (const r of rows) {
        const a = agg.get(r.key) ?? { episodes: 0, cleared: 0, mttrSum: 0, devices: 0 };
        a.episodes += r.episodes;
        a.cleared += r.cleared;
        a.mttrSum += (r.mttr_h ?? 0) * r.cleared;
        a.devices = Math.max(a.devices, r.devices);
        agg.set(r.key, a);
      }
      const { rows: dn } = await app.db.query("SELECT count(*)::int AS n FROM device_latest WHERE $1::text IS NULL OR train_no = $1", [train_no ?? null]);
      return {
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
        by,
        devices: dn[0].n,
        items: [...agg].map(([k, a]) => ({
          key: k,
          episodes: a.episodes,
          cleared: a.cleared,
          mtbf_h: a.episodes ? Math.round(((Math.max(a.devices, 1) * hours) / a.episodes) * 100) / 100 : null,
          mttr_h: a.cleared ? Math.round((a.mttrSum / a.cleared) * 1000) / 1000 : null,
        })),
      };
    },
  );
}

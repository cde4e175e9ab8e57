// GET /api/trends: fields of one device over a range, resolution chosen from the range, with the
// episodes of that device in the range for overlays.
import type { FastifyInstance } from "fastify";
import { badRequest } from "../lib/errors.ts";
import { DvcNo, errors, obj, Timestamp } from "../lib/schemas.ts";
import { EPISODE_COLUMNS, EPISODE_JOINS, EpisodeSchema, episodeWhere } from "../episodes/queries.ts";
import { parseFields, trend, type Resolution } from "./queries.ts";

export const TrendSeries = {
  type: "array",
  items: obj(
    {
      field: { type: "string" },
      unit: { type: ["string", "null"] },
      points: { type: "array", description: "[t (epoch ms), avg, min, max] in the field's unit", items: { type: "array", items: { type: ["number", "null"] }, minItems: 4, maxItems: 4 } },
    },
    ["field", "unit", "points"],
  ),
} as const;

export default async function trendRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: { dvc_no: string; fields: string; from: string; to: string; resolution?: Resolution } }>(
    "/api/trends",
    {
      schema: {
        tags: ["trends"],
        summary: "Fields of a device over a range: raw rows up to 2 h, 1-minute rollups up to 2 days, 1-hour beyond; at most ~2,000 points per series",
        querystring: obj(
          {
            dvc_no: DvcNo,
            fields: { type: "string", minLength: 1, maxLength: 800, pattern: "^[a-z0-9_,]+$", description: "comma-separated field ids (/api/fields), at most 16" },
            from: Timestamp,
            to: Timestamp,
            resolution: { type: "string", enum: ["raw", "1m", "1h"], description: "override the automatic choice" },
          },
          ["dvc_no", "fields", "from", "to"],
        ),
        response: {
          200: obj(
            {
              dvc_no: { type: "string" },
              from: Timestamp,
              to: Timestamp,
              resolution: { type: "string", enum: ["raw", "1m", "1h"] },
              step_s: { type: "integer" },
              series: TrendSeries,
              episodes: { type: "array", items: EpisodeSchema },
            },
            ["dvc_no", "from", "to", "resolution", "step_s", "series", "episodes"],
          ),
          ...errors,
        },
      },
    },
    async (req) => {
      const q = req.query;
      const from = new Date(q.from);
      const to = new Date(q.to);
      if (!(to.getTime() > from.getTime())) throw badRequest("to must be after from");
      const fields = parseFields(q.fields);
      const w = episodeWhere({ state: "all", dvc: q.dvc_no, from: from.toISOString(), to: to.toISOString() });
      const [t, eps] = await Promise.all([
        trend(app.db, q.dvc_no, fields, from, to, q.resolution),
        app.db.query(`SELECT ${EPISODE_COLUMNS} FROM report_event e ${EPISODE_JOINS} ${w.where} ORDER BY e.start_time LIMIT 500`, w.params),
      ]);
      return { dvc_no: q.dvc_no, from: from.toISOString(), to: to.toISOString(), ...t, episodes: eps.rows };
    },
  );
}

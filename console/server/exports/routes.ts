// CSV exports (UTF-8 with a byte-order mark, so Excel opens them as UTF-8): episodes with the
// list's filters, and raw history of one device for a bounded range, streamed by PostgreSQL's
// COPY ... TO STDOUT (pg-copy-streams), never truncated: the whole range or a broken download.
// COPY takes no bind parameters, so the values travel as transaction-local settings set with a
// parameterised set_config() and are read back with current_setting(); no value is ever pasted
// into SQL text.
import type { FastifyInstance, FastifyReply } from "fastify";
import { to as copyTo } from "pg-copy-streams";
import { badRequest, isoTime } from "../lib/errors.ts";
import { DvcNo, errors, obj, Timestamp } from "../lib/schemas.ts";
import { episodeWhere } from "../episodes/queries.ts";
import { FilterProps, toFilter, type FilterQuery } from "../episodes/routes.ts";

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
// 200 is CSV, every error JSON ({error, message}) like the rest of the API.
const Csv = { 200: { description: "CSV (UTF-8 with BOM), header row, every row of the range", content: { "text/csv": { schema: { type: "string" } } } }, ...errors } as const;

async function streamCopy(app: FastifyInstance, reply: FastifyReply, filename: string, sql: string, settings: unknown[]): Promise<void> {
  const client = await app.db.connect();
  let released = false;
  const release = (err?: Error) => {
    if (released) return;
    released = true;
    client.release(err);
  };
  try {
    await client.query("BEGIN READ ONLY");
    await client.query("SET LOCAL statement_timeout = '30min'");
    for (let i = 0; i < settings.length; i++) await client.query("SELECT set_config($1, $2, true)", [`nb67_export.p${i + 1}`, settings[i] === null || settings[i] === undefined ? "" : String(settings[i])]);
  } catch (e) {
    await client.query("ROLLBACK").catch(() => {});
    release();
    throw e;
  }
  const stream = client.query(copyTo(`COPY (${sql}) TO STDOUT WITH (FORMAT csv, HEADER true)`));
  const done = (err?: Error) => {
    if (err) {
      // A failure mid-stream must not look like a complete file: abort the connection.
      app.log.error({ err }, "export failed");
      reply.raw.destroy(err);
      client.query("ROLLBACK").catch(() => {}).finally(() => release(err));
    } else client.query("COMMIT").catch(() => {}).finally(() => release());
  };
  stream.on("error", (e: Error) => done(e));
  stream.on("end", () => done());
  reply.raw.on("close", () => {
    if (!stream.readableEnded && !released) done(new Error("client went away"));
  });
  reply
    .header("content-type", "text/csv; charset=utf-8")
    .header("content-disposition", `attachment; filename="${filename}"`)
    .header("cache-control", "no-store");
  reply.raw.writeHead(200, reply.getHeaders() as Record<string, string>);
  reply.raw.write(BOM);
  stream.pipe(reply.raw);
  return reply.hijack();
}

export default async function exportRoutes(app: FastifyInstance): Promise<void> {
  app.get<{ Querystring: FilterQuery }>(
    "/api/exports/episodes.csv",
    {
      schema: {
        tags: ["exports"],
        summary: "Episodes overlapping [from, to) with the list's filters, as CSV (UTF-8 with BOM), every row",
        querystring: obj({ ...FilterProps, from: Timestamp, to: Timestamp }, ["from", "to"]),
        response: Csv,
      },
    },
    async (req, reply) => {
      const w = episodeWhere(toFilter(req.query));
      // $N -> current_setting('nb67_export.pN'): the same WHERE as the list, values as settings
      const where = w.where.replace(/\$(\d+)/g, (_m, n) => `current_setting('nb67_export.p${n}')`);
      const sql = `SELECT e.id, e.dvc_no, e.train_no, e.carriage,
                          CASE e.source_kind WHEN 'fault' THEN 'alarm' ELSE 'warning' END AS kind,
                          coalesce(e.code, a.code) AS code, e.event_key, a.location, a.fault_name AS description,
                          e.start_time, e.end_time, round(extract(epoch FROM coalesce(e.end_time, now()) - e.start_time))::bigint AS duration_s,
                          CASE WHEN e.status = 'open' THEN 'active' ELSE 'cleared' END AS state,
                          nullif(e.start_station1, '1') AS start_station, nullif(e.end_station1, '1') AS end_station,
                          k.acked_by, k.acked_at, k.note AS ack_note, s.shelved_by, s.reason AS shelve_reason, s.until AS shelved_until
                     FROM report_event e
                     LEFT JOIN LATERAL (SELECT x.code, x.location, x.fault_name FROM report_alert_source x
                                         WHERE x.event_key = e.event_key AND x.kind = e.source_kind ORDER BY x.ord LIMIT 1) a ON true
                     LEFT JOIN console_episode_ack k ON k.event_id = e.id
                     LEFT JOIN console_shelve s ON s.event_id = e.id AND s.ended_at IS NULL AND s.until > now()
                     ${where} ORDER BY e.start_time, e.id`;
      const f = toFilter(req.query);
      return streamCopy(app, reply, `episodes_${f.from!.slice(0, 10)}_${f.to!.slice(0, 10)}.csv`, sql, w.params);
    },
  );

  app.get<{ Querystring: { dvc_no: string; from: string; to: string } }>(
    "/api/exports/raw.csv",
    {
      schema: {
        tags: ["exports"],
        summary: "Raw history of one device in [from, to) (at most CONSOLE_EXPORT_MAX_RANGE, default 31 days) as CSV with the legacy column names and scaling, every row",
        querystring: obj({ dvc_no: DvcNo, from: Timestamp, to: Timestamp }, ["dvc_no", "from", "to"]),
        response: Csv,
      },
    },
    async (req, reply) => {
      const { dvc_no } = req.query;
      const from = isoTime(req.query.from, "from");
      const to = isoTime(req.query.to, "to");
      const range = new Date(to).getTime() - new Date(from).getTime();
      if (!(range > 0)) throw badRequest("to must be after from");
      if (range > app.cfg.exportMaxRangeMs) throw badRequest(`range: at most ${Math.round(app.cfg.exportMaxRangeMs / 86400_000)} days per file`);
      // DEV_MODE: the legacy dev view and its time column (parse time), as the rest of the system
      const [view, tcol] = app.cfg.devMode ? ["dev_macda", "msg_calc_parse_time"] : ["pro_macda", "msg_calc_dvc_time"];
      const sql = `SELECT * FROM ${view} WHERE msg_calc_dvc_no = current_setting('nb67_export.p1')
                     AND ${tcol} >= current_setting('nb67_export.p2')::timestamptz
                     AND ${tcol} < current_setting('nb67_export.p3')::timestamptz
                   ORDER BY ${tcol}, msg_frame_no`;
      return streamCopy(app, reply, `raw_${dvc_no}_${from.slice(0, 10)}_${to.slice(0, 10)}.csv`, sql, [dvc_no, new Date(from).toISOString(), new Date(to).toISOString()]);
    },
  );
}

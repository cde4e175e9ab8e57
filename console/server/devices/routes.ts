// Train and device (carriage) detail: the status, the running state of both HVAC units and the
// latest value of every decoded field with unit and scaling from the generated field list. The
// newest row is found by its key from device_latest (one index lookup per device).
import type { FastifyInstance } from "fastify";
import type pg from "pg";
import { alertCatalogue } from "../lib/alerts.ts";
import { notFound } from "../lib/errors.ts";
import { fieldCatalogue, scaled, type FieldInfo } from "../lib/fields.ts";
import { DvcNo, errors, NoQuery, obj, Status, Timestamp, TrainNo } from "../lib/schemas.ts";
import { fleetState } from "../fleet/queries.ts";
import { DeviceStateSchema } from "../fleet/routes.ts";
import { ActiveEpisodeSchema, activeEpisodes } from "../episodes/queries.ts";

const Value = { type: ["number", "boolean", "null"] } as const;
const FieldValue = obj(
  { id: { type: "string" }, value: Value, unit: { type: ["string", "null"] }, group: { type: "string" }, unit_no: { type: "integer" } },
  ["id", "value", "unit", "group", "unit_no"],
);
const UnitSummary = obj(
  {
    unit_no: { type: "integer" },
    mode: Value,
    compressors: { type: "array", items: obj({ id: { type: "string" }, running: Value, freq_hz: Value, current_a: Value }, ["id", "running", "freq_hz", "current_a"]) },
    fans: { type: "array", items: obj({ id: { type: "string" }, running: Value, current_a: Value }, ["id", "running", "current_a"]) },
    dampers: obj({ fresh_pos: Value, return_pos: Value }, ["fresh_pos", "return_pos"]),
    temperatures: obj({ fresh_air: Value, return_air: Value, supply_1: Value, supply_2: Value }, ["fresh_air", "return_air", "supply_1", "supply_2"]),
    pressures: obj({ suction_1: Value, suction_2: Value, high_1: Value, high_2: Value, filter_diff: Value }, ["suction_1", "suction_2", "high_1", "high_2", "filter_diff"]),
    air: obj({ co2: Value, pm2_5: Value, pm10: Value, tvoc: Value, temp: Value, humidity: Value }, ["co2", "pm2_5", "pm10", "tvoc", "temp", "humidity"]),
  },
  ["unit_no", "mode", "compressors", "fans", "dampers", "temperatures", "pressures", "air"],
);
const Summary = obj(
  {
    sample_time: Timestamp,
    cabin_temp: Value,
    cabin_set_point: Value,
    stations: obj({ start: Value, terminal: Value, current: Value, next: Value }, ["start", "terminal", "current", "next"]),
    units: { type: "array", items: UnitSummary },
  },
  ["sample_time", "cabin_temp", "cabin_set_point", "stations", "units"],
);

type Row = Record<string, unknown>;

function summary(row: Row, byId: Map<string, FieldInfo>) {
  const v = (id: string) => {
    const f = byId.get(id);
    return f ? scaled(f, row[id]) : null;
  };
  const units = [1, 2].map((u) => ({
    unit_no: u,
    mode: v(`wmode_u${u}`),
    compressors: [1, 2].map((c) => ({ id: `u${u}${c}`, running: v(`cfbk_comp_u${u}${c}`), freq_hz: v(`f_cp_u${u}${c}`), current_a: v(`i_cp_u${u}${c}`) })),
    fans: [
      ...[1, 2].map((c) => ({ id: `ef_u${u}${c}`, running: v(`cfbk_ef_u${u}1`), current_a: v(`i_ef_u${u}${c}`) })),
      ...[1, 2].map((c) => ({ id: `cf_u${u}${c}`, running: v(`cfbk_cf_u${u}1`), current_a: v(`i_cf_u${u}${c}`) })),
    ],
    dampers: { fresh_pos: v(`fadpos_u${u}`), return_pos: v(`radpos_u${u}`) },
    temperatures: { fresh_air: v(`fas_u${u}`), return_air: v(`ras_u${u}`), supply_1: v(`sas_u${u}1`), supply_2: v(`sas_u${u}2`) },
    pressures: { suction_1: v(`suckp_u${u}1`), suction_2: v(`suckp_u${u}2`), high_1: v(`highpress_u${u}1`), high_2: v(`highpress_u${u}2`), filter_diff: v(`presdiff_u${u}`) },
    air: { co2: v(`aq_co2_u${u}`), pm2_5: v(`aq_pm2_5_u${u}`), pm10: v(`aq_pm10_u${u}`), tvoc: v(`aq_tvoc_u${u}`), temp: v(`aq_t_u${u}`), humidity: v(`aq_h_u${u}`) },
  }));
  return {
    sample_time: new Date(row.dvc_time as string).toISOString(),
    cabin_temp: v("tveh_1"),
    cabin_set_point: v("tic"),
    stations: { start: v("start_station"), terminal: v("terminal_station"), current: v("cur_station"), next: v("next_station") },
    units,
  };
}

/** Newest stored rows of the given devices, by their key in device_latest. */
async function latestRows(db: pg.Pool, dvcNos: string[]): Promise<Map<string, Row>> {
  const { rows } = await db.query<{ dvc_no: string; r: Row }>(
    `SELECT l.dvc_no, to_jsonb(m) AS r FROM device_latest l
       JOIN LATERAL (SELECT * FROM macda m WHERE m.dvc_no = l.dvc_no AND m.dvc_time = l.dvc_time
                        AND m.msg_frame_no = l.msg_frame_no LIMIT 1) m ON true
      WHERE l.dvc_no = ANY ($1::text[])`,
    [dvcNos],
  );
  return new Map(rows.map((x) => [x.dvc_no, x.r]));
}

export default async function deviceRoutes(app: FastifyInstance): Promise<void> {
  const { list, byId } = fieldCatalogue();

  app.get(
    "/api/fields",
    {
      schema: {
        tags: ["devices"],
        summary: "The decoded fields with unit, scale, group and HVAC unit (from the generated field list)",
        querystring: NoQuery,
        response: {
          200: obj(
            {
              fields: {
                type: "array",
                items: obj(
                  {
                    id: { type: "string" },
                    kind: { type: "string" },
                    unit: { type: ["string", "null"] },
                    scale: { type: ["number", "null"] },
                    doc: { type: "string" },
                    unit_no: { type: "integer" },
                    group: { type: "string" },
                    extended: { type: "boolean" },
                    rollup: { type: "boolean" },
                  },
                  ["id", "kind", "unit", "scale", "doc", "unit_no", "group", "extended", "rollup"],
                ),
              },
            },
            ["fields"],
          ),
          ...errors,
        },
      },
    },
    async () => {
      const { rows } = await app.db.query<{ field: string }>("SELECT field FROM rollup_field");
      const rolled = new Set(rows.map((r) => r.field));
      return { fields: list.map((f) => ({ ...f, rollup: rolled.has(f.id) })) };
    },
  );

  app.get<{ Params: { train_no: string } }>(
    "/api/trains/:train_no",
    {
      schema: {
        tags: ["devices"],
        summary: "One train: its carriages (devices) with status, running state of both units and active episodes",
        params: obj({ train_no: TrainNo }, ["train_no"]),
        querystring: NoQuery,
        response: {
          200: obj(
            {
              train_no: { type: "string" },
              status: Status,
              carriages: {
                type: "array",
                items: obj({ state: DeviceStateSchema, summary: { anyOf: [Summary, { type: "null" }] } }, ["state", "summary"]),
              },
              active_episodes: { type: "array", items: ActiveEpisodeSchema },
            },
            ["train_no", "status", "carriages", "active_episodes"],
          ),
          ...errors,
        },
      },
    },
    async (req) => {
      const states = await fleetState(app.db, app.cfg.offlineAfterMs, req.params.train_no);
      if (!states.length) throw notFound(`no train ${req.params.train_no} in the data`);
      const [rows, eps] = await Promise.all([
        latestRows(app.db, states.map((s) => s.dvc_no)),
        activeEpisodes(app.db, { train: req.params.train_no }),
      ]);
      const { trainStatus } = await import("../fleet/queries.ts");
      return {
        train_no: req.params.train_no,
        status: trainStatus(states.map((s) => s.status)),
        carriages: states.map((s) => ({ state: s, summary: rows.has(s.dvc_no) ? summary(rows.get(s.dvc_no)!, byId) : null })),
        active_episodes: eps,
      };
    },
  );

  app.get<{ Params: { dvc_no: string } }>(
    "/api/devices/:dvc_no",
    {
      schema: {
        tags: ["devices"],
        summary: "One device (carriage, both HVAC units): status, running state, active episodes and every decoded field's latest value",
        params: obj({ dvc_no: DvcNo }, ["dvc_no"]),
        querystring: NoQuery,
        response: {
          200: obj(
            {
              state: DeviceStateSchema,
              summary: { anyOf: [Summary, { type: "null" }] },
              fields: { type: "array", items: FieldValue },
              active_episodes: { type: "array", items: ActiveEpisodeSchema },
              live_fault_names: {
                type: "array",
                items: obj({ source: { type: "string" }, code: { type: ["string", "null"] }, location: { type: ["string", "null"] }, fault_name: { type: ["string", "null"] } }, ["source", "code", "location", "fault_name"]),
              },
            },
            ["state", "summary", "fields", "active_episodes", "live_fault_names"],
          ),
          ...errors,
        },
      },
    },
    async (req) => {
      const dvc = req.params.dvc_no;
      const all = await fleetState(app.db, app.cfg.offlineAfterMs);
      const state = all.find((s) => s.dvc_no === dvc);
      if (!state) throw notFound(`no device ${dvc} in the data`);
      const [rows, eps, cat] = await Promise.all([latestRows(app.db, [dvc]), activeEpisodes(app.db, { dvc }), alertCatalogue(app.db)]);
      const row = rows.get(dvc);
      return {
        state,
        summary: row ? summary(row, byId) : null,
        fields: row ? list.map((f) => ({ id: f.id, value: scaled(f, row[f.id]), unit: f.unit, group: f.group, unit_no: f.unit_no })) : [],
        active_episodes: eps,
        live_fault_names: state.live_faults.map((b) => {
          const a = cat.bySource.get(b);
          return { source: b, code: a?.code ?? null, location: a?.location ?? null, fault_name: a?.fault_name ?? null };
        }),
      };
    },
  );
}

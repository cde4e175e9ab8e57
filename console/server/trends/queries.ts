// Trends: any decoded fields of one device over any range, at a resolution chosen from the range
// (raw rows up to 2 h, 1-minute rollups up to 2 days, 1-hour rollups beyond), further bucketed so
// that no series has more than MAX_POINTS points. Every query is one device and one time range on
// a primary-key index ((dvc_no, dvc_time, ...) on macda, (dvc_no, bucket) on the rollups).
import type pg from "pg";
import { badRequest } from "../lib/errors.ts";
import { fieldCatalogue, type FieldInfo } from "../lib/fields.ts";

export const MAX_POINTS = 2000;
export const RAW_MAX_MS = 2 * 3600_000;
export const MINUTE_MAX_MS = 2 * 86400_000;
export const MAX_RANGE_MS = 400 * 86400_000;

export type Resolution = "raw" | "1m" | "1h";

export interface TrendResult {
  resolution: Resolution;
  step_s: number;
  series: { field: string; unit: string | null; points: (number | null)[][] }[];
}

export function chooseResolution(rangeMs: number): { resolution: Resolution; step_s: number } {
  const resolution: Resolution = rangeMs <= RAW_MAX_MS ? "raw" : rangeMs <= MINUTE_MAX_MS ? "1m" : "1h";
  const base = resolution === "raw" ? 1 : resolution === "1m" ? 60 : 3600;
  const step_s = Math.max(base, Math.ceil(rangeMs / 1000 / MAX_POINTS / base) * base);
  return { resolution, step_s };
}

export function parseFields(spec: string): FieldInfo[] {
  const { byId } = fieldCatalogue();
  const ids = [...new Set(spec.split(",").map((s) => s.trim()).filter(Boolean))];
  if (!ids.length || ids.length > 16) throw badRequest("fields: 1 to 16 comma-separated field ids");
  return ids.map((id) => {
    const f = byId.get(id);
    if (!f) throw badRequest(`fields: unknown field ${id.slice(0, 50)} (see /api/fields)`);
    return f;
  });
}

const ident = (s: string) => '"' + s.replace(/"/g, '""') + '"';

export async function trend(db: pg.Pool, dvc: string, fields: FieldInfo[], from: Date, to: Date, force?: Resolution): Promise<TrendResult> {
  const range = to.getTime() - from.getTime();
  if (!(range > 0)) throw badRequest("to must be after from");
  if (range > MAX_RANGE_MS) throw badRequest("range: at most 400 days");
  let { resolution, step_s } = chooseResolution(range);
  if (force) {
    if (force === "raw" && range > MINUTE_MAX_MS) throw badRequest("resolution raw: at most 2 days");
    resolution = force;
    const base = force === "raw" ? 1 : force === "1m" ? 60 : 3600;
    step_s = Math.max(base, Math.ceil(range / 1000 / MAX_POINTS / base) * base);
  }
  let rows: { t: number; v: (number | null)[] }[];
  if (resolution !== "raw") {
    const { rows: ords } = await db.query<{ field: string; ord: number }>("SELECT field, ord FROM rollup_field WHERE field = ANY ($1::text[])", [fields.map((f) => f.id)]);
    const ord = new Map(ords.map((o) => [o.field, o.ord]));
    const missing = fields.filter((f) => !ord.has(f.id));
    if (missing.length) {
      // Fields without a rollup: raw rows, still bucketed, only for ranges a raw read can afford.
      if (range > MINUTE_MAX_MS) throw badRequest(`fields ${missing.map((f) => f.id).join(", ")} have no rollup: choose a range of at most 2 days`);
      resolution = "raw";
      step_s = Math.max(1, Math.ceil(range / 1000 / MAX_POINTS));
    } else {
      const table = resolution === "1m" ? "rollup_1m" : "rollup_1h";
      const sel = fields
        .map((f, i) => {
          const p = `$${4 + i}::int`;
          return `(sum(avg[${p}] * n) / nullif(sum(n) FILTER (WHERE avg[${p}] IS NOT NULL), 0))::float8, min(min[${p}])::float8, max(max[${p}])::float8`;
        })
        .join(", ");
      const { rows: r } = await db.query({
        text: `SELECT (floor(extract(epoch FROM bucket) / $1) * $1)::float8 AS t, ${sel}
                 FROM ${table} WHERE dvc_no = $2 AND bucket >= $3::timestamptz AND bucket < $${4 + fields.length}::timestamptz
                GROUP BY 1 ORDER BY 1`,
        values: [step_s, dvc, from.toISOString(), ...fields.map((f) => ord.get(f.id)), to.toISOString()],
        rowMode: "array",
      });
      rows = r.map((a: unknown[]) => ({ t: Number(a[0]), v: a.slice(1) as (number | null)[] }));
      return shape(resolution, step_s, fields, rows, from);
    }
  }
  const sel = fields
    .map((f) => {
      const c = f.kind === "bit" ? `${ident(f.id)}::int` : ident(f.id);
      return `avg(${c})::float8, min(${c})::float8, max(${c})::float8`;
    })
    .join(", ");
  const { rows: r } = await db.query({
    text: `SELECT (floor(extract(epoch FROM dvc_time) / $1) * $1)::float8 AS t, ${sel}
             FROM macda WHERE dvc_no = $2 AND dvc_time >= $3 AND dvc_time < $4 GROUP BY 1 ORDER BY 1`,
    values: [step_s, dvc, from.toISOString(), to.toISOString()],
    rowMode: "array",
  });
  rows = r.map((a: unknown[]) => ({ t: Number(a[0]), v: a.slice(1) as (number | null)[] }));
  return shape(resolution, step_s, fields, rows, from);
}

function shape(resolution: Resolution, step_s: number, fields: FieldInfo[], rows: { t: number; v: (number | null)[] }[], _from: Date): TrendResult {
  const sc = (f: FieldInfo, x: number | null) => (x === null || x === undefined ? null : f.scale ? Math.round(Number(x) * f.scale * 1e4) / 1e4 : Math.round(Number(x) * 1e4) / 1e4);
  return {
    resolution,
    step_s,
    series: fields.map((f, i) => ({
      field: f.id,
      unit: f.unit,
      points: rows.map((r) => [r.t * 1000, sc(f, r.v[3 * i]), sc(f, r.v[3 * i + 1]), sc(f, r.v[3 * i + 2])]),
    })),
  };
}

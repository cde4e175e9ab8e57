// Trend answers -> uPlot's columnar arrays. Accepts columns ({t:[], series:{f:[]}}) or rows
// ([{t, f: v}]); rollup values may be {avg,min,max} objects, of which the average is drawn.
export interface Trend {
  resolution: string;
  /** Seconds per point. */
  step: number;
  data: (number | null)[][];
  names: string[];
  episodes: { from: number; to: number; kind: "alarm" | "warning" }[];
}

type Raw = Record<string, unknown>;
const sec = (v: unknown): number => (typeof v === "number" ? (v > 1e11 ? v / 1000 : v) : Date.parse(String(v)) / 1000);
const val = (v: unknown): number | null => {
  if (v === null || v === undefined) return null;
  if (typeof v === "object") return val((v as Raw).avg ?? (v as Raw).value);
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
};

export function toTrend(raw: Raw, fields: string[]): Trend {
  const resolution = String(raw.resolution ?? raw.bucket ?? "");
  let data: (number | null)[][];
  const cols = (raw.series ?? raw.columns) as Raw | Raw[] | undefined;
  if (Array.isArray(raw.t) && cols && !Array.isArray(cols)) {
    data = [(raw.t as unknown[]).map(sec), ...fields.map((f) => ((cols[f] as unknown[]) ?? []).map(val))];
  } else if (Array.isArray(cols) && cols.length && Array.isArray((cols[0] as Raw).points)) {
    // [{field, points:[[t,v]...] | [{t,avg}...]}], aligned on the first series' timestamps
    const byField = new Map((cols as Raw[]).map((c) => [String(c.field ?? c.name), c.points as unknown[]]));
    const first = (byField.get(fields[0]!) ?? []) as unknown[];
    const ts = first.map((p) => sec(Array.isArray(p) ? p[0] : ((p as Raw).t ?? (p as Raw).time ?? (p as Raw).bucket)));
    data = [ts, ...fields.map((f) => ((byField.get(f) ?? []) as unknown[]).map((p) => val(Array.isArray(p) ? p[1] : p)))];
  } else {
    const rows = (Array.isArray(raw.points) ? raw.points : Array.isArray(raw.rows) ? raw.rows : []) as Raw[];
    data = [rows.map((r) => sec(r.t ?? r.time ?? r.bucket)), ...fields.map((f) => rows.map((r) => val(r[f])))];
  }
  const episodes = ((raw.episodes ?? []) as Raw[]).map((e) => ({
    from: sec(e.start_time ?? e.start),
    to: e.end_time ?? e.end ? sec(e.end_time ?? e.end) : Date.now() / 1000,
    kind: (String(e.kind ?? "alarm") === "warning" ? "warning" : "alarm") as "alarm" | "warning",
  }));
  return { resolution, step: Number(raw.step_s ?? raw.step ?? 0), data, names: fields, episodes };
}

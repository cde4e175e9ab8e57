// The field catalogue from the generated field list (codec/generated/fields.json): unit, scale and
// description of every stored frame field, and which HVAC unit it belongs to. Nothing is typed in
// by hand here, so a change of codec/NB67.ksy reaches the console through `make gen`.
import { readFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../config.ts";

export interface FieldInfo {
  id: string;
  kind: "bit" | "int" | "tenths";
  unit: string | null;
  scale: number | null;
  doc: string;
  /** 1 or 2 for unit fields, 0 for the carriage/frame. */
  unit_no: number;
  group: "identity" | "time" | "mode" | "feedback" | "fault" | "temperature" | "pressure" | "current" | "air" | "compressor" | "damper" | "fan" | "counter" | "station" | "other";
  extended: boolean;
}

interface RawField {
  id: string;
  output: string;
  json: string;
  unit: string | null;
  scale: number | null;
  doc: string;
  extended: boolean;
  role: string | null;
}

function unitOf(id: string): number {
  const m = /_u([12])[12]?$/.exec(id);
  return m ? Number(m[1]) : 0;
}

function groupOf(f: RawField): FieldInfo["group"] {
  const id = f.id;
  if (/^msg_|^dvc_(flag|train_no|carriage_no)$/.test(id)) return "identity";
  if (/^dvc_(year|month|day|hour|minute|second)$/.test(id)) return "time";
  if (/_station$/.test(id)) return "station";
  if (/^(bflt|bocflt|blpflt|bscflt)_/.test(id)) return "fault";
  if (/^cfbk_|^b/.test(id) && f.json === "bit") return "feedback";
  if (/^dw/.test(id)) return "counter";
  if (/^wmode|mode/.test(id)) return "mode";
  if (/^aq_/.test(id)) return "air";
  if (/pos/.test(id)) return "damper";
  if (/^i_/.test(id)) return "current";
  if (/press|suckp|presdiff/.test(id)) return "pressure";
  if (/_cp_|^sp_|^eevpos/.test(id)) return "compressor";
  if (f.unit === "degC" || f.unit === "K") return "temperature";
  return "other";
}

let cache: { list: FieldInfo[]; byId: Map<string, FieldInfo> } | undefined;

export function fieldCatalogue(): { list: FieldInfo[]; byId: Map<string, FieldInfo> } {
  if (cache) return cache;
  const raw = JSON.parse(readFileSync(path.join(REPO_ROOT, "codec/generated/fields.json"), "utf8")) as { fields: RawField[] };
  const list: FieldInfo[] = raw.fields
    .filter((f) => f.output === "keep")
    .map((f) => ({
      id: f.id,
      kind: f.json === "bit" ? "bit" : f.json === "tenths" ? "tenths" : "int",
      unit: f.unit,
      scale: f.scale,
      doc: f.doc,
      unit_no: unitOf(f.id),
      group: groupOf(f),
      extended: f.extended,
    }));
  cache = { list, byId: new Map(list.map((f) => [f.id, f])) };
  return cache;
}

/** Stored (raw) value -> value in the field's unit. */
export function scaled(f: FieldInfo, raw: unknown): number | boolean | null {
  if (raw === null || raw === undefined) return null;
  if (typeof raw === "boolean") return raw;
  const n = Number(raw);
  if (!Number.isFinite(n)) return null;
  return f.scale ? Math.round(n * f.scale * 1e6) / 1e6 : n;
}

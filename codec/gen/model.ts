// The typed field model of codec/NB67.ksy. Every emitter and every consumer that needs the
// layout (offsets, kept/dropped, scaling, units) reads it from here, never from a hand-written list.
//
// Offsets are computed the way Kaitai reads the seq: fixed-size integers advance by their size;
// `b1le` takes the next bit starting at the least-significant bit of the current byte; a byte-aligned
// type after a bit run first aligns to the next byte (docs/legacy.md §1.1). `if:` only decides
// whether a field is present (it depends on the frame length); it does not move later offsets,
// because every conditional field in this format is at the end.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

export type FieldType = "u1" | "u2" | "u4" | "s2" | "b1le" | "bytes";

export interface Field {
  /** Position in the .ksy seq (0-based). */
  index: number;
  /** Legacy field id (JSON key, SQL column). */
  id: string;
  type: FieldType;
  /** Byte offset in the frame. */
  offset: number;
  /** Bit position inside the byte for b1le (LSB = 0), else null. */
  bit: number | null;
  /** Size in bytes (1 for a bit field: the byte that holds it). */
  size: number;
  /** keep = part of the decoded record; drop = read but not output. */
  output: "keep" | "drop";
  /** Output = raw * scale (0.1 for the legacy ÷10 list), else null. */
  scale: number | null;
  unit: string | null;
  doc: string;
  /** A role the decoder uses (train-no, dvc-time-year, header-marker-1, ...), else null. */
  role: string | null;
  /** True for the fields not in the legacy output (offsets 488..497). */
  extended: boolean;
  /** Smallest frame length for which the field is present (its `if:` condition or its end). */
  presentFrom: number;
  /** Raw value range. */
  min: number;
  max: number;
  /** JSON value kind of the output. */
  json: "bit" | "int" | "tenths" | "none";
}

export interface Derived {
  id: string;
  doc: string;
  type: "string";
}

export interface Model {
  id: string;
  title: string;
  frameLength: number;
  legacyMinLength: number;
  extendedMinLength: number;
  fields: Field[];
  /** Kept fields in output order: legacy fields, then (after the derived keys) the extended ones. */
  legacy: Field[];
  extended: Field[];
  derived: Derived[];
  /** Output keys in order: legacy fields, derived, extended. */
  keys: string[];
  byRole: Record<string, Field>;
  byId: Record<string, Field>;
}

const SIZES: Record<string, number> = { u1: 1, u2: 2, u4: 4, s2: 2 };
const RANGES: Record<string, [number, number]> = {
  u1: [0, 0xff],
  u2: [0, 0xffff],
  u4: [0, 0xffffffff],
  s2: [-0x8000, 0x7fff],
  b1le: [0, 1],
  bytes: [0, 0],
};

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const KSY_PATH = join(ROOT, "codec", "NB67.ksy");

/** Parse the .ksy text (or codec/NB67.ksy) into the model. Throws on anything unexpected. */
export function loadModel(text: string = readFileSync(KSY_PATH, "utf8")): Model {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const ksy: any = parse(text);
  const meta = ksy.meta ?? {};
  if (meta.endian !== "be") throw new Error("NB67.ksy: meta.endian must be be");
  const frameLength = num(meta["-nb67-frame-length"], "meta.-nb67-frame-length");
  const legacyMinLength = num(meta["-nb67-legacy-min-length"], "meta.-nb67-legacy-min-length");
  const extendedMinLength = num(meta["-nb67-extended-min-length"], "meta.-nb67-extended-min-length");
  const derived: Derived[] = (meta["-nb67-derived"] ?? []).map((d: any) => ({
    id: String(d.id),
    doc: String(d.doc ?? ""),
    type: "string" as const,
  }));

  const fields: Field[] = [];
  let byte = 0;
  let bit = 0; // bits already consumed in `byte` by a running b1le run
  const seen = new Set<string>();
  (ksy.seq as any[]).forEach((s, index) => {
    const id = String(s.id);
    if (seen.has(id)) throw new Error(`NB67.ksy: duplicate id ${id}`);
    seen.add(id);
    let type: FieldType;
    let size: number;
    let offset: number;
    let fbit: number | null = null;
    if (s.type === "b1le") {
      type = "b1le";
      offset = byte;
      fbit = bit;
      size = 1;
      bit++;
      if (bit === 8) {
        bit = 0;
        byte++;
      }
    } else {
      if (bit !== 0) {
        // Kaitai aligns to the next byte before a byte-aligned type
        bit = 0;
        byte++;
      }
      if (s.type === undefined && typeof s.size === "number") {
        type = "bytes";
        size = s.size;
      } else if (typeof s.type === "string" && s.type in SIZES) {
        type = s.type as FieldType;
        size = SIZES[s.type];
      } else {
        throw new Error(`NB67.ksy: field ${id}: unsupported type ${JSON.stringify(s.type)}`);
      }
      offset = byte;
      byte += size;
    }
    const output = s["-nb67-output"];
    if (output !== "keep" && output !== "drop") throw new Error(`NB67.ksy: field ${id}: -nb67-output must be keep or drop`);
    const scale = s["-nb67-scale"] === undefined ? null : Number(s["-nb67-scale"]);
    if (scale !== null && !(scale === 0.1 && type === "s2")) {
      throw new Error(`NB67.ksy: field ${id}: only -nb67-scale 0.1 on s2 is supported`);
    }
    let presentFrom = offset + size;
    if (s.if !== undefined) {
      const m = /^_io\.size >= (\d+)$/.exec(String(s.if).trim());
      if (!m) throw new Error(`NB67.ksy: field ${id}: unsupported if ${s.if}`);
      presentFrom = Math.max(presentFrom, Number(m[1]));
    }
    if (typeof s.doc !== "string" || s.doc.trim() === "") throw new Error(`NB67.ksy: field ${id}: doc missing`);
    const [min, max] = RANGES[type];
    fields.push({
      index,
      id,
      type,
      offset,
      bit: fbit,
      size,
      output,
      scale,
      unit: s["-nb67-unit"] === undefined ? null : String(s["-nb67-unit"]),
      doc: s.doc.trim(),
      role: s["-nb67-role"] === undefined ? null : String(s["-nb67-role"]),
      extended: s["-nb67-extended"] === true,
      presentFrom,
      min,
      max,
      json: output === "drop" ? "none" : type === "b1le" ? "bit" : scale !== null ? "tenths" : "int",
    });
  });
  if (bit !== 0) byte++;
  if (byte !== frameLength) throw new Error(`NB67.ksy: seq covers ${byte} bytes, meta says ${frameLength}`);

  const legacy = fields.filter((f) => f.output === "keep" && !f.extended);
  const extended = fields.filter((f) => f.output === "keep" && f.extended);
  for (const f of legacy) {
    if (f.presentFrom > legacyMinLength) throw new Error(`NB67.ksy: legacy field ${f.id} ends after ${legacyMinLength}`);
  }
  for (const f of extended) {
    if (f.presentFrom !== extendedMinLength) throw new Error(`NB67.ksy: extended field ${f.id} must have if: _io.size >= ${extendedMinLength}`);
  }
  const byRole: Record<string, Field> = {};
  const byId: Record<string, Field> = {};
  for (const f of fields) {
    byId[f.id] = f;
    if (f.role) {
      if (byRole[f.role]) throw new Error(`NB67.ksy: role ${f.role} used twice`);
      byRole[f.role] = f;
    }
  }
  return {
    id: String(meta.id),
    title: String(meta.title ?? meta.id),
    frameLength,
    legacyMinLength,
    extendedMinLength,
    fields,
    legacy,
    extended,
    derived,
    keys: [...legacy.map((f) => f.id), ...derived.map((d) => d.id), ...extended.map((f) => f.id)],
    byRole,
    byId,
  };
}

function num(v: unknown, what: string): number {
  if (typeof v !== "number" || !Number.isInteger(v)) throw new Error(`NB67.ksy: ${what} must be an integer`);
  return v;
}

/** The file header every generated file starts with (comment syntax added by the emitter). */
export const GENERATED_NOTE =
  "GENERATED by codec/gen/generate.ts from codec/NB67.ksy — do not edit; regenerate with `make gen`";

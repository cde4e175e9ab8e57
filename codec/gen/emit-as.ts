// plugin/generated/layout.ts: the AssemblyScript half of the decoder that depends on the layout.
// It reads every kept field straight from the inbound frame (load<u8>/bswap, big-endian) and writes
// the JSON text into a caller-supplied buffer. Key fragments (`{"msg_header_code01":`, `,"x":`) are
// written with constant stores, so the hot path is stores + integer formatting, no allocation.
// plugin/decode.ts (hand-written) does validation, the derived keys and metadata.
import { GENERATED_NOTE, type Field, type Model } from "./model.ts";

/** Longest JSON text of one value of the field. */
function maxWidth(f: Field): number {
  switch (f.json) {
    case "bit":
      return 1;
    case "tenths":
      return 7; // -3276.8
    case "int":
      return f.type === "s2" ? 6 : String(f.max).length;
    default:
      return 0;
  }
}

function constName(s: string): string {
  return s.toUpperCase().replace(/[^A-Z0-9]+/g, "_");
}

/**
 * Statements that store the bytes of `text` at o with constant u64/u32/u16/u8 stores, then advance o.
 * (wazero's optimizing compiler runs bulk `memory.copy` through a call out of the generated code, which
 * costs about 0.1 µs per copy; a few immediate stores cost nanoseconds.)
 */
export function constStores(text: string, indent = "  "): string[] {
  const b = Buffer.from(text, "utf8");
  const out: string[] = [];
  let i = 0;
  for (const [w, ty] of [[8, "u64"], [4, "u32"], [2, "u16"], [1, "u8"]] as const) {
    while (b.length - i >= w) {
      let v = 0n;
      for (let k = w - 1; k >= 0; k--) v = (v << 8n) | BigInt(b[i + k]);
      out.push(`${indent}store<${ty}>(o, 0x${v.toString(16)}, ${i});`);
      i += w;
    }
  }
  out.push(`${indent}o += ${b.length}; // ${text.replace(/\n/g, "")}`);
  return out;
}

const KIND: Record<string, number> = { bit: 0, u1: 1, u2: 2, u4: 3, s2: 4, tenths: 5 };

export default function emit(model: Model) {
  // Key fragments, one blob; each table entry is 8 bytes:
  //   u16 frame offset, u8 kind, u8 bit, u16 key offset in KEYS, u16 key length.
  const keys: number[] = [];
  const table = (fields: Field[], firstOpens: boolean): number[] => {
    const t: number[] = [];
    fields.forEach((f, i) => {
      const text = `${firstOpens && i === 0 ? "{" : ","}"${f.id}":`;
      const koff = keys.length;
      for (const b of Buffer.from(text, "utf8")) keys.push(b);
      const kind = f.json === "bit" ? KIND.bit : f.json === "tenths" ? KIND.tenths : KIND[f.type];
      if (kind === undefined) throw new Error(`no output kind for ${f.id}`);
      t.push(f.offset & 0xff, f.offset >> 8, kind, f.bit ?? 0, koff & 0xff, koff >> 8, text.length & 0xff, text.length >> 8);
    });
    return t;
  };
  const legacyTable = table(model.legacy, true);
  const extTable = table(model.extended, false);
  for (let i = 0; i < 16; i++) keys.push(0); // the key copy reads whole 8-byte words, at least two
  if (keys.length > 0xffff) throw new Error("key blob too large");

  let maxLen = 0;
  for (const f of [...model.legacy, ...model.extended]) maxLen += f.id.length + 4 + maxWidth(f); // `,"id":` + value
  for (const d of model.derived) maxLen += d.id.length + 4 + 2 + 64; // quoted string values, generous bound
  maxLen += 1 + 16; // closing brace, and the key copy may write up to 15 bytes past the fragment

  const bytesLines = (bytes: number[]) => {
    const rows: string[] = [];
    for (let i = 0; i < bytes.length; i += 32) rows.push("  " + bytes.slice(i, i + 32).join(", "));
    return rows.join(",\n");
  };
  const describe = (fields: Field[]) =>
    fields.map((f, i) => `//   ${String(i).padStart(3)} ${f.id} ${f.type} @${f.offset}${f.bit !== null ? "." + f.bit : ""}${f.scale ? " /10" : ""}`);

  const lines: string[] = [];
  lines.push(`// ${GENERATED_NOTE}`);
  lines.push(`//`);
  lines.push(`// Frame layout and JSON writer for the decoded NB67 record (${model.legacy.length} legacy fields, ${model.extended.length} extended).`);
  lines.push(`// Table-driven: one static table of (frame offset, kind, bit, key fragment) and one loop, so the module`);
  lines.push(`// stays small. That matters in Connect: wazero compiles the module for every pooled instance, and the`);
  lines.push(`// pool is refilled after Go GCs; an unrolled writer (one code path per field) compiled ~20x slower.`);
  lines.push(`// Every function writes at address o and returns the address after what it wrote; the caller`);
  lines.push(`// provides a buffer of at least MAX_JSON_LENGTH bytes and checks the frame length first.`);
  lines.push(``);
  lines.push(`import { putI32, putTenths, putU32 } from "../digits";`);
  lines.push(``);
  lines.push(`/** Length of a whole frame. */`);
  lines.push(`export const FRAME_LENGTH: usize = ${model.frameLength};`);
  lines.push(`/** Shortest frame the legacy parser accepts (end of the legacy fields). */`);
  lines.push(`export const LEGACY_MIN_LENGTH: usize = ${model.legacyMinLength};`);
  lines.push(`/** Shortest frame that carries the extended fields. */`);
  lines.push(`export const EXTENDED_MIN_LENGTH: usize = ${model.extendedMinLength};`);
  lines.push(`/** Upper bound of the JSON text of one record (including 16 bytes of scratch slack). */`);
  lines.push(`export const MAX_JSON_LENGTH: usize = ${maxLen};`);
  lines.push(`export const LEGACY_KEYS: i32 = ${model.legacy.length};`);
  lines.push(`export const EXTENDED_KEYS: i32 = ${model.extended.length};`);
  lines.push(``);
  lines.push(`// Offsets of the fields the decoder uses by role (-nb67-role in the .ksy).`);
  for (const role of Object.keys(model.byRole).sort()) {
    const f = model.byRole[role];
    lines.push(`export const OFF_${constName(role)}: usize = ${f.offset}; // ${f.id} ${f.type}`);
  }
  lines.push(``);
  lines.push(`// Output kinds in the tables.`);
  for (const [k, v] of Object.entries(KIND)) lines.push(`const K_${k.toUpperCase()}: u32 = ${v};`);
  lines.push(``);
  lines.push(`// All key fragments (\`{"msg_header_code01":\`, \`,"x":\`), 16 zero bytes of padding at the end.`);
  lines.push(`const KEYS: usize = memory.data<u8>([\n${bytesLines(keys)},\n]);`);
  lines.push(``);
  lines.push(`// Legacy fields in output order:`);
  lines.push(...describe(model.legacy));
  lines.push(`const LEGACY: usize = memory.data<u8>([\n${bytesLines(legacyTable)},\n]);`);
  lines.push(``);
  lines.push(`// Extended fields in output order:`);
  lines.push(...describe(model.extended));
  lines.push(`const EXTENDED: usize = memory.data<u8>([\n${bytesLines(extTable)},\n]);`);
  lines.push(``);
  lines.push(`// Writers of the derived keys' fragments (\`,"key":\`), for plugin/decode.ts.`);
  for (const d of model.derived) {
    const name = d.id.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
    lines.push(`export function putKey${name}(o: usize): usize {`);
    lines.push(...constStores(`,"${d.id}":`));
    lines.push(`  return o;`);
    lines.push(`}`);
  }
  lines.push(``);
  lines.push(HELPERS);
  lines.push(`/** Write \`{"<first legacy key>":v, ..., "<last legacy key>":v\` (no closing brace). */`);
  lines.push(`export function writeLegacy(p: usize, o: usize): usize {`);
  lines.push(`  return writeFields(p, o, LEGACY, ${model.legacy.length});`);
  lines.push(`}`);
  lines.push(``);
  lines.push(`/** Write \`,"<extended key>":v\` for each extended field; only for frames >= EXTENDED_MIN_LENGTH. */`);
  lines.push(`export function writeExtended(p: usize, o: usize): usize {`);
  lines.push(`  return writeFields(p, o, EXTENDED, ${model.extended.length});`);
  lines.push(`}`);
  lines.push(``);
  lines.push(`/** Upper bound of the row literal (nb67_row): every value at its widest, separators, the derived strings. */`);
  lines.push(`export const MAX_ROW_LENGTH: usize = ${maxRowLength(model)};`);
  lines.push(``);
  lines.push(`/** Write \`v,v,...,v,\` (raw stored integers, bits 0/1, each followed by a comma) for the legacy fields. */`);
  lines.push(`export function writeLegacyRaw(p: usize, o: usize): usize {`);
  lines.push(`  return writeRaw(p, o, LEGACY, ${model.legacy.length});`);
  lines.push(`}`);
  lines.push(``);
  lines.push(`/** Write \`,v,v,v,v,v\` for the extended fields (raw); only for frames >= EXTENDED_MIN_LENGTH. */`);
  lines.push(`export function writeExtendedRaw(p: usize, o: usize): usize {`);
  lines.push(`  store<u8>(o++, 0x2c);`);
  lines.push(`  return writeRaw(p, o, EXTENDED, ${model.extended.length}) - 1;`);
  lines.push(`}`);
  return [{ path: "plugin/generated/layout.ts", content: lines.join("\n") + "\n" }];
}

/** Widest row literal: legacy raw values (u4 10 digits, others 6 incl. sign), commas, derived strings, extended. */
function maxRowLength(model: Model): number {
  const width = (f: Field) => (f.type === "u4" ? 10 : f.type === "b1le" ? 1 : 6);
  const values = [...model.legacy, ...model.extended].reduce((s, f) => s + width(f) + 1, 0);
  return 2 + values + 3 * (2 + 64 + 1) + 16; // parentheses, 3 quoted strings (<= 64 chars), scratch slack
}

const HELPERS = `/** The value of the field at a as decimal text at o (kind and bit from the table): a 0.1-scaled
 * field as its legacy tenths ("2.5") when asTenths, else as the raw stored integer (25). */
@inline
function putValue(o: usize, a: usize, kind: u32, bit: u32, asTenths: bool): usize {
  if (kind == K_BIT) {
    store<u8>(o, <u8>(0x30 + ((<u32>load<u8>(a) >> bit) & 1)));
    return o + 1;
  }
  if (kind == K_U1) return putU32(o, <u32>load<u8>(a));
  if (kind == K_U2) return putU32(o, <u32>bswap<u16>(load<u16>(a)));
  if (kind == K_U4) return putU32(o, bswap<u32>(load<u32>(a)));
  const v = <i32><i16>bswap<u16>(load<u16>(a));
  return kind == K_TENTHS && asTenths ? putTenths(o, v) : putI32(o, v);
}

/** Write the raw value of each of the n fields in the table at t, each followed by a comma: the
 * stored integer (a 0.1-scaled field as its raw tenths, a bit as 0/1), for the nb67_row literal. */
function writeRaw(p: usize, o: usize, t: usize, n: i32): usize {
  for (let i = 0; i < n; i++, t += 8) {
    o = putValue(o, p + <usize>load<u16>(t), <u32>load<u8>(t, 2), <u32>load<u8>(t, 3), false);
    store<u8>(o++, 0x2c);
  }
  return o;
}

/** Write the n fields described by the table at t (8 bytes per field) for the frame at p. */
function writeFields(p: usize, o: usize, t: usize, n: i32): usize {
  for (let i = 0; i < n; i++, t += 8) {
    // key fragment: copy whole 8-byte words, two unconditionally (most fragments are 9..16 bytes);
    // this may write up to 15 bytes past the fragment, which the value then overwrites
    let k = KEYS + <usize>load<u16>(t, 4);
    const e = o + <usize>load<u16>(t, 6);
    store<u64>(o, load<u64>(k));
    store<u64>(o, load<u64>(k, 8), 8);
    o += 16;
    k += 16;
    while (o < e) {
      store<u64>(o, load<u64>(k));
      o += 8;
      k += 8;
    }
    o = putValue(e, p + <usize>load<u16>(t), <u32>load<u8>(t, 2), <u32>load<u8>(t, 3), true);
  }
  return o;
}
`;

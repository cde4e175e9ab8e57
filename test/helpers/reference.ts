// The reference decoder for tests: the official Kaitai toolchain plus the legacy transform.
//
// 1. codec/NB67.ksy is compiled with kaitai-struct-compiler (npm, JS API) to JavaScript, in memory
//    (a copy is written to .tools/kaitai/Nb67.js for inspection), and run on the kaitai-struct runtime.
// 2. The parsed object goes through the legacy `Nb67.from_bytes_to_dict` transform, written here from
//    docs/legacy.md §2.1 and deliberately independent of codec/gen (it uses the legacy
//    name-based drop rules and the legacy div10 list, not the .ksy custom keys):
//    walk the attributes in read order; derive msg_calc_train_no / msg_calc_dvc_no from dvc_train_no
//    (ValueError below 1000) and msg_calc_dvc_time from msg_src_dvc_*; drop ig_rsv*, wrsv*, humdity*,
//    *rsv_*, msg_reversed1..5, msg_src_dvc_year..second; bool → 0/1; ÷10 list. msg_calc_parse_time is not produced.
// 3. New in this project: frames shorter than 492 bytes are rejected (legacy: EOFError), and frames of
//    at least 498 bytes get the five extended fields after the derived keys; `checksum` is not output.
import { createRequire } from "node:module";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { mulberry32 } from "../../tools/sim/prng.ts";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const VECTORS = join(ROOT, "test", "fixtures", "legacy");

const require = createRequire(join(ROOT, "package.json"));

/** The legacy div10list (65 s2 fields), copied from the legacy table (docs/fields.md "÷10"; docs/legacy.md §1.3). */
export const LEGACY_DIV10 = new Set([
  "fas_sys", "ras_sys", "tic", "tveh_1", "tveh_2", "aq_t_u1", "presdiff_u1", "fas_u1", "ras_u1",
  "f_cp_u11", "i_cp_u11", "v_cp_u11", "p_cp_u11", "suckt_u11", "suckp_u11", "sp_u11",
  "highpress_u11", "sas_u11", "ices_u11", "f_cp_u12", "i_cp_u12", "v_cp_u12", "p_cp_u12",
  "suckt_u12", "suckp_u12", "sp_u12", "highpress_u12", "sas_u12", "ices_u12", "aq_t_u2", "aq_h_u2",
  "presdiff_u2", "fas_u2", "ras_u2", "f_cp_u21", "i_cp_u21", "v_cp_u21", "p_cp_u21", "suckt_u21",
  "suckp_u21", "sp_u21", "highpress_u21", "sas_u21", "ices_u21", "f_cp_u22", "i_cp_u22", "v_cp_u22",
  "p_cp_u22", "suckt_u22", "suckp_u22", "sp_u22", "highpress_u22", "sas_u22", "ices_u22",
  "i_ef_u11", "i_ef_u12", "i_cf_u11", "i_cf_u12", "i_ef_u21", "i_ef_u22", "i_cf_u21", "i_cf_u22",
  "i_hvac_u1", "i_hvac_u2", "i_exufan",
]);

/** The fields this project adds after the legacy record (frames >= 498 bytes). */
export const EXTENDED = ["dmp_exu_pos", "start_station", "terminal_station", "cur_station", "next_station"];
const NEW_DROPPED = new Set(["checksum"]);
/** Deleted by name in legacy step 5 (msg_src_dvc_no is NOT among them: it stays in the output). */
const LEGACY_EXPLICIT_DROPS = new Set([
  "msg_reversed1", "msg_reversed2", "msg_reversed3", "msg_reversed4", "msg_reversed5",
  "msg_src_dvc_year", "msg_src_dvc_month", "msg_src_dvc_day",
  "msg_src_dvc_hour", "msg_src_dvc_minute", "msg_src_dvc_second",
]);

export class ReferenceError extends Error {
  constructor(
    public readonly kind: "EOFError" | "ValueError",
    message: string,
  ) {
    super(`${kind}: ${message}`);
  }
}

export interface Reference {
  /** Decode like legacy (+ extended fields). Throws ReferenceError where legacy raised. */
  decode(frame: Uint8Array): Record<string, number | string>;
  /** The raw Kaitai object (camelCase attributes). */
  parse(frame: Uint8Array): Record<string, unknown>;
}

// Kaitai's JS compiler turns snake_case ids into lowerCamelCase attribute names.
function camel(id: string): string {
  return id
    .split("_")
    .map((p, i) => (i === 0 ? p : p.charAt(0).toUpperCase() + p.slice(1)))
    .join("");
}

let cached: Promise<Reference> | null = null;

export function loadReference(ksyPath = join(ROOT, "codec", "NB67.ksy")): Promise<Reference> {
  if (cached) return cached;
  cached = (async () => {
    const ksy = parse(readFileSync(ksyPath, "utf8"));
    const compiler = require("kaitai-struct-compiler");
    const files: Record<string, string> = await compiler.compile("javascript", ksy, null, false);
    const [name, code] = Object.entries(files)[0];
    mkdirSync(join(ROOT, ".tools", "kaitai"), { recursive: true });
    writeFileSync(join(ROOT, ".tools", "kaitai", name), code);
    const KaitaiStream = require("kaitai-struct/KaitaiStream");
    const exports: Record<string, unknown> = {};
    const mod = { exports };
    // The UMD wrapper takes the CommonJS branch: factory(exports, require('kaitai-struct/KaitaiStream')).
    new Function("module", "exports", "require", "define", code)(mod, exports, (n: string) =>
      n === "kaitai-struct/KaitaiStream" ? KaitaiStream : require(n),
      undefined,
    );
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const Nb67: any = (mod.exports as any).Nb67;
    if (typeof Nb67 !== "function") throw new Error(`kaitai output ${name} did not define Nb67`);

    // Attribute name → legacy id, from the .ksy seq ids.
    const idOf = new Map<string, string>();
    for (const s of ksy.seq as { id: string }[]) idOf.set(camel(s.id), s.id);

    const parseFrame = (frame: Uint8Array) => {
      const buf = frame.buffer.slice(frame.byteOffset, frame.byteOffset + frame.byteLength);
      try {
        return new Nb67(new KaitaiStream(buf, 0)) as Record<string, unknown>;
      } catch (e) {
        throw new ReferenceError("EOFError", e instanceof Error ? e.message : String(e));
      }
    };

    const decode = (frame: Uint8Array): Record<string, number | string> => {
      if (frame.length < 492) {
        // legacy reads ig_rsv69 (u4 at 488) and raises EOFError below 492 bytes
        throw new ReferenceError("EOFError", `frame of ${frame.length} bytes, legacy needs 492`);
      }
      const obj = parseFrame(frame);
      // 1. attributes in read order
      const d = new Map<string, unknown>();
      for (const k of Object.keys(obj)) {
        if (k === "_io" || k === "_parent" || k === "_root") continue;
        const id = idOf.get(k);
        if (id === undefined) throw new Error(`unexpected Kaitai attribute ${k}`);
        d.set(id, obj[k]);
      }
      // 2. train and device numbers: int(str(n)[:-3]) raises for n < 1000
      const n = String(d.get("dvc_train_no"));
      const lineTxt = n.slice(0, -3);
      if (lineTxt === "") throw new ReferenceError("ValueError", "invalid literal for int() with base 10: ''");
      const zfill = (x: number, w: number) => String(x).padStart(w, "0");
      const trainNo = zfill(Number(lineTxt), 2) + zfill(Number(n.slice(-3)), 3);
      const dvcNo = trainNo + zfill(Number(d.get("dvc_carriage_no")), 2);
      // 3. device time from the header source-device time, no padding
      const t = (k: string) => String(d.get(`msg_src_dvc_${k}`));
      const dvcTime = `20${t("year")}-${t("month")}-${t("day")} ${t("hour")}:${t("minute")}:${t("second")}`;
      // 5. drops
      const out: Record<string, number | string> = {};
      const ext: Record<string, number> = {};
      for (const [k, v] of d) {
        if (k.startsWith("ig_rsv") || k.startsWith("wrsv") || k.startsWith("humdity") || k.includes("rsv_")) continue;
        if (LEGACY_EXPLICIT_DROPS.has(k)) continue;
        if (NEW_DROPPED.has(k)) continue;
        if (EXTENDED.includes(k)) {
          ext[k] = v as number;
          continue;
        }
        // 6. bool → 0/1, ÷10
        if (typeof v === "boolean") out[k] = v ? 1 : 0;
        else if (LEGACY_DIV10.has(k)) {
          const x = v as number;
          out[k] = x % 10 === 0 ? x / 10 : Math.round(x) / 10;
        } else out[k] = v as number;
      }
      out.msg_calc_train_no = trainNo;
      out.msg_calc_dvc_no = dvcNo;
      out.msg_calc_dvc_time = dvcTime;
      if (frame.length >= 498) for (const k of EXTENDED) out[k] = ext[k];
      return out;
    };
    return { decode, parse: parseFrame };
  })();
  return cached;
}

/** Small seeded PRNG (mulberry32) for reproducible random frames: unsigned 32-bit integers. */
export const rng = mulberry32;

/** Fill `buf` with random bytes from `next`. */
export function fillRandom(buf: Uint8Array, next: () => number): Uint8Array {
  let i = 0;
  for (; i + 4 <= buf.length; i += 4) {
    const v = next();
    buf[i] = v;
    buf[i + 1] = v >>> 8;
    buf[i + 2] = v >>> 16;
    buf[i + 3] = v >>> 24;
  }
  for (; i < buf.length; i++) buf[i] = next();
  return buf;
}

// The optional store output of `decode` (docs/deviations.md D9): the nb67_decode option row=true asks for metadata
// nb67_row, the record as a PostgreSQL row literal of the raw stored values in the column order of
// macda_row_shape (sql/generated/05_macda_template.sql). Checked here against the official Kaitai
// reference parser (raw values, not the module's own JSON), on the real frames and on seeded random
// frames of every length the decoder accepts; sql/ parsing of the literal is checked in
// test/integration/store-row.test.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadModule, type WasmModule } from "../helpers/wasm-host.ts";
import { fillRandom, loadReference, rng, ROOT, VECTORS, type Reference } from "../helpers/reference.ts";

const WASM = process.env.NB67_WASM ?? join(ROOT, "dist", "nb67.wasm");
const FIELDS = JSON.parse(readFileSync(join(ROOT, "codec", "generated", "fields.json"), "utf8")).fields as Array<{
  id: string;
  type: string;
  output: string;
  extended: boolean;
}>;
const LEGACY = FIELDS.filter((f) => f.output === "keep" && !f.extended);
const EXTENDED = FIELDS.filter((f) => f.output === "keep" && f.extended);
const PT = "2024-07-19 14:36:15";
const RANDOM_FRAMES = 10_000;

let m: WasmModule;
let ref: Reference;
beforeAll(async () => {
  m = await loadModule(WASM);
  ref = await loadReference();
});

const camel = (id: string) => id.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Split a composite literal "(a,"b",,c)" into its fields; null for an empty (NULL) field. */
function splitRow(row: string): Array<string | null> {
  expect(row.startsWith("(") && row.endsWith(")")).toBe(true);
  const out: Array<string | null> = [];
  for (const part of row.slice(1, -1).split(",")) {
    if (part === "") out.push(null);
    else if (part.startsWith('"')) out.push(part.slice(1, -1));
    else out.push(part);
  }
  return out;
}

/** What the row must hold for this frame, from the Kaitai reference. */
function expectedRow(frame: Uint8Array, parseTime: string | null): Array<string | null> {
  const raw = ref.parse(frame);
  const rec = ref.decode(frame);
  const value = (id: string) => {
    const v = raw[camel(id)];
    return typeof v === "boolean" ? (v ? "1" : "0") : String(v);
  };
  return [
    ...LEGACY.map((f) => value(f.id)),
    String(rec.msg_calc_dvc_no),
    String(rec.msg_calc_dvc_time),
    parseTime,
    ...EXTENDED.map((f) => (frame.length >= 498 ? value(f.id) : null)),
  ];
}

function rowOf(frame: Uint8Array, meta: Record<string, string>) {
  const r = m.call("decode", frame, meta);
  expect(r.error).toBeUndefined();
  return r;
}

describe("decode nb67_row (D9)", () => {
  const real = ["frame-260203.bin", "frame-whole.bin"].map((f) => new Uint8Array(readFileSync(join(VECTORS, "real", f))));

  it("holds the raw stored values of the real frames, in macda_row_shape order", () => {
    for (const frame of real) {
      const r = rowOf(frame, { nb67_decode: `row=true;parse_time=${PT}` });
      expect(r.setMeta.nb67_error).toBeUndefined();
      expect(splitRow(r.setMeta.nb67_row)).toEqual(expectedRow(frame, PT));
      // the JSON body is unchanged by the option
      expect(r.body).toEqual(rowOf(frame, { nb67_decode: `parse_time=${PT}` }).body);
    }
  });

  it("leaves the parse time and (for frames under 498 bytes) the extended fields NULL", () => {
    const short = real[0].subarray(0, 492);
    const got = splitRow(rowOf(short, { nb67_decode: `row=true` }).setMeta.nb67_row);
    expect(got).toEqual(expectedRow(short, null));
    expect(got.slice(-EXTENDED.length - 1)).toEqual(new Array(EXTENDED.length + 1).fill(null));
  });

  it(`matches the Kaitai reference on ${RANDOM_FRAMES} seeded random frames of 492..538 bytes`, () => {
    const next = rng(20261122);
    let checked = 0;
    for (let i = 0; i < RANDOM_FRAMES; i++) {
      const frame = fillRandom(new Uint8Array(492 + (next() % 47)), next);
      frame[37] = 0x04 + (next() % 0xf0); // dvc_train_no >= 0x0400 = 1024, so the frame is accepted
      const r = rowOf(frame, { nb67_decode: `row=true;parse_time=${PT}` });
      expect(r.setMeta.nb67_error).toBeUndefined();
      const got = splitRow(r.setMeta.nb67_row);
      const want = expectedRow(frame, PT);
      if (JSON.stringify(got) !== JSON.stringify(want)) expect(got).toEqual(want);
      checked++;
    }
    expect(checked).toBe(RANDOM_FRAMES);
  });

  it("is absent unless asked for (the contract output), and false means off", () => {
    expect(rowOf(real[0], {}).setMeta.nb67_row).toBeUndefined();
    expect("nb67_row" in rowOf(real[0], { nb67_decode: `row=false` }).setMeta).toBe(false);
  });

  it("rejects the frame with a reason for any other value, body unchanged", () => {
    const r = rowOf(real[0], { nb67_decode: `row=yes` });
    expect(r.setMeta.nb67_error).toBe('unknown nb67_decode row "yes": expected true or false');
    expect(r.bodySet).toBe(false);
    expect(r.setMeta.nb67_row).toBeUndefined();
  });
});

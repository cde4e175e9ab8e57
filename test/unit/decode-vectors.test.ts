// Parity with the legacy vectors (test/fixtures/legacy) and the two real frames; module contract;
// validation modes; metadata.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadModule, type WasmModule } from "../helpers/wasm-host.ts";
import { ROOT, VECTORS } from "../helpers/reference.ts";

const WASM = process.env.NB67_WASM ?? join(ROOT, "dist", "nb67.wasm");
const EXTENDED = ["dmp_exu_pos", "start_station", "terminal_station", "cur_station", "next_station"];
const td = new TextDecoder();

interface Vector {
  name: string;
  bin: string;
  length: number;
  expected?: string;
  expected_error?: string;
}

const index: { vectors: Vector[] } = JSON.parse(readFileSync(join(VECTORS, "index.json"), "utf8"));
const bin = (name: string) => new Uint8Array(readFileSync(join(VECTORS, name)));

let m: WasmModule;
beforeAll(async () => {
  if (!existsSync(WASM)) throw new Error(`${WASM} missing: run \`npm run build\` first`);
  m = await loadModule(WASM);
});

function decode(frame: Uint8Array, meta: Record<string, string> = {}) {
  const r = m.call("decode", frame, meta);
  expect(r.error).toBeUndefined();
  return r;
}

describe("module contract", () => {
  it("imports only benthos_wasm and exports memory, malloc, free, decode", () => {
    expect(m.imports.every((i) => i.startsWith("benthos_wasm."))).toBe(true);
    for (const e of ["memory", "malloc", "free", "decode"]) expect(m.exports).toContain(e);
    expect(m.exports).not.toContain("allocate");
    expect(m.exports).not.toContain("deallocate");
  });
});

describe("legacy parity vectors", () => {
  it("covers all vectors in index.json", () => {
    expect(index.vectors.length).toBeGreaterThanOrEqual(190);
  });
  for (const v of index.vectors) {
    it(v.name, () => {
      const frame = bin(v.bin);
      expect(frame.length).toBe(v.length);
      const r = decode(frame);
      if (v.expected) {
        expect(r.setMeta.nb67_error).toBeUndefined();
        const got = JSON.parse(td.decode(r.body));
        const want = JSON.parse(readFileSync(join(VECTORS, v.expected), "utf8"));
        const legacyKeys = Object.keys(got).slice(0, Object.keys(want).length);
        expect(legacyKeys).toEqual(Object.keys(want)); // legacy key order
        for (const k of Object.keys(want)) expect(got[k], k).toEqual(want[k]); // JSON values
        // extended fields only for >= 498 bytes (deviation D2)
        const extra = Object.keys(got).slice(Object.keys(want).length);
        expect(extra).toEqual(frame.length >= 498 ? EXTENDED : []);
        expect(r.setMeta.nb67_dvc_no).toBe(want.msg_calc_dvc_no);
        // only the metadata the pipelines read (the train number and legacy time are in the body)
        expect(Object.keys(r.setMeta).filter((k) => k !== "nb67_dvc_ts")).toEqual(["nb67_dvc_no"]);
      } else {
        // legacy raised: the module rejects with a reason and leaves the body unchanged
        expect(r.bodySet).toBe(false);
        expect(r.body).toEqual(frame);
        expect(r.setMeta.nb67_error).toMatch(/^(frame too short: \d+ bytes, need 492|dvc_train_no \d+ < 1000: cannot derive train number)$/);
        expect(Object.keys(r.setMeta)).toEqual(["nb67_error"]);
      }
    });
  }
});

describe("real frames", () => {
  const want = JSON.parse(readFileSync(join(VECTORS, "whole_frame.expected.json"), "utf8"));
  it("frame-whole: legacy record, extended fields zero", () => {
    const r = decode(bin("real/frame-whole.bin"));
    const got = JSON.parse(td.decode(r.body));
    expect(Object.keys(got)).toEqual([...Object.keys(want), ...EXTENDED]);
    for (const k of Object.keys(want)) expect(got[k], k).toEqual(want[k]);
    for (const k of EXTENDED) expect(got[k]).toBe(0);
  });
  it("frame-260203: same legacy record, extended fields 78, 291, 129, 45, 66", () => {
    const r = decode(bin("real/frame-260203.bin"));
    const got = JSON.parse(td.decode(r.body));
    for (const k of Object.keys(want)) expect(got[k], k).toEqual(want[k]);
    expect(EXTENDED.map((k) => got[k])).toEqual([78, 291, 129, 45, 66]);
  });
  it("sets the identity metadata the pipelines read, and nothing else", () => {
    const r = decode(bin("real/frame-whole.bin"));
    expect(r.setMeta).toEqual({
      nb67_dvc_no: "0700203",
      nb67_dvc_ts: "2024-07-19T14:36:13",
    });
  });
  it("output is exactly 231 keys for 492..497 bytes and 236 from 498 bytes", () => {
    const f = bin("real/frame-260203.bin");
    for (const n of [492, 497]) expect(Object.keys(JSON.parse(td.decode(decode(f.slice(0, n)).body))).length).toBe(231);
    for (const n of [498, 537, 538]) expect(Object.keys(JSON.parse(td.decode(decode(f.slice(0, n)).body))).length).toBe(236);
    const big = new Uint8Array(2048);
    big.set(f);
    expect(decode(big).setMeta.nb67_error).toBeUndefined();
  });
});

describe("rejections", () => {
  const f = bin("real/frame-whole.bin");
  it("short frames", () => {
    for (const n of [0, 1, 100, 491]) {
      const r = decode(f.slice(0, n));
      expect(r.setMeta).toEqual({ nb67_error: `frame too short: ${n} bytes, need 492` });
      expect(r.bodySet).toBe(false);
    }
  });
  it("dvc_train_no below 1000", () => {
    for (const t of [0, 999]) {
      const g = f.slice();
      new DataView(g.buffer).setUint16(37, t);
      expect(decode(g).setMeta).toEqual({ nb67_error: `dvc_train_no ${t} < 1000: cannot derive train number` });
    }
  });
});

describe("validation modes (nb67_decode validate=)", () => {
  const f = bin("real/frame-whole.bin");
  const withLen = (g: Uint8Array, n: number) => {
    const h = g.slice();
    new DataView(h.buffer).setUint16(2, n);
    return h;
  };
  it("absent, empty and none accept what legacy accepts", () => {
    const bad = f.slice();
    bad[0] = 0;
    for (const meta of [{}, { nb67_decode: `validate=` }, { nb67_decode: `validate=none` }] as Record<string, string>[]) {
      expect(decode(bad, meta).setMeta.nb67_error).toBeUndefined();
      expect(decode(bad.slice(0, 492), meta).setMeta.nb67_error).toBeUndefined();
    }
  });
  it("header: marker and msg_length", () => {
    expect(decode(f, { nb67_decode: `validate=header` }).setMeta.nb67_error).toBeUndefined();
    const bad = f.slice();
    bad[0] = 0x2d;
    expect(decode(bad, { nb67_decode: `validate=header` }).setMeta.nb67_error).toBe("bad header marker 0x2D 0x01, expected 0x2C 0x01");
    expect(decode(f.slice(0, 492), { nb67_decode: `validate=header` }).setMeta.nb67_error).toBe(
      "msg_length 538 does not match the body length 492",
    );
    expect(decode(withLen(f, 492).slice(0, 492), { nb67_decode: `validate=header` }).setMeta.nb67_error).toBeUndefined();
    // header does not check dates
    const t = f.slice();
    t[31] = 13;
    expect(decode(t, { nb67_decode: `validate=header` }).setMeta.nb67_error).toBeUndefined();
  });
  it("strict: header plus plausible dates", () => {
    expect(decode(f, { nb67_decode: `validate=strict` }).setMeta.nb67_error).toBeUndefined();
    const bad = f.slice();
    bad[1] = 2;
    expect(decode(bad, { nb67_decode: `validate=strict` }).setMeta.nb67_error).toMatch(/^bad header marker/);
    const cases: [number, number, RegExp][] = [
      [31, 13, /^implausible source-device time \(msg_src_dvc_\*\): 2024-13-19 14:36:13$/],
      [32, 0, /^implausible source-device time/],
      [33, 24, /^implausible source-device time/],
      [35, 60, /^implausible source-device time/],
      [41, 0, /^implausible device clock \(dvc_year..dvc_second\): 2024-0-19 14:36:13$/],
      [44, 60, /^implausible device clock/],
    ];
    for (const [off, val, re] of cases) {
      const g = f.slice();
      g[off] = val;
      expect(decode(g, { nb67_decode: `validate=strict` }).setMeta.nb67_error, `${off}=${val}`).toMatch(re);
      expect(decode(g).setMeta.nb67_error).toBeUndefined();
    }
    // 29 February only in leap years
    const leap = f.slice();
    leap[30] = 24;
    leap[31] = 2;
    leap[32] = 29;
    leap[40] = 24;
    leap[41] = 2;
    leap[42] = 29;
    expect(decode(leap, { nb67_decode: `validate=strict` }).setMeta.nb67_error).toBeUndefined();
    leap[30] = 23;
    expect(decode(leap, { nb67_decode: `validate=strict` }).setMeta.nb67_error).toMatch(/^implausible source-device time/);
  });
  it("an unknown mode is an error, not none", () => {
    for (const v of ["STRICT", "yes", " none", "x"]) {
      const r = decode(f, { nb67_decode: `validate=${v}` });
      expect(r.setMeta).toEqual({ nb67_error: `unknown nb67_decode validate "${v}": expected none, header or strict` });
      expect(r.bodySet).toBe(false);
    }
  });
});

describe("nb67_dvc_ts", () => {
  const f = bin("real/frame-whole.bin");
  it("is zero-padded ISO local time and absent when the source-device time is not a real instant", () => {
    const g = f.slice();
    g.set([5, 1, 2, 3, 4, 5], 30);
    const r = decode(g);
    expect(JSON.parse(td.decode(r.body)).msg_calc_dvc_time).toBe("205-1-2 3:4:5");
    expect(r.setMeta.nb67_dvc_ts).toBe("2005-01-02T03:04:05");
    const z = f.slice();
    z.set([0, 0, 0, 0, 0, 0], 30);
    const rz = decode(z);
    expect(JSON.parse(td.decode(rz.body)).msg_calc_dvc_time).toBe("200-0-0 0:0:0");
    expect(rz.setMeta.nb67_dvc_ts).toBeUndefined();
  });
});

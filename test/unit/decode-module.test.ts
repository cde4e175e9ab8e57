// The module per function and the host calls per message of `decode`. Every call from the module into
// Connect's `wasm` processor host is a reflective Go call (plus a malloc and a free call back into the
// module for each buffer the host hands in), which cost more than the decoding itself, so the number
// per message is part of the contract: one read of the body, one read of the options (nb67_decode),
// one write of the body, and only the metadata the pipelines read (nb67_dvc_no, nb67_dvc_ts; nb67_row
// when asked for; nb67_error on rejection).
// dist/nb67-decode.wasm (ingest) and dist/nb67-predict.wasm (predict) export only their function and
// give the same output as the full dist/nb67.wasm.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadModule, type WasmModule } from "../helpers/wasm-host.ts";
import { ROOT, VECTORS } from "../helpers/reference.ts";

const DIST = join(ROOT, "dist");
const enc = new TextEncoder();
const dec = new TextDecoder();
const bin = (name: string) => new Uint8Array(readFileSync(join(VECTORS, name)));
const INGEST_OPTIONS = "validate=header;envelope=true;row=true;parse_time=2026-12-04 08:00:00";

interface Calls {
  asBytes: number;
  setBytes: number;
  getMeta: string[];
  setMeta: string[];
  malloc: number;
}

/** A minimal Connect-like host that records every host call of one `decode` call. */
async function countingHost(path: string) {
  const module = await WebAssembly.compile(readFileSync(path));
  let calls: Calls;
  let body: Uint8Array;
  let meta: Record<string, string>;
  let instance: WebAssembly.Instance;
  const mem = () => new Uint8Array((instance.exports.memory as WebAssembly.Memory).buffer);
  const copyIn = (data: Uint8Array): bigint => {
    calls.malloc++;
    const ptr = (instance.exports.malloc as (n: number) => number)(data.length) >>> 0;
    mem().set(data, ptr);
    return (BigInt(ptr) << 32n) | BigInt(data.length);
  };
  const text = (p: number, n: number) => dec.decode(mem().slice(p >>> 0, (p >>> 0) + n));
  instance = await WebAssembly.instantiate(module, {
    benthos_wasm: {
      v0_msg_as_bytes: () => (calls.asBytes++, copyIn(body)),
      v0_msg_set_bytes: () => void calls.setBytes++,
      v0_msg_get_meta: (kp: number, kl: number) => {
        const k = text(kp, kl);
        calls.getMeta.push(k);
        return copyIn(enc.encode(meta[k] ?? ""));
      },
      v0_msg_set_meta: (kp: number, kl: number) => void calls.setMeta.push(text(kp, kl)),
    },
  });
  return (frame: Uint8Array, m: Record<string, string> = {}): Calls => {
    calls = { asBytes: 0, setBytes: 0, getMeta: [], setMeta: [], malloc: 0 };
    body = frame;
    meta = m;
    (instance.exports.decode as () => void)();
    return calls;
  };
}

describe("module per function", () => {
  for (const f of ["nb67.wasm", "nb67-decode.wasm", "nb67-predict.wasm"]) {
    it(`dist/${f} is built (npm run build)`, () => expect(existsSync(join(DIST, f))).toBe(true));
  }
  it("each module exports only its function (plus the host's malloc/free and memory) and imports only benthos_wasm", async () => {
    const exportsOf = async (f: string) => WebAssembly.Module.exports(await WebAssembly.compile(readFileSync(join(DIST, f)))).map((e) => e.name).sort();
    expect(await exportsOf("nb67-decode.wasm")).toEqual(["decode", "free", "malloc", "memory"]);
    expect(await exportsOf("nb67-predict.wasm")).toEqual(["free", "malloc", "memory", "predict"]);
    expect(await exportsOf("nb67.wasm")).toEqual(["decode", "free", "malloc", "memory", "predict"]);
    for (const f of ["nb67-decode.wasm", "nb67-predict.wasm"]) {
      const imports = WebAssembly.Module.imports(await WebAssembly.compile(readFileSync(join(DIST, f))));
      expect(imports.every((i) => i.module === "benthos_wasm")).toBe(true);
    }
  });
  it("the decode-only module is smaller than half the full module", () => {
    expect(readFileSync(join(DIST, "nb67-decode.wasm")).length).toBeLessThan(readFileSync(join(DIST, "nb67.wasm")).length / 2);
  });

  describe("same output as the full module", () => {
    let full: WasmModule;
    let only: WasmModule;
    let predictOnly: WasmModule;
    beforeAll(async () => {
      full = await loadModule(join(DIST, "nb67.wasm"));
      only = await loadModule(join(DIST, "nb67-decode.wasm"));
      predictOnly = await loadModule(join(DIST, "nb67-predict.wasm"));
    });
    const index: { vectors: { bin: string }[] } = JSON.parse(readFileSync(join(VECTORS, "index.json"), "utf8"));
    it("decode: every vector, with and without the ingest options", () => {
      for (const v of index.vectors) {
        for (const meta of [{}, { nb67_decode: INGEST_OPTIONS }, { nb67_decode: "validate=strict" }] as Record<string, string>[]) {
          const a = full.call("decode", bin(v.bin), meta);
          const b = only.call("decode", bin(v.bin), meta);
          expect(b.error, v.bin).toBeUndefined();
          expect(dec.decode(b.body), v.bin).toBe(dec.decode(a.body));
          expect(b.setMeta, v.bin).toEqual(a.setMeta);
        }
      }
    });
    it("predict: the rules check on an empty body", () => {
      const a = full.call("predict", enc.encode("{}"));
      const b = predictOnly.call("predict", enc.encode("{}"));
      expect(b.error).toBeUndefined();
      expect(b.setMeta).toEqual(a.setMeta);
      expect(Object.keys(b.setMeta).length).toBeGreaterThan(0);
    });
  });
});

describe("host calls per message of decode", () => {
  let run: Awaited<ReturnType<typeof countingHost>>;
  beforeAll(async () => {
    run = await countingHost(join(DIST, "nb67-decode.wasm"));
  });
  const frame = bin("real/frame-whole.bin");

  it("plain decode: body in, one options read, body out, nb67_dvc_no and nb67_dvc_ts", () => {
    const c = run(frame);
    expect(c).toEqual({ asBytes: 1, setBytes: 1, getMeta: ["nb67_decode"], setMeta: ["nb67_dvc_no", "nb67_dvc_ts"], malloc: 2 });
  });
  it("as ingest calls it (validate, envelope, row, parse time): still one options read, plus nb67_row", () => {
    const c = run(frame, { nb67_decode: INGEST_OPTIONS });
    expect(c).toEqual({ asBytes: 1, setBytes: 1, getMeta: ["nb67_decode"], setMeta: ["nb67_row", "nb67_dvc_no", "nb67_dvc_ts"], malloc: 2 });
  });
  it("a rejection: no body write, only nb67_error", () => {
    const c = run(frame.subarray(0, 100), { nb67_decode: INGEST_OPTIONS });
    expect(c).toEqual({ asBytes: 1, setBytes: 0, getMeta: ["nb67_decode"], setMeta: ["nb67_error"], malloc: 2 });
  });
  it("the same instance decodes each message with its own options (nothing carried over)", () => {
    const withRow = run(frame, { nb67_decode: "row=true" });
    expect(withRow.setMeta).toContain("nb67_row");
    expect(run(frame).setMeta).not.toContain("nb67_row");
    expect(run(frame.subarray(0, 492), { nb67_decode: "validate=header" }).setMeta).toEqual(["nb67_error"]);
    expect(run(frame.subarray(0, 492)).setMeta).toEqual(["nb67_dvc_no", "nb67_dvc_ts"]);
  });
});

describe("nb67_decode syntax", () => {
  let m: WasmModule;
  beforeAll(async () => {
    m = await loadModule(join(DIST, "nb67-decode.wasm"));
  });
  const frame = bin("real/frame-whole.bin");
  const err = (v: string) => m.call("decode", frame, { nb67_decode: v }).setMeta.nb67_error;
  it("order-free, empty entries and empty values are ignored", () => {
    const a = m.call("decode", frame, { nb67_decode: "envelope=true;parse_time=2026-12-04 08:00:00;validate=strict" });
    const b = m.call("decode", frame, { nb67_decode: ";validate=strict;;parse_time=2026-12-04 08:00:00;envelope=true;row=;" });
    expect(a.setMeta.nb67_error).toBeUndefined();
    expect(dec.decode(b.body)).toBe(dec.decode(a.body));
    expect(JSON.parse(dec.decode(a.body)).payload.msg_calc_parse_time).toBe("2026-12-04 08:00:00");
  });
  it.each([
    ["validate", 'nb67_decode entry "validate" is not name=value'],
    ["valid=none", 'unknown nb67_decode option "valid": expected validate, envelope, row or parse_time'],
    ["nb67_validate=strict", 'unknown nb67_decode option "nb67_validate": expected validate, envelope, row or parse_time'],
    ["row=true;row=false", 'nb67_decode names "row" twice'],
    ["validate=none;validate=strict", 'nb67_decode names "validate" twice'],
    ["parse_time=a;b", 'nb67_decode entry "b" is not name=value'],
  ])("rejects %j with a reason, body unchanged", (v, reason) => {
    expect(err(v)).toBe(reason);
    expect(m.call("decode", frame, { nb67_decode: v }).bodySet).toBe(false);
  });
  it("a long bad value is cut in the reason", () => {
    expect(err(`validate=${"x".repeat(100)}`)).toBe(`unknown nb67_decode validate "${"x".repeat(64)}…": expected none, header or strict`);
  });
  it("the former one-key-per-option metadata is no longer read (defaults apply)", () => {
    const r = m.call("decode", frame.subarray(0, 492), { nb67_validate: "header", nb67_envelope: "true", nb67_row: "true" });
    expect(r.setMeta.nb67_error).toBeUndefined();
    expect(r.setMeta.nb67_row).toBeUndefined();
    expect(dec.decode(r.body).startsWith('{"msg_header_code01"')).toBe(true);
  });
});

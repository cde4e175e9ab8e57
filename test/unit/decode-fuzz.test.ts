// Fuzz: random payloads of length 0..2048 (random validation modes too). Zero traps; every call
// either decodes (JSON body, no nb67_error) or rejects (body unchanged, nb67_error set), exactly as
// the length/train-number/mode rules predict; linear memory flat after the first 10,000 calls.
// The 10,000,000-call memory proof is bench/decode-memory.ts (too slow for the unit suite).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadModule, type WasmModule } from "../helpers/wasm-host.ts";
import { fillRandom, rng, ROOT, VECTORS } from "../helpers/reference.ts";

const WASM = process.env.NB67_WASM ?? join(ROOT, "dist", "nb67.wasm");
const CALLS = Number(process.env.NB67_FUZZ_CALLS ?? 1_000_000);
const SEED = Number(process.env.NB67_SEED ?? 4242);
const td = new TextDecoder();

let m: WasmModule;
beforeAll(async () => {
  if (!existsSync(WASM)) throw new Error(`${WASM} missing: run \`npm run build\` first`);
  m = await loadModule(WASM);
});

describe("fuzz", () => {
  it(`${CALLS} random payloads 0..2048 bytes: no trap, decoded or rejected, memory flat`, () => {
    const next = rng(SEED);
    const real = new Uint8Array(readFileSync(join(VECTORS, "real", "frame-whole.bin")));
    const pool = new Uint8Array(4096);
    const modes = ["", "none", "header", "strict", "bogus"];
    const problems: string[] = [];
    let memAt10k = 0;
    let decoded = 0;
    let rejected = 0;
    for (let i = 0; i < CALLS; i++) {
      if (i % 256 === 0) fillRandom(pool, next); // refresh the random pool
      const r = next();
      // lengths: uniform 0..2048, with extra weight around the 492/498/538 limits
      const len = r % 4 === 0 ? 486 + (next() % 60) : next() % 2049;
      const start = next() % (pool.length - len + 1);
      const frame = pool.subarray(start, start + len);
      // 1 in 8: a real frame with a few random bytes flipped (passes header/strict more often)
      let body: Uint8Array = frame;
      if (r % 8 === 1 && len >= 492) {
        body = new Uint8Array(len);
        body.set(real.subarray(0, Math.min(len, real.length)));
        for (let k = 0; k < 3; k++) body[next() % len] = next();
      }
      const mode = modes[next() % 8] ?? ""; // 3/8 of the time no validate option
      const meta: Record<string, string> = mode === "" && i % 2 === 0 ? {} : { nb67_decode: `validate=${mode}` };
      const res = m.call("decode", body, meta);
      if (res.error) {
        problems.push(`#${i} len ${len}: trap ${res.error}`);
        break;
      }
      const err = res.setMeta.nb67_error;
      if (err !== undefined) {
        rejected++;
        if (res.bodySet || err.length === 0) problems.push(`#${i}: rejected but body set or empty reason`);
      } else {
        decoded++;
        if (!res.bodySet) problems.push(`#${i}: neither decoded nor rejected`);
        else if (i % 1000 === 0) JSON.parse(td.decode(res.body)); // throws on bad JSON
        else if (res.body[0] !== 0x7b || res.body[res.body.length - 1] !== 0x7d) problems.push(`#${i}: not an object`);
      }
      // what the rules predict for modes none/absent
      if (mode === "" || mode === "none") {
        const train = len >= 39 ? (body[37] << 8) | body[38] : 0;
        const ok = len >= 492 && train >= 1000;
        if (ok !== (err === undefined)) problems.push(`#${i} len ${len} train ${train}: expected ${ok ? "decode" : "reject"}, got ${err}`);
      } else if (mode === "bogus" && err === undefined) problems.push(`#${i}: bogus mode accepted`);
      if (problems.length > 10) break;
      if (i === Math.min(9_999, Math.floor(CALLS / 10))) memAt10k = m.memoryBytes();
    }
    expect(problems).toEqual([]);
    expect(decoded + rejected).toBe(CALLS);
    expect(decoded).toBeGreaterThan(CALLS / 10);
    expect(rejected).toBeGreaterThan(CALLS / 10);
    expect(m.memoryBytes()).toBe(memAt10k);
  });

  it("unknown export is a host error; the instance stays usable", () => {
    expect(() => m.call("nope", new Uint8Array(0))).toThrow();
    const real = new Uint8Array(readFileSync(join(VECTORS, "real", "frame-whole.bin")));
    expect(m.call("decode", real).setMeta.nb67_dvc_no).toBe("0700203");
  });
});

describe("wasm host", () => {
  // A hand-assembled module: boom() calls v0_msg_as_bytes then traps (unreachable); malloc returns
  // 1024; free(p) stores p at address 0. Proves the host frees inbound buffers after a trap, reports
  // the trap as an error, and reuses the instance.
  const section = (id: number, body: number[]) => [id, body.length, ...body];
  const str = (s: string) => [s.length, ...Buffer.from(s)];
  const trapModule = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [4, 0x60, 0, 0, 0x60, 1, 0x7f, 1, 0x7f, 0x60, 1, 0x7f, 0, 0x60, 0, 1, 0x7e]),
    ...section(2, [1, ...str("benthos_wasm"), ...str("v0_msg_as_bytes"), 0x00, 3]),
    ...section(3, [3, 1, 2, 0]),
    ...section(5, [1, 0, 1]),
    ...section(7, [4, ...str("memory"), 2, 0, ...str("malloc"), 0, 1, ...str("free"), 0, 2, ...str("boom"), 0, 3]),
    ...section(10, [3, 5, 0, 0x41, 0x80, 0x08, 0x0b, 9, 0, 0x41, 0, 0x20, 0, 0x36, 2, 0, 0x0b, 6, 0, 0x10, 0, 0x1a, 0x00, 0x0b]),
  ]);
  it("frees inbound buffers after a trap, reports it, and reuses the instance", async () => {
    const t = await loadModule(trapModule);
    for (let i = 0; i < 3; i++) {
      const r = t.call("boom", new Uint8Array([1, 2, 3]));
      expect(r.error).toMatch(/unreachable/);
      expect(r.body).toEqual(new Uint8Array([1, 2, 3]));
      expect(new DataView((t.instance.exports.memory as WebAssembly.Memory).buffer).getUint32(0, true)).toBe(1024);
      new DataView((t.instance.exports.memory as WebAssembly.Memory).buffer).setUint32(0, 0, true);
    }
  });
});

// The 10,000,000-call memory proof (too slow for the unit suite, which does 1,000,000): linear memory
// of one dist/nb67-decode.wasm instance, reused for every call like a pooled Connect runner, must not grow
// after warm-up. Mixes real frames, random frames, short frames and bad validation values.
//   tsx bench/decode-memory.ts [calls]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadModule } from "../test/helpers/wasm-host.ts";
import { fillRandom, rng, ROOT, VECTORS } from "../test/helpers/reference.ts";

const calls = Number(process.argv[2] ?? 10_000_000);
const m = await loadModule(process.env.NB67_WASM ?? join(ROOT, "dist", "nb67-decode.wasm"));
const real = new Uint8Array(readFileSync(join(VECTORS, "real", "frame-260203.bin")));
const next = rng(10_000_000);
const pool = fillRandom(new Uint8Array(8192), next);
const metas: Record<string, string>[] = [{}, { nb67_decode: "validate=strict" }, { nb67_decode: "validate=header;row=true;envelope=true;parse_time=2026-12-04 08:00:00" }, { nb67_decode: "validate=bogus" }];
const t = Date.now();
let at10k = 0;
let decoded = 0;
for (let i = 0; i < calls; i++) {
  let body: Uint8Array;
  const k = i % 16;
  if (k < 8) body = real;
  else if (k < 14) {
    const s = next() % (pool.length - 2048);
    body = pool.subarray(s, s + (k === 13 ? next() % 2049 : 538));
  } else body = real.subarray(0, next() % 492);
  const r = m.call("decode", body, metas[i % 7 === 0 ? (i >> 3) % 4 : 0]);
  if (r.error) throw new Error(`call ${i}: trap ${r.error}`);
  if (r.setMeta.nb67_error === undefined) decoded++;
  if (i === 9_999) at10k = m.memoryBytes();
  if (i % 1_000_000 === 999_999) {
    console.error(`${i + 1} calls, memory ${m.memoryBytes()} bytes, ${((Date.now() - t) / 1000).toFixed(0)} s`);
    fillRandom(pool, next);
  }
}
const end = m.memoryBytes();
console.log(JSON.stringify({ calls, decoded, memory_after_10k: at10k, memory_end: end, flat: end === at10k, seconds: (Date.now() - t) / 1000 }));
if (end !== at10k) process.exit(1);

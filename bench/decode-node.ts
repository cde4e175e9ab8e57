// In-process rate of dist/nb67-decode.wasm `decode` through the Node host (test/helpers/wasm-host.ts, the same
// ABI sequence Connect uses), on the same frames file as bench/decode.sh.
//   tsx bench/decode-node.ts <frames.bin> [runs] [calls per run]
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadModule } from "../test/helpers/wasm-host.ts";
import { ROOT } from "../test/helpers/reference.ts";

const [file, runsArg, callsArg] = process.argv.slice(2);
const frames = readFileSync(file);
const n = Math.floor(frames.length / 538);
const runs = Number(runsArg ?? 3);
const calls = Number(callsArg ?? 300_000);
const m = await loadModule(process.env.NB67_WASM ?? join(ROOT, "dist", "nb67-decode.wasm"));
const views = Array.from({ length: Math.min(n, 4096) }, (_, i) => frames.subarray(i * 538, (i + 1) * 538));
const rates: number[] = [];
for (let r = 0; r < runs; r++) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < calls; i++) {
    const res = m.call("decode", views[i % views.length]);
    if (res.error || res.setMeta.nb67_error) throw new Error(`frame ${i}: ${res.error ?? res.setMeta.nb67_error}`);
  }
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  rates.push(calls / s);
}
rates.sort((a, b) => a - b);
console.log(JSON.stringify({ node_rates: rates.map(Math.round), node_median: Math.round(rates[Math.floor(rates.length / 2)]) }));

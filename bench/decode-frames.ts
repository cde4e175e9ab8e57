// Writes a file of concatenated 538-byte frames for bench/decode.sh: real frames and seeded random
// frames (dvc_train_no forced to 1000..65535 so they decode, like production traffic).
//   tsx bench/decode-frames.ts <out> <count>
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fillRandom, rng, VECTORS } from "../test/helpers/reference.ts";

const [out, countArg] = process.argv.slice(2);
const count = Number(countArg ?? 200_000);
const real = [
  readFileSync(join(VECTORS, "real", "frame-whole.bin")),
  readFileSync(join(VECTORS, "real", "frame-260203.bin")),
];
const next = rng(538);
const buf = Buffer.alloc(538 * count);
for (let i = 0; i < count; i++) {
  const f = buf.subarray(i * 538, (i + 1) * 538);
  if (i % 4 < 2) real[i % 4].copy(f);
  else {
    fillRandom(f, next);
    f.writeUInt16BE(1000 + (next() % 64536), 37);
  }
}
writeFileSync(out, buf);
console.log(`wrote ${count} frames (${buf.length} bytes) to ${out}`);

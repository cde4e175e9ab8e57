// Differential: seeded random frames decoded by dist/nb67.wasm and by the reference (Kaitai
// toolchain on codec/NB67.ksy + the legacy transform written independently). Zero differences,
// compared as JSON text (so key order and number formatting are covered too).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { beforeAll, describe, expect, it } from "vitest";
import { loadModule, type WasmModule } from "../helpers/wasm-host.ts";
import { fillRandom, loadReference, ReferenceError, rng, ROOT, type Reference } from "../helpers/reference.ts";

const WASM = process.env.NB67_WASM ?? join(ROOT, "dist", "nb67.wasm");
const FRAMES = Number(process.env.NB67_DIFF_FRAMES ?? 100_000);
const SEED = Number(process.env.NB67_SEED ?? 20240719);
const td = new TextDecoder();

let m: WasmModule;
let ref: Reference;
beforeAll(async () => {
  if (!existsSync(WASM)) throw new Error(`${WASM} missing: run \`npm run build\` first`);
  m = await loadModule(WASM);
  ref = await loadReference();
});

describe("module vs Kaitai reference", () => {
  it(`${FRAMES} seeded random frames (seed ${SEED}): zero differences`, () => {
    const next = rng(SEED);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const Ajv = (Ajv2020 as any).default ?? Ajv2020;
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, "codec", "generated", "nb67.schema.json"), "utf8")));
    const diffs: string[] = [];
    let decoded = 0;
    let rejected = 0;
    let validated = 0;
    for (let i = 0; i < FRAMES; i++) {
      // lengths: mostly whole frames, some 480..600 (around the 492 and 498 limits)
      const r = next() % 8;
      const len = r < 6 ? 538 : 480 + (next() % 121);
      const frame = fillRandom(new Uint8Array(len), next);
      // 1 in 16 frames keeps a random dvc_train_no (often valid anyway); else force 1000..65535 sometimes low
      if (len >= 39 && i % 16 !== 0) {
        const t = next() % 64 === 0 ? next() % 1000 : 1000 + (next() % 64536);
        frame[37] = t >> 8;
        frame[38] = t & 0xff;
      }
      let want: string | null = null;
      try {
        want = JSON.stringify(ref.decode(frame));
      } catch (e) {
        if (!(e instanceof ReferenceError)) throw e;
      }
      const got = m.call("decode", frame);
      if (got.error) {
        diffs.push(`#${i} len ${len}: trap ${got.error}`);
      } else if (want === null) {
        rejected++;
        if (got.bodySet || !got.setMeta.nb67_error) diffs.push(`#${i} len ${len}: reference rejects, module did not`);
      } else {
        decoded++;
        const text = td.decode(got.body);
        if (text !== want) diffs.push(`#${i} len ${len}: body differs`);
        else if (got.setMeta.nb67_error !== undefined) diffs.push(`#${i}: nb67_error on success`);
        else {
          const rec = JSON.parse(want);
          if (got.setMeta.nb67_dvc_no !== rec.msg_calc_dvc_no || Object.keys(got.setMeta).some((k) => k !== "nb67_dvc_no" && k !== "nb67_dvc_ts")) {
            diffs.push(`#${i}: metadata differs`);
          }
          if (i % 100 === 0) {
            validated++;
            if (!validate(rec)) diffs.push(`#${i}: schema: ${ajv.errorsText(validate.errors)}`);
          }
        }
      }
      if (diffs.length > 10) break;
    }
    expect(diffs).toEqual([]);
    expect(decoded + rejected).toBe(FRAMES);
    expect(decoded).toBeGreaterThan(FRAMES * 0.8);
    expect(rejected).toBeGreaterThan(0);
    expect(validated).toBeGreaterThan(FRAMES / 200);
  });
});

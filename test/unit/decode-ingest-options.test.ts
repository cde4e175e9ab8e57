// The optional ingest outputs of `decode` (docs/deviations.md D8): the nb67_decode options parse_time and
// envelope let the ingest pipeline get the legacy Kafka value from the module instead of a
// Bloblang string edit. Absent, the output is the plain contract record (pinned in
// decode-vectors.test.ts); present, it must equal the legacy envelope built from that record.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadModule, type WasmModule } from "../helpers/wasm-host.ts";
import { ROOT, VECTORS } from "../helpers/reference.ts";

const WASM = process.env.NB67_WASM ?? join(ROOT, "dist", "nb67.wasm");
const td = new TextDecoder();
const real = new Uint8Array(readFileSync(join(VECTORS, "real", "frame-260203.bin")));
const PT = "2024-07-19 14:36:15";

let m: WasmModule;
beforeAll(async () => {
  m = await loadModule(WASM);
});

function run(meta: Record<string, string>, frame = real) {
  const r = m.call("decode", frame, meta);
  expect(r.error).toBeUndefined();
  return { ...r, text: td.decode(r.body) };
}

/** The record with msg_calc_parse_time placed right after msg_calc_dvc_time, as legacy orders it. */
function withParseTime(record: Record<string, unknown>, pt: string) {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    out[k] = v;
    if (k === "msg_calc_dvc_time") out.msg_calc_parse_time = pt;
  }
  return out;
}

describe("decode ingest options", () => {
  const plain = () => JSON.parse(run({}).text);

  it("parse_time goes right after msg_calc_dvc_time, nothing else changes", () => {
    const got = run({ nb67_decode: `parse_time=${PT}` }).text;
    expect(got).toBe(JSON.stringify(withParseTime(plain(), PT)));
  });

  it("envelope=true wraps the record in the legacy envelope (key order as legacy)", () => {
    const got = run({ nb67_decode: `envelope=true;parse_time=${PT}` }).text;
    const want = { schema: { type: "struct", name: "ACSignal" }, payload: withParseTime(plain(), PT) };
    expect(got).toBe(JSON.stringify(want));
  });

  it("equals the legacy Kafka value for the real frame (JSON-equal, same key order)", () => {
    const example = JSON.parse(readFileSync(join(VECTORS, "whole_frame.kafka-example.json"), "utf8"));
    const frame = new Uint8Array(readFileSync(join(VECTORS, "whole_frame.bin")));
    for (const mode of ["DEV_MODE=True", "DEV_MODE=False"]) {
      const legacy = JSON.parse(example.modes[mode].value_bytes);
      // whole_frame.bin is 538 bytes, so ours also carries the 5 extended fields (D2): drop them
      const ours = JSON.parse(run({ nb67_decode: `envelope=true;parse_time=${example.frozen_parse_time}` }, frame).text);
      for (const k of ["dmp_exu_pos", "start_station", "terminal_station", "cur_station", "next_station"]) {
        delete ours.payload[k];
      }
      expect(JSON.stringify(ours)).toBe(JSON.stringify(legacy));
    }
  });

  it("envelope=false and empty are the plain record", () => {
    expect(run({ nb67_decode: `envelope=false` }).text).toBe(JSON.stringify(plain()));
    expect(run({ nb67_decode: `envelope=` }).text).toBe(JSON.stringify(plain()));
  });

  it("metadata and rejections are unaffected", () => {
    const r = run({ nb67_decode: `envelope=true;parse_time=${PT}` });
    expect(r.setMeta.nb67_dvc_no).toBe("0700203");
    expect(r.setMeta.nb67_error).toBeUndefined();
    const short = run({ nb67_decode: `envelope=true;parse_time=${PT}` }, real.subarray(0, 100));
    expect(short.setMeta.nb67_error).toBe("frame too short: 100 bytes, need 492");
    expect(short.bodySet).toBe(false);
  });

  it.each([
    ['a "quoted" value', "nb67_decode parse_time must be"],
    ["back\\slash", "nb67_decode parse_time must be"],
    ["tab\there", "nb67_decode parse_time must be"],
    ["x".repeat(65), "nb67_decode parse_time must be"],
  ])("rejects an unsafe parse_time %j with a reason, body unchanged", (pt, reason) => {
    const r = run({ nb67_decode: `parse_time=${pt}` });
    expect(r.setMeta.nb67_error).toContain(reason);
    expect(r.bodySet).toBe(false);
  });

  it("rejects an unknown envelope value with a reason", () => {
    const r = run({ nb67_decode: `envelope=yes` });
    expect(r.setMeta.nb67_error).toBe('unknown nb67_decode envelope "yes": expected true or false');
    expect(r.bodySet).toBe(false);
  });

  it("accepts the longest allowed parse_time", () => {
    const pt = "9".repeat(64);
    expect(JSON.parse(run({ nb67_decode: `parse_time=${pt}` }).text).msg_calc_parse_time).toBe(pt);
  });
});

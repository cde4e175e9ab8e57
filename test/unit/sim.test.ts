// Simulator: frames decode (real dist/nb67.wasm through the Connect-like host) to plausible records,
// counters only grow, scenarios move the values past the legacy rule thresholds, corrupt frames are
// rejected, and the scenario syntax is checked.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { encode } from "../../codec/generated/encoder.ts";
import { FrameSimulator, parseScenarios } from "../../tools/sim/sim.ts";
import { loadModule, type WasmModule } from "../helpers/wasm-host.ts";
import { ROOT } from "../helpers/reference.ts";

const WASM = join(ROOT, "dist", "nb67.wasm");
const START = Date.parse("2026-07-01T02:00:00Z"); // 10:00 in Asia/Shanghai
let wasm: WasmModule;

function decode(frame: Buffer): { rec?: Record<string, number | string>; error?: string } {
  const r = wasm.call("decode", frame, { nb67_decode: "validate=strict" });
  if (r.error) throw new Error(r.error);
  if (r.meta.nb67_error) return { error: r.meta.nb67_error };
  return { rec: JSON.parse(Buffer.from(r.body).toString("utf8")) };
}

describe.runIf(existsSync(WASM))("frame simulator", () => {
  beforeAll(async () => {
    wasm = await loadModule(WASM);
  });

  it("builds N trains x 6 carriages of valid frames with device numbers, time and frame numbers", () => {
    const sim = new FrameSimulator({ trains: 2, start: START, rateHz: 1 });
    expect(sim.devices.map((d) => d.dvcNo)).toEqual([
      "0700101", "0700102", "0700103", "0700104", "0700105", "0700106",
      "0700201", "0700202", "0700203", "0700204", "0700205", "0700206",
    ]);
    const a = sim.tick();
    const b = sim.tick();
    for (const [i, f] of a.entries()) {
      const { rec, error } = decode(f.frame);
      expect(error).toBeUndefined();
      expect(rec!.msg_calc_dvc_no).toBe(f.dvcNo);
      expect(rec!.msg_calc_dvc_time).toBe("2026-7-1 10:0:0");
      const next = decode(b[i].frame).rec!;
      expect(next.msg_calc_dvc_time).toBe("2026-7-1 10:0:1");
      expect(next.msg_frame_no).toBe((Number(rec!.msg_frame_no) + 1) % 65536);
    }
  });

  it("gives plausible values that fire no legacy rule, and monotonic counters", () => {
    const sim = new FrameSimulator({ trains: 1, start: START });
    let prev: Record<string, number | string> | undefined;
    for (let i = 0; i < 1200; i++) {
      const f = sim.tick()[2];
      const r = decode(f.frame).rec!;
      expect(r.ras_sys as number).toBeGreaterThan(20);
      expect(r.ras_sys as number).toBeLessThan(30);
      expect(r.presdiff_u1 as number).toBeLessThan(300);
      expect(r.i_ef_u11 as number).toBeLessThanOrEqual(2);
      expect(r.i_cf_u11 as number).toBeLessThanOrEqual(2.9);
      if ((r.f_cp_u11 as number) > 30) expect(r.suckp_u11 as number).toBeGreaterThanOrEqual(2);
      // the compressors of a unit stage together (legacy f_cp: equal frequency + current difference)
      expect(r.f_cp_u11).toBe(r.f_cp_u12);
      expect(Math.abs((r.i_cp_u11 as number) - (r.i_cp_u12 as number))).toBeLessThan(1);
      expect(r.aq_co2_u1 as number).toBeLessThan(1200);
      if (prev) {
        for (const k of Object.keys(r).filter((k) => k.startsWith("dw"))) expect(r[k] as number).toBeGreaterThanOrEqual(prev[k] as number);
      }
      prev = r;
    }
    // 20 simulated minutes: compressors cycled
    expect(Number(prev!.dwcp_op_cnt_u11)).toBeGreaterThan(0);
  });

  it("injects scenarios per device, with start and ramp", () => {
    const sim = new FrameSimulator({
      trains: 1,
      start: START,
      scenarios: parseScenarios("leak:0700103:u11,filter:0700104:u1@1+2,fan:0700105:ef_u11,bit:0700106:bflt_tempover,sensor:0700101:u1"),
    });
    const at = (min: number, dvc: string) => decode(encode(sim.recordFor(dvc, START + min * 60000))).rec!;
    const leak = at(0, "0700103");
    if ((leak.f_cp_u11 as number) > 30) expect(leak.suckp_u11 as number).toBeLessThan(2);
    expect(at(0, "0700104").presdiff_u1 as number).toBeLessThan(300);
    expect(at(3.5, "0700104").presdiff_u1 as number).toBeGreaterThan(300);
    expect(at(0, "0700105").i_ef_u11 as number).toBeGreaterThan(2);
    expect(at(0, "0700106").bflt_tempover).toBe(1);
    expect(at(0, "0700102").bflt_tempover).toBe(0);
    // a repaired leak: healthy pressures again from the end on
    expect(sim.stopScenario("leak", "0700103", undefined, START + 10 * 60000)).toBe(1);
    const fixed = at(10, "0700103");
    expect(fixed.suckp_u11 as number).toBeGreaterThan(4);
    expect(at(9.9, "0700103").suckp_u11 as number).toBeLessThan(2);
    const s = at(0, "0700101");
    expect(Math.abs((s.fas_u1 as number) - (s.fas_u2 as number))).toBeGreaterThan(8);
    expect(s.bflt_frstemp_u1).toBe(1);
  });

  it("window aggregates: healthy units stay below the legacy thresholds, leak and filter cross them", () => {
    // 32 minutes at 1 Hz, the legacy aggregates (exact percentiles, like sql/40_predict.sql) at the end
    const sim = new FrameSimulator({
      trains: 1,
      start: START,
      scenarios: parseScenarios("leak:0700102:u11,filter:0700104:u1,leak:0700105:u21@0-25"),
    });
    const recs = new Map<string, Array<Record<string, number>>>();
    for (let i = 0; i < 32 * 60; i++) {
      for (const f of sim.tick()) {
        const list = recs.get(f.dvcNo) ?? [];
        list.push(f.record as unknown as Record<string, number>);
        recs.set(f.dvcNo, list);
      }
    }
    const pct = (xs: number[], p: number) => {
      const v = [...xs].sort((a, b) => a - b);
      const x = (v.length - 1) * p;
      const lo = Math.floor(x);
      return v[lo] + (v[Math.min(lo + 1, v.length - 1)] - v[lo]) * (x - lo);
    };
    const last = (dvc: string, min: number) => recs.get(dvc)!.slice(-min * 60);
    const agg = (dvc: string, min: number, p: number, f: (r: Record<string, number>) => number) => pct(last(dvc, min).map(f), p);
    const fired = (dvc: string) => {
      const out: string[] = [];
      for (const u of ["u11", "u12", "u21", "u22"]) {
        const mode = Math.round(agg(dvc, 5, 0.95, (r) => r[`wmode_u${u[1]}`]));
        if (mode === 2 && Math.round(agg(dvc, 5, 0.95, (r) => r[`f_cp_${u}`])) > 30 && agg(dvc, 5, 0.9, (r) => r[`suckp_${u}`]) < 2) out.push(`ref_leak_${u}`);
        if (mode === 1 && agg(dvc, 15, 0.95, (r) => r[`highpress_${u}`]) < 5) out.push(`ref_leak_${u}`);
        const sp = agg(dvc, 10, 0.95, (r) => r[`sp_${u}`]);
        if (sp > 20 || sp < -8) out.push(`f_cp_u${u[1]}(sp)`);
      }
      for (const n of ["1", "2"]) {
        // every 3-minute window of the last 20 minutes (legacy-compat: no running condition)
        for (let end = 0; end <= 17 * 60; end += 30) {
          const w = recs.get(dvc)!.slice(-(end + 180), end ? -end : undefined);
          const a = Math.round(pct(w.map((r) => r[`f_cp_u${n}1`]), 0.95));
          const b = Math.round(pct(w.map((r) => r[`f_cp_u${n}2`]), 0.95));
          const sub = pct(w.map((r) => Math.abs(r[`i_cp_u${n}1`] - r[`i_cp_u${n}2`])), 0.8);
          if (a === b && sub > 2) {
            out.push(`f_cp_u${n}`);
            break;
          }
        }
        if (agg(dvc, 30, 0.95, (r) => r[`presdiff_u${n}`]) > 300) out.push(`f_presdiff_u${n}`);
      }
      return out;
    };
    expect(Object.fromEntries(sim.devices.map((d) => [d.dvcNo, fired(d.dvcNo)]))).toEqual({
      "0700101": [], "0700102": ["ref_leak_u11"], "0700103": [], "0700104": ["f_presdiff_u1"], "0700105": [], "0700106": [],
    });
    // margins: the leak's suction pressure is well below 2 bar, its compressor well above 30 Hz
    expect(agg("0700102", 5, 0.9, (r) => r.suckp_u11)).toBeLessThan(1.6);
    expect(Math.min(...last("0700102", 5).map((r) => r.f_cp_u11))).toBeGreaterThan(40);
    expect(agg("0700104", 30, 0.95, (r) => r.presdiff_u1)).toBeGreaterThan(400);
    for (const d of ["0700101", "0700103", "0700105", "0700106"]) {
      expect(agg(d, 5, 0.9, (r) => (r.f_cp_u11 > 0 ? r.suckp_u11 : 9))).toBeGreaterThan(4);
    }
  });

  it("makes the requested share of corrupt frames, all rejected by the decoder", () => {
    const sim = new FrameSimulator({ trains: 2, start: START, corruptShare: 0.1 });
    let bad = 0;
    let n = 0;
    for (const f of sim.frames(2000)) {
      n++;
      const { error } = decode(f.frame);
      if (f.corrupt) {
        bad++;
        expect(error, f.corrupt).toBeDefined();
      } else expect(error).toBeUndefined();
    }
    expect(n).toBe(2000);
    expect(bad).toBeGreaterThan(120);
    expect(bad).toBeLessThan(280);
  });

  it("parses and rejects scenario specs", () => {
    expect(parseScenarios("leak:0700103:u11@5+20,corrupt:*:0.5")).toEqual([
      { kind: "leak", device: "0700103", target: "u11", startMin: 5, rampMin: 20 },
      { kind: "corrupt", device: "*", target: "0.5", startMin: 0, rampMin: 0 },
    ]);
    expect(() => parseScenarios("leak:0700103:u3")).toThrow();
    expect(() => parseScenarios("boom:0700103:u1")).toThrow();
    expect(() => parseScenarios("leak:07001:u11")).toThrow();
    expect(parseScenarios("leak:0700103:u11@1+2-40")).toEqual([
      { kind: "leak", device: "0700103", target: "u11", startMin: 1, rampMin: 2, endMin: 40 },
    ]);
    expect(() => parseScenarios("leak:0700103:u11@5-5")).toThrow();
  });
});

// WASM `predict` (docs/predict.md): parity with the legacy decision code on every case of
// test/fixtures/legacy/predict/predict-cases.json (profile legacy-compat), the default profile's bug
// fixes, Python rounding, parameter validation, rules YAML, and robustness (never traps).
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import YAML from "yaml";
import { loadModule, type WasmModule } from "../helpers/wasm-host.ts";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WASM = process.env.NB67_WASM ?? path.join(ROOT, "dist/nb67.wasm");
const VECTORS = path.join(ROOT, "test/fixtures/legacy/predict/predict-cases.json");
const RULES_YAML = path.join(ROOT, "config/predict-rules.yaml");

const FLAGS = [
  "ref_leak_u11", "ref_leak_u12", "ref_leak_u21", "ref_leak_u22", "f_cp_u1", "f_cp_u2", "f_fas", "f_ras",
  "cabin_overtemp", "f_presdiff_u1", "f_presdiff_u2", "f_ef_u11", "f_ef_u12", "f_ef_u21", "f_ef_u22",
  "f_cf_u11", "f_cf_u12", "f_cf_u21", "f_cf_u22", "f_exufan", "f_fas_u11", "f_fas_u12", "f_fas_u21",
  "f_fas_u22", "f_aq_u1", "f_aq_u2",
];
const WINDOWS = ["data3m", "data5m", "data10m", "data15m", "data20m", "data30m"] as const;
type Windows = Record<string, Record<string, number | null>>;
interface Case {
  name: string;
  note: string;
  windows: Windows;
  expected: Record<string, number>;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const cases: Case[] = JSON.parse(readFileSync(VECTORS, "utf8")).cases;
const quiet = cases.find((c) => c.name === "quiet")!;
const IDENTITY = {
  msg_calc_dvc_no: "0700203",
  msg_calc_train_no: "07002",
  msg_calc_dvc_time: "2024-7-19 14:36:13",
  msg_calc_parse_time: "2024-07-19 14:36:14",
  run_slot: "2024-07-19T06:36:00+00:00",
};

let m: WasmModule;
beforeAll(async () => {
  m = await loadModule(WASM);
});

interface Outcome {
  flags?: Record<string, number>;
  body: string;
  skip?: string;
  error?: string;
  meta: Record<string, string>;
}

function run(body: unknown, meta: Record<string, string> = {}): Outcome {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const r = m.call("predict", enc.encode(raw), meta);
  expect(r.error, `trap: ${r.error}`).toBeUndefined();
  const out: Outcome = { body: dec.decode(r.body), meta: r.setMeta };
  if (r.setMeta.nb67_error) out.error = r.setMeta.nb67_error;
  if (r.setMeta.nb67_skip) out.skip = r.setMeta.nb67_skip;
  if (!out.error && !out.skip) {
    const o = JSON.parse(out.body);
    out.flags = Object.fromEntries(FLAGS.map((f) => [f, o[f]]));
  } else {
    expect(r.bodySet, "body must stay unchanged on skip/error").toBe(false);
  }
  return out;
}

const legacy = { nb67_profile: "legacy-compat" };
const clone = <T>(x: T): T => structuredClone(x);
function withValues(w: Windows, edits: Record<string, number | null>): Windows {
  const c = clone(w);
  for (const [k, v] of Object.entries(edits)) {
    const [win, alias] = k.split(".");
    c[win]![alias!] = v;
  }
  return c;
}
const RULES = YAML.parse(readFileSync(RULES_YAML, "utf8"));
/** The shipped rules YAML as the JSON the pipeline sends in nb67_params, optionally edited. */
function rulesParams(edit?: (r: Record<string, Record<string, unknown>>) => void): string {
  const rules = structuredClone(RULES);
  edit?.(rules);
  return JSON.stringify(rules);
}

describe("predict: legacy parity (legacy-compat)", () => {
  it(`all ${cases.length} vector cases give the legacy flags, bit for bit`, () => {
    const bad: string[] = [];
    for (const c of cases) {
      const out = run({ ...IDENTITY, ...c.windows }, legacy);
      if (Object.keys(c.expected).length === 0) {
        if (!out.skip) bad.push(`${c.name}: expected no row`);
        continue;
      }
      if (JSON.stringify(out.flags) !== JSON.stringify(c.expected)) bad.push(`${c.name}: ${JSON.stringify(out.flags)}`);
    }
    expect(bad).toEqual([]);
  });

  it("same result with the shipped rules YAML as nb67_params (legacy values)", () => {
    const params = rulesParams();
    for (const c of cases) {
      const out = run({ ...IDENTITY, ...c.windows }, { ...legacy, nb67_params: params });
      if (Object.keys(c.expected).length) expect(out.flags, c.name).toEqual(c.expected);
    }
  });

  it("output: identity fields passed through verbatim, then the 26 flags in legacy order", () => {
    const raw = `{"msg_calc_dvc_no" : "0700203", "x": {"a":[1,2.50,"\\u00e9"]}, ${WINDOWS.map(
      (w) => `"${w}": ${JSON.stringify(quiet.windows[w])}`,
    ).join(",")}, "msg_calc_train_no":"07002"}`;
    const out = run(raw, legacy);
    expect(out.body.startsWith(`{"msg_calc_dvc_no":"0700203","x":{"a":[1,2.50,"\\u00e9"]},"msg_calc_train_no":"07002",`)).toBe(true);
    expect(Object.keys(JSON.parse(out.body))).toEqual(["msg_calc_dvc_no", "x", "msg_calc_train_no", ...FLAGS]);
    expect(out.meta.nb67_dvc_no).toBe("0700203");
    expect(out.meta.nb67_fired).toBe("");
  });

  it("nb67_fired lists the flags set", () => {
    const c = cases.find((x) => x.name === "f_cf_u11")!;
    expect(run({ ...IDENTITY, ...c.windows }, legacy).meta.nb67_fired).toBe("f_cf_u11");
  });

  it("a missing or null window is a skip with the reason (legacy inserts nothing)", () => {
    for (const w of WINDOWS) {
      const ws: Record<string, unknown> = clone(quiet.windows);
      delete ws[w];
      expect(run({ ...IDENTITY, ...ws }, legacy).skip).toBe(`missing window ${w}`);
      ws[w] = null;
      expect(run({ ...IDENTITY, ...ws }).skip).toBe(`missing window ${w}`);
    }
  });

  it("a NULL aggregate the rules read is a skip; a NULL unused one is not", () => {
    expect(run({ ...IDENTITY, ...withValues(quiet.windows, { "data5m.suckp_u12": null }) }, legacy).skip).toBe(
      "null aggregate data5m.suckp_u12",
    );
    // legacy reads only the 5 min modes; the other windows' modes are computed and ignored
    const out = run({ ...IDENTITY, ...withValues(quiet.windows, { "data3m.dvc_w_op_mode_u1": null }) }, legacy);
    expect(out.flags).toEqual(quiet.expected);
  });

  it("an absent aggregate or a non-number is an error naming it", () => {
    const ws = clone(quiet.windows);
    delete ws.data10m!.i_exufan;
    expect(run({ ...IDENTITY, ...ws }).error).toBe("predict: data10m has no aggregate 'i_exufan'");
    const w2 = clone(quiet.windows) as Record<string, Record<string, unknown>>;
    w2.data20m!.aq_co2_u1 = "600";
    expect(run({ ...IDENTITY, ...w2 }).error).toBe("predict: data20m.aq_co2_u1 is not a number");
  });
});

// ---- default profile -------------------------------------------------------------------------

const r0 = (x: number) => pyRound(x, 0);

describe("predict: default profile (legacy rule bugs fixed)", () => {
  it("fix §10.16: f_fas_u12 reads unit 1 compressor 2 and f_fas_u21 unit 2 compressor 1", () => {
    const hi12 = cases.find((c) => c.name === "i_cp_u12_high")!; // i_cp_u12 > 18, fas_u1 < 35
    expect(hi12.expected.f_fas_u21).toBe(1); // legacy reports it under unit 2 compressor 1
    expect(hi12.expected.f_fas_u12).toBe(0);
    const out = run({ ...IDENTITY, ...hi12.windows });
    expect(out.flags!.f_fas_u12).toBe(1);
    expect(out.flags!.f_fas_u21).toBe(0);
    const hi21 = cases.find((c) => c.name === "i_cp_u21_high")!;
    const out2 = run({ ...IDENTITY, ...hi21.windows });
    expect([out2.flags!.f_fas_u12, out2.flags!.f_fas_u21]).toEqual([0, 1]);
  });

  it("fix §10.17: ref_leak's ventilation branch takes the mode from the same 15 min window as highpress", () => {
    // 5 min says ventilation, 15 min mostly cooling: legacy fires, default does not
    const vent = cases.find((c) => c.name === "ref_leak_u11_vent")!;
    const mixed = withValues(vent.windows, { "data15m.dvc_w_op_mode_u1": 2 });
    expect(run({ ...IDENTITY, ...mixed }, legacy).flags!.ref_leak_u11).toBe(1);
    expect(run({ ...IDENTITY, ...mixed }).flags!.ref_leak_u11).toBe(0);
    // 15 min says ventilation only: legacy ignores it (vector ..._vent_mode15_only), default fires
    const only15 = cases.find((c) => c.name === "ref_leak_u11_vent_mode15_only")!;
    expect(only15.expected.ref_leak_u11).toBe(0);
    expect(run({ ...IDENTITY, ...only15.windows }).flags!.ref_leak_u11).toBe(1);
    // both windows agree: same as legacy
    const agree = withValues(vent.windows, { "data15m.dvc_w_op_mode_u1": 1 });
    expect(run({ ...IDENTITY, ...agree }).flags!.ref_leak_u11).toBe(1);
  });

  it("fix §10.18: f_cp does not fire with both compressors stopped", () => {
    for (const u of ["1", "2"]) {
      const c = cases.find((x) => x.name === `f_cp_u${u}_both_zero_freq`)!;
      expect(c.expected[`f_cp_u${u}`]).toBe(1); // legacy fires on 0 == 0
      expect(run({ ...IDENTITY, ...c.windows }).flags![`f_cp_u${u}`]).toBe(0);
      // same current difference with both compressors running at the same frequency: fires
      const running = withValues(c.windows, { [`data3m.f_cp_u${u}1`]: 50, [`data3m.f_cp_u${u}2`]: 50 });
      expect(run({ ...IDENTITY, ...running }).flags![`f_cp_u${u}`]).toBe(1);
    }
  });

  it("fix §10.18: a compressor's sp bounds count only when it drew current in the window", () => {
    const c = cases.find((x) => x.name === "f_cp_u1_sp_high")!;
    const off = withValues(c.windows, { "data10m.i_cp_u11": 0, "data10m.i_cp_u12": 0 });
    expect(run({ ...IDENTITY, ...off }, legacy).flags!.f_cp_u1).toBe(1);
    expect(run({ ...IDENTITY, ...off }).flags!.f_cp_u1).toBe(0);
    const on = withValues(c.windows, { "data10m.i_cp_u11": 12.5, "data10m.i_cp_u12": 12.5 });
    expect(run({ ...IDENTITY, ...on }).flags!.f_cp_u1).toBe(1);
  });

  it("every vector case: flags untouched by a fix equal legacy; touched ones follow the fix exactly", () => {
    const bad: string[] = [];
    for (const c of cases) {
      if (!Object.keys(c.expected).length) continue;
      const w = c.windows;
      const d = run({ ...IDENTITY, ...w }).flags!;
      const L = c.expected;
      for (const f of FLAGS) {
        let want = L[f];
        if (f === "f_fas_u12") want = L.f_fas_u21; // the swap, exactly
        if (f === "f_fas_u21") want = L.f_fas_u12;
        if (f.startsWith("ref_leak_u")) {
          const unit = f[10];
          if (r0(w.data5m![`dvc_w_op_mode_u${unit}`]!) !== r0(w.data15m![`dvc_w_op_mode_u${unit}`]!)) continue;
        }
        if (f.startsWith("f_cp_u")) {
          const u = f[6];
          const running =
            r0(w.data3m![`f_cp_u${u}1`]!) > 0 &&
            pyRound(w.data10m![`i_cp_u${u}1`]!, 1) > 0 &&
            pyRound(w.data10m![`i_cp_u${u}2`]!, 1) > 0;
          if (!running) continue; // checked by the dedicated tests above
        }
        if (d[f] !== want) bad.push(`${c.name}.${f}: default ${d[f]} legacy ${L[f]}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("profile names: '' and 'default' are the default profile; anything else is an error", () => {
    const c = cases.find((x) => x.name === "i_cp_u12_high")!;
    expect(run({ ...IDENTITY, ...c.windows }, { nb67_profile: "default" }).flags).toEqual(
      run({ ...IDENTITY, ...c.windows }).flags,
    );
    expect(run({ ...IDENTITY, ...c.windows }, { nb67_profile: "legacy" }).error).toBe(
      "predict: unknown nb67_profile 'legacy' (expected 'default' or 'legacy-compat')",
    );
  });
});

// ---- Python rounding ---------------------------------------------------------------------------

/** Python round(x, n), exact: half to even on the binary value, result = nearest double to the decimal. */
function pyRound(x: number, n: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const buf = new DataView(new ArrayBuffer(8));
  buf.setFloat64(0, Math.abs(x));
  const bits = buf.getBigUint64(0);
  const ex = Number((bits >> 52n) & 0x7ffn);
  const frac = bits & 0xfffffffffffffn;
  const M = ex === 0 ? frac : frac | (1n << 52n);
  const E = ex === 0 ? -1074 : ex - 1075;
  if (E >= 0) return x;
  const N = M * 10n ** BigInt(n);
  const sh = BigInt(-E);
  let q = N >> sh;
  const r = N - (q << sh);
  const half = 1n << (sh - 1n);
  if (r > half || (r === half && (q & 1n) === 1n)) q += 1n;
  const v = Number(`${q}e-${n}`);
  return x < 0 ? -v : v;
}

function nextDown(x: number): number {
  const b = new DataView(new ArrayBuffer(8));
  b.setFloat64(0, x);
  const bits = b.getBigInt64(0);
  if (x > 0) b.setBigInt64(0, bits - 1n);
  else if (x < 0) b.setBigInt64(0, bits + 1n);
  else return -Number.MIN_VALUE;
  return b.getFloat64(0);
}

describe("predict: Python rounding (round half to even on the binary double)", () => {
  // cross-checked with python3 -c 'print(round(x, n))'
  const PY: [number, number, number][] = [
    [2.675, 2, 2.67], [1.995, 2, 2.0], [4.995, 2, 5.0], [2.05, 1, 2.0], [2.95, 1, 3.0], [0.25, 1, 0.2],
    [0.35, 1, 0.3], [2.5, 0, 2], [3.5, 0, 4], [300.5, 0, 300], [1200.5, 0, 1200], [0.125, 2, 0.12],
    [0.375, 2, 0.38], [-2.5, 0, -2], [-0.25, 1, -0.2], [20.05, 1, 20.1], [1.0005, 3, 1.0], [8.345, 2, 8.35],
    [2.0000000000000004, 1, 2.0], [4503599627370495.5, 0, 4503599627370496], [1e16, 2, 1e16], [0.15, 1, 0.1],
    [0.45, 1, 0.5], [5e-324, 3, 0],
  ];

  it("the JS oracle agrees with python3 on the tricky list", () => {
    for (const [x, n, want] of PY) expect(pyRound(x, n), `round(${x}, ${n})`).toBe(want);
  });

  // cabin_overtemp = round(bflt_tempover@20m, decimals) > tempover_min: with the threshold at R the flag
  // is 0 and at the double just below R it is 1, so the module's rounded value is exactly R.
  function moduleRound(x: number, n: number): [number, number] {
    const R = pyRound(x, n);
    const ws = withValues(quiet.windows, { "data20m.bflt_tempover": x });
    const at = (t: number) =>
      run({ ...IDENTITY, ...ws }, {
        nb67_params: rulesParams((r) => {
          r.cabin_overtemp = { tempover_min: t, decimals: n };
        }),
      }).flags!.cabin_overtemp;
    return [at(R), at(nextDown(R))];
  }

  it("module = Python on the tricky list and on 3,000 random values x 4 decimals", () => {
    const xs = PY.map((p) => p[0]);
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < 1000; i++) xs.push(Math.round(rnd() * 10 ** (1 + Math.floor(rnd() * 6))) / 10 ** Math.floor(rnd() * 5));
    for (let i = 0; i < 1000; i++) xs.push(Math.floor(rnd() * 1e6) / 2 ** Math.floor(rnd() * 12)); // exact ties
    for (let i = 0; i < 1000; i++) xs.push((rnd() - 0.5) * 10 ** (rnd() * 14 - 4));
    const bad: string[] = [];
    for (const x of xs) {
      for (let n = 0; n <= 3; n++) {
        const [atR, below] = moduleRound(x, n);
        if (atR !== 0 || below !== 1) bad.push(`round(${x}, ${n})`);
      }
    }
    expect(bad).toEqual([]);
  });

  it("JSON numbers are converted exactly, also with more than 17 digits", () => {
    // 2.67500000000000000000001 is above the tie at 2.675 only in decimal; as a double it is 2.675
    for (const s of ["2.67500000000000000000001", "2.6749999999999998223643160599749535322189331054687500001", "0.25e0", "25E-2"]) {
      const x = Number(s);
      const raw = JSON.stringify({ ...IDENTITY, ...quiet.windows }).replace(
        '"bflt_tempover":0',
        `"bflt_tempover":${s}`,
      );
      const R = pyRound(x, 2);
      const p = (t: number) => rulesParams((r) => (r.cabin_overtemp = { tempover_min: t, decimals: 2 }));
      expect(run(raw, { nb67_params: p(R) }).flags!.cabin_overtemp, s).toBe(0);
      expect(run(raw, { nb67_params: p(nextDown(R)) }).flags!.cabin_overtemp, s).toBe(1);
    }
  });
});

// ---- parameters -------------------------------------------------------------------------------

describe("predict: rule parameters (config/predict-rules.yaml via nb67_params)", () => {
  const body = { ...IDENTITY, ...cases.find((c) => c.name === "f_cf_u11_2_95")!.windows };

  it("a threshold changed in the YAML changes the decision, same module, no rebuild", () => {
    expect(run(body, { nb67_params: rulesParams() }).flags!.f_cf_u11).toBe(1); // round(2.95,1)=3.0 > 2.9
    const raised = rulesParams((r) => (r.f_cf!.current_max = 3.0));
    expect(run(body, { nb67_params: raised }).flags!.f_cf_u11).toBe(0);
    const coolingList = rulesParams((r) => (r.ref_leak!.cooling_modes = [2]));
    const cool = cases.find((c) => c.name === "ref_leak_u11_cool")!;
    expect(cool.windows.data5m!.dvc_w_op_mode_u1).toBe(3);
    expect(run({ ...IDENTITY, ...cool.windows }, { nb67_params: rulesParams() }).flags!.ref_leak_u11).toBe(1);
    expect(run({ ...IDENTITY, ...cool.windows }, { nb67_params: coolingList }).flags!.ref_leak_u11).toBe(0);
  });

  it("every number of the YAML is used: changing any one flips at least one vector case", () => {
    // guards against a parameter that is parsed but ignored. The vector cases plus the same cases
    // with 0.26 added to every aggregate (so that the number of decimals matters).
    const shifted = cases.map((c) => ({
      ...c,
      windows: Object.fromEntries(
        Object.entries(c.windows).map(([w, o]) => [w, Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v === null ? v : v + 0.26]))]),
      ),
    }));
    const all = [...cases, ...shifted].filter((c) => Object.keys(c.expected).length);
    const base = rulesParams();
    const baseOut = all.map((c) => JSON.stringify(run({ ...IDENTITY, ...c.windows }, { ...legacy, nb67_params: base }).flags));
    const rules = YAML.parse(readFileSync(RULES_YAML, "utf8")) as Record<string, Record<string, unknown>>;
    const unused: string[] = [];
    for (const [g, keys] of Object.entries(rules)) {
      for (const [k, v] of Object.entries(keys)) {
        if (g === "f_cp" && k.startsWith("running_")) continue; // default profile only, tested above
        const variants: unknown[] = Array.isArray(v) ? [[1], [9]] : k.endsWith("decimals") ? [0, 1, 2, 3] : [(v as number) + 0.5, (v as number) - 0.5, (v as number) + 50, (v as number) - 50];
        let changed = false;
        for (const nv of variants) {
          const p = rulesParams((r) => (r[g]![k] = nv));
          if (all.some((c, i) => JSON.stringify(run({ ...IDENTITY, ...c.windows }, { ...legacy, nb67_params: p }).flags) !== baseOut[i])) {
            changed = true;
            break;
          }
        }
        if (!changed) unused.push(`${g}.${k}`);
      }
    }
    expect(unused).toEqual([]);
  });

  it.each([
    ["unknown parameter", (r: any) => (r.f_cf.current_mx = 3), "predict: nb67_params: unknown parameter 'f_cf.current_mx'"],
    ["unknown group", (r: any) => (r.f_xx = {}), "predict: nb67_params: unknown rule group 'f_xx'"],
    ["missing parameter", (r: any) => delete r.f_ef.current_max, "predict: nb67_params: missing parameter 'f_ef.current_max'"],
    ["missing group", (r: any) => delete r.f_aq, "predict: nb67_params: missing parameter 'f_aq.fan_on'"],
    ["string value", (r: any) => (r.f_cf.current_max = "2.9"), "predict: nb67_params: 'f_cf.current_max' must be a number"],
    ["null value", (r: any) => (r.f_cf.current_max = null), "predict: nb67_params: 'f_cf.current_max' must be a number"],
    ["decimals not integer", (r: any) => (r.f_cf.current_decimals = 1.5), "predict: nb67_params: 'f_cf.current_decimals' must be an integer number of decimals from 0 to 3"],
    ["decimals too big", (r: any) => (r.f_cf.current_decimals = 4), "predict: nb67_params: 'f_cf.current_decimals' must be an integer number of decimals from 0 to 3"],
    ["list not a list", (r: any) => (r.ref_leak.cooling_modes = 2), "predict: nb67_params: 'ref_leak.cooling_modes' must be a list of numbers"],
    ["empty list", (r: any) => (r.ref_leak.cooling_modes = []), "predict: nb67_params: 'ref_leak.cooling_modes' must not be empty"],
    ["group not an object", (r: any) => (r.f_cf = 1), "predict: nb67_params: group 'f_cf' must be an object"],
  ])("rejected: %s", (_n, edit, reason) => {
    const out = run(body, { nb67_params: rulesParams(edit) });
    expect(out.error).toBe(reason);
    expect(out.flags).toBeUndefined();
  });

  it("rejected: malformed parameter JSON and a duplicate name", () => {
    expect(run(body, { nb67_params: "{" }).error).toMatch(/^predict: nb67_params: bad JSON/);
    expect(run(body, { nb67_params: "[]" }).error).toBe("predict: nb67_params: expected a JSON object of rule groups");
    const dup = rulesParams().replace('"current_max":2.9', '"current_max":2.9,"current_max":3');
    expect(run(body, { nb67_params: dup }).error).toBe("predict: nb67_params: duplicate parameter 'f_cf.current_max'");
  });

  it("a number of 100,000 digits in the rules or the body is refused at once (length cap), not parsed", () => {
    const huge = "1" + "7".repeat(99_999);
    const params = rulesParams().replace('"current_max":2.9', `"current_max":${huge}`);
    let t = performance.now();
    const e1 = run(body, { nb67_params: params }).error;
    const msParams = performance.now() - t;
    expect(e1).toMatch(/^predict: nb67_params: bad JSON: number longer than 1100 characters at byte \d+$/);
    const raw = JSON.stringify(body).replace('"cfbk_cf_u11":', `"cfbk_cf_u11":0.${huge},"x":`);
    t = performance.now();
    const e2 = run(raw).error;
    const msBody = performance.now() - t;
    expect(e2).toMatch(/^predict: bad JSON: number longer than 1100 characters at byte \d+$/);
    // unbounded, the exact conversion is quadratic: 100k digits took 600-800 ms, 1M digits a minute
    expect(msParams).toBeLessThan(100);
    expect(msBody).toBeLessThan(100);
    // the longest exact decimal of a double, 2^-1074 (1,076 characters), is still accepted
    const tiny = "0." + (5n ** 1074n).toString().padStart(1074, "0");
    expect(tiny.length).toBe(1076);
    expect(Number(tiny)).toBe(5e-324);
    const ok = run(body, { nb67_params: rulesParams().replace('"current_max":2.9', `"current_max":${tiny}`) });
    expect(ok.error).toBeUndefined();
    expect(ok.flags).toBeDefined();
  });

  it("parameters are validated before the body: {} with bad rules is an error, with good rules a skip", () => {
    expect(run("{}", { nb67_params: rulesParams((r: any) => (r.f_cf.current_max = "x")) }).error).toMatch(/f_cf.current_max/);
    expect(run("{}", { nb67_params: rulesParams() }).skip).toBe("missing window data3m");
  });
});

// ---- robustness -------------------------------------------------------------------------------

describe("predict: malformed input never traps", () => {
  it.each([
    ["", "predict: empty body"],
    ["[1,2]", "predict: body is not a JSON object"],
    ["nope", "predict: body is not a JSON object"],
    ['{"data3m": 5}', "predict: window data3m must be an object or null"],
    ['{"a":1', "predict: bad JSON: expected '}' at byte 6"],
    ['{"a":1} x', "predict: bad JSON: trailing data after JSON value at byte 8"],
    ['{"a":01}', "predict: bad JSON: expected '}' at byte 6"],
    ['{"a":"\u0001"}', "predict: bad JSON: control character in string at byte 6"],
  ])("body %j -> %s", (raw, reason) => {
    expect(run(raw).error).toBe(reason);
  });

  it("truncations and random byte flips of a valid body: error or result, never a trap, memory flat", () => {
    const good = JSON.stringify({ ...IDENTITY, ...quiet.windows });
    for (let i = 0; i < good.length; i += 3) run(good.slice(0, i));
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const before = m.memoryBytes();
    for (let i = 0; i < 3000; i++) {
      const b = enc.encode(good);
      for (let k = 0; k < 3; k++) b[Math.floor(rnd() * b.length)] = Math.floor(rnd() * 256);
      const r = m.call("predict", b, { nb67_profile: rnd() < 0.5 ? "legacy-compat" : "" });
      expect(r.error).toBeUndefined();
    }
    for (let i = 0; i < 20000; i++) m.call("predict", enc.encode(good), legacy);
    expect(m.memoryBytes()).toBeLessThanOrEqual(Math.max(before, 4 * 65536));
  });
});

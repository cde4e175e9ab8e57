// The 26 legacy prediction rules (docs/legacy.md §5.3) and their parameters.
//
// Every number of the rules is a parameter (config/predict-rules.yaml holds the
// same names with the legacy values; the pipeline sends that file as JSON in
// metadata nb67_params). Without nb67_params the built-in legacy values below
// apply. When nb67_params is given it must name every parameter exactly once:
// an unknown or missing name, or a value of the wrong type or range, is an
// error, never silently replaced.
//
// Profiles: `legacy-compat` reproduces the legacy decisions bit for bit, bugs
// included; `default` fixes legacy bugs 16-18 (docs/legacy.md §10; see docs/deviations.md).
import { JsonReader, T_ARR, T_NUM, T_OBJ } from "./json";
import { pyRound } from "./pyround";

// ---- parameter table -------------------------------------------------------------
// kind: 0 = number, 1 = decimals (integer 0..3), 2 = list of numbers (non-empty)

export const NPARAM: i32 = 46;

// prettier-ignore
const P_GROUP: StaticArray<string> = [
  "ref_leak", "ref_leak", "ref_leak", "ref_leak", "ref_leak", "ref_leak", "ref_leak", "ref_leak", "ref_leak",
  "f_cp", "f_cp", "f_cp", "f_cp", "f_cp", "f_cp", "f_cp", "f_cp", "f_cp",
  "f_fas", "f_fas",
  "f_ras", "f_ras",
  "cabin_overtemp", "cabin_overtemp",
  "f_presdiff", "f_presdiff", "f_presdiff", "f_presdiff",
  "f_ef", "f_ef", "f_ef", "f_ef",
  "f_cf", "f_cf", "f_cf", "f_cf",
  "f_exufan", "f_exufan", "f_exufan", "f_exufan",
  "f_fas_cp", "f_fas_cp", "f_fas_cp", "f_fas_cp",
  "f_aq", "f_aq",
];
// prettier-ignore
const P_KEY: StaticArray<string> = [
  "cooling_modes", "ventilation_mode", "mode_decimals", "compressor_freq_min", "compressor_freq_decimals",
  "suction_pressure_max", "suction_pressure_decimals", "high_pressure_max", "high_pressure_decimals",
  "freq_decimals", "current_diff_max", "current_diff_decimals", "sp_max", "sp_min", "sp_decimals",
  "running_freq_min", "running_current_min", "running_current_decimals",
  "temp_diff_max", "decimals",
  "temp_diff_max", "decimals",
  "tempover_min", "decimals",
  "fan_on", "fan_decimals", "presdiff_max", "presdiff_decimals",
  "fan_on", "fan_decimals", "current_max", "current_decimals",
  "fan_on", "fan_decimals", "current_max", "current_decimals",
  "fan_on", "fan_decimals", "current_max", "current_decimals",
  "fresh_air_temp_max", "fresh_air_temp_decimals", "compressor_current_min", "compressor_current_decimals",
  "fan_on", "fan_decimals",
];
// prettier-ignore
const P_DEF: StaticArray<f64> = [
  0, 1, 0, 30, 0, 2, 2, 5, 2,
  0, 2, 1, 20, -8, 1, 0, 0, 1,
  8, 1,
  8, 1,
  0, 1,
  1, 0, 300, 0,
  1, 0, 2, 1,
  1, 0, 2.9, 1,
  1, 0, 4, 1,
  35, 1, 18, 1,
  1, 0,
];
// prettier-ignore
const P_KIND: StaticArray<u8> = [
  2, 0, 1, 0, 1, 0, 1, 0, 1,
  1, 0, 1, 0, 0, 1, 0, 0, 1,
  0, 1,
  0, 1,
  0, 1,
  0, 1, 0, 1,
  0, 1, 0, 1,
  0, 1, 0, 1,
  0, 1, 0, 1,
  0, 1, 0, 1,
  0, 1,
];
// The air-quality limits are a second table so the list above stays one value per key.
const AQ_KEYS: StaticArray<string> = ["co2_max", "pm2_5_max", "pm10_max", "tvoc_max", "decimals"];
const AQ_DEF: StaticArray<f64> = [1200, 75, 150, 600, 0];

// indices
const RL_MODES = 0, RL_VENT = 1, RL_MODE_D = 2, RL_F_MIN = 3, RL_F_D = 4, RL_SP_MAX = 5, RL_SP_D = 6, RL_HP_MAX = 7, RL_HP_D = 8;
const CP_F_D = 9, CP_DIFF_MAX = 10, CP_DIFF_D = 11, CP_SP_MAX = 12, CP_SP_MIN = 13, CP_SP_D = 14, CP_RUN_F = 15, CP_RUN_I = 16, CP_RUN_I_D = 17;
const FAS_MAX = 18, FAS_D = 19, RAS_MAX = 20, RAS_D = 21, OT_MIN = 22, OT_D = 23;
const PD_FAN = 24, PD_FAN_D = 25, PD_MAX = 26, PD_D = 27;
const EF_FAN = 28, EF_FAN_D = 29, EF_MAX = 30, EF_D = 31;
const CF_FAN = 32, CF_FAN_D = 33, CF_MAX = 34, CF_D = 35;
const EX_FAN = 36, EX_FAN_D = 37, EX_MAX = 38, EX_D = 39;
const FC_T_MAX = 40, FC_T_D = 41, FC_I_MIN = 42, FC_I_D = 43;
const AQ_FAN = 44, AQ_FAN_D = 45;

export class Params {
  v: StaticArray<f64> = new StaticArray<f64>(NPARAM);
  aq: StaticArray<f64> = new StaticArray<f64>(5);
  coolingModes: Array<f64> = [2, 3];

  constructor() {
    for (let i = 0; i < NPARAM; i++) this.v[i] = P_DEF[i];
    for (let i = 0; i < 5; i++) this.aq[i] = AQ_DEF[i];
  }

  /** Load a complete parameter set from JSON text. Returns "" or the reason. */
  load(text: string): string {
    const buf = String.UTF8.encode(text);
    const r = new JsonReader(changetype<usize>(buf), <usize>buf.byteLength);
    const seen = new StaticArray<bool>(NPARAM);
    const seenAq = new StaticArray<bool>(5);
    if (r.kind() != T_OBJ) return "nb67_params: expected a JSON object of rule groups";
    r.expect(0x7b);
    if (!r.accept(0x7d)) {
      while (true) {
        if (r.peek() != 0x22) return "nb67_params: bad JSON: expected a group name";
        const g = r.str();
        if (!r.ok || !r.expect(0x3a)) return "nb67_params: bad JSON: " + r.err;
        if (!isGroup(g)) return "nb67_params: unknown rule group '" + g + "'";
        if (r.kind() != T_OBJ) return "nb67_params: group '" + g + "' must be an object";
        r.expect(0x7b);
        if (!r.accept(0x7d)) {
          while (true) {
            if (r.peek() != 0x22) return "nb67_params: bad JSON: expected a parameter name in '" + g + "'";
            const k = r.str();
            if (!r.ok || !r.expect(0x3a)) return "nb67_params: bad JSON: " + r.err;
            const name = g + "." + k;
            if (g == "f_aq" && k != "fan_on" && k != "fan_decimals") {
              let j = -1;
              for (let i = 0; i < 5; i++) if (AQ_KEYS[i] == k) j = i;
              if (j < 0) return "nb67_params: unknown parameter '" + name + "'";
              if (seenAq[j]) return "nb67_params: duplicate parameter '" + name + "'";
              const e = readNum(r, name, j == 4 ? 1 : 0);
              if (e.length) return e;
              this.aq[j] = r.num;
              seenAq[j] = true;
            } else {
              let j = -1;
              for (let i = 0; i < NPARAM; i++) if (P_GROUP[i] == g && P_KEY[i] == k) j = i;
              if (j < 0) return "nb67_params: unknown parameter '" + name + "'";
              if (seen[j]) return "nb67_params: duplicate parameter '" + name + "'";
              if (P_KIND[j] == 2) {
                if (r.kind() != T_ARR) return "nb67_params: '" + name + "' must be a list of numbers";
                r.expect(0x5b);
                const list = new Array<f64>();
                if (!r.accept(0x5d)) {
                  while (true) {
                    if (r.kind() != T_NUM) return "nb67_params: '" + name + "' must be a list of numbers";
                    if (!r.number()) return "nb67_params: bad JSON: " + r.err;
                    list.push(r.num);
                    if (r.accept(0x2c)) continue;
                    if (!r.expect(0x5d)) return "nb67_params: bad JSON: " + r.err;
                    break;
                  }
                }
                if (list.length == 0) return "nb67_params: '" + name + "' must not be empty";
                this.coolingModes = list;
              } else {
                const e = readNum(r, name, P_KIND[j]);
                if (e.length) return e;
                this.v[j] = r.num;
              }
              seen[j] = true;
            }
            if (r.accept(0x2c)) continue;
            if (!r.expect(0x7d)) return "nb67_params: bad JSON: " + r.err;
            break;
          }
        }
        if (r.accept(0x2c)) continue;
        if (!r.expect(0x7d)) return "nb67_params: bad JSON: " + r.err;
        break;
      }
    }
    if (!r.atEnd()) return "nb67_params: bad JSON: " + r.err;
    for (let i = 0; i < NPARAM; i++) {
      if (!seen[i]) return "nb67_params: missing parameter '" + P_GROUP[i] + "." + P_KEY[i] + "'";
    }
    for (let i = 0; i < 5; i++) {
      if (!seenAq[i]) return "nb67_params: missing parameter 'f_aq." + AQ_KEYS[i] + "'";
    }
    return "";
  }
}

function isGroup(g: string): bool {
  if (g == "f_aq") return true;
  for (let i = 0; i < NPARAM; i++) if (P_GROUP[i] == g) return true;
  return false;
}

function readNum(r: JsonReader, name: string, kind: u8): string {
  if (r.kind() != T_NUM) return "nb67_params: '" + name + "' must be a number";
  if (!r.number()) return "nb67_params: bad JSON: " + r.err;
  const x = r.num;
  if (!isFinite(x)) return "nb67_params: '" + name + "' is out of range";
  if (kind == 1 && (x != Math.floor(x) || x < 0 || x > 3)) {
    return "nb67_params: '" + name + "' must be an integer number of decimals from 0 to 3";
  }
  return "";
}

// ---- the flags ---------------------------------------------------------------------

export const NFLAGS: i32 = 26;
// prettier-ignore
export const FLAG_NAMES: StaticArray<string> = [
  "ref_leak_u11", "ref_leak_u12", "ref_leak_u21", "ref_leak_u22", "f_cp_u1", "f_cp_u2", "f_fas", "f_ras",
  "cabin_overtemp", "f_presdiff_u1", "f_presdiff_u2", "f_ef_u11", "f_ef_u12", "f_ef_u21", "f_ef_u22",
  "f_cf_u11", "f_cf_u12", "f_cf_u21", "f_cf_u22", "f_exufan", "f_fas_u11", "f_fas_u12", "f_fas_u21",
  "f_fas_u22", "f_aq_u1", "f_aq_u2",
];

/** The aggregate values the rules read, by window (checked before evaluation). */
export const W3 = 0, W5 = 1, W10 = 2, W15 = 3, W20 = 4, W30 = 5;

/** Window values accessor implemented by predict.ts. */
export abstract class Windows {
  abstract get(w: i32, name: string): f64;
}

function r(x: f64, d: f64): f64 {
  return pyRound(x, <i32>d);
}

/** 0/1 of a condition. */
function bit(c: bool): u8 {
  return c ? 1 : 0;
}

function inList(x: f64, list: Array<f64>): bool {
  for (let i = 0; i < list.length; i++) if (x == list[i]) return true;
  return false;
}

/** Evaluate the 26 rules. `legacy` selects the legacy-compat profile. */
export function evaluate(w: Windows, p: Params, legacy: bool, out: StaticArray<u8>): void {
  const v = p.v;
  // ---- 1-4 ref_leak: cooling branch on the 5 min window, ventilation branch on 15 min highpress
  const m1 = w.get(W5, "dvc_w_op_mode_u1");
  const m2 = w.get(W5, "dvc_w_op_mode_u2");
  // default profile: the ventilation branch takes the mode from the same 15 min window (§10.17)
  const vm1 = legacy ? m1 : w.get(W15, "dvc_w_op_mode_u1");
  const vm2 = legacy ? m2 : w.get(W15, "dvc_w_op_mode_u2");
  out[0] = refLeak(w, p, m1, vm1, "u11");
  out[1] = refLeak(w, p, m1, vm1, "u12");
  out[2] = refLeak(w, p, m2, vm2, "u21");
  out[3] = refLeak(w, p, m2, vm2, "u22");
  // ---- 5-6 f_cp
  out[4] = fCp(w, p, legacy, "1");
  out[5] = fCp(w, p, legacy, "2");
  // ---- 7-8 fresh/return air temperature difference between the units
  out[6] = bit(r(w.get(W5, "fas_sub"), v[FAS_D]) > v[FAS_MAX]);
  out[7] = bit(r(w.get(W5, "ras_sub"), v[RAS_D]) > v[RAS_MAX]);
  // ---- 9 cabin over-temperature
  out[8] = bit(r(w.get(W20, "bflt_tempover"), v[OT_D]) > v[OT_MIN]);
  // ---- 10-11 filter pressure difference (clogged filter)
  out[9] = bit(
    r(w.get(W30, "cfbk_ef_u11"), v[PD_FAN_D]) == v[PD_FAN] && r(w.get(W30, "presdiff_u1"), v[PD_D]) > v[PD_MAX]
  );
  out[10] = bit(
    r(w.get(W30, "cfbk_ef_u21"), v[PD_FAN_D]) == v[PD_FAN] && r(w.get(W30, "presdiff_u2"), v[PD_D]) > v[PD_MAX]
  );
  // ---- 12-15 evaporator fans (one feedback bit per unit)
  const ef1 = r(w.get(W10, "cfbk_ef_u11"), v[EF_FAN_D]) == v[EF_FAN];
  const ef2 = r(w.get(W10, "cfbk_ef_u21"), v[EF_FAN_D]) == v[EF_FAN];
  out[11] = bit(ef1 && r(w.get(W10, "i_ef_u11"), v[EF_D]) > v[EF_MAX]);
  out[12] = bit(ef1 && r(w.get(W10, "i_ef_u12"), v[EF_D]) > v[EF_MAX]);
  out[13] = bit(ef2 && r(w.get(W10, "i_ef_u21"), v[EF_D]) > v[EF_MAX]);
  out[14] = bit(ef2 && r(w.get(W10, "i_ef_u22"), v[EF_D]) > v[EF_MAX]);
  // ---- 16-19 condenser fans
  const cf1 = r(w.get(W10, "cfbk_cf_u11"), v[CF_FAN_D]) == v[CF_FAN];
  const cf2 = r(w.get(W10, "cfbk_cf_u21"), v[CF_FAN_D]) == v[CF_FAN];
  out[15] = bit(cf1 && r(w.get(W10, "i_cf_u11"), v[CF_D]) > v[CF_MAX]);
  out[16] = bit(cf1 && r(w.get(W10, "i_cf_u12"), v[CF_D]) > v[CF_MAX]);
  out[17] = bit(cf2 && r(w.get(W10, "i_cf_u21"), v[CF_D]) > v[CF_MAX]);
  out[18] = bit(cf2 && r(w.get(W10, "i_cf_u22"), v[CF_D]) > v[CF_MAX]);
  // ---- 20 exhaust fan
  out[19] = bit(
    r(w.get(W10, "cfbk_exufan"), v[EX_FAN_D]) == v[EX_FAN] && r(w.get(W10, "i_exufan"), v[EX_D]) > v[EX_MAX]
  );
  // ---- 21-24 fresh air sensor vs compressor current
  const fas1 = r(w.get(W10, "fas_u1"), v[FC_T_D]) < v[FC_T_MAX];
  const fas2 = r(w.get(W10, "fas_u2"), v[FC_T_D]) < v[FC_T_MAX];
  const i11 = r(w.get(W10, "i_cp_u11"), v[FC_I_D]) > v[FC_I_MIN];
  const i12 = r(w.get(W10, "i_cp_u12"), v[FC_I_D]) > v[FC_I_MIN];
  const i21 = r(w.get(W10, "i_cp_u21"), v[FC_I_D]) > v[FC_I_MIN];
  const i22 = r(w.get(W10, "i_cp_u22"), v[FC_I_D]) > v[FC_I_MIN];
  out[20] = bit(fas1 && i11);
  if (legacy) {
    // legacy swap (§10.16): f_fas_u12 from unit 2 compressor 1, f_fas_u21 from unit 1 compressor 2
    out[21] = bit(fas2 && i21);
    out[22] = bit(fas1 && i12);
  } else {
    out[21] = bit(fas1 && i12);
    out[22] = bit(fas2 && i21);
  }
  out[23] = bit(fas2 && i22);
  // ---- 25-26 air quality with the evaporator fan on
  const aq = p.aq;
  const ad = aq[4];
  out[24] = bit(
    r(w.get(W20, "cfbk_ef_u11"), v[AQ_FAN_D]) == v[AQ_FAN] &&
    (r(w.get(W20, "aq_co2_u1"), ad) > aq[0] ||
      r(w.get(W20, "aq_pm2_5_u1"), ad) > aq[1] ||
      r(w.get(W20, "aq_pm10_u1"), ad) > aq[2] ||
      r(w.get(W20, "aq_tvoc_u1"), ad) > aq[3])
  );
  out[25] = bit(
    r(w.get(W20, "cfbk_ef_u21"), v[AQ_FAN_D]) == v[AQ_FAN] &&
    (r(w.get(W20, "aq_co2_u2"), ad) > aq[0] ||
      r(w.get(W20, "aq_pm2_5_u2"), ad) > aq[1] ||
      r(w.get(W20, "aq_pm10_u2"), ad) > aq[2] ||
      r(w.get(W20, "aq_tvoc_u2"), ad) > aq[3])
  );
}

function refLeak(w: Windows, p: Params, coolMode: f64, ventMode: f64, u: string): u8 {
  const v = p.v;
  const cool =
    inList(r(coolMode, v[RL_MODE_D]), p.coolingModes) &&
    r(w.get(W5, "f_cp_" + u), v[RL_F_D]) > v[RL_F_MIN] &&
    r(w.get(W5, "suckp_" + u), v[RL_SP_D]) < v[RL_SP_MAX];
  if (cool) return 1;
  return bit(r(ventMode, v[RL_MODE_D]) == v[RL_VENT] && r(w.get(W15, "highpress_" + u), v[RL_HP_D]) < v[RL_HP_MAX]);
}

function fCp(w: Windows, p: Params, legacy: bool, unit: string): u8 {
  const v = p.v;
  const a = r(w.get(W3, "f_cp_u" + unit + "1"), v[CP_F_D]);
  const b = r(w.get(W3, "f_cp_u" + unit + "2"), v[CP_F_D]);
  const sub = r(w.get(W3, "w_crntu" + unit + "_sub"), v[CP_DIFF_D]);
  const sp1 = r(w.get(W10, "sp_u" + unit + "1"), v[CP_SP_D]);
  const sp2 = r(w.get(W10, "sp_u" + unit + "2"), v[CP_SP_D]);
  const sp1out = sp1 > v[CP_SP_MAX] || sp1 < v[CP_SP_MIN];
  const sp2out = sp2 > v[CP_SP_MAX] || sp2 < v[CP_SP_MIN];
  if (legacy) {
    return bit((a == b && sub > v[CP_DIFF_MAX]) || sp1out || sp2out);
  }
  // default profile (§10.18): the equal-frequency test needs both compressors running,
  // and a compressor's sp bounds count only when that compressor drew current in the window
  const run1 = r(w.get(W10, "i_cp_u" + unit + "1"), v[CP_RUN_I_D]) > v[CP_RUN_I];
  const run2 = r(w.get(W10, "i_cp_u" + unit + "2"), v[CP_RUN_I_D]) > v[CP_RUN_I];
  return bit((a == b && a > v[CP_RUN_F] && sub > v[CP_DIFF_MAX]) || (run1 && sp1out) || (run2 && sp2out));
}

/** Aggregates the rules read, per window; the default profile also reads data15m modes. */
// prettier-ignore
export const NEED_W3: StaticArray<string> = ["f_cp_u11", "f_cp_u12", "f_cp_u21", "f_cp_u22", "w_crntu1_sub", "w_crntu2_sub"];
// prettier-ignore
export const NEED_W5: StaticArray<string> = ["dvc_w_op_mode_u1", "dvc_w_op_mode_u2", "f_cp_u11", "f_cp_u12", "f_cp_u21", "f_cp_u22",
  "suckp_u11", "suckp_u12", "suckp_u21", "suckp_u22", "fas_sub", "ras_sub"];
// prettier-ignore
export const NEED_W10: StaticArray<string> = ["sp_u11", "sp_u12", "sp_u21", "sp_u22", "cfbk_ef_u11", "cfbk_ef_u21", "cfbk_cf_u11",
  "cfbk_cf_u21", "i_ef_u11", "i_ef_u12", "i_ef_u21", "i_ef_u22", "i_cf_u11", "i_cf_u12", "i_cf_u21", "i_cf_u22",
  "fas_u1", "fas_u2", "cfbk_exufan", "i_exufan", "i_cp_u11", "i_cp_u12", "i_cp_u21", "i_cp_u22"];
// prettier-ignore
export const NEED_W15: StaticArray<string> = ["highpress_u11", "highpress_u12", "highpress_u21", "highpress_u22"];
export const NEED_W15_DEFAULT: StaticArray<string> = ["dvc_w_op_mode_u1", "dvc_w_op_mode_u2"];
// prettier-ignore
export const NEED_W20: StaticArray<string> = ["bflt_tempover", "cfbk_ef_u11", "cfbk_ef_u21", "aq_co2_u1", "aq_co2_u2", "aq_tvoc_u1",
  "aq_tvoc_u2", "aq_pm2_5_u1", "aq_pm2_5_u2", "aq_pm10_u1", "aq_pm10_u2"];
// prettier-ignore
export const NEED_W30: StaticArray<string> = ["cfbk_ef_u11", "cfbk_ef_u21", "presdiff_u1", "presdiff_u2"];

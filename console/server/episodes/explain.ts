// Why an episode happened: the fields its rule reads (for the ±30 min signal chart) and, for a
// prediction, the window aggregates at its start (recomputed with the same SQL as the predict
// stream, nb67_predict_input), the thresholds in force and the module's verdict on them.
import type { FastifyInstance } from "fastify";
import { obj, Timestamp } from "../lib/schemas.ts";
import { effective, evaluate, loadFactory, type Params } from "../thresholds/rules.ts";

interface RuleInfo {
  group: string;
  aliases: string[];
  condition: string;
}

/** Rule flag name -> parameter group, the window aliases it reads and its condition in words. */
export function ruleInfo(flag: string): RuleInfo | undefined {
  let m: RegExpExecArray | null;
  if ((m = /^ref_leak_u([12])([12])$/.exec(flag))) {
    const [u, c] = [m[1], m[2]];
    return { group: "ref_leak", aliases: [`dvc_w_op_mode_u${u}`, `f_cp_u${u}${c}`, `suckp_u${u}${c}`, `highpress_u${u}${c}`], condition: "cooling: p95 mode @5m in cooling_modes, p95 f_cp @5m > compressor_freq_min and p90 suckp @5m < suction_pressure_max; or ventilating with p95 highpress @15m < high_pressure_max" };
  }
  if ((m = /^f_cp_u([12])$/.exec(flag))) {
    const u = m[1];
    return { group: "f_cp", aliases: [`f_cp_u${u}1`, `f_cp_u${u}2`, `w_crntu${u}_sub`, `sp_u${u}1`, `sp_u${u}2`, `i_cp_u${u}1`, `i_cp_u${u}2`], condition: "equal p95 compressor frequencies @3m and p80 current difference @3m (rounded to whole A as legacy) > current_diff_max; or p95 sp @10m outside [sp_min, sp_max]" };
  }
  if (flag === "f_fas") return { group: "f_fas", aliases: ["fas_sub"], condition: "p80 |fas_u1 - fas_u2| @5m, rounded to whole °C as legacy (the rule's decimals then change nothing), > temp_diff_max" };
  if (flag === "f_ras") return { group: "f_ras", aliases: ["ras_sub"], condition: "p80 |ras_u1 - ras_u2| @5m, rounded to whole °C as legacy (the rule's decimals then change nothing), > temp_diff_max" };
  if (flag === "cabin_overtemp") return { group: "cabin_overtemp", aliases: ["bflt_tempover"], condition: "p95 bflt_tempover @20m > tempover_min" };
  if ((m = /^f_presdiff_u([12])$/.exec(flag))) return { group: "f_presdiff", aliases: [`cfbk_ef_u${m[1]}1`, `presdiff_u${m[1]}`], condition: "evaporator fan on (p95 @30m == fan_on) and p95 presdiff @30m > presdiff_max" };
  if ((m = /^f_ef_u([12])([12])$/.exec(flag))) return { group: "f_ef", aliases: [`cfbk_ef_u${m[1]}1`, `i_ef_u${m[1]}${m[2]}`], condition: "fan on (p95 @10m == fan_on) and p95 current @10m > current_max" };
  if ((m = /^f_cf_u([12])([12])$/.exec(flag))) return { group: "f_cf", aliases: [`cfbk_cf_u${m[1]}1`, `i_cf_u${m[1]}${m[2]}`], condition: "fan on (p95 @10m == fan_on) and p95 current @10m > current_max" };
  if (flag === "f_exufan") return { group: "f_exufan", aliases: ["cfbk_exufan", "i_exufan"], condition: "fan on (p95 @10m == fan_on) and p95 current @10m > current_max" };
  if ((m = /^f_fas_u([12])([12])$/.exec(flag))) return { group: "f_fas_cp", aliases: [`fas_u${m[1]}`, `i_cp_u${m[1]}${m[2]}`], condition: "p95 fas @10m < fresh_air_temp_max and p95 compressor current @10m > compressor_current_min" };
  if ((m = /^f_aq_u([12])$/.exec(flag))) {
    const u = m[1];
    return { group: "f_aq", aliases: [`cfbk_ef_u${u}1`, `aq_co2_u${u}`, `aq_pm2_5_u${u}`, `aq_pm10_u${u}`, `aq_tvoc_u${u}`], condition: "evaporator fan on (p95 @20m == fan_on) and any p95 air value @20m above its limit" };
  }
  return undefined;
}

const aliasFields = (a: string): string[] => {
  let m: RegExpExecArray | null;
  if ((m = /^dvc_w_op_mode_u([12])$/.exec(a))) return [`wmode_u${m[1]}`];
  if ((m = /^w_crntu([12])_sub$/.exec(a))) return [`i_cp_u${m[1]}1`, `i_cp_u${m[1]}2`];
  if (a === "fas_sub") return ["fas_u1", "fas_u2"];
  if (a === "ras_sub") return ["ras_u1", "ras_u2"];
  return [a];
};

/** Stored fields to chart for an episode's sources (rule flags or fault bits). */
export function signalsFor(sources: string[]): string[] {
  const out: string[] = [];
  for (const s of sources) {
    const r = ruleInfo(s);
    if (r) out.push(...r.aliases.flatMap(aliasFields));
    else {
      out.push(s);
      const u = /_u([12])[12]?$/.exec(s)?.[1];
      if (u) out.push(`wmode_u${u}`, `fas_u${u}`, `ras_u${u}`);
    }
  }
  return [...new Set(out)];
}

export const ExplanationSchema = obj(
  {
    run_at: Timestamp,
    thresholds_version: { type: "integer" },
    skipped: { type: ["string", "null"] },
    rules: {
      type: "array",
      items: obj(
        {
          flag: { type: "string" },
          condition: { type: "string" },
          fired: { type: "boolean" },
          thresholds: { type: "object", additionalProperties: true },
          windows: { type: "array", items: obj({ window: { type: "string" }, name: { type: "string" }, value: { type: ["number", "null"] } }, ["window", "name", "value"]) },
        },
        ["flag", "condition", "fired", "thresholds", "windows"],
      ),
    },
  },
  ["run_at", "thresholds_version", "skipped", "rules"],
);

export async function explainPrediction(app: FastifyInstance, dvc: string, start: Date, flags: string[]) {
  const runAt = new Date(start.getTime() + 1000);
  const { rows } = await app.db.query<{ predict_input: string }>(
    "SELECT predict_input FROM nb67_predict_input($1, $2::timestamptz, make_interval(secs => $3)) WHERE msg_calc_dvc_no = $4",
    [app.cfg.devMode, runAt.toISOString(), app.cfg.predictIntervalMs / 1000, dvc],
  );
  const factory = loadFactory(app.cfg.predictRulesPath);
  const params: Params = await effective(app.db, factory);
  const { rows: v } = await app.db.query("SELECT nb67_rules_version()::int AS v");
  const input = rows[0]?.predict_input;
  const parsed = input ? (JSON.parse(input) as Record<string, Record<string, number | null>>) : {};
  const verdict = input ? await evaluate(app.cfg.wasmPath, input, params) : { fired: [] as string[], skip: "no data around the episode start" };
  return {
    run_at: runAt.toISOString(),
    thresholds_version: v[0].v,
    skipped: verdict.skip ?? verdict.error ?? null,
    rules: flags.flatMap((flag) => {
      const r = ruleInfo(flag);
      if (!r) return [];
      const windows: { window: string; name: string; value: number | null }[] = [];
      for (const w of ["data3m", "data5m", "data10m", "data15m", "data20m", "data30m"]) {
        for (const a of r.aliases) if (parsed[w] && a in parsed[w]) windows.push({ window: w.slice(4), name: a, value: parsed[w][a] });
      }
      return [{ flag, condition: r.condition, fired: verdict.fired.includes(flag), thresholds: params[r.group] ?? {}, windows }];
    }),
  };
}

// Startup check of every setting in config/settings.yaml against the environment, run before Connect
// starts (tools/stack/run.sh). One line per bad setting, exit 1:
//   settings: PREDICT_INTERVAL="0": must be a duration > 0
// A pipeline would otherwise start and misbehave (a 0 interval is a busy loop, `yes` is not a boolean
// every stream reads the same way, an unparsable rules file logs an error every interval).
//
//   npx tsx tools/settings/check.ts [--used-by ingest,store,run.sh] [--quiet]
// --used-by: only the settings read by those files (default: all). Relative paths (PREDICT_RULES,
// NB67_PREDICT_WASM) are resolved against the working directory, as Connect does.
import { existsSync } from "node:fs";
import path from "node:path";
import { effective, loadSettings, problem, type Setting } from "./schema.ts";
import { rulesProblem } from "./rules.ts";

export interface Finding {
  name: string;
  message: string;
}

function show(s: Setting, v: string): string {
  if (s.secret) return "(secret)";
  return JSON.stringify(v.length > 80 ? `${v.slice(0, 77)}...` : v);
}

/** Every problem of the settings `env` gives, for the settings read by `usedBy` (all when empty). */
export async function check(env: NodeJS.ProcessEnv, usedBy: string[] = [], cwd = process.cwd()): Promise<Finding[]> {
  const all = loadSettings();
  const byName = new Map(all.map((s) => [s.name, s]));
  const chosen = usedBy.length ? all.filter((s) => s.used_by.some((u) => usedBy.includes(u))) : all;
  const out: Finding[] = [];
  for (const s of chosen) {
    const v = effective(s, env);
    let why = problem(s, v);
    if (!why && s.type === "path" && s.must_exist && v !== "" && !existsSync(path.resolve(cwd, v))) {
      why = "file does not exist";
    }
    if (!why && s.check === "predict-rules") {
      const profile = byName.get("PREDICT_PROFILE");
      const wasm = byName.get("NB67_PREDICT_WASM");
      const wasmPath = path.resolve(cwd, wasm ? effective(wasm, env) : "dist/nb67-predict.wasm");
      if (!existsSync(wasmPath)) why = `cannot be checked: ${wasmPath} is missing (make build)`;
      else why = await rulesProblem(path.resolve(cwd, v), profile ? effective(profile, env) : "default", wasmPath);
    }
    if (why) out.push({ name: s.name, message: `settings: ${s.name}=${show(s, v)}: ${why}` });
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const i = args.indexOf("--used-by");
  const usedBy = i >= 0 ? (args[i + 1] ?? "").split(",").map((x) => x.trim()).filter(Boolean) : [];
  const findings = await check(process.env, usedBy);
  for (const f of findings) console.error(f.message);
  if (findings.length) {
    console.error(`settings: ${findings.length} invalid setting(s); see config/settings.yaml for each one's type and bounds`);
    process.exit(1);
  }
  if (!args.includes("--quiet")) console.log("settings: ok");
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith("tools/settings/check.ts")) {
  main().catch((e) => {
    console.error(`settings: ${(e as Error).message}`);
    process.exit(2);
  });
}

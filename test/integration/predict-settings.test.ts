// pipelines/predict.yaml refuses settings it would otherwise read one way here and another way
// elsewhere, or that would make it spin: the real Connect binary is started with each bad value and
// must exit non-zero within seconds with a log line naming the setting (the first run fires at start).
// The control case (valid settings, database unreachable) keeps running, so an exit is never just
// the harness. Nothing here needs the database: the check comes before any query.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT, sleep, startConnect, type ConnectProc } from "../helpers/platform.ts";

const WASM = process.env.NB67_WASM ?? path.join(ROOT, "dist/nb67.wasm");
const procs: ConnectProc[] = [];
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
});

/** Runs predict.yaml with env; resolves with the exit code, or null if still running after waitMs. */
async function runPredict(env: Record<string, string>, waitMs = 8_000): Promise<{ code: number | null; log: string }> {
  const c = startConnect("pipelines/predict.yaml", {
    TSDB_URL: "postgres://nb67@127.0.0.1:1/none?sslmode=disable&connect_timeout=1",
    NB67_WASM: WASM,
    PREDICT_INTERVAL: "2s",
    ...env,
  });
  procs.push(c);
  const code = await Promise.race([
    new Promise<number | null>((r) => c.proc.once("exit", (n) => r(n ?? -1))),
    sleep(waitMs).then(() => null),
  ]);
  if (code === null) await c.stop();
  return { code, log: c.logs.join("\n") };
}

describe("predict: invalid settings stop the process at start with the reason", () => {
  it("control: valid settings with the database down keep running (the run fails, the stream stays)", async () => {
    const r = await runPredict({ DEV_MODE: "false" }, 5_000);
    expect(r.code, r.log).toBeNull();
    expect(r.log).toMatch(/predict: aggregate query failed, run skipped/);
  }, 30_000);

  it.each(["yes", "1", "on", "True", "TRUE", "no", "0"])("DEV_MODE=%s is refused (only true or false)", async (v) => {
    const r = await runPredict({ DEV_MODE: v });
    expect(r.code, r.log).not.toBeNull();
    expect(r.code).not.toBe(0);
    expect(r.log).toContain(`predict: refusing to run, invalid setting: `);
    expect(r.log).toContain(`DEV_MODE must be true or false, got \\"${v}\\"`);
  }, 30_000);

  it.each(["0", "0s", "500ms", "-5s"])("PREDICT_INTERVAL=%s is refused, not a busy loop", async (v) => {
    const r = await runPredict({ PREDICT_INTERVAL: v });
    expect(r.code, r.log).not.toBeNull();
    expect(r.code).not.toBe(0);
    expect(r.log).toContain(`PREDICT_INTERVAL must be a duration of at least 1s (e.g. 60s), got \\"${v}\\"`);
    // at most the one run that found the bad value
    expect(r.log.match(/aggregate query failed/g) ?? []).toHaveLength(0);
  }, 30_000);

  it("MAX_CLOCK_SKEW that is not a duration is refused", async () => {
    const r = await runPredict({ MAX_CLOCK_SKEW: "5 minutes" });
    expect(r.code, r.log).not.toBeNull();
    expect(r.log).toContain(`MAX_CLOCK_SKEW must be a duration (e.g. 5m), got \\"5 minutes\\"`);
  }, 30_000);

  it("an unparsable rules YAML stops the start with the file and the parser's reason", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "nb67-rules-"));
    const file = path.join(dir, "broken.yaml");
    writeFileSync(file, "f_cf:\n  current_max: [2.9\n");
    const r = await runPredict({ PREDICT_RULES: file });
    expect(r.code, r.log).not.toBeNull();
    expect(r.code).not.toBe(0);
    expect(r.log).toContain(`predict: refusing to run: cannot read the rules (${file})`);
  }, 30_000);

  it("rules the module rejects stop the start with the parameter's name", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "nb67-rules-"));
    const file = path.join(dir, "rules.yaml");
    const yaml = readFileSync(path.join(ROOT, "config/predict-rules.yaml"), "utf8");
    writeFileSync(file, yaml.replace(/current_max: 2.9 /, "current_max: high "));
    const r = await runPredict({ PREDICT_RULES: file });
    expect(r.code, r.log).not.toBeNull();
    expect(r.code).not.toBe(0);
    expect(r.log).toContain(`predict: refusing to run: rules rejected (${file}): predict: nb67_params: 'f_cf.current_max' must be a number`);
  }, 30_000);
});

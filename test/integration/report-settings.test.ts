// The report pipelines refuse settings they would otherwise read one way here and another way in
// predict (DEV_MODE), or that would divide by zero or spin: the real Connect binary is started with
// each bad value and must exit non-zero within seconds, naming the setting (the first tick fires at
// start). The control case (valid settings, database unreachable) keeps running.
import { afterAll, describe, expect, it } from "vitest";
import { sleep, startConnect, type ConnectProc } from "../helpers/platform.ts";

const procs: ConnectProc[] = [];
afterAll(async () => {
  await Promise.all(procs.map((p) => p.stop()));
});

async function runPipeline(file: string, env: Record<string, string>, waitMs = 8_000): Promise<{ code: number | null; log: string }> {
  const c = startConnect(`pipelines/${file}`, {
    TSDB_URL: "postgres://nb67@127.0.0.1:1/none?sslmode=disable&connect_timeout=1",
    SEND_FAULT_INTERVAL: "2s",
    SEND_STATUS_INTERVAL: "2s",
    LIFE_RETRY_INTERVAL: "2s",
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

const PIPES = [
  ["faultreport.yaml", "fault report", "SEND_FAULT_RECORD", "FAULT_RECORD_URL"],
  ["lifereport.yaml", "life report", "SEND_LIFE_RECORD", "LIFE_RECORD_URL"],
  ["status.yaml", "status", "SEND_STATUS_RECORD", "SYS_STATUS_URL"],
] as const;

// Nothing listens there: the control runs only need a URL that is not the placeholder.
const SOME_PLATFORM = "http://127.0.0.1:9/platform";

describe("report pipelines: invalid settings stop the process at start with the reason", () => {
  it.each(PIPES)("control: %s with valid settings and the database down keeps running", async (file, _n, sw, url) => {
    const r = await runPipeline(file, { DEV_MODE: "false", [sw]: "true", [url]: SOME_PLATFORM }, 5_000);
    expect(r.code, r.log).toBeNull();
  }, 30_000);

  for (const [file, name, sw, url] of PIPES) {
    // The default endpoint is a placeholder (.invalid): sending to it would only fill the outbox.
    it(`${file}: ${sw}=true with the placeholder ${url} is refused`, async () => {
      const r = await runPipeline(file, { [sw]: "true" });
      expect(r.code, r.log).not.toBeNull();
      expect(r.code).not.toBe(0);
      expect(r.log).toContain(`${name}: refusing to run, invalid setting: `);
      expect(r.log).toContain(`${sw}=true needs ${url} set to the platform's endpoint`);
    }, 30_000);

    it(`${file}: ${url} that is not an http(s) URL is refused, even with sending off`, async () => {
      const r = await runPipeline(file, { [sw]: "false", [url]: "ftp://platform.example/x" });
      expect(r.code, r.log).not.toBeNull();
      expect(r.log).toContain(`${url} must be an http:// or https:// URL, got \\"ftp://platform.example/x\\"`);
    }, 30_000);

    it.each(["yes", "1", "on", "True"])(`${file}: DEV_MODE=%s is refused`, async (v) => {
      const r = await runPipeline(file, { DEV_MODE: v });
      expect(r.code, r.log).not.toBeNull();
      expect(r.code).not.toBe(0);
      expect(r.log).toContain(`${name}: refusing to run, invalid setting: `);
      expect(r.log).toContain(`DEV_MODE must be true or false, got \\"${v}\\"`);
    }, 30_000);

    it(`${file}: ${sw}=on is refused (only true or false)`, async () => {
      const r = await runPipeline(file, { [sw]: "on" });
      expect(r.code, r.log).not.toBeNull();
      expect(r.log).toContain(`${sw} must be true or false, got \\"on\\"`);
    }, 30_000);
  }

  it.each([
    ["faultreport.yaml", "FAULT_REPUSH_INTERVAL", "0", "FAULT_REPUSH_INTERVAL must be a duration of at least 60s"],
    ["faultreport.yaml", "SEND_FAULT_INTERVAL", "0s", "SEND_FAULT_INTERVAL must be a duration of at least 1s"],
    ["faultreport.yaml", "FAULT_CLAIM_LIMIT", "0", "FAULT_CLAIM_LIMIT must be a whole number from 1 to 999999"],
    ["faultreport.yaml", "FAULT_PARK_AFTER", "-1", "FAULT_PARK_AFTER must be a whole number from 1 to 999999"],
    ["faultreport.yaml", "SEND_FAULT_ALARMS", "no", "SEND_FAULT_ALARMS must be true or false"],
    ["status.yaml", "SEND_STATUS_INTERVAL", "0s", "SEND_STATUS_INTERVAL must be a duration of at least 1s"],
    ["status.yaml", "STATUS_STALE_MINUTES", "0", "STATUS_STALE_MINUTES must be a positive number of minutes"],
    ["lifereport.yaml", "LIFE_RETRY_INTERVAL", "0s", "LIFE_RETRY_INTERVAL must be a duration of at least 1s"],
    ["lifereport.yaml", "LIFE_SECONDS_PER_UNIT", "0", "LIFE_SECONDS_PER_UNIT must be a whole number of seconds from 1"],
  ])("%s: %s=%s is refused", async (file, key, v, reason) => {
    const r = await runPipeline(file, { [key]: v });
    expect(r.code, r.log).not.toBeNull();
    expect(r.code).not.toBe(0);
    expect(r.log).toContain(reason);
  }, 30_000);
});

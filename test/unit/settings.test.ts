// config/settings.yaml is the one declaration of every setting: the pipelines cannot use a variable
// it does not declare or with another default, the README table is generated from it, and
// tools/settings/check.ts refuses bad values before Connect starts.
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { check } from "../../tools/settings/check.ts";
import { renderTable, withTable } from "../../tools/settings/readme.ts";
import { envCalls, interpolations, loadSettings, parseDuration, problem, REPO_ROOT } from "../../tools/settings/schema.ts";

const settings = loadSettings();
const byName = new Map(settings.map((s) => [s.name, s]));
// Connect configs that interpolate settings: every stream file and the root config.
const files = [
  ...readdirSync(path.join(REPO_ROOT, "pipelines")).filter((f) => /\.ya?ml$/.test(f)).map((f) => `pipelines/${f}`),
  "rpk-connect.yaml",
];
const owner = (f: string) => path.basename(f).replace(/\.ya?ml$/, "");
// Read with env("...") but set by the platform, not by us.
const SYSTEM_ENV = new Set(["HOSTNAME"]);
const defaults = Object.fromEntries(settings.map((s) => [s.name, ""])) as NodeJS.ProcessEnv;

describe("config/settings.yaml declares every setting the Connect configs read", () => {
  const uses = new Map<string, Set<string>>();
  const problems: string[] = [];
  for (const f of files) {
    const text = readFileSync(path.join(REPO_ROOT, f), "utf8");
    for (const { name, default: def } of interpolations(text)) {
      (uses.get(name) ?? uses.set(name, new Set()).get(name)!).add(owner(f));
      const s = byName.get(name);
      if (!s) problems.push(`${f}: \${${name}} is not declared in config/settings.yaml`);
      else if (def === undefined) problems.push(`${f}: \${${name}} has no default (declared default ${JSON.stringify(s.default)})`);
      else if (def !== s.default) problems.push(`${f}: \${${name}:${def}} but config/settings.yaml says default ${JSON.stringify(s.default)}`);
    }
    for (const name of envCalls(text)) {
      if (SYSTEM_ENV.has(name)) continue;
      (uses.get(name) ?? uses.set(name, new Set()).get(name)!).add(owner(f));
      if (!byName.has(name)) problems.push(`${f}: env("${name}") is not declared in config/settings.yaml`);
    }
  }

  it("each ${NAME:default} is declared with the same default", () => {
    expect(problems).toEqual([]);
    expect(uses.size).toBeGreaterThan(50);
  });

  it("used_by lists exactly the Connect configs that read each setting", () => {
    const wrong: string[] = [];
    const configNames = new Set(files.map(owner));
    for (const s of settings) {
      const declared = s.used_by.filter((u) => configNames.has(u)).sort();
      const actual = [...(uses.get(s.name) ?? [])].sort();
      if (declared.join() !== actual.join()) wrong.push(`${s.name}: used_by says [${declared}] but read by [${actual}]`);
      const unknown = s.used_by.filter((u) => !configNames.has(u) && !/\.(sh|ts)$|^console$/.test(u));
      if (unknown.length) wrong.push(`${s.name}: used_by names no file: ${unknown}`);
    }
    expect(wrong).toEqual([]);
  });

  it("every default passes its own declaration", () => {
    const bad = settings.map((s) => [s.name, problem(s, s.default)]).filter(([, p]) => p);
    expect(bad).toEqual([]);
  });

  it("the README configuration table is generated from it", () => {
    const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
    expect(withTable(readme)).toBe(readme);
    for (const s of settings) expect(renderTable()).toContain(`| \`${s.name}\` |`);
  });
});

describe("type parsing", () => {
  it("durations follow Go", () => {
    expect(parseDuration("1h30m")).toBe(5400);
    expect(parseDuration("300ms")).toBeCloseTo(0.3);
    expect(parseDuration("0")).toBe(0);
    expect(parseDuration("300")).toBeUndefined();
    expect(parseDuration("5 m")).toBeUndefined();
  });
  it("booleans are exactly true or false", () => {
    const s = byName.get("DEV_MODE")!;
    for (const v of ["1", "0", "yes", "no", "on", "off", "TRUE", "False", " true"]) expect(problem(s, v), v).toMatch(/true or false/);
    for (const v of ["true", "false"]) expect(problem(s, v)).toBeUndefined();
  });
});

describe("tools/settings/check.ts refuses bad settings with one line each", () => {
  it("accepts the defaults", async () => {
    expect(await check(defaults, [], REPO_ROOT)).toEqual([]);
  });

  const cases: [string, string, RegExp][] = [
    ["DEV_MODE", "yes", /^settings: DEV_MODE="yes": must be exactly true or false$/],
    ["DEV_MODE", "1", /DEV_MODE="1": must be exactly true or false/],
    ["PREDICT_INTERVAL", "0", /PREDICT_INTERVAL="0": must be at least 1s/],
    ["PREDICT_INTERVAL", "300", /PREDICT_INTERVAL="300": must be a duration with a unit/],
    ["TSDB_BATCH_TIME", "0", /TSDB_BATCH_TIME="0": must be a duration > 0/],
    ["FAULT_REPUSH_INTERVAL", "0", /FAULT_REPUSH_INTERVAL="0": must be at least/],
    ["SEND_FAULT_INTERVAL", "0s", /SEND_FAULT_INTERVAL="0s": must be at least 1s/],
    ["SEND_STATUS_INTERVAL", "-5m", /SEND_STATUS_INTERVAL="-5m": must be at least 1s/],
    ["TSDB_BATCH", "0", /TSDB_BATCH="0": must be at least 1/],
    ["TSDB_BATCH", "1e3", /TSDB_BATCH="1e3": must be a whole number/],
    ["FAULT_CLAIM_LIMIT", "-1", /FAULT_CLAIM_LIMIT="-1": must be at least 1/],
    ["INGEST_YIELD_BYTES", "lots", /INGEST_YIELD_BYTES="lots": must be a size/],
    ["GOMEMLIMIT", "1GB", /GOMEMLIMIT="1GB": must be a size like 768MiB/],
    ["FAULT_RECORD_URL", "platform.example/x", /FAULT_RECORD_URL="platform.example\/x": must be an absolute URL/],
    ["NB67_VALIDATE", "Strict", /NB67_VALIDATE="Strict": must be one of none, header, strict/],
    ["NB67_DEVICE_PATTERN", "([0-9]+", /NB67_DEVICE_PATTERN="\(\[0-9\]\+": must be a regular expression/],
    ["KAFKA_BOOTSTRAP_SERVER", "broker", /must be host:port/],
    ["LIFE_REPORT_CRON", "daily", /must be a cron expression/],
    ["PREDICT_RULES", "config/no-such-rules.yaml", /PREDICT_RULES="config\/no-such-rules.yaml": file does not exist/],
  ];
  for (const [name, value, want] of cases) {
    it(`${name}=${value}`, async () => {
      const found = await check({ ...defaults, [name]: value }, [], REPO_ROOT);
      expect(found.map((f) => f.message)).toEqual([expect.stringMatching(want)]);
    });
  }

  it("a secret is never printed", async () => {
    const found = await check({ ...defaults, TSDB_URL: "postgres//nb67:hunter2@db" }, [], REPO_ROOT);
    expect(found.map((f) => f.message)).toEqual(["settings: TSDB_URL=(secret): must be an absolute URL (scheme://host/...)"]);
  });

  describe("PREDICT_RULES is parsed and validated by the module", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "nb67-rules-"));
    const good = readFileSync(path.join(REPO_ROOT, "config/predict-rules.yaml"), "utf8");
    it("an unparsable YAML", async () => {
      const f = path.join(dir, "broken.yaml");
      writeFileSync(f, "ref_leak:\n  cooling_modes: [2, 3\n");
      const found = await check({ ...defaults, PREDICT_RULES: f }, [], REPO_ROOT);
      expect(found.map((x) => x.message)).toEqual([expect.stringMatching(/^settings: PREDICT_RULES=".*broken.yaml": is not valid YAML: /)]);
    });
    it("a parameter missing", async () => {
      const f = path.join(dir, "missing.yaml");
      writeFileSync(f, good.replace(/^\s+ventilation_mode:.*$/m, ""));
      const found = await check({ ...defaults, PREDICT_RULES: f }, [], REPO_ROOT);
      expect(found.map((x) => x.message)).toEqual([expect.stringMatching(/PREDICT_RULES=.*rejected: .*ventilation_mode/)]);
    });
    it("a value of the wrong type", async () => {
      const f = path.join(dir, "type.yaml");
      writeFileSync(f, good.replace(/compressor_freq_min: 30/, 'compressor_freq_min: "thirty"'));
      const found = await check({ ...defaults, PREDICT_RULES: f }, [], REPO_ROOT);
      expect(found.map((x) => x.message)).toEqual([expect.stringMatching(/PREDICT_RULES=.*rejected: .*compressor_freq_min/)]);
    });
    it("the shipped rules pass under both profiles", async () => {
      expect(await check({ ...defaults, PREDICT_PROFILE: "legacy-compat" }, ["predict"], REPO_ROOT)).toEqual([]);
    });
  });

  it("the command prints one line per bad setting and exits 1", () => {
    const r = spawnSync("node_modules/.bin/tsx", ["tools/settings/check.ts"], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...defaults, DEV_MODE: "on", PREDICT_INTERVAL: "0", TSDB_BATCH_TIME: "0" },
      encoding: "utf8",
    });
    expect(r.status).toBe(1);
    const lines = r.stderr.trim().split("\n");
    expect(lines.filter((l) => /^settings: [A-Z_]+=/.test(l)).map((l) => l.split("=")[0])).toEqual([
      "settings: TSDB_BATCH_TIME",
      "settings: DEV_MODE",
      "settings: PREDICT_INTERVAL",
    ]);
  });

  it("tools/stack/run.sh refuses to start on a bad setting, before it starts anything", () => {
    // A sandbox root: the real run.sh, checker and config, but a stack.sh and Connect that only
    // leave a mark, so the test can never start or touch the shared stack.
    const root = mkdtempSync(path.join(os.tmpdir(), "nb67-run-"));
    mkdirSync(path.join(root, "tools/stack"), { recursive: true });
    copyFileSync(path.join(REPO_ROOT, "tools/stack/run.sh"), path.join(root, "tools/stack/run.sh"));
    for (const d of ["tools/settings", "config", "node_modules", "dist"]) symlinkSync(path.join(REPO_ROOT, d), path.join(root, d));
    const mark = path.join(root, "touched");
    const stub = `#!/bin/sh\necho "$0 $*" >> ${mark}\nexit 0\n`;
    writeFileSync(path.join(root, "tools/stack/stack.sh"), stub, { mode: 0o755 });
    writeFileSync(path.join(root, "connect-stub"), stub, { mode: 0o755 });
    const run = (extra: NodeJS.ProcessEnv) =>
      spawnSync("bash", [path.join(root, "tools/stack/run.sh")], {
        cwd: root,
        env: { ...process.env, ...defaults, NB67_ROOT: root, CONNECT: path.join(root, "connect-stub"), CONNECT_READY_TIMEOUT: "1", CONNECT_HTTP_ADDRESS: "127.0.0.1:9", ...extra },
        encoding: "utf8",
        timeout: 60_000,
      });
    const bad = run({ DEV_MODE: "yes", PREDICT_INTERVAL: "0" });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toContain('settings: DEV_MODE="yes": must be exactly true or false');
    expect(bad.stderr).toContain('settings: PREDICT_INTERVAL="0": must be at least 1s');
    expect(existsSync(mark)).toBe(false);
    // The same sandbox with good settings does reach the stack and Connect (so the check above is
    // what stopped it), and Connect is started without the streams REST API.
    run({});
    const touched = readFileSync(mark, "utf8");
    expect(touched).toMatch(/stack\.sh status/);
    expect(touched).toMatch(/connect-stub streams --no-api -o rpk-connect\.yaml/);
  });
});

// The simulator's command line: --help lists every option and every scenario kind and exits 0; an
// unknown or malformed option is one line on stderr and exit 2 (no stack trace).
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { HELP, OPTIONS, mqttTopic, parseCli } from "../../tools/sim/cli.ts";
import { ROOT } from "../helpers/reference.ts";

const sim = (...args: string[]) =>
  spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), ["tools/sim/main.ts", ...args], { cwd: ROOT, encoding: "utf8", timeout: 60_000 });

describe("simulator CLI", () => {
  it("--help prints every option and scenario kind and exits 0", () => {
    const r = sim("--help");
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe(HELP);
    for (const name of Object.keys(OPTIONS)) expect(r.stdout, `--${name}`).toContain(`--${name}`);
    for (const kind of ["leak", "filter", "fan", "sensor", "bit", "compressor", "airquality", "corrupt"]) {
      expect(r.stdout, kind).toMatch(new RegExp(`^\\s+${kind}:<dev>:`, "m"));
    }
    expect(sim("-h").stdout).toBe(HELP);
  }, 60_000);

  it("an unknown option is one line on stderr and exit 2", () => {
    const r = sim("--bogus");
    expect(r.status).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("sim: Unknown option '--bogus' (--help lists the options)\n");
  }, 60_000);

  it("malformed values are refused with one line, exit 2", () => {
    for (const [args, msg] of [
      [["--count", "many"], "--count many: expected a number"],
      [["--trains"], "Option '--trains <value>' argument missing"],
      [["--out", "mqtt"], "--out mqtt needs --mqtt URL"],
      [["--mqtt", "nonsense"], "--mqtt nonsense: not a URL"],
      [["--mqtt", "http://127.0.0.1:1"], "scheme must be mqtt://"],
      [["--mqtt", "mqtt://127.0.0.1:1", "--mqtt-qos", "3"], "--mqtt-qos 3: expected 0, 1 or 2"],
      [["--mqtt", "mqtts://127.0.0.1:1", "--mqtt-cert", "c.pem"], "--mqtt-cert and --mqtt-key go together"],
      [["stray"], "Unexpected argument 'stray'"],
    ] as const) {
      const c = parseCli([...args]);
      expect(c.kind, args.join(" ")).toBe("error");
      expect((c as { message: string }).message).toContain(msg);
      expect((c as { message: string }).message).not.toContain("\n");
    }
    const r = sim("--count", "many");
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  }, 60_000);

  it("parses a valid command line; --mqtt implies the mqtt output; topics name train and device", () => {
    const c = parseCli(["--trains", "2", "--fast", "--mqtt", "mqtt://127.0.0.1:11883"]);
    expect(c).toEqual({ kind: "run", values: { trains: "2", fast: true, mqtt: "mqtt://127.0.0.1:11883", out: "mqtt" } });
    expect(parseCli([])).toEqual({ kind: "run", values: { out: "kafka" } });
    expect(mqttTopic("nb67/{train}/{device}/frame", 7001, "0700101")).toBe("nb67/7001/0700101/frame");
  });

  it("keeps the existing outputs: ndjson frames of --count", () => {
    const r = sim("--count", "3", "--out", "ndjson", "--quiet", "--start", "2026-07-01T02:00:00Z");
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines.map((l) => l.dvc_no)).toEqual(["0700101", "0700102", "0700103"]);
    expect(lines[0].hex.length).toBe(538 * 2);
  }, 60_000);
});

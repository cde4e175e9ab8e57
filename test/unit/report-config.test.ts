/**
 * Static checks of the reports: the alert-code and part-code seed tables against the legacy tables
 * (docs/legacy.md §6.1, §7.1), and the report pipeline files (shape, safe defaults, lint).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { FAULT_BITS, PREDICT_FLAGS, ROOT, connectBin } from "../helpers/platform.ts";

const SPEC = path.join(ROOT, "docs/legacy.md");
const seed = readFileSync(path.join(ROOT, "sql/repeatable/50_report_alert_codes.sql"), "utf8");

/** Rows of an `INSERT INTO <table> (...) VALUES (...), (...);` block as arrays of literals. */
function seedRows(table: string): (string | number | null)[][] {
  const start = seed.indexOf(`INSERT INTO ${table}`);
  const body = seed.slice(seed.indexOf("VALUES", start) + 6, seed.indexOf(";", seed.indexOf("VALUES", start)));
  const rows: (string | number | null)[][] = [];
  const re = /\(((?:'(?:[^']|'')*'|[^()'])*)\)/g;
  for (const m of body.matchAll(re)) {
    const vals = [...m[1]!.matchAll(/'((?:[^']|'')*)'|(-?\d+)|(NULL)/g)].map((v) =>
      v[1] !== undefined ? v[1].replace(/''/g, "'") : v[2] !== undefined ? Number(v[2]) : null,
    );
    rows.push(vals);
  }
  return rows;
}

function specTable(header: string): string[][] {
  const lines = readFileSync(SPEC, "utf8").split("\n");
  const i = lines.findIndex((l) => l.startsWith(header));
  const out: string[][] = [];
  for (const l of lines.slice(i + 2)) {
    if (!l.startsWith("|")) break;
    out.push(l.slice(1, -1).split("|").map((c) => c.trim()));
  }
  return out;
}

describe("alert-code seed (spec §6.1)", () => {
  const rows = seedRows("report_alert_source");
  // (source, kind, ord, event_key, xlsx_name, code, location, fault_name, level, xlsx_row)
  const spec = existsSync(SPEC) ? specTable("| # | xlsx `name`") : [];

  it("26 prediction flags and all 78 fault bits, fault bits in frame order", () => {
    expect(rows.filter((r) => r[1] === "predict").map((r) => r[0])).toEqual(PREDICT_FLAGS);
    const faults = rows.filter((r) => r[1] === "fault").sort((a, b) => Number(a[2]) - Number(b[2]));
    expect(faults.map((r) => r[0])).toEqual(FAULT_BITS);
  });

  it("every official code of the spec table is present with its location, name and level", () => {
    expect(spec).toHaveLength(75);
    for (const s of spec) {
      const n = Number(s[0]);
      const mine = rows.filter((r) => r[9] === n);
      expect(mine.length, `row ${n}`).toBeGreaterThanOrEqual(1);
      for (const r of mine) {
        expect(r[5]).toBe(s[4]);
        expect(r[6]).toBe(s[5]);
        expect(r[7]).toBe(s[6]);
        expect(r[8]).toBe(Number(s[7]));
      }
    }
  });

  it("sources follow the spec except the documented damper fix (bug 22)", () => {
    for (const s of spec.slice(26)) {
      const n = Number(s[0]);
      const mine = rows.filter((r) => r[9] === n).map((r) => r[0]);
      const legacySrc = /max\(([a-z_0-9]+)\)/.exec(s[3]!)![1]!;
      if (["HVAC137", "HVAC138", "HVAC157", "HVAC158"].includes(s[4]!)) {
        const unit = s[4] === "HVAC137" || s[4] === "HVAC138" ? "1" : "2";
        const kind = s[4] === "HVAC137" || s[4] === "HVAC157" ? "fad" : "rad";
        expect(mine).toEqual([`bflt_${kind}_u${unit}1`, `bflt_${kind}_u${unit}2`]);
      } else {
        expect(mine).toEqual([legacySrc]);
      }
    }
    expect(rows.filter((r) => r[1] === "fault" && r[5] !== null)).toHaveLength(53);
  });
});

describe("part-code seed (spec §7.1)", () => {
  it("14 parts with codes, metrics and source counters as in the spec", () => {
    const rows = seedRows("report_part_code");
    const spec = specTable("| xlsx name → lookup key | part_code");
    expect(rows.map((r) => [r[1], r[3], r[5], r[6]])).toEqual(spec.map((s) => [s[0], s[1], s[3], s[4]]));
  });
});

describe("report pipelines", () => {
  const files = ["faultreport", "lifereport", "status"].map((f) => path.join(ROOT, "pipelines", `${f}.yaml`));

  it.each(files)("%s: stream-file shape, sending off by default, no real default URL", (file) => {
    const text = readFileSync(file, "utf8");
    const doc = YAML.parse(text) as Record<string, unknown>;
    expect(Object.keys(doc).every((k) => ["input", "buffer", "pipeline", "output"].includes(k))).toBe(true);
    for (const m of text.matchAll(/\$\{(SEND_[A-Z]+_RECORD):([^}]*)\}/g)) expect(m[2]).toBe("false");
    for (const m of text.matchAll(/\$\{[A-Z_]+_URL:([^}]*)\}/g)) {
      if (m[1]!.startsWith("postgres")) continue;
      // a placeholder on the reserved .invalid domain: never a real platform, and refused when sending is on
      expect(new URL(m[1]!).hostname).toMatch(/\.invalid$/);
    }
    expect(text).not.toMatch(/x-token:\s*['"]?[A-Za-z0-9]{8,}/i); // no committed token
  });

  it("pass `redpanda-connect lint`", () => {
    const bin = connectBin();
    if (!existsSync(bin)) return; // built by `make connect`; the integration tests need it anyway
    const r = spawnSync(bin, ["lint", ...files], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});

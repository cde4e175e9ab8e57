// sql/apply.sh parses DEV_MODE like every other component (exactly true or false): before, it took
// 1/yes as true while the pipelines refused them, so the index and the streams could disagree.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/stack.ts";

function apply(devMode: string) {
  return spawnSync("bash", [path.join(REPO_ROOT, "sql/apply.sh")], {
    // An address nothing listens on: a refused setting must stop the script before it connects.
    env: { ...process.env, DEV_MODE: devMode, TSDB_URL: "postgres://nobody@127.0.0.1:1/none?connect_timeout=1" },
    encoding: "utf8",
  });
}

describe("sql/apply.sh settings", () => {
  for (const bad of ["yes", "1", "on", "True"]) {
    it(`refuses DEV_MODE=${bad} before touching the database`, () => {
      const r = apply(bad);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain(`DEV_MODE="${bad}": must be exactly true or false`);
      expect(r.stderr).not.toContain("psql");
    });
  }
  it("accepts DEV_MODE=false and goes on to the database", () => {
    const r = apply("false");
    expect(r.stderr).not.toContain("must be exactly true or false");
    expect(r.status).not.toBe(0); // nothing listens on port 1
  });
});

// device_latest, kept by the statement-level trigger on macda (sql/repeatable/60_console_latest.sql):
// the fault bits of each device's newest stored frame, read as columns by a function generated
// from report_alert_source. Its result equals the generic per-source lookup over the whole row
// (console__fault_bits(to_jsonb(row))); an older frame stored later does not win; a change of
// the fault sources regenerates the function at once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "../helpers/stack.ts";
import { record, store } from "./console-support.ts";

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase("console_latest", { applySchema: true });
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
});
afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

const faults = async (c: pg.Pool | pg.PoolClient, dvc: string) => (await c.query("SELECT faults FROM device_latest WHERE dvc_no = $1", [dvc])).rows[0]?.faults as string[] | undefined;

describe("console device_latest trigger", () => {
  it("keeps the fault bits of the newest frame per device, as the per-source lookup over the whole row reads them", async () => {
    const t = Date.now() - 60_000;
    const bits = ["bflt_vfd_u11", "bocflt_ef_u11", "bocflt_cf_u12"];
    await store(pool, [record("0700101", new Date(t), { bits }), record("0700102", new Date(t))]);
    // source order (report_alert_source.ord), as the console lists them
    expect(await faults(pool, "0700101")).toEqual(["bocflt_ef_u11", "bocflt_cf_u12", "bflt_vfd_u11"]);
    expect(await faults(pool, "0700102")).toEqual([]);
    const { rows } = await pool.query(
      "SELECT l.faults = console__fault_bits(to_jsonb(m)) AS same FROM device_latest l JOIN macda m USING (dvc_no, dvc_time, msg_frame_no)",
    );
    expect(rows.map((r) => r.same)).toEqual([true, true]);
    // an older frame with a fault, stored later, does not replace the newest
    await store(pool, [record("0700102", new Date(t - 10_000), { bits: ["bocflt_ef_u11"] })]);
    expect(await faults(pool, "0700102")).toEqual([]);
    // a newer one does
    await store(pool, [record("0700102", new Date(t + 1000), { bits: ["bocflt_ef_u11"] })]);
    expect(await faults(pool, "0700102")).toEqual(["bocflt_ef_u11"]);
  });

  it("follows a change of the fault sources without re-applying the schema", async () => {
    const c = await pool.connect();
    try {
      await c.query("BEGIN");
      await c.query("DELETE FROM report_alert_source WHERE source = 'bocflt_ef_u11'");
      await store(c as unknown as pg.Client, [record("0700103", new Date(Date.now() - 30_000), { bits: ["bocflt_ef_u11", "bocflt_ef_u12"] })]);
      expect(await faults(c, "0700103")).toEqual(["bocflt_ef_u12"]);
    } finally {
      await c.query("ROLLBACK");
      c.release();
    }
    await store(pool, [record("0700103", new Date(Date.now() - 20_000), { bits: ["bocflt_ef_u11", "bocflt_ef_u12"] })]);
    expect(await faults(pool, "0700103")).toEqual(["bocflt_ef_u11", "bocflt_ef_u12"]);
  });
});

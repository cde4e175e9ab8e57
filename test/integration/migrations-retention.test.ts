/**
 * Retention in the maintenance procedure (nb67_maintain_partitions, run hourly by the store and by
 * apply.sh), on the plain partitioned layout:
 * - frames: retention is based on ARRIVAL (parse_time) for rows whose device clock is wrong: a frame
 *   received now with a device time 2 years back, or dated 2099, is kept; a 2099 frame received longer
 *   ago than the retention is deleted (it does not stay in the default partition forever); dropping an
 *   old day partition keeps the rows in it that arrived within the retention;
 * - dead letters, predictions (pro/dev) and predict dead letters have their own retention, from
 *   settings apply.sh records in nb67_settings (env RETENTION_*), or from parameters;
 * - every deletion and drop is logged in nb67_maintenance_log (relation, rows) and to the server log.
 */
import pg from "pg";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, REPO_ROOT, type TestDatabase } from "../helpers/stack.ts";
import { createTemplateRow } from "../helpers/template-row.ts";

const DAY = 86_400_000;
let db: TestDatabase;
let c: pg.Client;
const notices: Array<{ severity: string; message: string }> = [];
let frameNo = 0;

function apply(env: Record<string, string>) {
  const r = spawnSync("bash", [path.join(REPO_ROOT, "sql/apply.sh")], {
    cwd: REPO_ROOT,
    env: { ...process.env, TSDB_URL: db.url, ...env },
    encoding: "utf8",
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** A frame row (the real frame's columns) with the given device time and arrival (parse) time. */
async function frame(dvcNo: string, dvcTime: Date, parseTime: Date): Promise<void> {
  await c.query(
    `INSERT INTO macda SELECT r.* FROM tpl t,
       LATERAL jsonb_populate_record(t, jsonb_build_object('dvc_no', $1::text, 'dvc_time', $2::timestamptz,
                                                          'parse_time', $3::timestamptz, 'msg_frame_no', $4::int)) r`,
    [dvcNo, dvcTime, parseTime, ++frameNo],
  );
}
const has = async (dvcNo: string) => Number((await c.query("SELECT count(*) AS n FROM macda WHERE dvc_no = $1", [dvcNo])).rows[0].n);
async function maintain(args = ""): Promise<void> {
  await c.query(`CALL nb67_maintain_partitions(${args})`);
}
async function logSince(t: Date) {
  return (
    await c.query<{ action: string; relation: string | null; rows: string | null; detail: string }>(
      "SELECT action, relation, rows, detail FROM nb67_maintenance_log WHERE at >= $1 ORDER BY at, action",
      [t],
    )
  ).rows;
}

beforeAll(async () => {
  db = await createTestDatabase("retention", { applySchema: true });
  c = new pg.Client({ connectionString: db.url });
  await c.connect();
  c.on("notice", (n) => notices.push({ severity: String(n.severity), message: n.message ?? "" }));
  await createTemplateRow(c, { dvcTime: "2026-11-22 17:00:00", parseTime: "2026-11-22 09:00:00" });
});
afterAll(async () => {
  await c?.end();
  await db?.drop();
});

describe("frames: retention by arrival for misdated rows", () => {
  it("a frame received now whose device clock is 2 years behind is kept", async () => {
    await frame("0700301", new Date(Date.now() - 730 * DAY), new Date());
    await maintain();
    expect(await has("0700301")).toBe(1);
  });

  it("a frame dated 2099 is kept while its arrival is within the retention, deleted (and logged) after", async () => {
    const t0 = new Date((await c.query("SELECT now() AS t")).rows[0].t);
    await frame("0700302", new Date("2099-06-01T00:00:00Z"), new Date());
    await frame("0700303", new Date("2099-06-01T00:00:00Z"), new Date(Date.now() - 400 * DAY));
    await maintain();
    expect(await has("0700302")).toBe(1);
    expect(await has("0700303")).toBe(0);
    const log = await logSince(t0);
    expect(log).toContainEqual(expect.objectContaining({ action: "delete", relation: "macda_pdefault", rows: "1" }));
  });

  it("dropping a day partition older than the retention keeps its rows that arrived within the retention", async () => {
    const day = new Date(Date.now() - 400 * DAY);
    const d = day.toISOString().slice(0, 10);
    const part = `macda_p${d.replace(/-/g, "")}`;
    const next = new Date(Date.parse(`${d}T00:00:00Z`) + DAY).toISOString().slice(0, 10);
    await c.query(`CREATE TABLE ${part} PARTITION OF macda FOR VALUES FROM ('${d} 00:00:00+00') TO ('${next} 00:00:00+00')`);
    const inDay = new Date(Date.parse(`${d}T12:00:00Z`));
    await frame("0700304", inDay, new Date(inDay.getTime() + 1000)); // arrived that day: expired
    await frame("0700305", inDay, new Date()); // arrived now (device clock 400 days behind): kept
    await frame("0700306", new Date(inDay.getTime() + 60_000), new Date(Date.now() - 10 * DAY)); // arrived 10 days ago: kept
    const t0 = new Date((await c.query("SELECT now() AS t")).rows[0].t);
    await maintain();
    expect((await c.query("SELECT to_regclass($1) AS r", [part])).rows[0].r).toBeNull();
    expect(await has("0700304")).toBe(0);
    expect(await has("0700305")).toBe(1);
    expect(await has("0700306")).toBe(1);
    const log = await logSince(t0);
    expect(log).toContainEqual(expect.objectContaining({ action: "drop", relation: part, rows: "1" }));
    expect(log.find((l) => l.relation === part)!.detail).toMatch(/2 rows? .*arrived within the retention.* kept/);
  });

  it("every deletion is also written to the server log", async () => {
    await c.query("SET client_min_messages = log"); // LOG lines are then also sent to this session
    notices.length = 0;
    await frame("0700307", new Date("2099-07-01T00:00:00Z"), new Date(Date.now() - 500 * DAY));
    await maintain();
    await c.query("RESET client_min_messages");
    expect(await has("0700307")).toBe(0);
    expect(notices).toContainEqual(
      expect.objectContaining({ severity: "LOG", message: expect.stringMatching(/nb67 maintenance: delete 1 rows? from macda_pdefault/) }),
    );
  });
});

describe("retention of dead letters, predictions and predict dead letters", () => {
  it("apply.sh records the retention settings (defaults, or RETENTION_* from the environment)", async () => {
    const settings = async () =>
      Object.fromEntries(
        (await c.query("SELECT key, value FROM nb67_settings WHERE key LIKE 'retention_%'")).rows.map((r) => [r.key, r.value]),
      );
    expect(await settings()).toEqual({
      retention_frames: "365 days",
      retention_frame_dead_letters: "30 days",
      retention_predictions: "365 days",
      retention_predict_dead_letters: "30 days",
    });
    const r = apply({ RETENTION_FRAME_DEAD_LETTERS: "20 days", RETENTION_PREDICTIONS: "90 days", RETENTION_PREDICT_DEAD_LETTERS: "1 week" });
    expect(r.status, r.out).toBe(0);
    expect(await settings()).toMatchObject({
      retention_frame_dead_letters: "20 days",
      retention_predictions: "90 days",
      retention_predict_dead_letters: "1 week",
    });
  });

  it.each([
    ["RETENTION_FRAMES", "0"],
    ["RETENTION_PREDICTIONS", "forever"],
    ["RETENTION_FRAME_DEAD_LETTERS", "-3 days"],
  ])("apply.sh refuses %s=%j with a clear message", (name, value) => {
    const r = apply({ [name]: value });
    expect(r.status).not.toBe(0);
    expect(r.out).toContain(name);
    expect(r.out).toMatch(/at least 1 day/);
  });

  it("old rows are deleted per table by their arrival/run time, recent ones kept, each deletion logged", async () => {
    const old = (days: number) => new Date(Date.now() - days * DAY);
    for (const [t, age] of [["a", 25], ["b", 5]] as const) {
      await c.query(
        "INSERT INTO macda_dead_letter (received_at, dedup_key, reason, record) VALUES ($1, $2, 'test', '\\x00')",
        [old(age), `dl-${t}`],
      );
      await c.query("INSERT INTO predict_dead_letter (received_at, msg_calc_dvc_no, run_slot, reason, input) VALUES ($1, $2, $1, 'test', '{}')", [
        old(age === 25 ? 10 : 2),
        `pd-${t}`,
      ]);
    }
    for (const [mode, tcol, other] of [["pro", "msg_calc_dvc_time", "msg_calc_parse_time"], ["dev", "msg_calc_parse_time", "msg_calc_dvc_time"]]) {
      // run 100 days ago, but the device clock says today: retention follows the run (arrival), not the device clock
      await c.query(
        `INSERT INTO ${mode}_predict (${tcol}, ${other}, msg_calc_dvc_no, msg_calc_train_no, run_slot) VALUES ($1, 'x', 'old', '07003', $2)`,
        [new Date(), old(100)],
      );
      await c.query(
        `INSERT INTO ${mode}_predict (${tcol}, ${other}, msg_calc_dvc_no, msg_calc_train_no, run_slot) VALUES ($1, 'x', 'new', '07003', $2)`,
        [old(400), old(1)],
      );
    }
    const t0 = new Date((await c.query("SELECT now() AS t")).rows[0].t);
    await maintain(); // settings from the previous test: 20 days, 90 days, 1 week
    const left = async (sql: string) => (await c.query(sql)).rows.map((r) => r.k).sort();
    expect(await left("SELECT dedup_key AS k FROM macda_dead_letter")).toEqual(["dl-b"]);
    expect(await left("SELECT msg_calc_dvc_no AS k FROM predict_dead_letter")).toEqual(["pd-b"]);
    expect(await left("SELECT msg_calc_dvc_no AS k FROM pro_predict")).toEqual(["new"]);
    expect(await left("SELECT msg_calc_dvc_no AS k FROM dev_predict")).toEqual(["new"]);
    const log = await logSince(t0);
    for (const rel of ["macda_dead_letter", "predict_dead_letter", "pro_predict", "dev_predict"]) {
      expect(log).toContainEqual(expect.objectContaining({ action: "delete", relation: rel, rows: "1" }));
    }
  });

  it("parameters override the settings", async () => {
    await c.query("INSERT INTO macda_dead_letter (received_at, dedup_key, reason, record) VALUES (now() - interval '3 days', 'dl-c', 'test', '\\x00')");
    await maintain("dead_letter_retention => interval '2 days'");
    expect((await c.query("SELECT dedup_key FROM macda_dead_letter ORDER BY 1")).rows.map((r) => r.dedup_key)).toEqual([]);
  });
});

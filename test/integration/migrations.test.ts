/**
 * Versioned schema migrations (sql/migrate.sh through sql/apply.sh).
 *
 * Upgrade: a database created as the last release before migrations did (its sql/ taken from git
 * history, commit 442791f, applied with its own apply.sh), loaded with frames, dead letters,
 * predictions, episodes and outbox records, is migrated to head: every row of every table is still
 * there, every view answers, the key functions work, and a second run changes nothing.
 * Guards: a lossy migration is refused without the flag and applied with it; an edited applied
 * migration is refused; two runners started at once apply each migration once.
 */
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, appendFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, REPO_ROOT, type TestDatabase } from "../helpers/stack.ts";
import { closeKafka, createTopic, deleteTopic } from "../helpers/kafka.ts";
import { FrameSimulator } from "../../tools/sim/sim.ts";
import { decodeFrame, names, produceMany, startConnect, stopConnect, waitFor, type ConnectProc } from "./ingest-support.ts";

const OLD_RELEASE = "442791f"; // last commit whose sql/ re-applied every file (no migrations)
const FIX = path.join(REPO_ROOT, "test/fixtures/legacy");

interface Run {
  status: number | null;
  out: string;
}
function run(script: string, url: string, env: Record<string, string> = {}, args: string[] = []): Run {
  const r = spawnSync("bash", [script, ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, TSDB_URL: url, ...env },
    encoding: "utf8",
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}
const APPLY = path.join(REPO_ROOT, "sql/apply.sh");
const MIGRATE = path.join(REPO_ROOT, "sql/migrate.sh");

/** Local legacy text time ('2026-12-4 9:5:7') of an instant in a UTC offset (hours). */
function localText(ms: number, offsetHours: number): string {
  const d = new Date(ms + offsetHours * 3_600_000);
  return `${d.getUTCFullYear()}-${d.getUTCMonth() + 1}-${d.getUTCDate()} ${d.getUTCHours()}:${d.getUTCMinutes()}:${d.getUTCSeconds()}`;
}

async function withClient<T>(url: string, f: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return await f(c);
  } finally {
    await c.end();
  }
}

/**
 * Every row of every (non-partition) table of the public schema as text, over the given columns per
 * table (the old schema's columns, so a column added by a migration does not count as a change), or
 * over all columns; cols returns the column lists used.
 */
async function snapshot(c: pg.Client, columns?: Map<string, string>) {
  const tables = await c.query<{ rel: string; cols: string }>(`
    SELECT format('%I', cl.relname) AS rel, string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum) AS cols
      FROM pg_class cl JOIN pg_namespace n ON n.oid = cl.relnamespace
      JOIN pg_attribute a ON a.attrelid = cl.oid AND a.attnum > 0 AND NOT a.attisdropped
     WHERE n.nspname = 'public' AND cl.relkind IN ('r', 'p') AND NOT cl.relispartition
     GROUP BY cl.relname`);
  const rows = new Map<string, string[]>();
  const cols = new Map<string, string>();
  for (const t of tables.rows) {
    const list = columns ? columns.get(t.rel) : t.cols;
    if (!list) continue; // a table added by a migration
    const r = await c.query<{ x: string }>(`SELECT x::text AS x FROM (SELECT ${list} FROM ${t.rel}) x ORDER BY 1`);
    rows.set(t.rel, r.rows.map((y) => y.x));
    cols.set(t.rel, list);
  }
  return { rows, cols };
}

describe("upgrade from the last release without migrations", () => {
  let db: TestDatabase;
  let oldDir: string;
  let before: Map<string, string[]>;
  let beforeCols: Map<string, string>;
  const now = Date.now();

  beforeAll(async () => {
    const has = spawnSync("git", ["cat-file", "-e", `${OLD_RELEASE}^{commit}`], { cwd: REPO_ROOT });
    if (has.status !== 0) throw new Error(`git history without ${OLD_RELEASE}: the upgrade test needs a full clone`);
    oldDir = mkdtempSync(path.join(os.tmpdir(), "nb67-oldsql-"));
    const tar = spawnSync("bash", ["-c", `git archive ${OLD_RELEASE} sql | tar -x -C "$1"`, "_", oldDir], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(tar.status, tar.stderr).toBe(0);
    expect(readdirSync(path.join(oldDir, "sql"))).toContain("10_macda.sql"); // really the old layout

    db = await createTestDatabase("migrations_up");
    const old = run(path.join(oldDir, "sql/apply.sh"), db.url);
    expect(old.status, old.out).toBe(0);

    await withClient(db.url, async (c) => {
      // the old schema has no migration history
      expect((await c.query("SELECT to_regclass('nb67_schema_migrations') AS r")).rows[0].r).toBeNull();
      // frames: the real frame at 40 recent device times (arrival = now), and the parity frames
      // received now (device clocks from 2021 to 2039: the default partition; the maintenance of head
      // keeps them, its retention of misdated frames being by arrival)
      const whole = JSON.parse(readFileSync(path.join(FIX, "whole_frame.expected.json"), "utf8"));
      const lines: string[] = [];
      for (let k = 0; k < 40; k++) {
        const t = now - 20 * 60_000 + k * 30_000;
        lines.push(JSON.stringify({ ...whole, msg_calc_dvc_time: localText(t, 8), msg_calc_parse_time: localText(t + 500, 0) }));
      }
      for (const f of readdirSync(FIX).filter((n) => /^random-\d+\.expected\.json$/.test(n))) {
        const rec = JSON.parse(readFileSync(path.join(FIX, f), "utf8"));
        lines.push(JSON.stringify({ ...rec, msg_calc_parse_time: localText(now, 0) }));
      }
      // a dead letter: not a real date
      lines.push(JSON.stringify({ ...whole, msg_calc_dvc_time: "2026-2-30 10:00:00", msg_calc_parse_time: localText(now, 0) }));
      const stored = await c.query("SELECT nb67_store_batch($1, 'Asia/Shanghai', 'UTC') AS n", [lines.join("\n")]);
      expect(stored.rows[0].n).toBe(lines.length);
      // predictions (pro and dev) with a warning flag, and a predict dead letter
      const dvc = String(whole.msg_calc_dvc_no);
      for (let k = 0; k < 6; k++) {
        const t = new Date(now - 15 * 60_000 + k * 60_000);
        await c.query(
          `INSERT INTO pro_predict (msg_calc_dvc_time, msg_calc_parse_time, msg_calc_dvc_no, msg_calc_train_no, ref_leak_u11, run_slot)
           VALUES ($1, $2, $3, $4, $5, $1)`,
          [t, localText(t.getTime(), 0), dvc, String(whole.msg_calc_train_no), k < 4 ? 1 : 0],
        );
        await c.query(
          `INSERT INTO dev_predict (msg_calc_parse_time, msg_calc_dvc_time, msg_calc_dvc_no, msg_calc_train_no, f_cp_u1, run_slot)
           VALUES ($1, $2, $3, $4, $5, $1)`,
          [t, localText(t.getTime(), 8), dvc, String(whole.msg_calc_train_no), k >= 2 ? 1 : 0],
        );
      }
      await c.query("INSERT INTO predict_dead_letter (msg_calc_dvc_no, run_slot, reason, input) VALUES ($1, $2, $3, $4)", [
        dvc, new Date(now), "test: rejected input", "{}",
      ]);
      // episodes and outbox records, by the old schema's own functions
      await c.query("SELECT report_update_events(p_dev_mode => false, p_settle => '0 s', p_lookback => '1 day')");
      await c.query("SELECT report_update_events(p_dev_mode => true, p_settle => '0 s', p_lookback => '1 day')");
      ({ rows: before, cols: beforeCols } = await snapshot(c));
    });
    for (const t of ["macda", "macda_dead_letter", "pro_predict", "dev_predict", "predict_dead_letter", "report_event", "report_outbox"]) {
      expect(before.get(t)?.length ?? 0, `rows in ${t} before the upgrade`).toBeGreaterThan(0);
    }
    expect(before.get("report_event")!.length).toBeGreaterThanOrEqual(2); // a predict episode per mode
  });
  afterAll(async () => {
    await db?.drop();
    if (oldDir) rmSync(oldDir, { recursive: true, force: true });
  });

  let firstRun: Run;
  it("migrates to head: the baseline adopts the old schema and every migration is recorded once", async () => {
    firstRun = run(APPLY, db.url);
    expect(firstRun.status, firstRun.out).toBe(0);
    const files = readdirSync(path.join(REPO_ROOT, "sql/migrations")).filter((f) => f.endsWith(".sql")).sort();
    await withClient(db.url, async (c) => {
      const m = await c.query("SELECT version, name, checksum FROM nb67_schema_migrations ORDER BY version");
      expect(m.rows.map((r) => r.name)).toEqual(files);
      const rep = await c.query("SELECT name FROM nb67_schema_repeatable ORDER BY name");
      const repFiles = [
        ...readdirSync(path.join(REPO_ROOT, "sql/repeatable")),
        ...readdirSync(path.join(REPO_ROOT, "sql/generated")).filter((f) => !f.startsWith("0")),
      ].filter((f) => f.endsWith(".sql")).sort();
      expect(rep.rows.map((r) => r.name)).toEqual(repFiles);
    });
  });

  it("loses nothing: every row of every old table is still there (old columns)", async () => {
    const after = (await withClient(db.url, (c) => snapshot(c, beforeCols))).rows;
    for (const [table, rows] of before) {
      const now = after.get(table);
      expect(now, `table ${table} still exists`).toBeDefined();
      if (table === "nb67_maintenance_log" || table === "nb67_settings") {
        // the upgrade's maintenance run adds log lines; head records new settings (defaults)
        expect(now).toEqual(expect.arrayContaining(rows));
      } else {
        expect(now, `rows of ${table}`).toEqual(rows);
      }
    }
  });

  it("every view answers, the legacy views see every frame, and the key functions work", async () => {
    await withClient(db.url, async (c) => {
      const views = await c.query<{ v: string }>("SELECT format('%I', viewname) AS v FROM pg_views WHERE schemaname = 'public' ORDER BY 1");
      expect(views.rows.map((r) => r.v)).toEqual(expect.arrayContaining(["pro_macda", "dev_macda"]));
      for (const { v } of views.rows) await c.query(`SELECT * FROM ${v} LIMIT 3`);
      const frames = Number((await c.query("SELECT count(*) AS n FROM macda")).rows[0].n);
      for (const v of ["pro_macda", "dev_macda"]) {
        expect(Number((await c.query(`SELECT count(*) AS n FROM ${v}`)).rows[0].n), v).toBe(frames);
      }
      expect((await c.query("SELECT nb67_device_tz() AS z")).rows[0].z).toBe("Asia/Shanghai");
      // store: a new frame is written, the same again is a duplicate
      const whole = JSON.parse(readFileSync(path.join(FIX, "whole_frame.expected.json"), "utf8"));
      const rec = JSON.stringify({ ...whole, msg_calc_dvc_time: localText(now + 1000, 8), msg_calc_parse_time: localText(now, 0) });
      expect((await c.query("SELECT nb67_store_batch($1, 'Asia/Shanghai', 'UTC') AS n", [rec])).rows[0].n).toBe(1);
      expect((await c.query("SELECT nb67_store_batch($1, 'Asia/Shanghai', 'UTC') AS n", [rec])).rows[0].n).toBe(0);
      // predict input over the migrated frames: the device of the real frame has recent data
      const p = await c.query("SELECT msg_calc_dvc_no, predict_input FROM nb67_predict_input(false, now(), '60 seconds')");
      expect(p.rows.map((r) => r.msg_calc_dvc_no)).toContain(String(whole.msg_calc_dvc_no));
      expect(JSON.parse(p.rows[0].predict_input)).toHaveProperty("data3m");
      // reports: the episode cycle, claiming the outbox, the life and status bodies
      await c.query("SELECT report_update_events(p_dev_mode => false, p_settle => '0 s', p_lookback => '1 day')");
      const claimed = await c.query("SELECT * FROM report_claim_faults('upgrade-test')");
      expect(claimed.rowCount).toBeGreaterThan(0);
      await c.query("SELECT report_life_body(false) AS b");
      expect((await c.query("SELECT report_status_body(false) AS b")).rows[0].b).not.toBeNull();
      await c.query("CALL nb67_maintain_partitions()");
    });
  });

  it("the store and predict pipelines run on the migrated database", async () => {
    const n = names("migrated");
    const url = db.url;
    const count = async (sql: string) => Number((await withClient(url, (c) => c.query(sql))).rows[0].n);
    const framesBefore = await count("SELECT count(*) AS n FROM macda");
    const predictBefore = await count("SELECT count(*) AS n FROM pro_predict");
    await createTopic(n.parsed, 1);
    const procs: ConnectProc[] = [];
    try {
      // 300 simulated frames of the last 5 minutes, as ingest writes them to the parsed topic
      const sim = new FrameSimulator({ trains: 1, start: Date.now() - 300_000, seed: 5 });
      const parseTime = new Date().toISOString().slice(0, 19).replace("T", " ");
      const records: Array<{ key: string; value: Buffer }> = [];
      for (const f of sim.frames(300)) {
        const d = await decodeFrame(f.frame);
        const payload = { ...d.record!, msg_calc_parse_time: parseTime };
        records.push({ key: f.dvcNo, value: Buffer.from(JSON.stringify({ schema: { type: "struct", name: "ACSignal" }, payload })) });
      }
      await produceMany(n.parsed, records);
      procs.push(
        await startConnect(
          "pipelines/store.yaml",
          { PARSED_TOPIC_NAME: n.parsed, STORE_GROUP: n.storeGroup, TSDB_URL: url, STORE_METHOD: "bulk" },
          `${n.id}-store`,
        ),
      );
      await waitFor("frames stored by the store pipeline", async () => (await count("SELECT count(*) AS n FROM macda")) >= framesBefore + 300, 90_000, 500);
      procs.push(
        await startConnect(
          "pipelines/predict.yaml",
          { TSDB_URL: url, PREDICT_INTERVAL: "2s", DEV_MODE: "false", NB67_WASM: path.join(REPO_ROOT, "dist/nb67.wasm") },
          `${n.id}-predict`,
        ),
      );
      await waitFor("a predict run writing pro_predict", async () => (await count("SELECT count(*) AS n FROM pro_predict")) > predictBefore, 90_000, 500);
    } finally {
      for (const p of procs) await stopConnect(p);
      await deleteTopic(n.parsed).catch(() => {});
      await closeKafka();
    }
  });

  it("a second run changes nothing", async () => {
    const state = (c: pg.Client) =>
      Promise.all([
        c.query("SELECT version, checksum, applied_at FROM nb67_schema_migrations ORDER BY version"),
        c.query("SELECT name, checksum, applied_at FROM nb67_schema_repeatable ORDER BY name"),
      ]).then(([a, b]) => JSON.stringify([a.rows, b.rows]));
    const s1 = await withClient(db.url, state);
    const again = run(APPLY, db.url);
    expect(again.status, again.out).toBe(0);
    expect(again.out).not.toMatch(/migrate: applying/);
    expect(firstRun.out).toMatch(/migrate: applying 0001_baseline_macda\.sql/);
    expect(await withClient(db.url, state)).toBe(s1);
  });
});

describe("migration guards", () => {
  let db: TestDatabase;
  let dir: string;
  beforeAll(async () => {
    db = await createTestDatabase("migrations_guard");
    const r = run(APPLY, db.url);
    expect(r.status, r.out).toBe(0);
  });
  afterAll(async () => {
    await db?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  const copyMigrations = () => {
    dir = mkdtempSync(path.join(os.tmpdir(), "nb67-mig-"));
    cpSync(path.join(REPO_ROOT, "sql/migrations"), dir, { recursive: true });
    return dir;
  };
  const recorded = (v: number) =>
    withClient(db.url, (c) => c.query("SELECT lossy FROM nb67_schema_migrations WHERE version = $1", [v])).then((r) => r.rows);
  const hasColumn = (table: string, col: string) =>
    withClient(db.url, (c) =>
      c.query("SELECT 1 FROM information_schema.columns WHERE table_name = $1 AND column_name = $2", [table, col]),
    ).then((r) => r.rowCount === 1);

  it("a migration that drops a column is refused without the flag, and nothing of the run is applied", async () => {
    const d = copyMigrations();
    writeFileSync(path.join(d, "9998_harmless.sql"), "CREATE TABLE guard_probe (x int);\n");
    writeFileSync(path.join(d, "9999_drop_coach.sql"), "-- removes a column\nALTER TABLE report_coach DROP COLUMN coach;\n");
    const refused = run(MIGRATE, db.url, { NB67_MIGRATIONS_DIR: d });
    expect(refused.status).not.toBe(0);
    expect(refused.out).toMatch(/9999_drop_coach\.sql may lose data/);
    expect(await hasColumn("report_coach", "coach")).toBe(true);
    expect(await recorded(9998)).toEqual([]); // refused before anything was applied
    expect(await hasColumn("guard_probe", "x")).toBe(false);

    const allowed = run(MIGRATE, db.url, { NB67_MIGRATIONS_DIR: d, NB67_ALLOW_DATA_LOSS: "1" });
    expect(allowed.status, allowed.out).toBe(0);
    expect(await hasColumn("report_coach", "coach")).toBe(false);
    expect((await recorded(9999))[0].lossy).toMatch(/DROP COLUMN/);
    expect(await recorded(9998)).toHaveLength(1);
  });

  it("a migration marked lossy in its header is refused; apply.sh --allow-data-loss runs it", async () => {
    const d = copyMigrations();
    writeFileSync(path.join(d, "9997_marked.sql"), "-- nb67:lossy rewrites the coach names\nCREATE TABLE guard_marked (x int);\n");
    const refused = run(APPLY, db.url, { NB67_MIGRATIONS_DIR: d });
    expect(refused.status).not.toBe(0);
    expect(refused.out).toMatch(/9997_marked\.sql may lose data \(marked lossy: rewrites the coach names\)/);
    expect(await recorded(9997)).toEqual([]);
    const allowed = run(APPLY, db.url, { NB67_MIGRATIONS_DIR: d }, ["--allow-data-loss"]);
    expect(allowed.status, allowed.out).toBe(0);
    expect((await recorded(9997))[0].lossy).toBe("marked lossy: rewrites the coach names");
  });

  it("the safety net does not fire on comments or harmless DROPs (constraint, default, index)", async () => {
    const d = copyMigrations();
    writeFileSync(
      path.join(d, "9996_harmless.sql"),
      "-- we do not DELETE FROM anything or DROP TABLE here\nCREATE TABLE guard_h (x int DEFAULT 1 CONSTRAINT pos CHECK (x > 0));\n" +
        "ALTER TABLE guard_h ALTER COLUMN x DROP DEFAULT, DROP CONSTRAINT pos;\nCREATE INDEX guard_h_x ON guard_h (x);\nDROP INDEX guard_h_x;\n",
    );
    const r = run(MIGRATE, db.url, { NB67_MIGRATIONS_DIR: d });
    expect(r.status, r.out).toBe(0);
    expect((await recorded(9996))[0].lossy).toBeNull();
  });

  it("--dry-run lists a pending migration and applies nothing", async () => {
    const d = copyMigrations();
    writeFileSync(path.join(d, "9995_pending.sql"), "CREATE TABLE guard_dry (x int);\n");
    const r = run(MIGRATE, db.url, { NB67_MIGRATIONS_DIR: d }, ["--dry-run"]);
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/migrate: pending 9995_pending\.sql/);
    expect(await recorded(9995)).toEqual([]);
    expect(await hasColumn("guard_dry", "x")).toBe(false);
  });

  it("an applied migration that was edited afterwards is refused", async () => {
    const d = copyMigrations();
    appendFileSync(path.join(d, "0001_baseline_macda.sql"), "\n-- an innocent-looking edit\n");
    const r = run(MIGRATE, db.url, { NB67_MIGRATIONS_DIR: d });
    expect(r.status).not.toBe(0);
    expect(r.out).toMatch(/migration 0001_baseline_macda\.sql was applied with checksum .* never edit an applied migration/);
  });

  it("a changed repeatable is applied again, an unchanged one is not", async () => {
    const rep = mkdtempSync(path.join(os.tmpdir(), "nb67-rep-"));
    try {
      cpSync(path.join(REPO_ROOT, "sql/repeatable"), rep, { recursive: true });
      const r1 = run(MIGRATE, db.url, { NB67_REPEATABLE_DIR: rep });
      expect(r1.status, r1.out).toBe(0);
      expect(r1.out).not.toMatch(/applying repeatable/);
      appendFileSync(path.join(rep, "40_predict.sql"), "\nCREATE OR REPLACE FUNCTION guard_probe_fn() RETURNS int LANGUAGE sql AS 'SELECT 7';\n");
      const r2 = run(MIGRATE, db.url, { NB67_REPEATABLE_DIR: rep });
      expect(r2.status, r2.out).toBe(0);
      expect(r2.out.match(/applying repeatable (\S+)/g)).toEqual(["applying repeatable 40_predict.sql"]);
      expect((await withClient(db.url, (c) => c.query("SELECT guard_probe_fn() AS v"))).rows[0].v).toBe(7);
    } finally {
      rmSync(rep, { recursive: true, force: true });
    }
  });
});

describe("concurrent runners", () => {
  let db: TestDatabase;
  afterAll(() => db?.drop());
  it("two apply.sh started at once on a new database both succeed and apply each migration once", async () => {
    db = await createTestDatabase("migrations_race");
    const one = () =>
      new Promise<Run>((resolve) => {
        const p = spawn("bash", [APPLY], { cwd: REPO_ROOT, env: { ...process.env, TSDB_URL: db.url } });
        let out = "";
        p.stdout.on("data", (b) => (out += b));
        p.stderr.on("data", (b) => (out += b));
        p.on("close", (status) => resolve({ status, out }));
      });
    const [a, b] = await Promise.all([one(), one()]);
    expect(a.status, a.out).toBe(0);
    expect(b.status, b.out).toBe(0);
    const applied = `${a.out}\n${b.out}`.match(/migrate: applying 0001_baseline_macda\.sql/g);
    expect(applied).toHaveLength(1);
    const n = await withClient(db.url, (c) => c.query("SELECT count(*)::int AS n, count(DISTINCT version)::int AS d FROM nb67_schema_migrations"));
    expect(n.rows[0].n).toBe(n.rows[0].d);
    expect(n.rows[0].n).toBe(readdirSync(path.join(REPO_ROOT, "sql/migrations")).filter((f) => f.endsWith(".sql")).length);
  });
});

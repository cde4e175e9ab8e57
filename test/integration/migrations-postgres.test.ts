/**
 * The project's PostgreSQL (tools/stack/postgres.sh) and the benchmarks' scratch databases.
 *
 * - Durable commits: a cluster made by postgres.sh runs with synchronous_commit = on (the production
 *   default), an existing cluster made with "synchronous_commit = off" is corrected, and the stack's
 *   server the integration tests use reports "on".
 * - Database names from TSDB_URL/BENCH_DB are data, not SQL: a name with a dash, a quote or a
 *   percent-encoded character is created exactly; the predict benchmark refuses to drop a database it
 *   did not create (e.g. BENCH_DB=nb67, the stack's own database).
 * Clusters here are private (temp dir, own port, NB67_ROOT pointing at the temp dir).
 */
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, getStack, REPO_ROOT, type TestDatabase } from "../helpers/stack.ts";

const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
const POSTGRES_SH = path.join(REPO_ROOT, "tools/stack/postgres.sh");
const asOwner = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];

async function freePort(): Promise<number> {
  for (;;) {
    const port = 26000 + Math.floor(Math.random() * 3000);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer().once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

function sh(args: string[], env: Record<string, string>) {
  const r = spawnSync("bash", args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

/** The value the server would use for a setting of a data directory (postgres -C, no server started). */
function configured(dataDir: string, name: string): string {
  const [cmd, ...rest] = [...asOwner, `${PG_BIN}/postgres`, "-D", dataDir, "-C", name];
  const r = spawnSync(cmd!, rest, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`postgres -C ${name}: ${r.stderr}`);
  return r.stdout.trim();
}

describe("postgres.sh: durable commits", () => {
  let root: string;
  let port: number;
  let env: Record<string, string>;
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), "nb67-pgsh-"));
    port = await freePort();
    env = { NB67_ROOT: root, TSDB_URL: `postgres://nb67@127.0.0.1:${port}/nb67?sslmode=disable` };
  });
  afterAll(() => {
    sh([POSTGRES_SH, "stop"], env);
    rmSync(root, { recursive: true, force: true });
  });

  it("a new cluster commits durably (synchronous_commit = on)", () => {
    const r = sh([POSTGRES_SH, "init"], env);
    expect(r.status, r.out).toBe(0);
    expect(configured(path.join(root, ".tools/pg/data"), "synchronous_commit")).toBe("on");
  });

  it("a cluster made with synchronous_commit = off is corrected by init/start", () => {
    const data = path.join(root, ".tools/pg/data");
    // what earlier versions of postgres.sh wrote into the cluster's configuration
    appendFileSync(path.join(data, "postgresql.conf"), "synchronous_commit = off\n");
    expect(configured(data, "synchronous_commit")).toBe("off");
    const r = sh([POSTGRES_SH, "init"], env);
    expect(r.status, r.out).toBe(0);
    expect(configured(data, "synchronous_commit")).toBe("on");
    expect(readFileSync(path.join(data, "postgresql.conf"), "utf8")).not.toMatch(/^\s*synchronous_commit\s*=\s*off/m);
  });

  it("the stack's server, which the durability tests use, commits durably", async () => {
    const stack = await getStack();
    const c = new pg.Client({ connectionString: stack.pgUrl });
    await c.connect();
    try {
      // the database default, as a new session of the pipelines sees it
      const r = await c.query("SELECT current_setting('synchronous_commit') AS v");
      expect(r.rows[0].v).toBe("on");
    } finally {
      await c.end();
    }
  });
});

describe("database names are quoted, never pasted into SQL", () => {
  let root: string;
  let port: number;
  beforeAll(async () => {
    root = mkdtempSync(path.join(os.tmpdir(), "nb67-pgq-"));
    port = await freePort();
  });
  afterAll(() => {
    sh([POSTGRES_SH, "stop"], { NB67_ROOT: root, TSDB_URL: `postgres://nb67@127.0.0.1:${port}/x` });
    rmSync(root, { recursive: true, force: true });
  });

  it.each([
    ["nb67-o'k", "nb67-o'k"],
    ['nb67"; DROP DATABASE postgres; --', 'nb67"; DROP DATABASE postgres; --'],
    ["nb67%2Dpct", "nb67-pct"], // percent-encoded in the URL, as libpq decodes it
  ])("postgres.sh start creates the database %j exactly", async (inUrl, expected) => {
    const env = { NB67_ROOT: root, TSDB_URL: `postgres://nb67@127.0.0.1:${port}/${inUrl}?sslmode=disable` };
    const r = sh([POSTGRES_SH, "start"], env);
    expect(r.status, r.out).toBe(0);
    const c = new pg.Client({ connectionString: `postgres://nb67@127.0.0.1:${port}/postgres` });
    await c.connect();
    try {
      const dbs = (await c.query("SELECT datname FROM pg_database")).rows.map((x) => x.datname);
      expect(dbs).toContain(expected);
      expect(dbs).toContain("postgres");
    } finally {
      await c.end();
    }
    // a second start finds it (no error, no second database)
    const again = sh([POSTGRES_SH, "start"], env);
    expect(again.status, again.out).toBe(0);
  });
});

describe("benchmark scratch databases", () => {
  let victim: TestDatabase;
  beforeAll(async () => {
    victim = await createTestDatabase("bench_victim");
    const c = new pg.Client({ connectionString: victim.url });
    await c.connect();
    await c.query("CREATE TABLE precious (x int); INSERT INTO precious VALUES (42)");
    await c.end();
  });
  afterAll(() => victim?.drop());

  const precious = async () => {
    try {
      const c = new pg.Client({ connectionString: victim.url });
      await c.connect();
      try {
        return (await c.query("SELECT x FROM precious")).rows[0]?.x as number | undefined;
      } finally {
        await c.end();
      }
    } catch {
      return undefined; // database or table gone
    }
  };

  it("bench/predict.sh with BENCH_DB naming a database it did not create refuses and drops nothing", async () => {
    const stack = await getStack();
    // the benchmark is long: stop it as soon as it either exits or the victim is gone
    const p = spawn("bash", [path.join(REPO_ROOT, "bench/predict.sh")], {
      cwd: REPO_ROOT,
      env: { ...process.env, TSDB_URL: stack.pgUrl, BENCH_DB: victim.name, BENCH_DEVICES: "1", BENCH_HOURS: "0", CONNECT: "/bin/false" },
      detached: true,
    });
    let out = "";
    p.stdout!.on("data", (b) => (out += b));
    p.stderr!.on("data", (b) => (out += b));
    const exited = new Promise<number | null>((resolve) => p.on("close", (code) => resolve(code)));
    let code: number | null | "killed" = null;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const done = await Promise.race([exited, new Promise<"running">((r) => setTimeout(() => r("running"), 200))]);
      if (done !== "running") {
        code = done;
        break;
      }
      if ((await precious()) !== 42 || Date.now() > deadline) {
        process.kill(-p.pid!, "SIGKILL");
        await exited;
        code = "killed";
        break;
      }
    }
    expect(await precious(), `victim database after the benchmark started:\n${out}`).toBe(42);
    expect(code).not.toBe(0);
    expect(code).not.toBe("killed");
    expect(out).toMatch(/not created by the benchmark/);
  });

  it("bench/scratch-db.sh creates a marked database with any name and drops only marked ones", async () => {
    const stack = await getStack();
    const script = path.join(REPO_ROOT, "bench/scratch-db.sh");
    const name = `nb67_bench-o'k ${Date.now().toString(36)}`;
    const made = sh([script, "create", stack.pgUrl, name], {});
    expect(made.status, made.out).toBe(0);
    const url = made.out.trim().split("\n")[0]!;
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    expect((await c.query("SELECT current_database() AS d")).rows[0].d).toBe(name);
    await c.end();
    // again: the marked database is recreated
    expect(sh([script, "create", stack.pgUrl, name], {}).status).toBe(0);
    const dropped = sh([script, "drop", stack.pgUrl, name], {});
    expect(dropped.status, dropped.out).toBe(0);
    // an unmarked one (the victim, the stack's own database) is refused
    const refused = sh([script, "drop", stack.pgUrl, victim.name], {});
    expect(refused.status).not.toBe(0);
    expect(refused.out).toMatch(/not created by the benchmark/);
    expect(await precious()).toBe(42);
    const own = new URL(stack.pgUrl).pathname.slice(1);
    expect(sh([script, "drop", stack.pgUrl, own], {}).status).not.toBe(0);
    expect(sh([script, "create", stack.pgUrl, own], {}).status).not.toBe(0);
  });
});

/**
 * TimescaleDB detection of the baseline migration: the frame table becomes a hypertable only when
 * TimescaleDB is USABLE; an extension that is installed but not preloaded (or whose CREATE EXTENSION
 * fails) falls back to the plain partitioned layout with a warning, instead of failing apply.sh.
 *
 * Debian bookworm has no TimescaleDB package, so the test builds a PRIVATE PostgreSQL installation
 * (a copy of the server binaries and share directory in a temp dir; PostgreSQL finds its share and lib
 * directories relative to its binary) with a test double of the extension: a timescaledb.control and
 * an install script that behaves like the real one without its library - it ends the session with a
 * FATAL error when the library is not preloaded (as the real "must be preloaded" does) and fails
 * with an ERROR otherwise. For the "preloaded" case the lib directory maps timescaledb.so to a harmless
 * contrib module (auto_explain), so the server starts with shared_preload_libraries = timescaledb.
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../helpers/stack.ts";

const PG_BIN = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
const asOwner = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];

function must(cmd: string[], what: string) {
  const [c, ...rest] = [...asOwner, ...cmd];
  const r = spawnSync(c!, rest, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${what}: ${r.stdout}${r.stderr}`);
}

async function freePort(): Promise<number> {
  for (;;) {
    const port = 29000 + Math.floor(Math.random() * 2000);
    const free = await new Promise<boolean>((resolve) => {
      const s = net.createServer().once("error", () => resolve(false));
      s.listen(port, "127.0.0.1", () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

let dir: string;
let bin: string;
let port: number;
let running = false;
const data = () => path.join(dir, "data");
const url = (db: string) => `postgres://nb67@127.0.0.1:${port}/${db}?sslmode=disable`;

function start(preload: boolean) {
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off${preload ? " -c shared_preload_libraries=timescaledb" : ""}`;
  must([`${bin}/pg_ctl`, "-D", data(), "-l", path.join(dir, "log"), "-w", "-t", "60", "-o", opts, "start"], "pg_ctl start");
  running = true;
}
function stop() {
  if (running) must([`${bin}/pg_ctl`, "-D", data(), "-m", "fast", "-w", "stop"], "pg_ctl stop");
  running = false;
}

async function sql<T extends pg.QueryResultRow>(db: string, text: string, args: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url(db) });
  await c.connect();
  try {
    return (await c.query<T>(text, args)).rows;
  } finally {
    await c.end();
  }
}

function apply(db: string, env: Record<string, string> = {}) {
  const r = spawnSync("bash", [path.join(REPO_ROOT, "sql/apply.sh")], {
    cwd: REPO_ROOT,
    env: { ...process.env, TSDB_URL: url(db), ...env },
    encoding: "utf8",
  });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

async function layout(db: string) {
  const [r] = await sql<{ partitioned: boolean; ext: boolean; log: string | null }>(
    db,
    `SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'macda'::regclass) AS partitioned,
            EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') AS ext,
            (SELECT string_agg(detail, '; ') FROM nb67_maintenance_log WHERE action = 'storage') AS log`,
  );
  return r!;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "nb67-tsdb-"));
  const inst = path.join(dir, "inst");
  bin = path.join(inst, "usr/lib/postgresql/15/bin");
  const lib = path.join(inst, "usr/lib/postgresql/15/lib");
  const share = path.join(inst, "usr/share/postgresql/15");
  mkdirSync(bin, { recursive: true });
  mkdirSync(lib, { recursive: true });
  for (const b of ["postgres", "initdb", "pg_ctl"]) copyFileSync(path.join(PG_BIN, b), path.join(bin, b));
  for (const f of ["postgres", "initdb", "pg_ctl"]) spawnSync("chmod", ["755", path.join(bin, f)]);
  const realLib = path.join(path.dirname(PG_BIN), "lib");
  for (const f of readdirSync(realLib)) symlinkSync(path.join(realLib, f), path.join(lib, f));
  symlinkSync(path.join(realLib, "auto_explain.so"), path.join(lib, "timescaledb.so"));
  cpSync("/usr/share/postgresql/15", share, { recursive: true });
  writeFileSync(path.join(share, "extension/timescaledb.control"), "comment = 'test double'\ndefault_version = '9.9.9'\nrelocatable = false\n");
  writeFileSync(
    path.join(share, "extension/timescaledb--9.9.9.sql"),
    `DO $$ BEGIN
  IF current_setting('shared_preload_libraries') NOT LIKE '%timescaledb%' THEN
    PERFORM pg_terminate_backend(pg_backend_pid()); -- the session ends (FATAL), like "must be preloaded"
  END IF;
  RAISE EXCEPTION 'timescaledb test double: not a real TimescaleDB';
END $$;
`,
  );
  if (asOwner.length) spawnSync("chown", ["-R", "postgres", dir]);
  must([`${bin}/initdb`, "-D", data(), "-U", "nb67", "--auth=trust", "-E", "UTF8", "--no-sync"], "initdb");
  port = await freePort();
}, 120_000);
afterAll(() => {
  try {
    stop();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("TimescaleDB installed but not usable", () => {
  it("not preloaded: the test double ends the session on CREATE EXTENSION, as the real one does", async () => {
    start(false);
    await sql("postgres", "CREATE DATABASE probe");
    const [av] = await sql<{ n: string }>("probe", "SELECT count(*) AS n FROM pg_available_extensions WHERE name = 'timescaledb'");
    expect(Number(av!.n)).toBe(1);
    await expect(sql("probe", "CREATE EXTENSION timescaledb")).rejects.toThrow();
  });

  it("not preloaded: apply.sh falls back to plain partitions with a warning and records why", async () => {
    await sql("postgres", "CREATE DATABASE nopreload");
    const r = apply("nopreload");
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/WARNING:.*TimescaleDB is installed but not in shared_preload_libraries - using plain PostgreSQL partitions/);
    expect(await layout("nopreload")).toEqual({
      partitioned: true,
      ext: false,
      log: "plain partitions: TimescaleDB is installed but not in shared_preload_libraries",
    });
    // and the partition maintenance ran on the plain layout
    const n = await sql<{ n: number }>("nopreload", "SELECT count(*)::int AS n FROM pg_inherits WHERE inhparent = 'macda'::regclass");
    expect(n[0]!.n).toBeGreaterThan(1); // default + daily partitions
  });

  it("preloaded but CREATE EXTENSION fails: falls back with a warning naming the error", async () => {
    stop();
    start(true);
    const [pl] = await sql<{ v: string }>("postgres", "SELECT current_setting('shared_preload_libraries') AS v");
    expect(pl!.v).toBe("timescaledb");
    await sql("postgres", "CREATE DATABASE preload_broken");
    const r = apply("preload_broken");
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(/WARNING:.*CREATE EXTENSION timescaledb failed \(P0001: timescaledb test double: not a real TimescaleDB\)/);
    const l = await layout("preload_broken");
    expect(l.partitioned).toBe(true);
    expect(l.ext).toBe(false); // the failed CREATE EXTENSION left nothing behind
  });

  it("NB67_STORAGE=partitions chooses the plain layout without trying the extension", async () => {
    await sql("postgres", "CREATE DATABASE forced");
    const r = apply("forced", { NB67_STORAGE: "partitions" });
    expect(r.status, r.out).toBe(0);
    expect(r.out).not.toMatch(/WARNING/);
    expect(await layout("forced")).toEqual({ partitioned: true, ext: false, log: "plain partitions: NB67_STORAGE=partitions" });
  });
});

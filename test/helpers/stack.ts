/**
 * The one place integration tests get their Kafka / PostgreSQL / Connect endpoints from.
 *
 *   const stack = await getStack();
 *   stack.kafkaBrokers  // ["127.0.0.1:19092"]
 *   stack.pgUrl         // postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable
 *   stack.connectBin    // <repo>/.tools/bin/redpanda-connect
 *
 * Providers:
 * - "local" (default): the stack of `make stack-up` (tools/stack/stack.sh), endpoints from
 *   KAFKA_BOOTSTRAP_SERVER and TSDB_URL with the same defaults as the pipelines. getStack() fails
 *   fast with a clear message when it is not up.
 * - "containers" (TEST_STACK=containers): Redpanda and TimescaleDB (pg15) through testcontainers,
 *   for CI that has Docker. Not runnable on the project's machines (no Docker engine); loaded with a
 *   dynamic import so the local path never loads testcontainers.
 *
 * createTestDatabase(prefix) gives each test file its own database on the stack's server.
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export interface Stack {
  kafkaBrokers: string[];
  pgUrl: string;
  connectBin: string;
  provider: "local" | "containers";
}

export const REPO_ROOT: string =
  process.env.NB67_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export const DEFAULT_KAFKA = "127.0.0.1:19092";
export const DEFAULT_TSDB_URL = "postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable";

let stackPromise: Promise<Stack> | undefined;
let stopContainers: (() => Promise<void>) | undefined;

/** Endpoints of the stack for this test run (memoised per worker). */
export function getStack(): Promise<Stack> {
  stackPromise ??= process.env.TEST_STACK === "containers" ? containersStack() : localStack();
  return stackPromise;
}

/** Stops containers started by the "containers" provider; a no-op for the local stack. */
export async function stopStack(): Promise<void> {
  if (stopContainers) await stopContainers();
  stopContainers = undefined;
  stackPromise = undefined;
}

export function connectBinary(): string {
  return process.env.CONNECT_BIN ?? path.join(REPO_ROOT, ".tools/bin/redpanda-connect");
}

async function localStack(): Promise<Stack> {
  const kafkaBrokers = (process.env.KAFKA_BOOTSTRAP_SERVER ?? DEFAULT_KAFKA)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const pgUrl = process.env.TSDB_URL ?? DEFAULT_TSDB_URL;
  const pgAddr = new URL(pgUrl);
  const hint = "start it with `make stack-up` (tools/stack/stack.sh up)";
  const first = kafkaBrokers[0] ?? DEFAULT_KAFKA;
  const sep = first.lastIndexOf(":");
  if (!(await tcpOpen(first.slice(0, sep), Number(first.slice(sep + 1))))) {
    throw new Error(`local stack: Kafka is not reachable at ${first}; ${hint}`);
  }
  if (!(await tcpOpen(pgAddr.hostname, Number(pgAddr.port || 5432)))) {
    throw new Error(`local stack: PostgreSQL is not reachable at ${pgAddr.host}; ${hint}`);
  }
  const connectBin = connectBinary();
  if (!existsSync(connectBin)) {
    throw new Error(`local stack: ${connectBin} is missing; build it with \`make connect\``);
  }
  return { kafkaBrokers, pgUrl, connectBin, provider: "local" };
}

async function containersStack(): Promise<Stack> {
  const [{ RedpandaContainer }, { PostgreSqlContainer }] = await Promise.all([
    import("@testcontainers/redpanda"),
    import("@testcontainers/postgresql"),
  ]);
  const [redpanda, postgres] = await Promise.all([
    new RedpandaContainer().start(),
    new PostgreSqlContainer(process.env.TEST_PG_IMAGE ?? "timescale/timescaledb:latest-pg15")
      .withDatabase("nb67")
      .withUsername("nb67")
      .withPassword("nb67")
      .start(),
  ]);
  stopContainers = async () => {
    await Promise.all([redpanda.stop(), postgres.stop()]);
  };
  const pgUrl = `${postgres.getConnectionUri()}?sslmode=disable`;
  return {
    kafkaBrokers: [redpanda.getBootstrapServers()],
    pgUrl,
    connectBin: connectBinary(),
    provider: "containers",
  };
}

function tcpOpen(host: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}

/** The URL of the same server with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export interface TestDatabase {
  /** Connection URL of the new database (same server, user and parameters as the stack's). */
  url: string;
  name: string;
  /** Drops the database, closing whatever is still connected to it. */
  drop(): Promise<void>;
}

export interface TestDatabaseOptions {
  /** Run sql/apply.sh against the new database when it exists (TSDB_URL set to the new URL). */
  applySchema?: boolean;
}

/**
 * Creates an isolated, uniquely named database for one test file, e.g.
 *   const db = await createTestDatabase("store");  afterAll(() => db.drop());
 */
export async function createTestDatabase(
  prefix: string,
  options: TestDatabaseOptions = {},
): Promise<TestDatabase> {
  const stack = await getStack();
  const safe = prefix.toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 30) || "t";
  const name = `t_${safe}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  await adminQuery(stack.pgUrl, `CREATE DATABASE "${name}"`);
  const url = withDatabase(stack.pgUrl, name);
  if (options.applySchema) {
    const script = path.join(REPO_ROOT, "sql/apply.sh");
    if (existsSync(script)) {
      const r = spawnSync("bash", [script], {
        cwd: REPO_ROOT,
        env: { ...process.env, TSDB_URL: url },
        encoding: "utf8",
      });
      if (r.status !== 0) {
        await adminQuery(stack.pgUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        throw new Error(`sql/apply.sh failed on ${name}:\n${r.stdout}\n${r.stderr}`);
      }
    }
  }
  let dropped = false;
  return {
    url,
    name,
    async drop() {
      if (dropped) return;
      dropped = true;
      await adminQuery(stack.pgUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

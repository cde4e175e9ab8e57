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
 * - "containers" (TEST_STACK=containers, `npx vitest run --config test/vitest.containers.config.ts`):
 *   Kafka and PostgreSQL in containers (images from TEST_KAFKA_IMAGE / TEST_PG_IMAGE: Redpanda and
 *   TimescaleDB by default, the project's own images here) and Connect from the bundle image. The
 *   containers are started once per run by the config's globalSetup (test/helpers/containers-setup.ts),
 *   which hands every worker KAFKA_BOOTSTRAP_SERVER, TSDB_URL and CONNECT_BIN; this provider only
 *   reads them. testcontainers is loaded only there, never on the local path.
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

/** Endpoints of the stack for this test run (memoised per worker). */
export function getStack(): Promise<Stack> {
  stackPromise ??= process.env.TEST_STACK === "containers" ? containersStack() : localStack();
  return stackPromise;
}

/** Forgets the memoised endpoints. The containers are stopped by the globalSetup's teardown. */
export async function stopStack(): Promise<void> {
  stackPromise = undefined;
}

export function connectBinary(): string {
  return process.env.CONNECT_BIN ?? path.join(REPO_ROOT, ".tools/bin/redpanda-connect");
}

function brokersFromEnv(): string[] {
  return (process.env.KAFKA_BOOTSTRAP_SERVER ?? DEFAULT_KAFKA)
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Fails fast, with the hint, when Kafka or PostgreSQL does not answer. */
async function reachable(kafkaBrokers: string[], pgUrl: string, what: string, hint: string): Promise<void> {
  const pgAddr = new URL(pgUrl);
  const first = kafkaBrokers[0] ?? DEFAULT_KAFKA;
  const sep = first.lastIndexOf(":");
  if (!(await tcpOpen(first.slice(0, sep), Number(first.slice(sep + 1))))) {
    throw new Error(`${what}: Kafka is not reachable at ${first}; ${hint}`);
  }
  if (!(await tcpOpen(pgAddr.hostname, Number(pgAddr.port || 5432)))) {
    throw new Error(`${what}: PostgreSQL is not reachable at ${pgAddr.host}; ${hint}`);
  }
}

async function localStack(): Promise<Stack> {
  const kafkaBrokers = brokersFromEnv();
  const pgUrl = process.env.TSDB_URL ?? DEFAULT_TSDB_URL;
  await reachable(kafkaBrokers, pgUrl, "local stack", "start it with `make stack-up` (tools/stack/stack.sh up)");
  const connectBin = connectBinary();
  if (!existsSync(connectBin)) {
    throw new Error(`local stack: ${connectBin} is missing; build it with \`make connect\``);
  }
  return { kafkaBrokers, pgUrl, connectBin, provider: "local" };
}

async function containersStack(): Promise<Stack> {
  const hint = "run the suite with `TEST_STACK=containers make test-integration` (or --config test/vitest.containers.config.ts), whose globalSetup starts the containers once per run";
  if (!process.env.TSDB_URL || !process.env.KAFKA_BOOTSTRAP_SERVER || !process.env.CONNECT_BIN) {
    throw new Error(`containers stack: no endpoints from the globalSetup; ${hint}`);
  }
  const kafkaBrokers = brokersFromEnv();
  const pgUrl = process.env.TSDB_URL;
  await reachable(kafkaBrokers, pgUrl, "containers stack", hint);
  return { kafkaBrokers, pgUrl, connectBin: connectBinary(), provider: "containers" };
}

/** A TCP port free on 127.0.0.1 right now (for a process the test starts). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
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

/**
 * Support for the ingest/store integration tests: Connect child processes, topic/group isolation,
 * waiting helpers, a private throw-away PostgreSQL server (for the outage test), expected values.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, chownSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { kafkaClient } from "../helpers/kafka.ts";
import { REPO_ROOT, getStack } from "../helpers/stack.ts";
import { loadModule, type WasmModule } from "../helpers/wasm-host.ts";

export const VECTORS = path.join(REPO_ROOT, "test", "fixtures", "legacy");
export const LOG_DIR = path.join(REPO_ROOT, ".reports", "integration");

/** Unique names for one test: topics, groups, archive prefix. */
export function names(tag: string) {
  const id = `${tag}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  return {
    id,
    source: `nb67-in-${id}`,
    parsed: `nb67-parsed-${id}`,
    dead: `nb67-dead-${id}`,
    archivePrefix: `nb67-arch-${id}-`,
    ingestGroup: `nb67-ingest-${id}`,
    storeGroup: `nb67-store-${id}`,
  };
}
export type Names = ReturnType<typeof names>;

export interface ConnectProc {
  proc: ChildProcess;
  name: string;
  exited: Promise<number | null>;
  log: string;
}

/** Starts `redpanda-connect run <pipeline>` from the repo root with the given environment. */
export async function startConnect(pipeline: string, env: Record<string, string>, name: string): Promise<ConnectProc> {
  const stack = await getStack();
  mkdirSync(LOG_DIR, { recursive: true });
  const log = path.join(LOG_DIR, `${name}.log`);
  const out = createWriteStream(log, { flags: "a" });
  const proc = spawn(stack.connectBin, ["run", "--log.level", "warn", "-s", "http.enabled=false", pipeline], {
    cwd: REPO_ROOT,
    env: { ...process.env, KAFKA_BOOTSTRAP_SERVER: stack.kafkaBrokers.join(","), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.pipe(out, { end: false });
  proc.stderr!.pipe(out, { end: false });
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return { proc, name, exited, log };
}

export async function stopConnect(c: ConnectProc | undefined, signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
  if (!c || c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  c.proc.kill(signal);
  const t = setTimeout(() => c.proc.kill("SIGKILL"), 25_000);
  await c.exited;
  clearTimeout(t);
}

/** The settings that make ingest accept what legacy accepted (docs/deviations.md I9). */
export const LEGACY_ACCEPTANCE: Record<string, string> = {
  NB67_VALIDATE: "none",
  NB67_CARRIAGES: "0-255",
  NB67_MAX_CLOCK_SKEW: "0",
  ARCHIVE_AUTO_CREATE: "true",
};

/** Pipeline environment for one test. Archive topics carry a per-test prefix, so nothing can
 *  pre-create them: the broker creates them (ARCHIVE_AUTO_CREATE=true) unless a test says otherwise. */
export function pipelineEnv(n: Names, tsdbUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ARCHIVE_AUTO_CREATE: "true",
    SOURCE_TOPIC_NAME: n.source,
    PARSED_TOPIC_NAME: n.parsed,
    DEAD_LETTER_TOPIC: n.dead,
    ARCHIVE_TOPIC_PREFIX: n.archivePrefix,
    INGEST_GROUP: n.ingestGroup,
    STORE_GROUP: n.storeGroup,
    TSDB_URL: tsdbUrl,
    ...extra,
  };
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 500): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${last}` : ""}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export async function query<T extends pg.QueryResultRow = Record<string, unknown>>(url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql, params)).rows;
  } finally {
    await c.end();
  }
}

export async function rowCount(url: string, table = "macda"): Promise<number> {
  return Number((await query<{ n: string }>(url, `SELECT count(*) AS n FROM ${table}`))[0].n);
}

/** Total lag of a consumer group on a topic (end offsets - committed). */
export async function groupLag(groupId: string, topic: string): Promise<number> {
  const kafka = await kafkaClient();
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    const c = new Map(committed[0]?.partitions.map((p) => [p.partition, Number(p.offset)]) ?? []);
    return ends.reduce((s, p) => s + Number(p.high) - Math.max(0, c.get(p.partition) ?? 0), 0);
  } finally {
    await admin.disconnect();
  }
}

/** Produces many records fast (one producer, chunks). */
export async function produceMany(topic: string, records: Array<{ key?: string; value: Buffer }>, chunk = 2000): Promise<void> {
  const kafka = await kafkaClient();
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (let i = 0; i < records.length; i += chunk) {
      await producer.send({ topic, messages: records.slice(i, i + chunk).map((r) => ({ key: r.key ?? null, value: r.value })) });
    }
  } finally {
    await producer.disconnect();
  }
}

let wasm: WasmModule | undefined;
export interface Decoded {
  ok: boolean;
  error?: string;
  record?: Record<string, number | string>;
  dvcNo?: string;
}
/** What the decoder (dist/nb67.wasm, validation none) makes of a frame. */
export async function decodeFrame(frame: Buffer): Promise<Decoded> {
  wasm ??= await loadModule(path.join(REPO_ROOT, "dist", "nb67.wasm"));
  const r = wasm.call("decode", frame, { nb67_decode: "validate=none" });
  if (r.error || r.meta.nb67_error) return { ok: false, error: r.error ?? r.meta.nb67_error };
  const record = JSON.parse(Buffer.from(r.body).toString("utf8"));
  return { ok: true, record, dvcNo: record.msg_calc_dvc_no };
}

/** Every .bin vector (recursively). */
export function vectorFrames(): Array<{ name: string; frame: Buffer }> {
  const out: Array<{ name: string; frame: Buffer }> = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".bin")) out.push({ name: path.relative(VECTORS, p), frame: readFileSync(p) });
    }
  };
  walk(VECTORS);
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The natural key of a decoded record. */
export function naturalKey(rec: Record<string, number | string>): string {
  return `${rec.msg_calc_dvc_no}|${rec.msg_calc_dvc_time}|${rec.msg_frame_no}`;
}

/** Legacy device time text -> is it a real date 2000..2099 (the store's rule). */
export function validDvcTime(t: string): boolean {
  const m = /^(20\d\d)-(\d{1,2})-(\d{1,2}) (\d{1,2}):(\d{1,2}):(\d{1,2})$/.exec(t);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const dt = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d && dt.getUTCHours() === h && dt.getUTCMinutes() === mi && dt.getUTCSeconds() === s;
}

/**
 * A private PostgreSQL 15 server in a temp dir on its own port (never the shared one), for tests
 * that stop the database. Runs as the `postgres` OS user when we are root.
 */
export class PrivatePostgres {
  readonly dir: string;
  readonly port: number;
  private readonly bin = process.env.PG_BIN ?? "/usr/lib/postgresql/15/bin";
  private readonly asUser: string[];
  constructor(port: number) {
    this.port = port;
    this.dir = mkdtempSync(path.join(tmpdir(), "nb67-pg-"));
    this.asUser = process.getuid?.() === 0 ? ["runuser", "-u", "postgres", "--"] : [];
    if (this.asUser.length) chownSync(this.dir, uid("postgres"), gid("postgres"));
  }
  get url(): string {
    return `postgres://nb67@127.0.0.1:${this.port}/nb67?sslmode=disable`;
  }
  private run(args: string[]): void {
    const [cmd, ...rest] = [...this.asUser, ...args];
    const r = spawnSync(cmd, rest, { encoding: "utf8" });
    if (r.status !== 0) throw new Error(`${args.join(" ")}: ${r.stdout}${r.stderr}`);
  }
  init(): void {
    this.run([`${this.bin}/initdb`, "-D", `${this.dir}/data`, "-U", "nb67", "--auth=trust", "-E", "UTF8", "--no-sync"]);
  }
  start(): void {
    this.run([
      `${this.bin}/pg_ctl`, "-D", `${this.dir}/data`, "-l", `${this.dir}/log`, "-w", "-t", "60",
      "-o", `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`, "start",
    ]);
  }
  stop(): void {
    this.run([`${this.bin}/pg_ctl`, "-D", `${this.dir}/data`, "-m", "fast", "-w", "stop"]);
  }
  async createDb(): Promise<void> {
    await query(this.url.replace("/nb67?", "/postgres?"), "CREATE DATABASE nb67");
  }
  destroy(): void {
    try {
      this.stop();
    } catch {
      /* not running */
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function uid(user: string): number {
  return Number(spawnSync("id", ["-u", user], { encoding: "utf8" }).stdout.trim());
}
function gid(user: string): number {
  return Number(spawnSync("id", ["-g", user], { encoding: "utf8" }).stdout.trim());
}

/** Runs sql/apply.sh against a database URL. */
export function applySchema(url: string, env: Record<string, string> = {}): void {
  const r = spawnSync("bash", [path.join(REPO_ROOT, "sql/apply.sh")], { cwd: REPO_ROOT, env: { ...process.env, TSDB_URL: url, ...env }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`apply.sh: ${r.stdout}${r.stderr}`);
}

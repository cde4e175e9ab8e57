/**
 * Test doubles for the report pipelines (docs/reports.md):
 *
 * - startPlatform(): a REAL HTTP server (node:http) that plays the maintenance platform. It records
 *   every request and can be scripted: answer 500 N times, be down (port closed) for a period.
 *     const p = await startPlatform();  p.url("/gate/METRO-PHM/api/faultRecordsSubsystem/saveRecord")
 *     p.failNext(3);          // the next 3 requests get 500
 *     await p.down();  await p.up();   // close / re-open the same port (connection refused meanwhile)
 *     p.accepted("/path")     // requests answered 2xx, parsed JSON bodies in p.items("/path")
 * - createReportDatabase(): an isolated database on the stack's PostgreSQL with the report schema
 *   (sql/migrations/*report*.sql, sql/repeatable/*report*.sql) and, when asked, minimal legacy-shaped dev_/pro_ macda and predict tables
 *   (docs/legacy.md §4.1 columns that the reports read) for tests that do not depend on the store/predict work.
 * - startConnect(): runs the real Redpanda Connect binary on one pipeline file with env overrides.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";

export const ROOT: string =
  process.env.NB67_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const VECTORS: string = path.resolve(ROOT, "test/fixtures/legacy");

/** The platform endpoints' paths, as the pipelines' default URLs name them (tests serve them locally). */
export const FAULT_PATH = "/gate/METRO-PHM/api/faultRecordsSubsystem/saveRecord";
export const LIFE_PATH = "/gate/METRO-PHM/api/devices/status/train/saveOrUpdate";
export const STATUS_PATH = "/gate/METRO-SELFCHECK-SUBSYSTEM/api/faultRecordsSubsystem/saveStatus";

// ---------------------------------------------------------------------------------------------
// The platform

export interface RecordedRequest {
  seq: number;
  at: number;
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  json: unknown;
  status: number;
}

export interface Platform {
  port: number;
  url(p: string): string;
  requests: RecordedRequest[];
  /** Requests answered with 2xx (optionally for one path). */
  accepted(p?: string): RecordedRequest[];
  /** Items of all accepted JSON-array bodies for a path, in arrival order. */
  items(p?: string): Record<string, unknown>[];
  failNext(n: number, status?: number): void;
  /** Answer a request with the returned status when the callback returns one (content-based rejection). */
  rejectWhen(fn: ((json: unknown) => number | undefined) | undefined): void;
  down(): Promise<void>;
  up(): Promise<void>;
  isUp(): boolean;
  close(): Promise<void>;
  waitFor(pred: () => boolean, timeoutMs: number, what?: string): Promise<void>;
}

export async function startPlatform(port = 0): Promise<Platform> {
  const requests: RecordedRequest[] = [];
  let failures: { left: number; status: number } = { left: 0, status: 500 };
  let reject: ((json: unknown) => number | undefined) | undefined;
  let seq = 0;
  let server: http.Server | undefined;
  const sockets = new Set<import("node:net").Socket>();

  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      let json: unknown = undefined;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      let status = reject?.(json) ?? 200;
      if (failures.left > 0) {
        failures.left -= 1;
        status = failures.status;
      }
      requests.push({
        seq: ++seq,
        at: Date.now(),
        method: req.method ?? "",
        path: (req.url ?? "").split("?")[0] ?? "",
        headers: req.headers,
        body,
        json,
        status,
      });
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(status < 300 ? { code: 200, msg: "ok" } : { code: status, msg: "scripted failure" }));
    });
  };

  const listen = (p: number) =>
    new Promise<number>((resolve, reject) => {
      const s = http.createServer(handler);
      s.on("connection", (sock) => {
        sockets.add(sock);
        sock.on("close", () => sockets.delete(sock));
      });
      s.once("error", reject);
      s.listen(p, "127.0.0.1", () => {
        server = s;
        resolve((s.address() as AddressInfo).port);
      });
    });

  const actualPort = await listen(port);
  const stop = () =>
    new Promise<void>((resolve) => {
      const s = server;
      server = undefined;
      if (!s) return resolve();
      for (const sock of sockets) sock.destroy();
      s.close(() => resolve());
    });

  const platform: Platform = {
    port: actualPort,
    url: (p) => `http://127.0.0.1:${actualPort}${p}`,
    requests,
    accepted: (p) => requests.filter((r) => r.status < 300 && (p === undefined || r.path === p)),
    items: (p) =>
      platform
        .accepted(p)
        .flatMap((r) => (Array.isArray(r.json) ? (r.json as Record<string, unknown>[]) : [])),
    failNext(n, status = 500) {
      failures = { left: n, status };
    },
    rejectWhen(fn) {
      reject = fn;
    },
    down: stop,
    async up() {
      if (server) return;
      // the port may linger briefly after close; retry
      for (let i = 0; ; i++) {
        try {
          await listen(actualPort);
          return;
        } catch (e) {
          if (i > 50) throw e;
          await sleep(100);
        }
      }
    },
    isUp: () => server !== undefined,
    close: stop,
    async waitFor(pred, timeoutMs, what = "condition") {
      const until = Date.now() + timeoutMs;
      while (!pred()) {
        if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        await sleep(100);
      }
    },
  };
  return platform;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

// ---------------------------------------------------------------------------------------------
// Database

export const DEFAULT_TSDB_URL = "postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable";

/** The 78 fault bits in frame order (docs/legacy.md §1.2). */
export const FAULT_BITS: string[] = [
  "bocflt_ef_u11", "bocflt_ef_u12", "bocflt_cf_u11", "bocflt_cf_u12", "bflt_vfd_u11", "bflt_vfd_com_u11",
  "bflt_vfd_u12", "bflt_vfd_com_u12", "blpflt_comp_u11", "bscflt_comp_u11", "bscflt_vent_u11",
  "blpflt_comp_u12", "bscflt_comp_u12", "bscflt_vent_u12", "bflt_fad_u11", "bflt_fad_u12", "bflt_rad_u11",
  "bflt_rad_u12", "bflt_ap_u11", "bflt_expboard_u1", "bflt_frstemp_u1", "bflt_rnttemp_u1",
  "bflt_splytemp_u11", "bflt_splytemp_u12", "bflt_coiltemp_u11", "bflt_coiltemp_u12", "bflt_insptemp_u11",
  "bflt_insptemp_u12", "bflt_lowpres_u11", "bflt_lowpres_u12", "bflt_highpres_u11", "bflt_highpres_u12",
  "bflt_diffpres_u1", "bocflt_ef_u21", "bocflt_ef_u22", "bocflt_cf_u21", "bocflt_cf_u22", "bflt_vfd_u21",
  "bflt_vfd_com_u21", "bflt_vfd_u22", "bflt_vfd_com_u22", "blpflt_comp_u21", "bscflt_comp_u21",
  "bscflt_vent_u21", "blpflt_comp_u22", "bscflt_comp_u22", "bscflt_vent_u22", "bflt_fad_u21", "bflt_fad_u22",
  "bflt_rad_u21", "bflt_rad_u22", "bflt_ap_u21", "bflt_expboard_u2", "bflt_frstemp_u2", "bflt_rnttemp_u2",
  "bflt_splytemp_u21", "bflt_splytemp_u22", "bflt_coiltemp_u21", "bflt_coiltemp_u22", "bflt_insptemp_u21",
  "bflt_insptemp_u22", "bflt_lowpres_u21", "bflt_lowpres_u22", "bflt_highpres_u21", "bflt_highpres_u22",
  "bflt_diffpres_u2", "bflt_emergivt", "bflt_vehtemp_u1", "bflt_vehtemp_u2", "bflt_airmon_u1",
  "bflt_airmon_u2", "bflt_currentmon", "bflt_tcms", "bflt_tempover", "bflt_powersupply_u1",
  "bflt_powersupply_u2", "bflt_exhaustfan", "bflt_exhaustval",
];

/** The 26 prediction flags in legacy column order (docs/legacy.md §4.1). */
export const PREDICT_FLAGS: string[] = [
  "ref_leak_u11", "ref_leak_u12", "ref_leak_u21", "ref_leak_u22", "f_cp_u1", "f_cp_u2", "f_fas", "f_ras",
  "cabin_overtemp", "f_presdiff_u1", "f_presdiff_u2", "f_ef_u11", "f_ef_u12", "f_ef_u21", "f_ef_u22",
  "f_cf_u11", "f_cf_u12", "f_cf_u21", "f_cf_u22", "f_exufan", "f_fas_u11", "f_fas_u12", "f_fas_u21",
  "f_fas_u22", "f_aq_u1", "f_aq_u2",
];

/** The 14 life counters of the part-code table (docs/legacy.md §7.1). */
export const LIFE_COUNTERS: string[] = [
  "dwef_op_tm_u11", "dwcf_op_tm_u11", "dwcp_op_tm_u11", "dwcp_op_tm_u12", "dwfad_op_cnt_u1",
  "dwrad_op_cnt_u1", "dwef_op_tm_u21", "dwcf_op_tm_u21", "dwcp_op_tm_u21", "dwcp_op_tm_u22",
  "dwfad_op_cnt_u2", "dwrad_op_cnt_u2", "dwexufan_op_tm", "dwdmpexu_op_cnt",
];

const EXTRA_MACDA = ["fadpos_u1", "fadpos_u2", "radpos_u1", "radpos_u2", "cur_station", "next_station"];

/** Minimal legacy-shaped tables (docs/legacy.md §4.1; only the columns the reports read). */
export function legacyTablesSql(): string {
  const macdaCols = [...FAULT_BITS, ...EXTRA_MACDA, ...LIFE_COUNTERS]
    .map((c) => `  ${c} double precision`)
    .join(",\n");
  const predCols = PREDICT_FLAGS.map((c) => `  ${c} integer NOT NULL DEFAULT 0`).join(",\n");
  const t = (mode: "dev" | "pro", kind: "macda" | "predict", cols: string) => {
    const timeCol = mode === "dev" ? "msg_calc_parse_time" : "msg_calc_dvc_time";
    const textCol = mode === "dev" ? "msg_calc_dvc_time" : "msg_calc_parse_time";
    return `CREATE TABLE IF NOT EXISTS ${mode}_${kind} (
  ${timeCol} timestamptz NOT NULL,
  ${textCol} text NOT NULL,
  msg_calc_dvc_no text NOT NULL,
  msg_calc_train_no text NOT NULL,
${cols});
CREATE INDEX IF NOT EXISTS ${mode}_${kind}_t ON ${mode}_${kind} (${timeCol});`;
  };
  return [t("dev", "macda", macdaCols), t("pro", "macda", macdaCols), t("dev", "predict", predCols), t("pro", "predict", predCols)].join("\n");
}

/** The report tables (sql/migrations/*report*) then the report functions and seeds (sql/repeatable/*report*). */
export function reportSqlFiles(): string[] {
  return ["sql/migrations", "sql/repeatable"].flatMap((sub) => {
    const dir = path.join(ROOT, sub);
    return readdirSync(dir)
      .filter((f) => /report/.test(f) && f.endsWith(".sql"))
      .sort()
      .map((f) => path.join(dir, f));
  });
}

export interface ReportDb {
  url: string;
  name: string;
  pool: pg.Pool;
  q<T extends pg.QueryResultRow = Record<string, unknown>>(sql: string, args?: unknown[]): Promise<T[]>;
  drop(): Promise<void>;
}

export async function createReportDatabase(prefix: string, opts: { legacyTables?: boolean } = {}): Promise<ReportDb> {
  const base = process.env.TSDB_URL ?? DEFAULT_TSDB_URL;
  const safe = prefix.toLowerCase().replace(/[^a-z0-9_]/g, "_").slice(0, 24);
  const name = `t_${safe}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 7)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(base);
  u.pathname = `/${name}`;
  const url = u.toString();
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // drop() ends the pool, then DROP DATABASE ... WITH (FORCE) may still terminate a backend whose
  // client is closing (57P01). pg-pool re-emits an idle client's error on the pool, where an
  // 'error' without a listener is thrown and fails the run: both get one (teardown only; a test's
  // own queries still reject with their errors).
  pool.on("error", () => {});
  pool.on("connect", (c) => c.on("error", () => {}));
  if (opts.legacyTables !== false) await pool.query(legacyTablesSql());
  for (const f of reportSqlFiles()) await pool.query(readFileSync(f, "utf8"));
  let dropped = false;
  return {
    url,
    name,
    pool,
    async q(sql, args) {
      return (await pool.query(sql, args as unknown[])).rows;
    },
    async drop() {
      if (dropped) return;
      dropped = true;
      await pool.end();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}

/** Inserts one legacy-shaped row; `time` is the time column of the mode, the other is text. */
export async function insertRow(
  db: ReportDb,
  table: "dev_macda" | "pro_macda" | "dev_predict" | "pro_predict",
  dvcNo: string,
  trainNo: string,
  time: Date,
  values: Record<string, number> = {},
): Promise<void> {
  const dev = table.startsWith("dev_");
  const cols = [
    dev ? "msg_calc_parse_time" : "msg_calc_dvc_time",
    dev ? "msg_calc_dvc_time" : "msg_calc_parse_time",
    "msg_calc_dvc_no",
    "msg_calc_train_no",
    ...Object.keys(values),
  ];
  const args: unknown[] = [time.toISOString(), time.toISOString(), dvcNo, trainNo, ...Object.values(values)];
  const ph = args.map((_, i) => `$${i + 1}`).join(", ");
  await db.q(`INSERT INTO ${table} (${cols.join(", ")}) VALUES (${ph})`, args);
}

// ---------------------------------------------------------------------------------------------
// Redpanda Connect

export interface ConnectProc {
  proc: ChildProcess;
  logs: string[];
  stop(): Promise<void>;
}

export function connectBin(): string {
  return process.env.CONNECT_BIN ?? path.join(ROOT, ".tools/bin/redpanda-connect");
}

/** Runs `redpanda-connect run <pipeline>` (HTTP server off) with env overrides. */
export function startConnect(pipeline: string, env: Record<string, string>, logLevel = "info"): ConnectProc {
  const logs: string[] = [];
  const proc = spawn(
    connectBin(),
    ["run", "--log.level", logLevel, "--set", "http.enabled=false", path.join(ROOT, pipeline)],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env }, stdio: ["ignore", "pipe", "pipe"] },
  );
  const push = (b: Buffer) => {
    for (const line of b.toString("utf8").split("\n")) if (line) logs.push(line);
  };
  proc.stdout?.on("data", push);
  proc.stderr?.on("data", push);
  return {
    proc,
    logs,
    stop: () =>
      new Promise<void>((resolve) => {
        if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
        const t = setTimeout(() => proc.kill("SIGKILL"), 15_000);
        proc.once("exit", () => {
          clearTimeout(t);
          resolve();
        });
        proc.kill("SIGTERM");
      }),
  };
}

/**
 * make bench-e2e (bench/e2e.sh): Kafka -> Connect (ingest, store) -> PostgreSQL on the local stack.
 * Not a test. Phases (each with its own topics, consumer groups and a truncated table):
 *   1. ingest alone: signal-in pre-filled with FRAMES frames -> signal-parsed + archive topics, frames/s
 *   2. store alone on that signal-parsed, per method (insert = sql_insert, bulk = sql_raw +
 *      json_populate_record, rowwise = TSDB_BATCH=1, the legacy-like one INSERT per row baseline on
 *      ROWWISE_FRAMES frames), REPEAT runs each, median frames/s; with LEGACY_COPY=1 (the default) each
 *      round also runs a legacy-equivalent store worker (bench/baseline_legacy_store.py: CPython, aiokafka,
 *      simplejson, take(200, within 10 s), pgcopy binary COPY into the legacy 228 x float8 table
 *      legacy_pro_macda, the DDL of bench/storage.sh) on the same signal-parsed records, after the Connect
 *      methods; CPU µs per row of the store process / worker (utime+stime from /proc, start-up included
 *      for both), PostgreSQL and Kafka, and each method's CPU ratio to the worker's in the same round
 *      (the goal: insert <= 0.5x the legacy COPY), medians with the per-round values
 *   3. ingest + store together (sustained Kafka -> rows), per method
 *   4. latency produce -> row visible at 560 and 1,120 frames/s for LAT_SECONDS s (p50/p99), per method
 *   5. memory: one Connect process as `make run` starts it (streams mode, every pipeline but edge)
 *      at the shipped GC settings beside the previous ones (and MEM_EXTRA), REPEAT interleaved rounds:
 *      draining a FRAMES backlog, then a fresh process at the line rate (LINE_RATE, 560 frames/s) for
 *      LINE_SECONDS; resident memory (peak and steady = median of the second half's VmRSS samples)
 *      and the process's CPU (utime+stime) per frame, medians and shipped/previous ratios.
 * Connect resident memory: peak VmRSS of each process. Prints a Markdown report.
 * Env: FRAMES (60000), REPEAT (3), ROWWISE_FRAMES (5000), LAT_SECONDS (30), METHODS (insert,bulk),
 * LEGACY_COPY (1; 0 leaves out the legacy COPY worker; its venv and pinned packages: bench/baseline-legacy-store.sh),
 * WARM_SECONDS (5: traffic at the rate before the latency measurement), LAT_TRACE (1: latency per tenth of the run),
 * ARCHIVE_PRECREATE (1; 0: ingest auto-creates the 120 archive topics during the latency warm-up),
 * PHASES (ingest,store,e2e,latency,memory: a subset runs only those phases; store needs ingest),
 * GOGC / GOMEMLIMIT for the Connect processes of phases 1-4: the shipped defaults (config/settings.yaml),
 * as `make run` starts Connect. Phase 5: PREV_GC ("GOGC=off GOMEMLIMIT=1GiB", the defaults before),
 * MEM_EXTRA (more candidates, `;`-separated, e.g. "GOGC=100 GOMEMLIMIT=120MiB"), LINE_RATE (560),
 * LINE_SECONDS (30), MEM_WORKLOADS (backlog,line), MEM_PIPELINES (a glob of the streams, default every pipeline but
 * edge, as make run), MEM_SPLIT=ingest (two processes: ingest, the rest) or stages (three: ingest, store,
 * the rest; the README's "~150 MB per process" table). MEM_EXTRA may set any variable, e.g. INGEST_BATCH.
 */
import { readdirSync, readFileSync } from "node:fs";
import { spawn, spawnSync } from "node:child_process";
import { createInterface } from "node:readline";
import { createServer } from "node:net";
import { loadSettings } from "../tools/settings/schema.ts";
import pg from "pg";
import { closeKafka, createTopic, deleteTopic, kafkaClient } from "../test/helpers/kafka.ts";
import { createTestDatabase, getStack } from "../test/helpers/stack.ts";
import { FrameSimulator } from "../tools/sim/sim.ts";
import { groupLag, names, pipelineEnv, produceMany, startConnect, stopConnect, type ConnectProc, type Names } from "../test/integration/ingest-support.ts";

const FRAMES = Number(process.env.FRAMES ?? 60000);
const REPEAT = Number(process.env.REPEAT ?? 3);
const ROWWISE = Number(process.env.ROWWISE_FRAMES ?? 5000);
const LAT_SECONDS = Number(process.env.LAT_SECONDS ?? 30);
const WARM_SECONDS = Number(process.env.WARM_SECONDS ?? 5);
// as the broker auto-creates them (tools/kafka/kafka.sh)
const ARCHIVE_PARTITIONS = Number(process.env.ARCHIVE_TOPIC_PARTITIONS ?? 1);
const METHODS = (process.env.METHODS ?? "insert,bulk").split(",");
const LEGACY_COPY = process.env.LEGACY_COPY !== "0";
const LEGACY = "legacy-copy";
const PHASES = new Set((process.env.PHASES ?? "ingest,store,e2e,latency,memory").split(","));
if (PHASES.has("store")) PHASES.add("ingest"); // store reads what ingest wrote
// Run Connect as `make run` does (tools/stack/run.sh): the shipped GOGC/GOMEMLIMIT defaults of
// config/settings.yaml. startConnect passes process.env through, so GOGC=... in the environment
// measures another setting in phases 1-4.
const shippedSetting = (name: string) => loadSettings().find((x) => x.name === name)!.default;
const SHIPPED_GC = { GOGC: shippedSetting("GOGC"), GOMEMLIMIT: shippedSetting("GOMEMLIMIT") };
process.env.GOGC ??= SHIPPED_GC.GOGC;
process.env.GOMEMLIMIT ??= SHIPPED_GC.GOMEMLIMIT;
const gcEnv = (spec: string): Record<string, string> =>
  Object.fromEntries(spec.trim().split(/\s+/).map((kv) => kv.split("=", 2) as [string, string]));
const gcLabel = (e: Record<string, string>) => Object.entries(e).map(([k, v]) => `${k}=${v}`).join(" ");
const LINE_RATE = Number(process.env.LINE_RATE ?? 560);
const LINE_SECONDS = Number(process.env.LINE_SECONDS ?? 30);
const MEM_WORKLOADS = (process.env.MEM_WORKLOADS ?? "backlog,line").split(",");

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (s: string) => process.stderr.write(`bench-e2e: ${s}\n`);

function rssMb(p: ConnectProc): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${p.proc.pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}
class RssWatch {
  peak = new Map<string, number>();
  private t: NodeJS.Timeout;
  constructor(private procs: ConnectProc[]) {
    this.t = setInterval(() => this.sample(), 250);
  }
  sample() {
    for (const p of this.procs) this.peak.set(p.name, Math.max(this.peak.get(p.name) ?? 0, rssMb(p)));
  }
  stop() {
    clearInterval(this.t);
    this.sample();
  }
}

// CPU seconds used so far by a process (all threads), from /proc (clock ticks of 10 ms).
function procCpu(pid: number | undefined, withChildren = false): number {
  if (!pid) return 0;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    // fields after "(comm) ": state=0 ... utime=11 stime=12 cutime=13 cstime=14
    const t = Number(f[11]) + Number(f[12]) + (withChildren ? Number(f[13]) + Number(f[14]) : 0);
    return t / 100;
  } catch {
    return 0;
  }
}
function pidFile(name: string): number | undefined {
  try {
    return Number(readFileSync(`.tools/run/${name}.pid`, "utf8").trim()) || undefined;
  } catch {
    return undefined;
  }
}
// PostgreSQL: the postmaster, its reaped children (cutime) and its live children (backends).
function pgCpu(): number {
  const pm = pidFile("postgres");
  if (!pm) return 0;
  let t = procCpu(pm, true);
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, "utf8");
      if (Number(st.split(") ")[1].split(" ")[1]) === pm) t += procCpu(Number(d));
    } catch {
      /* gone */
    }
  }
  return t;
}
function machineCpu(): number {
  const v = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  return (v.reduce((a, b) => a + b, 0) - v[3] - v[4]) / 100; // minus idle and iowait
}
type CpuSnap = Record<string, number>;
function cpuSnap(procs: Record<string, ConnectProc>): CpuSnap {
  const s: CpuSnap = { kafka: procCpu(pidFile("kafka")), postgres: pgCpu(), machine: machineCpu() };
  for (const [k, p] of Object.entries(procs)) s[k] = procCpu(p.proc.pid);
  const u = process.cpuUsage();
  s.bench = (u.user + u.system) / 1e6;
  return s;
}
// µs of CPU per frame, per component, between two snapshots.
function cpuPerFrame(a: CpuSnap, b: CpuSnap, n: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k of Object.keys(b)) out[k] = ((b[k] - (a[k] ?? 0)) / n) * 1e6;
  return out;
}

// A free loopback port for the streams process's HTTP server (/ready), as make run has one.
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}
// The streams of one Connect process: every pipeline but edge, as tools/stack/run.sh starts them
// (MEM_PIPELINES: a glob to take a subset); MEM_SPLIT=ingest: two processes, ingest and the rest;
// MEM_SPLIT=stages: three, ingest, store and the rest (each with the same GC settings).
function memGroups(): Array<{ name: string; files: string[] }> {
  const glob = process.env.MEM_PIPELINES;
  const files = readdirSync("pipelines")
    .filter((f) => f.endsWith(".yaml") && f !== "edge.yaml")
    .map((f) => `pipelines/${f}`)
    .filter((f) => !glob || new RegExp(`^${glob.replace(/[.]/g, "\\.").replace(/\*/g, "[^/]*")}$`).test(f));
  const split = process.env.MEM_SPLIT ?? "";
  if (split === "ingest")
    return [
      { name: "ingest", files: files.filter((f) => f === "pipelines/ingest.yaml") },
      { name: "the other streams", files: files.filter((f) => f !== "pipelines/ingest.yaml") },
    ];
  if (split === "stages")
    return [
      { name: "ingest", files: files.filter((f) => f === "pipelines/ingest.yaml") },
      { name: "store", files: files.filter((f) => f === "pipelines/store.yaml") },
      { name: "the other streams", files: files.filter((f) => f !== "pipelines/ingest.yaml" && f !== "pipelines/store.yaml") },
    ];
  if (split) throw new Error(`MEM_SPLIT=${split}: ingest or stages`);
  return [{ name: "all streams", files }];
}
// One Connect process as tools/stack/run.sh starts it: streams mode with the root config
// rpk-connect.yaml, with the given GC settings, on a free port; resolves when /ready answers 200.
async function startStreams(files: string[], env: Record<string, string>, name: string): Promise<ConnectProc> {
  const stack = await getStack();
  const port = await freePort();
  const proc = spawn(stack.connectBin, ["streams", "--no-api", "-o", "rpk-connect.yaml", ...files], {
    env: { ...process.env, KAFKA_BOOTSTRAP_SERVER: stack.kafkaBrokers.join(","), LOG_LEVEL: "WARN", CONNECT_HTTP_ADDRESS: `127.0.0.1:${port}`, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let err = "";
  proc.stderr!.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`${name}: Connect exited: ${err}`);
    const ok = await fetch(`http://127.0.0.1:${port}/ready`).then((r) => r.status === 200, () => false);
    if (ok) break;
    if (i > 240) throw new Error(`${name}: not ready after 60 s: ${err}`);
    await sleep(250);
  }
  return { proc, name, exited, log: "" };
}
// VmRSS samples of one process with their times; peak, steady (median of the second half's samples).
class RssSeries {
  samples: Array<[number, number]> = [];
  private t: NodeJS.Timeout;
  constructor(private p: ConnectProc) {
    this.t = setInterval(() => this.samples.push([Date.now(), rssMb(this.p)]), 250);
  }
  stop() {
    clearInterval(this.t);
    this.samples.push([Date.now(), rssMb(this.p)]);
    const v = this.samples.map((x) => x[1]).filter((x) => x > 0);
    return { peak: Math.max(...v), steady: median(v.slice(Math.floor(v.length / 2))) };
  }
}

function frames(count: number, seed: number, startMs: number): Array<{ key: string; value: Buffer }> {
  const sim = new FrameSimulator({ trains: 20, start: startMs, seed });
  return [...sim.frames(count)].map((f) => ({ key: f.dvcNo, value: f.frame }));
}

async function main() {
  const db = await createTestDatabase("bench_e2e", { applySchema: true });
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const rows = async () => Number((await pool.query("SELECT count(*) AS n FROM macda")).rows[0].n);
  const truncate = () => pool.query("TRUNCATE macda; TRUNCATE macda_dead_letter");
  const made: string[] = [];
  const DEVICES = [...new Set(frames(120, 0, Date.now()).map((f) => f.key))];
  const topicsFor = async (tag: string) => {
    const n = names(`bench-${tag}`);
    await createTopic(n.source, 3);
    await createTopic(n.parsed, 3);
    await createTopic(n.dead, 1);
    made.push(n.source, n.parsed, n.dead);
    // The devices' archive topics exist beforehand (as for a running line): ingest otherwise creates
    // each one on the device's first frame, a one-off stall measured in the latency phase.
    // ARCHIVE_PRECREATE=0 leaves them to ingest, so the latency phase's start-up column shows the
    // new-device cost.
    if (process.env.ARCHIVE_PRECREATE !== "0") {
      const admin = (await kafkaClient()).admin();
      await admin.connect();
      await admin.createTopics({ topics: DEVICES.map((d) => ({ topic: n.archivePrefix + d, numPartitions: ARCHIVE_PARTITIONS, replicationFactor: 1 })) });
      await admin.disconnect();
    }
    return n;
  };
  const report: string[] = [];
  const rss: Record<string, number> = {};
  try {
    // ---- 1. ingest alone -----------------------------------------------------------------------
    const needBase = PHASES.has("ingest") || PHASES.has("e2e");
    if (needBase) log(`encoding ${FRAMES} frames`);
    const base = needBase ? frames(FRAMES, 1, Date.now() - 6 * 3600_000) : [];
    let t0 = Date.now();
    let ingestFps = NaN;
    let ingestCpu: Record<string, number> = {};
    const storeRuns: Record<string, number[]> = {};
    const storeCpu: Record<string, Array<Record<string, number>>> = {};
    const legacySelf: Array<{ cpu_us_per_row: number; columns: number; batches: number }> = [];
    const n1 = PHASES.has("ingest") ? await topicsFor("ingest") : undefined;
    if (n1) {
      await produceMany(n1.source, base);
      t0 = Date.now();
      const ing = await startConnect("pipelines/ingest.yaml", pipelineEnv(n1, db.url), `${n1.id}-ingest`);
      const w1 = new RssWatch([ing]);
      const c0 = cpuSnap({ ingest: ing });
      while ((await groupLag(n1.ingestGroup, n1.source).catch(() => FRAMES)) > 0) await sleep(200);
      ingestFps = FRAMES / ((Date.now() - t0) / 1000);
      ingestCpu = cpuPerFrame(c0, cpuSnap({ ingest: ing }), FRAMES);
      w1.stop();
      rss.ingest = w1.peak.get(ing.name)!;
      await stopConnect(ing);
      log(`ingest alone: ${ingestFps.toFixed(0)} frames/s, CPU µs/frame: ingest ${ingestCpu.ingest.toFixed(0)}, kafka ${ingestCpu.kafka.toFixed(0)}`);
    }

    // ---- 2. store alone on the filled signal-parsed -----------------------------------------------
    if (n1 && PHASES.has("store")) {
      const runStore = async (method: string, expected: number, extra: Record<string, string> = {}) => {
        await truncate();
        const group = `${n1.storeGroup}-${method}-${Math.random().toString(36).slice(2, 6)}`;
        const t = Date.now();
        const st = await startConnect("pipelines/store.yaml", pipelineEnv(n1, db.url, { STORE_GROUP: group, STORE_METHOD: method === "rowwise" ? "insert" : method, ...extra }), `${n1.id}-store-${method}`);
        const w = new RssWatch([st]);
        const c0 = cpuSnap({ store: st });
        while ((await rows()) < expected) await sleep(100);
        const fps = expected / ((Date.now() - t) / 1000);
        (storeCpu[method] ??= []).push(cpuPerFrame(c0, cpuSnap({ store: st }), expected));
        w.stop();
        rss[`store-${method}`] = Math.max(rss[`store-${method}`] ?? 0, w.peak.get(st.name)!);
        await stopConnect(st);
        return fps;
      };
      // The legacy-equivalent store worker (bench/baseline_legacy_store.py) on the same topic, its own
      // consumer group from the earliest offset, into legacy_pro_macda (bench/storage.sh's DDL: the
      // legacy pro_macda = 4 key columns + 228 double precision, and the time index TimescaleDB adds).
      // CPU from /proc like runStore's: snapshot at spawn (start-up counted), end when the worker has
      // stored every row (its JSON line; it then waits for stdin to close, so /proc still has it).
      let legacyPy = "";
      if (LEGACY_COPY) {
        const setup = spawnSync("bash", ["bench/baseline-legacy-store.sh"], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
        if (setup.status !== 0) throw new Error(`bench/baseline-legacy-store.sh failed (exit ${setup.status})`);
        legacyPy = setup.stdout.trim().split("\n").pop()!;
        const cols = (
          await pool.query(
            "SELECT string_agg(quote_ident(attname) || ' double precision NULL', ', ' ORDER BY attnum) AS c FROM pg_attribute WHERE attrelid = 'pro_macda'::regclass AND attnum > 4",
          )
        ).rows[0].c;
        await pool.query(`CREATE TABLE legacy_pro_macda (msg_calc_dvc_time timestamptz NOT NULL, msg_calc_parse_time text NOT NULL,
          msg_calc_dvc_no text NOT NULL, msg_calc_train_no text NOT NULL, ${cols});
          CREATE INDEX legacy_pro_macda_time ON legacy_pro_macda (msg_calc_dvc_time DESC)`);
      }
      const runLegacy = async (expected: number, verify: boolean) => {
        await pool.query("TRUNCATE legacy_pro_macda");
        const stack = await getStack();
        const group = `${n1.storeGroup}-${LEGACY}-${Math.random().toString(36).slice(2, 6)}`;
        const t = Date.now();
        const proc = spawn(
          legacyPy,
          ["bench/baseline_legacy_store.py", "--rows", String(expected), "--topic", n1.parsed, "--group", group, "--brokers", stack.kafkaBrokers.join(","), "--dsn", db.url, "--hold"],
          { stdio: ["pipe", "pipe", "pipe"] },
        );
        const exited = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
        const worker: ConnectProc = { proc, name: `${n1.id}-store-${LEGACY}`, exited, log: "" };
        let err = "";
        proc.stderr!.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
        const c0 = cpuSnap({ store: worker });
        const w = new RssWatch([worker]);
        const line = await new Promise<string>((resolve, reject) => {
          createInterface({ input: proc.stdout! }).once("line", resolve);
          void exited.then((code) => reject(new Error(`legacy store worker exited (${code}) before storing ${expected} rows: ${err}`)));
        });
        const c1 = cpuSnap({ store: worker });
        const fps = expected / ((Date.now() - t) / 1000);
        w.stop();
        rss[`store-${LEGACY} (Python worker)`] = Math.max(rss[`store-${LEGACY} (Python worker)`] ?? 0, w.peak.get(worker.name)!);
        proc.stdin!.end();
        const code = await exited;
        if (code !== 0) throw new Error(`legacy store worker exit ${code}: ${err}`);
        const stored = Number((await pool.query("SELECT count(*) AS n FROM legacy_pro_macda")).rows[0].n);
        if (stored !== expected) throw new Error(`legacy store worker: ${stored} rows in legacy_pro_macda, expected ${expected}`);
        if (verify) {
          // the worker did the real work: its rows are the legacy view of what Connect stored (macda
          // still holds the round's last Connect method's rows), except the four columns legacy left NULL
          const cols = (
            await pool.query(
              "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) AS c FROM pg_attribute WHERE attrelid = 'legacy_pro_macda'::regclass AND attnum > 0 AND attname NOT IN ('msg_header_code01', 'msg_header_code02', 'msg_carriage_no', 'msg_protocal_version')",
            )
          ).rows[0].c;
          const diff = Number(
            (await pool.query(`SELECT count(*) AS n FROM (SELECT ${cols} FROM legacy_pro_macda EXCEPT SELECT ${cols} FROM pro_macda) d`)).rows[0].n,
          );
          if (diff !== 0) throw new Error(`legacy store worker: ${diff} of its rows differ from pro_macda (the legacy view of what Connect stored)`);
          log(`legacy store worker: its ${stored} rows equal pro_macda's (the legacy view of Connect's rows)`);
        }
        const self = JSON.parse(line) as { cpu_us_per_row: number; columns: number; batches: number };
        (storeCpu[LEGACY] ??= []).push(cpuPerFrame(c0, c1, expected));
        legacySelf.push(self);
        return fps;
      };
      for (let r = 0; r < REPEAT; r++) {
        for (const m of METHODS) {
          const fps = await runStore(m, FRAMES);
          (storeRuns[m] ??= []).push(fps);
          log(`store ${m} run ${r + 1}: ${fps.toFixed(0)} frames/s, CPU µs/row: Connect ${storeCpu[m][r].store.toFixed(0)}, PostgreSQL ${storeCpu[m][r].postgres.toFixed(0)}`);
        }
        if (LEGACY_COPY) {
          const fps = await runLegacy(FRAMES, r === 0 && METHODS.length > 0);
          (storeRuns[LEGACY] ??= []).push(fps);
          const c = storeCpu[LEGACY][r];
          log(
            `store ${LEGACY} run ${r + 1}: ${fps.toFixed(0)} rows/s, CPU µs/row: worker ${c.store.toFixed(0)} (its own process_time: ${legacySelf[r].cpu_us_per_row}), PostgreSQL ${c.postgres.toFixed(0)}; ${legacySelf[r].columns} columns, ${legacySelf[r].batches} batches`,
          );
        }
      }
      // legacy-like baseline: one INSERT per row (the peer's sql_raw per message / TSDB_BATCH=1)
      {
        const n1b = await topicsFor("rowwise");
        const sub = base.slice(0, ROWWISE);
        // parsed records for the baseline: reuse ingest on a small topic
        await produceMany(n1b.source, sub);
        const ing2 = await startConnect("pipelines/ingest.yaml", pipelineEnv(n1b, db.url), `${n1b.id}-ingest`);
        while ((await groupLag(n1b.ingestGroup, n1b.source).catch(() => ROWWISE)) > 0) await sleep(200);
        await stopConnect(ing2);
        await truncate();
        const t = Date.now();
        const st = await startConnect("pipelines/store.yaml", pipelineEnv(n1b, db.url, { TSDB_BATCH: "1", STORE_MAX_IN_FLIGHT: "1" }), `${n1b.id}-store-rowwise`);
        while ((await rows()) < ROWWISE) await sleep(100);
        storeRuns.rowwise = [ROWWISE / ((Date.now() - t) / 1000)];
        await stopConnect(st);
        log(`store rowwise: ${storeRuns.rowwise[0].toFixed(0)} frames/s`);
      }
    }

    // ---- 3. ingest + store together (sustained Kafka -> rows) -------------------------------------
    const e2eFps: Record<string, number> = {};
    const e2eCpu: Record<string, Record<string, number>> = {};
    for (const m of PHASES.has("e2e") ? METHODS : []) {
      await truncate();
      const n3 = await topicsFor(`e2e-${m}`);
      await produceMany(n3.source, base);
      t0 = Date.now();
      const env = pipelineEnv(n3, db.url, { STORE_METHOD: m });
      const a = await startConnect("pipelines/ingest.yaml", env, `${n3.id}-ingest`);
      const b = await startConnect("pipelines/store.yaml", env, `${n3.id}-store`);
      const c0 = cpuSnap({ ingest: a, store: b });
      const w = new RssWatch([a, b]);
      while ((await rows()) < FRAMES) await sleep(100);
      e2eFps[m] = FRAMES / ((Date.now() - t0) / 1000);
      e2eCpu[m] = cpuPerFrame(c0, cpuSnap({ ingest: a, store: b }), FRAMES);
      w.stop();
      rss[`e2e-${m} ingest`] = w.peak.get(a.name)!;
      rss[`e2e-${m} store`] = w.peak.get(b.name)!;
      await stopConnect(a);
      await stopConnect(b);
      log(`ingest+store ${m}: ${e2eFps[m].toFixed(0)} frames/s`);
    }

    // ---- 4. latency at the line's load and twice it -----------------------------------------------
    const lat: Array<{ method: string; rate: number; p50: number; p99: number; max: number; n: number; warm: number }> = [];
    for (const m of PHASES.has("latency") ? METHODS : []) {
      for (const rate of [560, 1120]) {
        await truncate();
        const n4 = await topicsFor(`lat-${m}-${rate}`);
        const env = pipelineEnv(n4, db.url, { STORE_METHOD: m });
        const a = await startConnect("pipelines/ingest.yaml", env, `${n4.id}-ingest`);
        const b = await startConnect("pipelines/store.yaml", env, `${n4.id}-store`);
        const kafka = await kafkaClient();
        const producer = kafka.producer();
        await producer.connect();
        // Warm-up: one frame per device, so both consumer groups have joined and every device's
        // archive topic exists (ingest creates it on a device's first frame; measured separately as
        // the first-frame cost). Then the table is emptied and the measured run starts.
        // Paced producer: `chunk` frames every 50 ms; onSent(ts, n) after each send.
        const paced = async (list: Array<{ key: string; value: Buffer }>, onSent: (ts: number, n: number) => void) => {
          const tick = 50;
          const per = (rate * tick) / 1000;
          const start = Date.now();
          for (let i = 0; i < list.length; i += per) {
            const due = start + (i / per) * tick;
            const w = due - Date.now();
            if (w > 0) await sleep(w);
            const chunk = list.slice(i, i + per);
            const ts = Date.now();
            await producer.send({ topic: n4.source, messages: chunk.map((f) => ({ key: f.key, value: f.value })) });
            onSent(ts, chunk.length);
          }
        };
        const drained = async (expected: number) => {
          // rows visible is not enough: the archive writes (topic auto-creation) may still be
          // retrying; ingest commits a frame's offset only when every output acknowledged it.
          while ((await rows()) < expected || (await groupLag(n4.ingestGroup, n4.source).catch(() => 1)) > 0) await sleep(50);
        };
        // Warm-up 1: one frame per device, until both consumer groups have joined and every output
        // acknowledged (reported as the start-up time). Warm-up 2: WARM_SECONDS at the rate, so the
        // measurement sees a running system, not its first seconds. Then the table is emptied and
        // the measured run starts.
        const warm = frames(120, rate + 1, Date.now() - 7200_000);
        const tw = Date.now();
        await producer.send({ topic: n4.source, messages: warm });
        await drained(warm.length);
        const firstFrameMs = Date.now() - tw;
        const warm2 = frames(rate * WARM_SECONDS, rate + 2, Date.now() - 3600_000);
        await paced(warm2, () => {});
        await drained(warm.length + warm2.length);
        log(`warm-up ${m} @${rate}/s: first 120 frames visible after ${firstFrameMs} ms, then ${WARM_SECONDS} s at the rate`);
        await truncate();
        const total = rate * LAT_SECONDS;
        const sim = new FrameSimulator({ trains: 20, start: Date.now(), seed: rate, rateHz: rate / 120 });
        const all = [...sim.frames(total)].map((f) => ({ key: f.dvcNo, value: f.frame }));
        const sentAt: number[] = [];
        const seen: Array<[number, number]> = [];
        let polling = true;
        const poller = (async () => {
          while (polling) {
            const c = await rows();
            seen.push([Date.now(), c]);
            await sleep(20);
          }
        })();
        await paced(all, (ts, n) => {
          for (let k = 0; k < n; k++) sentAt.push(ts);
        });
        await producer.disconnect();
        const deadline = Date.now() + 60_000;
        while ((await rows()) < total && Date.now() < deadline) await sleep(50);
        await sleep(100);
        polling = false;
        await poller;
        // k-th row visible vs k-th frame produced
        const lats: number[] = [];
        let j = 0;
        for (let k = 0; k < sentAt.length; k++) {
          while (j < seen.length && seen[j][1] < k + 1) j++;
          if (j >= seen.length) break;
          lats.push(seen[j][0] - sentAt[k]);
        }
        if (process.env.LAT_TRACE) {
          // latency over the run: p50/max per tenth of the frames (to tell a start-up lag from a backlog)
          const tenth = Math.max(1, Math.floor(lats.length / 10));
          const parts: string[] = [];
          for (let q = 0; q < lats.length; q += tenth) {
            const part = lats.slice(q, q + tenth);
            parts.push(`${pct(part, 50)}/${Math.max(...part)}`);
          }
          log(`latency ${m} @${rate}/s by tenth (p50/max ms): ${parts.join(" ")}`);
        }
        rss[`lat-${m}-${rate} ingest`] = rssMb(a);
        rss[`lat-${m}-${rate} store`] = rssMb(b);
        await stopConnect(a);
        await stopConnect(b);
        lat.push({ method: m, rate, p50: pct(lats, 50), p99: pct(lats, 99), max: Math.max(...lats), n: lats.length, warm: firstFrameMs });
        log(`latency ${m} @${rate}/s: p50 ${pct(lats, 50)} ms, p99 ${pct(lats, 99)} ms (${lats.length}/${total})`);
      }
    }

    // ---- 5. memory: the make run process at the shipped vs the previous GC settings -----------------
    type MemRun = { peak: number; steady: number; cpu: number; fps: number };
    const memConfigs: Array<{ label: string; env: Record<string, string> }> = [
      { label: "previous", env: gcEnv(process.env.PREV_GC ?? "GOGC=off GOMEMLIMIT=1GiB") },
      { label: "shipped", env: { ...SHIPPED_GC } },
      ...(process.env.MEM_EXTRA ?? "").split(";").filter((x) => x.trim()).map((x) => ({ label: "candidate", env: gcEnv(x) })),
    ];
    const groups = memGroups();
    // key: "<label>: <GC settings>" -> process group -> workload -> runs (in round order)
    const memRuns: Record<string, Record<string, { backlog: MemRun[]; line: MemRun[] }>> = {};
    if (PHASES.has("memory")) {
      const backlogFrames = base.length ? base : frames(FRAMES, 1, Date.now() - 6 * 3600_000);
      const hasStore = groups.some((g) => g.files.includes("pipelines/store.yaml"));
      // every frame stored (when store runs) and ingest's offsets committed to the end
      const done = async (n: Names, expected: number) =>
        (!hasStore || (await rows()) >= expected) && (await groupLag(n.ingestGroup, n.source).catch(() => 1)) === 0;
      const startAll = async (n: Names, cfg: (typeof memConfigs)[number]) => {
        const ps: ConnectProc[] = [];
        for (const g of groups) ps.push(await startStreams(g.files, { ...pipelineEnv(n, db.url), ...cfg.env }, `mem-${cfg.label}-${g.name}`));
        return ps;
      };
      const measure = async (ps: ConnectProc[], n: number, work: () => Promise<void>) => {
        const ws = ps.map((p) => new RssSeries(p));
        const c0 = ps.map((p) => procCpu(p.proc.pid));
        const t = Date.now();
        await work();
        const secs = (Date.now() - t) / 1000;
        const out: Record<string, MemRun> = {};
        ps.forEach((p, i) => (out[groups[i].name] = { ...ws[i].stop(), cpu: ((procCpu(p.proc.pid) - c0[i]) / n) * 1e6, fps: n / secs }));
        for (const p of ps) await stopConnect(p);
        return out;
      };
      const backlog = async (cfg: (typeof memConfigs)[number], r: number) => {
        await truncate();
        const n = await topicsFor(`mem-b-${r}`);
        await produceMany(n.source, backlogFrames);
        // counted from each process's start: its start-up and module compiles are part of the drain
        const out = await measure(await startAll(n, cfg), FRAMES, async () => {
          while (!(await done(n, FRAMES))) await sleep(200);
        });
        for (const tp of [n.source, n.parsed, n.dead]) await deleteTopic(tp).catch(() => {});
        return out;
      };
      const line = async (cfg: (typeof memConfigs)[number], r: number) => {
        await truncate();
        const n = await topicsFor(`mem-l-${r}`);
        const ps = await startAll(n, cfg);
        const kafka = await kafkaClient();
        const producer = kafka.producer();
        await producer.connect();
        // `chunk` frames every 50 ms, as the line sends them
        const paced = async (list: Array<{ key: string; value: Buffer }>) => {
          const per = (LINE_RATE * 50) / 1000;
          const start = Date.now();
          for (let i = 0; i < list.length; i += per) {
            const wait = start + (i / per) * 50 - Date.now();
            if (wait > 0) await sleep(wait);
            await producer.send({ topic: n.source, messages: list.slice(i, i + per) });
          }
        };
        const warmed = LINE_RATE * WARM_SECONDS;
        await paced(frames(warmed, 7 + r, Date.now() - 3600_000));
        while (!(await done(n, warmed))) await sleep(100);
        const total = LINE_RATE * LINE_SECONDS;
        const sim = new FrameSimulator({ trains: 20, start: Date.now(), seed: 11 + r, rateHz: LINE_RATE / 120 });
        const list = [...sim.frames(total)].map((f) => ({ key: f.dvcNo, value: f.frame }));
        const out = await measure(ps, total, async () => {
          await paced(list);
          const deadline = Date.now() + 60_000;
          while (!(await done(n, warmed + total)) && Date.now() < deadline) await sleep(100);
        });
        await producer.disconnect();
        for (const tp of [n.source, n.parsed, n.dead]) await deleteTopic(tp).catch(() => {});
        return out;
      };
      const logRun = (k: string, wl: string, r: number, out: Record<string, MemRun>) => {
        for (const [g, x] of Object.entries(out)) {
          ((memRuns[k] ??= {})[g] ??= { backlog: [], line: [] })[wl as "backlog" | "line"].push(x);
          log(`memory ${k} [${g}] ${wl} run ${r + 1}: peak ${x.peak.toFixed(0)} MiB, steady ${x.steady.toFixed(0)} MiB, ${x.cpu.toFixed(0)} µs CPU/frame, ${x.fps.toFixed(0)} frames/s`);
        }
      };
      for (let r = 0; r < REPEAT; r++) {
        // rotated order, so no setting always runs first or after the same neighbour
        const order = memConfigs.map((_, i) => memConfigs[(i + r) % memConfigs.length]);
        for (const cfg of MEM_WORKLOADS.includes("backlog") ? order : []) logRun(`${cfg.label}: ${gcLabel(cfg.env)}`, "backlog", r, await backlog(cfg, r));
        for (const cfg of MEM_WORKLOADS.includes("line") ? order : []) logRun(`${cfg.label}: ${gcLabel(cfg.env)}`, "line", r, await line(cfg, r));
      }
    }

    // ---- report ------------------------------------------------------------------------------------
    const base1 = storeRuns.rowwise ? median(storeRuns.rowwise) : NaN;
    report.push(`## bench-e2e (${new Date().toISOString()}, FRAMES=${FRAMES}, REPEAT=${REPEAT})`, "");
    report.push("| phase | frames/s (median) | runs | vs legacy-like per-row INSERT |", "|---|---|---|---|");
    if (n1) report.push(`| ingest alone (signal-in -> parsed + archive; CPU µs/frame: Connect ${ingestCpu.ingest.toFixed(0)}, Kafka ${ingestCpu.kafka.toFixed(0)}) | ${ingestFps.toFixed(0)} | 1 | |`);
    for (const m of PHASES.has("store") ? [...METHODS, ...(storeRuns[LEGACY] ? [LEGACY] : []), "rowwise"] : []) {
      const what = m === "rowwise" ? "rowwise (TSDB_BATCH=1, baseline)" : m === LEGACY ? "legacy-equivalent COPY worker (Python, rows/s)" : `STORE_METHOD=${m}`;
      report.push(`| store alone, ${what} | ${median(storeRuns[m]).toFixed(0)} | ${storeRuns[m].map((x) => x.toFixed(0)).join(", ")} | ${(median(storeRuns[m]) / base1).toFixed(1)}x |`);
    }
    for (const m of Object.keys(e2eFps)) report.push(`| ingest + store together, ${m} (sustained Kafka -> rows) | ${e2eFps[m].toFixed(0)} | 1 | ${(e2eFps[m] / base1).toFixed(1)}x |`);
    if (Object.keys(storeCpu).length) {
      const cols = ["store", "postgres", "kafka", "machine"];
      report.push("", `| CPU µs per frame, store alone (median of runs) | ${cols.join(" | ")} |`, `|---|${cols.map(() => "---|").join("")}`);
      for (const [m, runs] of Object.entries(storeCpu)) report.push(`| ${m === LEGACY ? `${m} (store = the Python worker)` : m} | ${cols.map((k) => median(runs.map((r) => r[k])).toFixed(0)).join(" | ")} |`);
    }
    if (storeCpu[LEGACY]) {
      // Per round: each Connect method against the legacy worker of the same round.
      const leg = storeCpu[LEGACY];
      const fmt = (xs: number[], d = 0) => `${median(xs).toFixed(d)} (${xs.map((x) => x.toFixed(d)).join(", ")})`;
      const ratios = (runs: Array<Record<string, number>>, f: (c: Record<string, number>) => number) => runs.map((c, i) => f(c) / f(leg[i]));
      report.push(
        "",
        `### Store CPU per row vs the legacy COPY worker (same run, same ${FRAMES} signal-parsed records; medians of ${REPEAT} interleaved rounds, per-round values in brackets)`,
        "",
        "| store | Connect (or worker) µs/row | PostgreSQL µs/row | Kafka µs/row | rows/s | vs legacy COPY (worker CPU ratio) | vs legacy COPY (worker + PostgreSQL) |",
        "|---|---|---|---|---|---|---|",
      );
      for (const m of [...METHODS.filter((x) => storeCpu[x]), LEGACY]) {
        const runs = storeCpu[m];
        const name = m === LEGACY ? "legacy-equivalent COPY worker (CPython: aiokafka, simplejson, pgcopy binary COPY, 200-row batches)" : `Connect STORE_METHOD=${m}`;
        report.push(
          `| ${name} | ${fmt(runs.map((c) => c.store))} | ${fmt(runs.map((c) => c.postgres))} | ${fmt(runs.map((c) => c.kafka))} | ${median(storeRuns[m]).toFixed(0)} | ${fmt(ratios(runs, (c) => c.store), 2)} | ${fmt(ratios(runs, (c) => c.store + c.postgres), 2)} |`,
        );
      }
      const goal = storeCpu.insert ? median(ratios(storeCpu.insert, (c) => c.store)) : NaN;
      report.push(
        "",
        `Goal (the default sql_insert <= 0.5x the legacy COPY's CPU per row): ${Number.isNaN(goal) ? "insert not run" : `${goal.toFixed(2)}x, ${goal <= 0.5 ? "met" : "not met"}`}.`,
        `CPU = utime+stime from /proc of the Connect store process / the worker's Python process, from its spawn (start-up, imports and group join included for both) until every row is stored; PostgreSQL = the postmaster and all its backends, Kafka = the broker, over the same interval. The worker's own time.process_time: ${legacySelf.map((x) => x.cpu_us_per_row.toFixed(0)).join(", ")} µs/row (${legacySelf[0]?.columns} columns, ${legacySelf[0]?.batches} batches per run).`,
        "Caveats: the worker is lighter than the legacy Faust agent (no Faust app/agent/stream machinery, one CopyManager per column list instead of per batch), so the ratios are conservative (they favour the legacy side). The Connect runs' PostgreSQL figures include the bench's count(*) on macda every 100 ms (the worker reports its own end, no polling). legacy_pro_macda is a plain table with the time index, not a TimescaleDB hypertable.",
      );
    }
    if (Object.keys(e2eCpu).length) {
      const cols = ["ingest", "store", "kafka", "postgres", "bench", "machine"];
      report.push("", `| CPU µs per frame, ingest + store together | ${cols.join(" | ")} | cores for 20,000 frames/s |`, `|---|${cols.map(() => "---|").join("")}---|`);
      for (const [m, c] of Object.entries(e2eCpu)) {
        report.push(`| ${m} | ${cols.map((k) => c[k].toFixed(0)).join(" | ")} | ${((c.machine - c.bench) * 20000 / 1e6).toFixed(1)} |`);
      }
      report.push("", "(machine = all CPU of the host during the phase; the last column leaves out the bench process itself.)");
    }
    report.push("", "| latency produce -> row visible (after warm-up) | rate | p50 ms | p99 ms | max ms | frames | start-up: first 120 frames visible after ms |", "|---|---|---|---|---|---|---|");
    for (const l of lat) report.push(`| ${l.method} | ${l.rate}/s | ${l.p50} | ${l.p99} | ${l.max} | ${l.n} | ${l.warm} |`);
    report.push("", "| Connect process | peak RSS MiB |", "|---|---|");
    for (const [k, v] of Object.entries(rss)) report.push(`| ${k} | ${v.toFixed(0)} |`);

    if (Object.keys(memRuns).length) {
      const prevKey = `previous: ${gcLabel(memConfigs[0].env)}`;
      report.push(
        "",
        `### Connect memory and CPU per process, as make run starts it (streams mode; ${groups.map((g) => `${g.name}: ${g.files.map((f) => f.replace(/^pipelines\//, "")).join(" ")}`).join("; ")}), medians of ${REPEAT} interleaved runs`,
        "",
        `| GC settings | process | workload | peak RSS MiB | steady RSS MiB | Connect CPU µs/frame | frames/s | CPU vs previous (each run) |`,
        "|---|---|---|---|---|---|---|---|",
      );
      for (const wl of ["backlog", "line"] as const) {
        for (const g of groups) {
          for (const cfg of memConfigs) {
            const k = `${cfg.label}: ${gcLabel(cfg.env)}`;
            const rs = memRuns[k]?.[g.name]?.[wl] ?? [];
            if (!rs.length) continue;
            const prev = memRuns[prevKey]?.[g.name]?.[wl] ?? [];
            const ratios = rs.map((x, i) => x.cpu / (prev[i]?.cpu ?? NaN));
            const what = wl === "backlog" ? `draining a ${FRAMES}-frame backlog` : `${LINE_RATE} frames/s for ${LINE_SECONDS} s`;
            report.push(
              `| ${k} | ${g.name} | ${what} | ${median(rs.map((x) => x.peak)).toFixed(0)} | ${median(rs.map((x) => x.steady)).toFixed(0)} | ${median(rs.map((x) => x.cpu)).toFixed(1)} | ${median(rs.map((x) => x.fps)).toFixed(0)} | ${median(ratios).toFixed(2)}x (${ratios.map((x) => x.toFixed(2)).join(", ")}) |`,
            );
          }
        }
      }
      report.push("", "(steady = median VmRSS of the second half of the workload; MiB = 1,048,576 bytes; CPU = utime+stime of the Connect process; backlog CPU and frames/s include the process's start.)");
    }
    process.stdout.write(report.join("\n") + "\n");
  } finally {
    await pool.end();
    for (const t of made) await deleteTopic(t).catch(() => {});
    const k = await kafkaClient();
    const admin = k.admin();
    await admin.connect();
    const arch = (await admin.listTopics()).filter((t) => t.startsWith("nb67-arch-bench-"));
    if (arch.length) await admin.deleteTopics({ topics: arch }).catch(() => {});
    await admin.disconnect();
    await closeKafka();
    await db.drop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

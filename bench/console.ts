// make bench-console: the console service on a fleet-sized database (not a test).
// Loads BENCH_DEVICES devices (240) with BENCH_HOURLY_DAYS (365) of 1-hour rollups,
// BENCH_MINUTE_DAYS (30) of 1-minute rollups, BENCH_RAW_HOURS (48) of raw 1 Hz rows (copies of the
// real frame through the store's own function and INSERT ... SELECT) and BENCH_EPISODES_PER_DEVICE
// (50) episodes, into a scratch database; starts the console as its own process; then reports
// p50/p95 of fleet, train, unit, episodes and trend 1 h / 1 d / 30 d / 1 y (BENCH_RUNS each),
// the live latency from a record produced to signal-parsed to the WebSocket message, and the
// console's CPU with BENCH_CLIENTS (50) connected clients while BENCH_RATE (240) records/s flow,
// BENCH_CPU_RUNS (3) windows of BENCH_LIVE_SECONDS (30) each, medians. BENCH_BASELINE_ROOT=<dir>
// (a checkout of an earlier commit with node_modules linked) runs that tree's console beside this
// one on the same records at the same time, with its own clients, for a ratio from the same run.
// BENCH_RUNS=0 skips the endpoint timings (live/CPU only).
// Goals (issue): fleet p95 <= 50 ms, trends p95 <= 300 ms, live <= 2 s, 50 clients < 10 % of a core.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import WebSocket from "ws";
import { Kafka, logLevel } from "kafkajs";
import { createTestDatabase, getStack, REPO_ROOT } from "../test/helpers/stack.ts";
import { record, Session, store } from "../test/integration/console-support.ts";
import { addUser } from "../console/server/users/store.ts";

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const DEVICES = env("BENCH_DEVICES", 240);
const HOURLY_DAYS = env("BENCH_HOURLY_DAYS", 365);
const MINUTE_DAYS = env("BENCH_MINUTE_DAYS", 30);
const RAW_HOURS = env("BENCH_RAW_HOURS", 48);
const EPISODES = env("BENCH_EPISODES_PER_DEVICE", 50);
const RUNS = env("BENCH_RUNS", 30);
const CLIENTS = env("BENCH_CLIENTS", 50);
const RATE = env("BENCH_RATE", 240);
const PORT = env("BENCH_PORT", 18099);
const CPU_RUNS = env("BENCH_CPU_RUNS", 3);
const LOAD_JOBS = env("BENCH_LOAD_JOBS", 2);
const BASELINE_ROOT = process.env.BENCH_BASELINE_ROOT ?? "";
const log = (s: string) => process.stdout.write(s + "\n");

function devices(): string[] {
  const out: string[] = [];
  for (let t = 1; out.length < DEVICES; t++) for (let c = 1; c <= 6 && out.length < DEVICES; c++) out.push(`07${String(t).padStart(3, "0")}${String(c).padStart(2, "0")}`);
  return out;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

async function load(pool: pg.Pool, devs: string[]): Promise<void> {
  const t0 = Date.now();
  const now = Math.floor(Date.now() / 1000);
  // one real row per device through the store's function, then raw rows by INSERT ... SELECT copies
  await store(pool, devs.map((d) => record(d, new Date((now - RAW_HOURS * 3600) * 1000), { frameNo: 0 })));
  const { rows: cols } = await pool.query("SELECT attname FROM pg_attribute WHERE attrelid = 'macda'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum");
  const expr = (c: string) => (c === "dvc_time" || c === "parse_time" ? `m.${c} + g * interval '1 second'` : c === "msg_frame_no" ? "g % 65536" : c === "fas_u1" ? "(200 + (g % 100))::smallint" : `m."${c}"`);
  const rawSecs = RAW_HOURS * 3600;
  // Bulk load: server-side INSERT ... SELECT of hour slices on LOAD_JOBS connections at once, the
  // console's device_latest trigger disabled meanwhile (its transition table would hold every row
  // of an hour slice); the newest second goes in with the trigger on, so device_latest is the
  // trigger's own result.
  const insertSql = `INSERT INTO macda SELECT ${cols.map((r) => expr(r.attname)).join(", ")} FROM macda m, generate_series($1::int, $2::int) g WHERE m.dvc_time = to_timestamp($3)`;
  const tr0 = Date.now();
  await pool.query("ALTER TABLE macda DISABLE TRIGGER console_latest");
  let next = 0;
  let done = 0;
  const job = async () => {
    for (let h = next++; h < RAW_HOURS; h = next++) {
      await pool.query(insertSql, [h * 3600 + 1, Math.min(rawSecs - 2, (h + 1) * 3600), now - rawSecs]);
      if (++done % 6 === 0) log(`  raw: ${done}/${RAW_HOURS} h loaded (${Math.round((Date.now() - t0) / 1000)} s)`);
    }
  };
  await Promise.all(Array.from({ length: LOAD_JOBS }, job));
  await pool.query("ALTER TABLE macda ENABLE TRIGGER console_latest");
  if (rawSecs > 1) await pool.query(insertSql, [rawSecs - 1, rawSecs - 1, now - rawSecs]);
  const rawS = (Date.now() - tr0) / 1000;
  if (RAW_HOURS > 0) log(`  raw: ${DEVICES * (rawSecs - 1)} rows in ${rawS.toFixed(0)} s (${Math.round((DEVICES * (rawSecs - 1)) / rawS)} rows/s, ${LOAD_JOBS} connections)`);
  const tr1 = Date.now();
  const { rows: nf } = await pool.query("SELECT max(ord)::int AS n FROM rollup_field");
  const arr = (base: string) => `array_fill((${base})::real, ARRAY[${nf[0].n}])`;
  await pool.query(
    `INSERT INTO rollup_1m SELECT d, to_timestamp(b), 60, ${arr("200 + (b / 60) % 50")}, ${arr("190")}, ${arr("260")}
       FROM unnest($1::text[]) d, generate_series($2::bigint, $3::bigint, 60) b`,
    [devs, Math.floor((now - MINUTE_DAYS * 86400) / 60) * 60, Math.floor(now / 60) * 60],
  );
  await pool.query(
    `INSERT INTO rollup_1h SELECT d, to_timestamp(b), 3600, ${arr("200 + (b / 3600) % 50")}, ${arr("190")}, ${arr("260")}
       FROM unnest($1::text[]) d, generate_series($2::bigint, $3::bigint, 3600) b`,
    [devs, Math.floor((now - HOURLY_DAYS * 86400) / 3600) * 3600, Math.floor(now / 3600) * 3600],
  );
  await pool.query(
    `INSERT INTO report_event (dvc_no, train_no, carriage, event_key, source_kind, code, start_time, end_time, status)
     SELECT d, left(d, 5), right(d, 2)::int, 'HVAC1' || lpad((27 + i % 40)::text, 2, '0'), CASE WHEN i % 3 = 0 THEN 'predict' ELSE 'fault' END,
            'HVAC' || right(d, 1) || lpad((27 + i % 40)::text, 2, '0'), now() - (i * interval '7 hours'),
            CASE WHEN i = 0 THEN NULL ELSE now() - (i * interval '7 hours') + interval '25 minutes' END, CASE WHEN i = 0 THEN 'open' ELSE 'closed' END
       FROM unnest($1::text[]) d, generate_series(0, $2::int - 1) i`,
    [devs, EPISODES],
  );
  log(`  rollups and episodes: ${Math.round((Date.now() - tr1) / 1000)} s`);
  await pool.query("ANALYZE");
  const { rows: sz } = await pool.query("SELECT (SELECT count(*) FROM macda)::bigint AS raw, (SELECT count(*) FROM rollup_1m)::bigint AS m, (SELECT count(*) FROM rollup_1h)::bigint AS h, pg_size_pretty(pg_database_size(current_database())) AS size");
  log(`loaded in ${Math.round((Date.now() - t0) / 1000)} s: ${sz[0].raw} raw rows, ${sz[0].m} 1-minute rows, ${sz[0].h} 1-hour rows, ${devs.length * EPISODES} episodes; database ${sz[0].size}`);
}

async function timeIt(s: Session, url: string): Promise<number> {
  const t = performance.now();
  const r = await s.get(url);
  await r.arrayBuffer();
  if (r.status !== 200) throw new Error(`${url}: ${r.status}`);
  return performance.now() - t;
}

/** utime + stime (clock ticks, 100/s) of a process and its descendants (tsx runs node as a child). */
function cpuTicks(pid: number): number {
  let ticks = 0;
  try {
    const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
    ticks = Number(f[11]) + Number(f[12]);
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
    for (const k of kids) ticks += cpuTicks(Number(k));
  } catch {
    // the process ended
  }
  return ticks;
}

async function main(): Promise<void> {
  const stack = await getStack();
  const db = await createTestDatabase("bench_console", { applySchema: true });
  const pool = new pg.Pool({ connectionString: db.url, max: Math.max(4, LOAD_JOBS) });
  const topic = `nb67-bench-console-${Date.now().toString(36)}`;
  const kafka = new Kafka({ clientId: "bench-console", brokers: stack.kafkaBrokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  let child: ReturnType<typeof spawn> | undefined;
  const children: ReturnType<typeof spawn>[] = [];
  try {
    const devs = devices();
    log(`bench-console: ${devs.length} devices, ${HOURLY_DAYS} d of 1 h, ${MINUTE_DAYS} d of 1 min, ${RAW_HOURS} h of 1 Hz raw`);
    await load(pool, devs);
    await addUser(pool, "bench", "viewer", "bench", "bench-password-1");
    const startConsole = async (root: string, port: number, group: string) => {
      const p = spawn(path.join(REPO_ROOT, "node_modules/.bin/tsx"), ["console/server/main.ts"], {
        cwd: root,
        env: { ...process.env, TSDB_URL: db.url, CONSOLE_ADDRESS: `127.0.0.1:${port}`, PARSED_TOPIC_NAME: topic, KAFKA_BOOTSTRAP_SERVER: stack.kafkaBrokers.join(","), CONSOLE_LIVE_GROUP: group, OFFLINE_AFTER: "24h" },
        stdio: ["ignore", "pipe", "inherit"],
      });
      children.push(p);
      await new Promise<void>((resolve, reject) => {
        p.stdout!.on("data", (d: Buffer) => d.toString().includes("listening") && resolve());
        p.once("exit", (c) => reject(new Error(`console (${root}) exited ${c}`)));
      });
      return p;
    };
    child = await startConsole(REPO_ROOT, PORT, `bench-${topic}`);
    const baseline = BASELINE_ROOT ? await startConsole(path.resolve(BASELINE_ROOT), PORT + 1, `bench-base-${topic}`) : undefined;
    const base = `http://127.0.0.1:${PORT}`;
    const s = new Session(base);
    if ((await s.login("bench", "bench-password-1")).status !== 200) throw new Error("login failed");
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    const pick = () => devs[Math.floor(Math.random() * devs.length)];
    const cases: [string, () => string][] = [
      ["fleet", () => "/api/fleet"],
      ["train", () => `/api/trains/${pick().slice(0, 5)}`],
      ["unit", () => `/api/devices/${pick()}`],
      ["episodes", () => `/api/episodes?state=all&from=${iso(now - 30 * 86400_000)}&to=${iso(now)}&limit=50`],
      ["trend 1h", () => `/api/trends?dvc_no=${pick()}&fields=fas_u1,ras_u1,tveh_1&from=${iso(now - 3600_000)}&to=${iso(now)}`],
      ["trend 1d", () => `/api/trends?dvc_no=${pick()}&fields=fas_u1,ras_u1,tveh_1&from=${iso(now - 86400_000)}&to=${iso(now)}`],
      ["trend 30d", () => `/api/trends?dvc_no=${pick()}&fields=fas_u1,ras_u1,tveh_1&from=${iso(now - 30 * 86400_000)}&to=${iso(now)}`],
      ["trend 1y", () => `/api/trends?dvc_no=${pick()}&fields=fas_u1,ras_u1,tveh_1&from=${iso(now - 365 * 86400_000)}&to=${iso(now)}`],
    ];
    if (RUNS > 0) log("\nendpoint        p50 ms   p95 ms   (runs)");
    for (const [name, url] of RUNS > 0 ? cases : []) {
      await timeIt(s, url()); // warm-up
      const xs: number[] = [];
      for (let i = 0; i < RUNS; i++) xs.push(await timeIt(s, url()));
      log(`${name.padEnd(14)} ${pct(xs, 50).toFixed(1).padStart(7)}  ${pct(xs, 95).toFixed(1).padStart(7)}   (${RUNS})`);
    }

    // live: CLIENTS WebSocket clients per console subscribed to everything; RATE records/s to the parsed topic
    const targets = [{ name: "console", base, cookie: s.cookie, pid: child.pid!, lat: [] as number[], cpu: [] as number[] }];
    if (baseline) {
      const bs = new Session(`http://127.0.0.1:${PORT + 1}`);
      if ((await bs.login("bench", "bench-password-1")).status !== 200) throw new Error("baseline login failed");
      targets.push({ name: "baseline", base: bs.base, cookie: bs.cookie, pid: baseline.pid!, lat: [], cpu: [] });
    }
    const sentAt = new Map<number, number>();
    const socks: WebSocket[] = [];
    for (const tg of targets) {
      for (let i = 0; i < CLIENTS; i++) {
        const ws = new WebSocket(tg.base.replace("http", "ws") + "/api/live", { headers: { cookie: tg.cookie } });
        await new Promise((r, j) => (ws.once("open", r), ws.once("error", j)));
        ws.send(JSON.stringify({ type: "subscribe", devices: ["*"] }));
        if (i === 0) ws.on("message", (d) => {
          const m = JSON.parse(d.toString());
          const t = Date.now();
          if (m.type === "changes") for (const dv of m.devices ?? []) if (dv.values?.tic !== undefined && sentAt.has(dv.values.tic)) tg.lat.push(t - sentAt.get(dv.values.tic)!);
        });
        socks.push(ws);
      }
    }
    const producer = kafka.producer();
    await producer.connect();
    await new Promise((r) => setTimeout(r, 3000)); // consumer joined
    const seconds = env("BENCH_LIVE_SECONDS", 30);
    let seq = 0;
    for (let run = 0; run < CPU_RUNS; run++) {
      const c0 = targets.map((tg) => cpuTicks(tg.pid));
      const t0 = Date.now();
      for (let sec = 0; sec < seconds; sec++) {
        const msgs = [];
        for (let k = 0; k < RATE; k++) {
          seq++;
          const d = devs[k % devs.length];
          sentAt.set(seq, Date.now());
          msgs.push({ key: d, value: JSON.stringify({ schema: { type: "struct", name: "ACSignal" }, payload: { ...record(d, new Date()), tic: seq } }) });
        }
        await producer.send({ topic, messages: msgs });
        await new Promise((r) => setTimeout(r, Math.max(0, t0 + (sec + 1) * 1000 - Date.now())));
      }
      const wall = (Date.now() - t0) / 1000;
      targets.forEach((tg, i) => tg.cpu.push((cpuTicks(tg.pid) - c0[i]) / 100 / wall));
      log(`  live window ${run + 1}/${CPU_RUNS}: ` + targets.map((tg) => `${tg.name} ${(tg.cpu.at(-1)! * 100).toFixed(1)} %`).join(", "));
    }
    await producer.disconnect();
    for (const ws of socks) ws.close();
    for (const tg of targets) {
      const lat = tg.lat;
      log(`\n${tg.name} live: ${CLIENTS} clients, ${RATE} records/s, ${CPU_RUNS} x ${seconds} s: latency produce -> WebSocket p50 ${pct(lat, 50)} ms, p95 ${pct(lat, 95)} ms, max ${Math.max(...lat)} ms (${lat.length} samples)`);
      log(`${tg.name} CPU: median ${(pct(tg.cpu, 50) * 100).toFixed(1)} % of one core (windows: ${tg.cpu.map((x) => (x * 100).toFixed(1)).join(", ")} %)`);
    }
    if (targets.length > 1) log(`CPU ratio console / baseline (medians): ${(pct(targets[0].cpu, 50) / pct(targets[1].cpu, 50)).toFixed(2)}`);
  } finally {
    for (const p of children) p.kill("SIGTERM");
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
    await pool.end();
    if (process.env.BENCH_KEEP_DB !== "1") await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench-console: ${e instanceof Error ? e.stack : e}\n`);
    process.exit(1);
  },
);

// npx tsx bench/console-latest.ts: what the console's device_latest trigger (statement-level, on
// macda; sql/repeatable/60_console_latest.sql) adds to the store path (not a test). In a scratch
// database, BENCH_LATEST_ROWS (20,000) rows of BENCH_DEVICES (240) devices are stored per run in
// statements of TSDB_BATCH (250) rows, with the trigger enabled and disabled, interleaved
// (on, off, off, on, ...) for BENCH_LATEST_PAIRS (3) pairs, two ways:
//   store  - SELECT nb67_store_batch(...): the store's own SQL function (JSON lines -> macda)
//   insert - INSERT INTO macda SELECT ... : copies of a stored row, the cheapest insert (so the
//            trigger's share is an upper bound)
// Per run: PostgreSQL backend CPU (/proc of the backend, the server is local) per row and rows/s
// (wall). Medians and the on/off ratio per way.
import { readFileSync } from "node:fs";
import pg from "pg";
import { createTestDatabase } from "../test/helpers/stack.ts";
import { record } from "../test/integration/console-support.ts";

const env = (k: string, d: number) => Number(process.env[k] ?? d);
const ROWS = env("BENCH_LATEST_ROWS", 20_000);
const DEVICES = env("BENCH_DEVICES", 240);
const BATCH = env("TSDB_BATCH", 250);
const PAIRS = env("BENCH_LATEST_PAIRS", 3);
const log = (s: string) => process.stdout.write(s + "\n");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return Number(f[11]) + Number(f[12]);
}

function devices(): string[] {
  const out: string[] = [];
  for (let t = 1; out.length < DEVICES; t++) for (let c = 1; c <= 6 && out.length < DEVICES; c++) out.push(`07${String(t).padStart(3, "0")}${String(c).padStart(2, "0")}`);
  return out;
}

async function main(): Promise<void> {
  const db = await createTestDatabase("bench_latest", { applySchema: true });
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  try {
    const { rows: bp } = await c.query("SELECT pg_backend_pid() AS pid");
    const pid = Number(bp[0].pid);
    cpuTicks(pid); // the server's backends must be visible here (same machine)
    const devs = devices();
    const secsPerRun = Math.ceil(ROWS / devs.length);
    // runs take consecutive time slices ending now (all inside the prepared partitions)
    const totalRuns = PAIRS * 2 * 2;
    const start = Math.floor(Date.now() / 1000) - totalRuns * secsPerRun - 60;
    let slice = 0;
    const { rows: cols } = await c.query("SELECT attname FROM pg_attribute WHERE attrelid = 'macda'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum");
    // the template row for the insert way
    await c.query("SELECT nb67_store_batch($1, 'Asia/Shanghai', 'UTC')", [devs.map((d) => JSON.stringify(record(d, new Date((start - 30) * 1000), { frameNo: 0 }))).join("\n")]);
    const { rows: tmpl } = await c.query("SELECT extract(epoch FROM min(dvc_time))::bigint AS t FROM macda");
    const t0 = Number(tmpl[0].t);
    await c.query(`CREATE TEMP TABLE tmpl AS SELECT row_number() OVER (ORDER BY dvc_no) - 1 AS i, * FROM macda WHERE dvc_time = to_timestamp(${t0})`);
    const expr = (col: string) => (col === "dvc_time" || col === "parse_time" ? `t.${col} + ($2::int + g / $3::int) * interval '1 second'` : `t."${col}"`);
    const insertSql = `INSERT INTO macda SELECT ${cols.map((r) => expr(r.attname)).join(", ")}
      FROM generate_series($1::int, $1::int + ${BATCH} - 1) g JOIN tmpl t ON t.i = g % $3::int`;

    async function run(way: "store" | "insert", trigger: boolean): Promise<{ cpuUsPerRow: number; rowsPerS: number }> {
      await c.query(`ALTER TABLE macda ${trigger ? "ENABLE" : "DISABLE"} TRIGGER console_latest`);
      const base = start + slice++ * secsPerRun;
      const batches: string[] = [];
      if (way === "store") {
        const recs: string[] = [];
        for (let s = 0; recs.length < ROWS; s++) for (const d of devs) if (recs.length < ROWS) recs.push(JSON.stringify(record(d, new Date((base + s) * 1000))));
        for (let i = 0; i < recs.length; i += BATCH) batches.push(recs.slice(i, i + BATCH).join("\n"));
      }
      const c0 = cpuTicks(pid);
      const w0 = performance.now();
      let n = 0;
      if (way === "store") {
        for (const b of batches) n += Number((await c.query("SELECT nb67_store_batch($1, 'Asia/Shanghai', 'UTC') AS n", [b])).rows[0].n);
      } else {
        for (let i = 0; i < ROWS; i += BATCH) n += (await c.query(insertSql, [i, base - t0, devs.length])).rowCount ?? 0;
      }
      const wall = (performance.now() - w0) / 1000;
      const cpu = (cpuTicks(pid) - c0) / 100;
      if (n !== ROWS) throw new Error(`${way}: stored ${n} rows, expected ${ROWS}`);
      return { cpuUsPerRow: (cpu * 1e6) / n, rowsPerS: n / wall };
    }

    log(`console-latest: ${ROWS} rows per run, ${devs.length} devices, ${BATCH} rows per statement, ${PAIRS} interleaved pairs per way`);
    for (const way of ["store", "insert"] as const) {
      const on: { cpuUsPerRow: number; rowsPerS: number }[] = [];
      const off: typeof on = [];
      await run(way, true); // warm-up (plans, caches)
      for (let p = 0; p < PAIRS; p++) {
        const order = p % 2 === 0 ? [true, false] : [false, true];
        for (const t of order) (t ? on : off).push(await run(way, t));
        log(`  ${way} pair ${p + 1}: on ${on.at(-1)!.cpuUsPerRow.toFixed(1)} us/row, off ${off.at(-1)!.cpuUsPerRow.toFixed(1)} us/row`);
      }
      const mOn = median(on.map((x) => x.cpuUsPerRow));
      const mOff = median(off.map((x) => x.cpuUsPerRow));
      log(
        `${way.padEnd(6)} PostgreSQL CPU per row: trigger on ${mOn.toFixed(1)} us, off ${mOff.toFixed(1)} us (+${(mOn - mOff).toFixed(1)} us, x${(mOn / mOff).toFixed(2)}); ` +
          `rows/s on ${Math.round(median(on.map((x) => x.rowsPerS)))}, off ${Math.round(median(off.map((x) => x.rowsPerS)))} (medians)`,
      );
    }
    await c.query("ALTER TABLE macda ENABLE TRIGGER console_latest");
    const { rows: lat } = await c.query("SELECT count(*)::int AS n FROM device_latest");
    log(`device_latest rows: ${lat[0].n}`);
  } finally {
    await c.end();
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`bench console-latest: ${e instanceof Error ? e.stack : e}\n`);
    process.exit(1);
  },
);

/**
 * Console web app benchmark (part of `make bench-console`; alone: `make bench-console-web`).
 *
 *  1. initial JavaScript: what index.html loads before the first screen (entry + modulepreloads),
 *     gzip level 6 as a web server sends it; goal <= 250 KB;
 *  2. first screen of the fleet board, from Navigation Timing in Debian chromium: a fresh browser
 *     context (empty cache) per run, logged-in cookie, until every device tile is drawn; 240 devices
 *     (40 trains x 6 carriages) put in the database by the real path (simulator -> Kafka -> Connect
 *     ingest/store); goal <= 1.5 s;
 *  3. a 1-year trend: one device with a year of 1-hour rollups (8,760 buckets x 2 fields), the unit
 *     page switched from 1 day to 1 year, until the chart has drawn the new series; goal <= 500 ms.
 *
 * Writes .reports/bench-console-web.json and prints one line per figure.
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import path from "node:path";
import { gzipSync } from "node:zlib";
import pg from "pg";
import { closeKafka } from "../test/helpers/kafka.ts";
import { createTestDatabase, REPO_ROOT } from "../test/helpers/stack.ts";
import { launchBrowser } from "../test/browser/helpers/browser.ts";
import { startChain } from "../test/browser/helpers/chain.ts";
import { apiSession, createUser, startConsole } from "../test/browser/helpers/console.ts";

const TRAINS = Number(process.env.BENCH_TRAINS ?? 40);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const DIST = path.join(REPO_ROOT, "console/web/dist");
const PW = "bench-password-1234";

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
const r1 = (x: number) => Math.round(x * 10) / 10;

function initialJs(): { files: string[]; raw: number; gzip: number; css_gzip: number } {
  const html = readFileSync(path.join(DIST, "index.html"), "utf8");
  const js = [...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g), ...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map((m) => m[1]!);
  const css = [...html.matchAll(/<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"/g)].map((m) => m[1]!);
  const size = (f: string) => readFileSync(path.join(DIST, f.replace(/^\.?\//, "")));
  const raw = js.reduce((a, f) => a + size(f).length, 0);
  const gzip = js.reduce((a, f) => a + gzipSync(size(f), { level: 6 }).length, 0);
  const css_gzip = css.reduce((a, f) => a + gzipSync(size(f), { level: 6 }).length, 0);
  return { files: js, raw, gzip, css_gzip };
}

async function main(): Promise<void> {
  const js = initialJs();
  console.log(`initial JS: ${js.files.length} file(s), ${r1(js.raw / 1024)} KB raw, ${r1(js.gzip / 1024)} KB gzip (goal <= 250 KB); CSS ${r1(js.css_gzip / 1024)} KB gzip`);

  const db = await createTestDatabase("bench_console_web", { applySchema: true });
  const chain = await startChain("bcweb", db.url, { trains: TRAINS, backfillMin: 1, pipelines: ["ingest", "store"] });
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  let svc: Awaited<ReturnType<typeof startConsole>> | undefined;
  const browser = await launchBrowser();
  try {
    const devices = TRAINS * 6;
    for (let i = 0; ; i++) {
      const { rows } = await client.query("SELECT count(*)::int AS n FROM device_latest");
      if (rows[0].n >= devices) break;
      if (i > 300) throw new Error(`only ${rows[0].n} of ${devices} devices stored after 5 min`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    // a year of 1-hour rollups for one device (all rollup fields; smooth daily and seasonal cycles)
    const dvc = chain.devices[0]!;
    await client.query(
      `INSERT INTO rollup_1h (dvc_no, bucket, n, avg, min, max)
       SELECT $1, b, 3600,
              array_agg(v ORDER BY f.ord), array_agg(v - 1 ORDER BY f.ord), array_agg(v + 1 ORDER BY f.ord)
         FROM generate_series(date_trunc('hour', now()) - interval '365 days', date_trunc('hour', now()) - interval '1 hour', interval '1 hour') b
        CROSS JOIN rollup_field f
        CROSS JOIN LATERAL (SELECT (200 + 50 * sin(extract(epoch FROM b) / 86400 * 2 * pi()) + 80 * sin(extract(epoch FROM b) / 31557600 * 2 * pi()) + f.ord)::real AS v) x
        GROUP BY b ON CONFLICT DO NOTHING`,
      [dvc],
    );
    const { rows: yr } = await client.query("SELECT count(*)::int AS n FROM rollup_1h WHERE dvc_no = $1", [dvc]);
    // measure quietly: the data is in; the simulator and Connect would only compete for the CPU
    await chain.stopTraffic();
    await createUser(db.url, "bench", "viewer", PW);
    svc = await startConsole(`bench-console-web-${chain.n.id}`, { TSDB_URL: db.url, PARSED_TOPIC_NAME: chain.n.parsed, SOURCE_TOPIC_NAME: chain.n.source, CONSOLE_LIVE_GROUP: `nb67-console-live-${chain.n.id}` });
    const s = await apiSession(svc.url, "bench", PW);
    const [name, value] = s.cookie.split("=") as [string, string];
    const fleet = (await (await fetch(`${svc.url}/api/fleet`, { headers: { cookie: s.cookie } })).json()) as { trains: { train_no: string; devices: { dvc_no: string; carriage: number }[] }[] };
    const shown = fleet.trains.reduce((a, t) => a + t.devices.length, 0);
    const apiMs: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await (await fetch(`${svc.url}/api/fleet`, { headers: { cookie: s.cookie } })).arrayBuffer();
      apiMs.push(performance.now() - t0);
    }
    const load = (await import("node:os")).loadavg();
    console.log(`machine load average ${load.map((x) => x.toFixed(1)).join(" ")} (2 cores shared); GET /api/fleet p50 ${r1(pct(apiMs, 50))} ms`);

    // 2. first screen of the fleet board
    const first: { ttfb: number; dcl: number; load: number; tiles: number; fleet_api: number }[] = [];
    for (let i = 0; i < RUNS; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "zh-CN" });
      await ctx.addCookies([{ name, value, url: svc.url }]);
      const page = await ctx.newPage();
      await page.goto(`${svc.url}/#/fleet`);
      await page.waitForFunction((n) => document.querySelectorAll(".tile").length >= n, shown, { timeout: 30_000, polling: "raf" });
      const t = await page.evaluate(() => {
        const nav = performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming;
        const api = performance.getEntriesByType("resource").filter((r) => r.name.includes("/api/fleet")).map((r) => (r as PerformanceResourceTiming).responseEnd - r.startTime);
        return { ttfb: nav.responseStart, dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd, tiles: performance.now(), fleet_api: Math.max(0, ...api) };
      });
      first.push(t);
      await ctx.close();
    }
    const firstP50 = pct(first.map((x) => x.tiles), 50);
    console.log(`fleet first screen (${shown} tiles, ${RUNS} cold runs): p50 ${r1(firstP50)} ms, max ${r1(Math.max(...first.map((x) => x.tiles)))} ms (goal <= 1500); DOMContentLoaded p50 ${r1(pct(first.map((x) => x.dcl), 50))} ms, load p50 ${r1(pct(first.map((x) => x.load), 50))} ms, /api/fleet in the page p50 ${r1(pct(first.map((x) => x.fleet_api), 50))} ms`);

    // 3. one year of trend
    const w = fleet.trains.flatMap((t) => t.devices.map((d) => ({ ...d, train: t.train_no }))).find((d) => d.dvc_no === dvc)!;
    const ctx = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: "zh-CN" });
    await ctx.addCookies([{ name, value, url: svc.url }]);
    const page = await ctx.newPage();
    await page.goto(`${svc.url}/#/unit/${w.train}/${w.carriage}/1?range=1d&fields=ras_u1,sas_u11`);
    const res = page.locator('[data-testid="resolution"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="resolution"]')?.getAttribute("data-resolution") === "1m", undefined, { timeout: 30_000 });
    const year: number[] = [];
    const yearApi: number[] = [];
    const yearBefore: number[] = []; // click -> request sent (URL, route, render)
    const yearAfter: number[] = []; // response -> chart painted (parse, setData, draw)
    let points = 0;
    for (let i = 0; i < RUNS; i++) {
      // a string, not a function: the TypeScript loader's helpers do not exist in the page
      const ms = (await page.evaluate(`new Promise((resolve) => {
        const t0 = performance.now();
        const mo = new MutationObserver(() => {
          const r = document.querySelector('[data-testid="resolution"]');
          const c = document.querySelector(".chart");
          if (r?.getAttribute("data-resolution") !== "1h" || !(Number(c?.getAttribute("data-points")) > 1000)) return;
          mo.disconnect();
          // the chart draws in the frame its data is set; the next frame has painted it
          requestAnimationFrame(() => requestAnimationFrame(() => { window.__t = [t0, performance.now()]; resolve(performance.now() - t0); }));
        });
        mo.observe(document.body, { subtree: true, attributes: true, attributeFilter: ["data-resolution", "data-points"] });
        document.querySelector('button[data-range="1y"]').click();
      })`)) as number;
      year.push(ms);
      const [api, before, after] = (await page.evaluate(
        `(() => { const e = performance.getEntriesByType("resource").filter((r) => r.name.includes("/api/trends")).pop(); const [t0, t1] = window.__t; return e ? [e.responseEnd - e.startTime, e.startTime - t0, t1 - e.responseEnd] : [0, 0, 0]; })()`,
      )) as number[];
      yearApi.push(api!);
      yearBefore.push(before!);
      yearAfter.push(after!);
      points = Number(await page.locator(".chart").getAttribute("data-points"));
      await page.locator('button[data-range="1d"]').click();
      await page.waitForFunction(() => document.querySelector('[data-testid="resolution"]')?.getAttribute("data-resolution") === "1m");
    }
    void res;
    await ctx.close();
    console.log(`1-year trend (${yr[0].n} hourly buckets -> ${points} points x 2 series, ${RUNS} runs): p50 ${r1(pct(year, 50))} ms, max ${r1(Math.max(...year))} ms (goal <= 500), click to painted; of which click->request p50 ${r1(pct(yearBefore, 50))} ms, GET /api/trends p50 ${r1(pct(yearApi, 50))} ms, response->painted p50 ${r1(pct(yearAfter, 50))} ms`);

    const out = {
      at: new Date().toISOString(),
      initial_js: { files: js.files, raw_bytes: js.raw, gzip_bytes: js.gzip, css_gzip_bytes: js.css_gzip, goal_gzip_bytes: 250 * 1024 },
      load_average: load,
      fleet_api_ms: apiMs,
      fleet_first_screen_ms: { devices: shown, runs: first, p50_tiles: firstP50, goal: 1500 },
      trend_1y_ms: { buckets: yr[0].n, points, runs: year, api_runs: yearApi, click_to_request: yearBefore, response_to_paint: yearAfter, p50: pct(year, 50), goal: 500 },
    };
    mkdirSync(path.join(REPO_ROOT, ".reports"), { recursive: true });
    writeFileSync(path.join(REPO_ROOT, ".reports/bench-console-web.json"), JSON.stringify(out, null, 2));
  } finally {
    await browser.close().catch(() => {});
    await svc?.stop();
    await client.end();
    await chain.stop().catch(() => {});
    await closeKafka();
    await db.drop();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);

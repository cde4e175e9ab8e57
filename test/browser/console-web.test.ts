/**
 * The console web app in a real browser (Debian chromium via playwright-core) against the real
 * console service, with data flowing simulator -> Kafka -> Connect ingest/store/faultreport ->
 * a private PostgreSQL database, and the service's live feed on the test's parsed topic.
 *
 * Checked: login; the fleet board shows every simulated train; a fault bit injected by the
 * simulator turns that carriage's tile to alarm within 5 s with no reload; the alarm is
 * acknowledged and shelved and leaves the active list; an engineer changes a threshold (diff shown,
 * reason required) and the audit trail has it; a viewer sees no edit control and a forged write is
 * refused; the episodes CSV export has as many rows as the API says; a trend zoomed from 30 days to
 * 1 hour changes resolution; language and theme switch; axe finds no serious or critical violation
 * on any page.
 */
import { readFileSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeKafka } from "../helpers/kafka.ts";
import { createTestDatabase, type TestDatabase } from "../helpers/stack.ts";
import { launchBrowser, login, newContext, seriousViolations } from "./helpers/browser.ts";
import { startChain, type Chain } from "./helpers/chain.ts";
import { apiSession, createUser, startConsole, type ConsoleService } from "./helpers/console.ts";

const TRAINS = 2;
const PW = { eng: "engineer-pass-1234", view: "viewer-pass-12345", admin: "admin-pass-123456" };
const FAULT_DEVICE = "0700203"; // second train, carriage 3
const FAULT_BIT = "bflt_frstemp_u1"; // fresh-air sensor fault of unit 1: an alarm with a platform code

let db: TestDatabase;
let chain: Chain;
let svc: ConsoleService;
let browser: Browser;
let eng: BrowserContext;
let page: Page;
/** Train number and carriage of a device as the service names them. */
const where = new Map<string, { train: string; car: number }>();

async function api<T>(path: string, s: { cookie: string }): Promise<T> {
  const r = await fetch(`${svc.url}${path}`, { headers: { cookie: s.cookie } });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

beforeAll(async () => {
  db = await createTestDatabase("console_web", { applySchema: true });
  chain = await startChain("cweb", db.url, {
    trains: TRAINS,
    backfillMin: 3,
    pipelines: ["ingest", "store", "faultreport"],
    extraEnv: { SEND_FAULT_INTERVAL: "1s", EVENT_SETTLE: "1s", EVENT_LOOKBACK: "10m" },
  });
  await createUser(db.url, "eng", "engineer", PW.eng);
  await createUser(db.url, "view", "viewer", PW.view);
  await createUser(db.url, "boss", "admin", PW.admin);
  svc = await startConsole(`console-web-${chain.n.id}`, {
    TSDB_URL: db.url,
    PARSED_TOPIC_NAME: chain.n.parsed,
    SOURCE_TOPIC_NAME: chain.n.source,
    DEAD_LETTER_TOPIC: chain.n.dead,
    INGEST_GROUP: chain.n.ingestGroup,
    STORE_GROUP: chain.n.storeGroup,
    CONSOLE_LIVE_GROUP: `nb67-console-live-${chain.n.id}`,
    CONNECT_READY_URLS: "http://127.0.0.1:1/ready",
  });
  browser = await launchBrowser();
  eng = await newContext(browser);
  page = await eng.newPage();
}, 300_000);

afterAll(async () => {
  await browser?.close().catch(() => {});
  await svc?.stop();
  await chain?.stop().catch(() => {});
  await closeKafka();
  await db?.drop();
}, 120_000);

describe("console web app in chromium", () => {
  it("logs in and the fleet board shows every simulated train", async () => {
    await login(page, svc.url, "eng", PW.eng);
    await expect.poll(() => page.locator("[data-train]").count(), { timeout: 60_000 }).toBe(TRAINS);
    for (const d of chain.devices) await page.locator(`.tile[data-device="${d}"]`).waitFor({ timeout: 60_000 });
    expect(await page.locator(".tile").count()).toBe(chain.devices.length);
    const s = await apiSession(svc.url, "eng", PW.eng);
    const fleet = await api<{ trains: { train_no: string; devices: { dvc_no: string; carriage: number }[] }[] }>("/api/fleet", s);
    for (const t of fleet.trains) for (const d of t.devices) where.set(d.dvc_no, { train: t.train_no, car: d.carriage });
    expect(where.size).toBe(chain.devices.length);
    await expect.poll(() => page.locator(".conn").getAttribute("data-state"), { timeout: 15_000 }).toBe("open");
  });

  it("turns the tile of an injected fault to alarm within 5 s, without a reload", async () => {
    const tile = page.locator(`.tile[data-device="${FAULT_DEVICE}"]`);
    await expect.poll(() => tile.getAttribute("data-status"), { timeout: 60_000 }).toBe("normal");
    await page.evaluate(() => ((window as unknown as { __noReload: number }).__noReload = 42));
    const t0 = Date.now();
    chain.inject(`bit:${FAULT_DEVICE}:${FAULT_BIT}`);
    await expect.poll(() => tile.getAttribute("data-status"), { timeout: 5_000, interval: 100 }).toBe("alarm");
    const took = Date.now() - t0;
    console.log(`fault -> alarm tile: ${took} ms`);
    expect(took).toBeLessThanOrEqual(5_000);
    expect(await page.evaluate(() => (window as unknown as { __noReload?: number }).__noReload)).toBe(42);
  });

  it("acknowledges and shelves the alarm, which then leaves the active list", async () => {
    const row = page.locator(`[data-testid="active-alarms"] tr[data-device="${FAULT_DEVICE}"]`).first();
    await row.waitFor({ timeout: 60_000 });
    await row.getByRole("button", { name: /确认/ }).click();
    await page.locator("dialog[open] textarea").fill("浏览器测试确认");
    await page.locator('dialog[open] button[type="submit"]').click();
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain("已确认");
    await row.getByRole("button", { name: /屏蔽/ }).click();
    await page.locator("dialog[open] textarea").fill("等待维修");
    await page.locator('dialog[open] button[type="submit"]').click();
    await expect.poll(() => page.locator(`[data-testid="active-alarms"] tr[data-device="${FAULT_DEVICE}"]`).count(), { timeout: 10_000 }).toBe(0);
    const s = await apiSession(svc.url, "eng", PW.eng);
    const shelved = await api<{ total: number; items: { dvc_no: string; shelve: unknown; ack: unknown }[] }>(`/api/episodes?state=active&shelved=true&dvc_no=${FAULT_DEVICE}`, s);
    expect(shelved.total).toBeGreaterThanOrEqual(1);
    expect(shelved.items[0]!.ack).not.toBeNull();
  });

  it("lets an engineer change a threshold with a diff and a required reason, and audits it", async () => {
    await page.goto(`${svc.url}/#/thresholds?rule=f_fas`);
    const input = page.locator('input[name="f_fas.temp_diff_max"]');
    await input.waitFor({ timeout: 15_000 });
    const before = await input.inputValue();
    const after = String(Number(before) + 1);
    await input.fill(after);
    await page.locator('[data-testid="preview"]').click();
    const diff = page.locator('dialog[open] [data-testid="diff"]');
    await diff.waitFor();
    expect(await diff.textContent()).toContain("f_fas.temp_diff_max");
    expect(await diff.locator("td.old").first().textContent()).toBe(before);
    expect(await diff.locator("td.new").first().textContent()).toBe(after);
    const apply = page.locator('dialog[open] [data-testid="apply"]');
    expect(await apply.isDisabled()).toBe(true); // no reason yet
    await page.locator('dialog[open] textarea[name="reason"]').fill("夏季高温调整");
    expect(await apply.isDisabled()).toBe(false);
    await apply.click();
    await page.locator("p.ok").waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator('[data-testid="history"]').textContent(), { timeout: 10_000 }).toContain("夏季高温调整");
    const s = await apiSession(svc.url, "boss", PW.admin);
    const audit = await api<{ items: { actor: string; action: string; reason: string | null }[] }>("/api/audit?limit=50", s);
    expect(audit.items.some((a) => a.actor === "eng" && /threshold/.test(a.action) && a.reason === "夏季高温调整")).toBe(true);
  });

  it("shows a viewer no edit control and refuses a forged write", async () => {
    const ctx = await newContext(browser);
    const vp = await ctx.newPage();
    try {
      await login(vp, svc.url, "view", PW.view);
      await vp.goto(`${svc.url}/#/thresholds`);
      await vp.locator('[data-testid="thresholds"] tbody tr').first().waitFor({ timeout: 15_000 });
      expect(await vp.locator('[data-testid="thresholds"] input').count()).toBe(0);
      expect(await vp.locator('[data-testid="preview"]').count()).toBe(0);
      expect(await vp.getByRole("button", { name: /回滚/ }).count()).toBe(0);
      // forged from the viewer's own page, with its valid CSRF token and without one
      const codes = await vp.evaluate(async () => {
        const s = (await (await fetch("/api/session")).json()) as { csrfToken: string; csrfHeader: string };
        const body = JSON.stringify({ changes: { f_fas: { temp_diff_max: 1 } }, reason: "forged" });
        const withToken = await fetch("/api/thresholds", { method: "PUT", headers: { "content-type": "application/json", [s.csrfHeader]: s.csrfToken }, body });
        const without = await fetch("/api/thresholds", { method: "PUT", headers: { "content-type": "application/json" }, body });
        return [withToken.status, without.status];
      });
      expect(codes).toEqual([403, 403]);
    } finally {
      await ctx.close();
    }
  });

  it("exports episodes as CSV with as many rows as the API counts", async () => {
    await page.goto(`${svc.url}/#/episodes?range=1d`);
    await page.locator('[data-testid="episodes"]').waitFor();
    const link = page.locator('[data-testid="export"]');
    const href = (await link.getAttribute("href"))!;
    const [dl] = await Promise.all([page.waitForEvent("download"), link.click()]);
    const text = readFileSync((await dl.path())!, "utf8");
    expect(text.charCodeAt(0)).toBe(0xfeff); // BOM: Excel reads it as UTF-8
    const rows = text.replace(/^\uFEFF/, "").split(/\r?\n/).filter((l) => l.length > 0).length - 1;
    const q = href.slice(href.indexOf("?"));
    const s = await apiSession(svc.url, "eng", PW.eng);
    const counted = await api<{ total: number }>(`/api/episodes${q}&limit=1`, s);
    expect(counted.total).toBeGreaterThan(0);
    expect(rows).toBe(counted.total);
  });

  it("zooms a trend from 30 days to 1 hour and the resolution follows", async () => {
    const w = where.get(chain.devices[0]!)!;
    await page.goto(`${svc.url}/#/unit/${w.train}/${w.car}/1?range=30d&fields=ras_u1,sas_u11`);
    const res = page.locator('[data-testid="resolution"]');
    await expect.poll(() => res.getAttribute("data-resolution"), { timeout: 20_000 }).toBe("1h");
    const step30d = Number(await res.getAttribute("data-step"));
    // drag across a fifteenth of the chart (about 2 days): 1-minute rollups
    const box = (await page.locator(".chart .u-over").boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.96, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await expect.poll(() => res.getAttribute("data-resolution"), { timeout: 20_000 }).toBe("1m");
    expect(page.url()).toMatch(/from=\d+&to=\d+|to=\d+.*from=\d+/);
    await page.locator('button[data-range="1h"]').click();
    await expect.poll(() => res.getAttribute("data-resolution"), { timeout: 20_000 }).toBe("raw");
    const step1h = Number(await res.getAttribute("data-step"));
    expect(step1h).toBeLessThan(step30d);
    await expect.poll(async () => Number(await page.locator(".chart").getAttribute("data-points")), { timeout: 20_000 }).toBeGreaterThan(60);
  });

  it("switches language and theme, and keeps them across a reload", async () => {
    await page.goto(`${svc.url}/#/fleet`);
    await page.locator("nav.main").waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("zh-CN");
    expect(await page.locator("nav.main").textContent()).toContain("全线总览");
    await page.locator('[data-testid="lang"]').click();
    expect(await page.evaluate(() => document.documentElement.lang)).toBe("en");
    expect(await page.locator("nav.main").textContent()).toContain("Fleet");
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    const darkBg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.locator('[data-testid="theme"]').click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("light");
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(darkBg);
    await page.reload();
    await page.locator("nav.main").waitFor();
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dataset.theme])).toEqual(["en", "light"]);
    await page.locator('[data-testid="lang"]').click();
    await page.locator('[data-testid="theme"]').click();
    expect(await page.evaluate(() => [document.documentElement.lang, document.documentElement.dataset.theme])).toEqual(["zh-CN", "dark"]);
  });

  it("fits a tablet screen and works from the keyboard", async () => {
    const tab = await eng.newPage();
    try {
      await tab.setViewportSize({ width: 800, height: 1280 });
      for (const p of ["#/fleet", "#/episodes?range=1d", "#/thresholds"]) {
        await tab.goto(`${svc.url}/${p}`);
        await tab.locator("main h1").first().waitFor({ timeout: 15_000 });
        // no sideways scrolling of the page itself (wide tables scroll inside their own box)
        expect(await tab.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), p).toBe(true);
      }
      await tab.goto(`${svc.url}/#/fleet`);
      await tab.reload();
      await tab.locator("nav.main").waitFor();
      await tab.keyboard.press("Tab");
      expect(await tab.evaluate(() => document.activeElement?.className)).toBe("skip");
      await tab.keyboard.press("Enter");
      expect(await tab.evaluate(() => document.activeElement?.id)).toBe("main");
      // a tile is reachable by keyboard and opens its train
      const tile = tab.locator(".tile").first();
      await tile.focus();
      await tab.keyboard.press("Enter");
      await expect.poll(() => tab.url(), { timeout: 5_000 }).toMatch(/#\/train\//);
    } finally {
      await tab.close();
    }
  });

  it("has no serious or critical accessibility violation on any page (both themes)", async () => {
    const adminCtx = await newContext(browser);
    const ap = await adminCtx.newPage();
    try {
      await ap.goto(`${svc.url}/#/fleet`);
      await ap.locator('input[name="username"]').waitFor();
      const found: Record<string, unknown> = {};
      const loginV = await seriousViolations(ap);
      if (loginV.length) found.login = loginV;
      await login(ap, svc.url, "boss", PW.admin);
      const s = await apiSession(svc.url, "boss", PW.admin);
      const eps = await api<{ items: { id: number }[] }>("/api/episodes?limit=1", s);
      const w = where.get(FAULT_DEVICE)!;
      const pages = [
        "#/fleet",
        `#/train/${w.train}`,
        `#/unit/${w.train}/${w.car}/1?range=1h`,
        "#/episodes?range=1d",
        ...(eps.items[0] ? [`#/episodes/${eps.items[0].id}`] : []),
        "#/thresholds",
        "#/pipeline",
        "#/users",
      ];
      for (const theme of ["dark", "light"]) {
        await ap.evaluate((th) => localStorage.setItem("nb67.theme", th), theme);
        for (const p of pages) {
          await ap.goto(`${svc.url}/${p}`);
          await ap.reload();
          await ap.locator("main h1").first().waitFor({ timeout: 15_000 });
          // every loading note gone: the page shows its data
          await ap.waitForFunction(() => !document.querySelector('main p[role="status"]'), undefined, { timeout: 15_000 }).catch(() => {});
          await ap.waitForTimeout(200);
          const v = await seriousViolations(ap);
          if (v.length) found[`${theme} ${p}`] = v;
        }
      }
      expect(found).toEqual({});
    } finally {
      await adminCtx.close();
    }
  });
});

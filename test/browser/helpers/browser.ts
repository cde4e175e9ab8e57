// Debian's chromium (tools/browser/install.sh) driven by playwright-core. Playwright's own browser
// download is never used; each launch gets a fresh temporary profile (playwright's --user-data-dir).
import { existsSync } from "node:fs";
import AxeBuilder from "@axe-core/playwright";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run tools/browser/install.sh`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

/** A new context (own cookies) with the tablet-to-desktop viewport the control room uses. */
export async function newContext(browser: Browser, opts: { width?: number; height?: number; locale?: string } = {}): Promise<BrowserContext> {
  return browser.newContext({
    viewport: { width: opts.width ?? 1366, height: opts.height ?? 900 },
    locale: opts.locale ?? "zh-CN",
    timezoneId: "Asia/Shanghai",
    acceptDownloads: true,
  });
}

export async function login(page: Page, base: string, user: string, password: string): Promise<void> {
  await page.goto(`${base}/#/fleet`);
  await page.locator('input[name="username"]').fill(user);
  await page.locator('input[name="password"]').fill(password);
  await page.locator('button[type="submit"]').click();
  await page.locator("header.top").waitFor({ timeout: 15_000 });
}

export interface AxeFinding {
  id: string;
  impact: string | null | undefined;
  help: string;
  nodes: string[];
}

/** Serious and critical WCAG 2.x A/AA violations on the page as it is now. */
export async function seriousViolations(page: Page): Promise<AxeFinding[]> {
  const r = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
  return r.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(" ")) }));
}

/**
 * `make console-screenshots`: screenshots of the console's main pages (zh-CN, dark theme) into
 * docs/console/*.png, from the real service with simulated data (3 trains, a fault bit on one
 * carriage, ingest/store/faultreport pipelines, a private database). Takes about two minutes.
 */
import { mkdirSync } from "node:fs";
import path from "node:path";
import { closeKafka } from "../helpers/kafka.ts";
import { createTestDatabase, REPO_ROOT } from "../helpers/stack.ts";
import { launchBrowser, login, newContext } from "./helpers/browser.ts";
import { startChain } from "./helpers/chain.ts";
import { apiSession, createUser, startConsole } from "./helpers/console.ts";

const OUT = path.join(REPO_ROOT, "docs", "console");
const PW = "screenshot-pass-1234";

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const db = await createTestDatabase("console_shots", { applySchema: true });
  const chain = await startChain("cshot", db.url, {
    trains: 3,
    backfillMin: 5,
    pipelines: ["ingest", "store", "faultreport"],
    extraEnv: { SEND_FAULT_INTERVAL: "2s", EVENT_SETTLE: "1s", EVENT_LOOKBACK: "10m" },
  });
  const svc = await startConsole(`console-shots-${chain.n.id}`, {
    TSDB_URL: db.url,
    PARSED_TOPIC_NAME: chain.n.parsed,
    SOURCE_TOPIC_NAME: chain.n.source,
    DEAD_LETTER_TOPIC: chain.n.dead,
    INGEST_GROUP: chain.n.ingestGroup,
    STORE_GROUP: chain.n.storeGroup,
    CONSOLE_LIVE_GROUP: `nb67-console-live-${chain.n.id}`,
  });
  const browser = await launchBrowser();
  try {
    await createUser(db.url, "operator", "admin", PW);
    chain.inject("bit:0700203:bflt_frstemp_u1,bit:0700105:bflt_splytemp_u21");
    const ctx = await newContext(browser, { width: 1440, height: 900 });
    const page = await ctx.newPage();
    await login(page, svc.url, "operator", PW);
    const s = await apiSession(svc.url, "operator", PW);
    // wait until the faults are episodes (faultreport) and every device has data
    for (let i = 0; i < 120; i++) {
      const r = await fetch(`${svc.url}/api/episodes?state=active&limit=1`, { headers: { cookie: s.cookie } });
      if (((await r.json()) as { total: number }).total >= 2) break;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const fleet = (await (await fetch(`${svc.url}/api/fleet`, { headers: { cookie: s.cookie } })).json()) as { trains: { train_no: string }[] };
    const second = fleet.trains[1]?.train_no ?? fleet.trains[0]!.train_no;
    const eps = (await (await fetch(`${svc.url}/api/episodes?limit=1&kind=alarm`, { headers: { cookie: s.cookie } })).json()) as { items: { id: number }[] };
    const shots: [string, string][] = [
      ["fleet", "#/fleet"],
      ["train", `#/train/${second}`],
      ["unit", `#/unit/${second}/3/1?range=1h&fields=ras_u1,sas_u11,sas_u12,fas_u1`],
      ["episodes", "#/episodes?range=1d"],
      ...(eps.items[0] ? ([["episode", `#/episodes/${eps.items[0].id}`]] as [string, string][]) : []),
      ["thresholds", "#/thresholds?rule=ref_leak"],
      ["pipeline", "#/pipeline"],
    ];
    for (const [name, hash] of shots) {
      await page.goto(`${svc.url}/${hash}`);
      await page.reload(); // a fresh document per page: what an operator opening the link sees
      await page.locator("main h1").first().waitFor({ timeout: 15_000 });
      await page.waitForTimeout(1500); // charts and live values settle
      const file = path.join(OUT, `${name}.png`);
      await page.screenshot({ path: file, fullPage: false });
      console.log(`screenshot: ${path.relative(REPO_ROOT, file)}`);
    }
  } finally {
    await browser.close().catch(() => {});
    await svc.stop();
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

// Fuzzes the console API with schemathesis (installed by console/server/fuzz/install.sh into
// .tools/venv) against its own OpenAPI document, with a logged-in admin session and CSRF header:
// a fresh database with a few devices and episodes, a console on a free port, then
// `st run` with the checks: no 5xx, documented status codes and content types, responses that
// conform to their schemas. Writes .reports/schemathesis.xml (JUnit) and .reports/schemathesis.json
// ({passed, failed}: operations) for tools/run-tests.sh; exit code 1 on any failure. PREDICT_INTERVAL is
// 24h here only so that a backtest samples one run per day (the fuzzer calls it hundreds of times).
// schemathesis's own report goes to .reports/schemathesis.log, printed whole only when the run fails:
// its closing line looks like pytest's ("== 3 warnings in 240s ==") and CI reads such a line as a
// test runner that executed no test, so the summary printed here is the operations counted.
//   npx tsx console/server/fuzz/run.ts      FUZZ_EXAMPLES (15) FUZZ_SEED (20261204) FUZZ_MAX_TIME (240 s)
import { spawn } from "node:child_process";
import { createWriteStream, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { createTestDatabase, REPO_ROOT } from "../../../test/helpers/stack.ts";
import { record, store } from "../../../test/integration/console-support.ts";
import { loadConfig } from "../config.ts";
import { startConsole } from "../start.ts";
import { addUser } from "../users/store.ts";

const reports = path.join(REPO_ROOT, ".reports");
mkdirSync(reports, { recursive: true });
const junit = path.join(reports, "schemathesis.xml");
const log = path.join(reports, "schemathesis.log");

async function main(): Promise<number> {
  const db = await createTestDatabase("console_fuzz", { applySchema: true });
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  let close = async () => {};
  try {
    const now = Date.now();
    const recs = [];
    for (const dvc of ["0700101", "0700102", "0700201"]) {
      for (let s = 0; s < 600; s += 10) recs.push(record(dvc, new Date(now - 900_000 + s * 1000), { bits: s > 300 && s < 450 && dvc === "0700101" ? ["bocflt_ef_u11"] : [] }));
    }
    await store(pool, recs);
    await pool.query("SELECT report_update_events(p_dev_mode => false, p_settle => '0 seconds', p_lookback => '1 day')");
    await pool.query("SELECT console_rollup_run(p_settle => '0 seconds', p_backfill => '1 hour')");
    const password = "fuzz-admin-password-1";
    await addUser(pool, "fuzzadmin", "admin", "fuzz", password);
    const c = await startConsole(loadConfig({ ...process.env, TSDB_URL: db.url, CONSOLE_ADDRESS: "127.0.0.1:0", CONSOLE_LIVE: "false", CONNECT_READY_URLS: "http://127.0.0.1:1/ready", CONSOLE_LOGIN_IP_MAX_FAILURES: "100000", PREDICT_INTERVAL: "24h" }), { logger: { level: "error" } });
    close = () => c.close();
    const r = await fetch(`${c.url}/api/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "fuzzadmin", password }) });
    if (r.status !== 200) throw new Error(`login failed: ${r.status}`);
    const cookie = (r.headers.get("set-cookie") ?? "").split(";")[0];
    const csrf = (await r.json()).csrfToken as string;
    const st = path.join(REPO_ROOT, ".tools/venv/bin/st");
    const args = [
      "run", `${c.url}/api/openapi.json`,
      "-H", `Cookie: ${cookie}`, "-H", `x-csrf-token: ${csrf}`,
      "--checks", "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
      // logging out would end the fuzzer's own session for the rest of the run
      "--exclude-path", "/api/logout",
      "--max-examples", process.env.FUZZ_EXAMPLES ?? "15",
      "--seed", process.env.FUZZ_SEED ?? "20261204",
      "--max-time", process.env.FUZZ_MAX_TIME ?? "240",
      "--workers", "2",
      "--request-timeout", "30",
      "--report", "junit", "--report-junit-path", junit,
      "--no-color",
    ];
    const out = createWriteStream(log);
    const code = await new Promise<number>((resolve) => {
      const p = spawn(st, args, { stdio: ["ignore", "pipe", "pipe"] });
      p.stdout.pipe(out, { end: false });
      p.stderr.pipe(out, { end: false });
      p.on("close", (c2) => resolve(c2 ?? 1));
      p.on("error", () => resolve(127));
    });
    await new Promise<void>((resolve) => out.end(resolve));
    const xml = readFileSync(junit, "utf8");
    const cases = [...xml.matchAll(/<testcase\b[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)];
    // "Runtime Error" is schemathesis crashing inside itself (e.g. its Python AST recursion check),
    // not an answer of the API: reported, not counted. Network errors (a broken response) count.
    const toolErrors = cases.filter((m) => /<error\b[^>]*>\s*Runtime Error/.test(m[2] ?? "") && !/<failure\b/.test(m[2] ?? "")).length;
    const failed = cases.filter((m) => /<(failure|error)\b/.test(m[2] ?? "")).length - toolErrors;
    const passed = cases.length - failed - toolErrors;
    if (toolErrors) process.stdout.write(`schemathesis: ${toolErrors} operation(s) hit a runtime error inside schemathesis (not counted; see ${junit})\n`);
    writeFileSync(path.join(reports, "schemathesis.json"), JSON.stringify({ passed, failed, toolErrors, exitCode: code }));
    if (failed > 0 || cases.length === 0) process.stdout.write(readFileSync(log, "utf8"));
    const warnings = readFileSync(log, "utf8").match(/^\s*⚠️.*$/gmu) ?? [];
    for (const w of warnings) process.stdout.write(`schemathesis warning: ${w.replace(/^\s*⚠️\s*/u, "")}\n`);
    process.stdout.write(`schemathesis: ${passed} operations passed, ${failed} failed (st exit ${code}; its report: ${path.relative(REPO_ROOT, log)})\n`);
    return failed === 0 ? 0 : 1;
  } finally {
    await close();
    await pool.end();
    await db.drop();
  }
}

main().then(
  (c) => process.exit(c),
  (e) => {
    process.stderr.write(`fuzz: ${e instanceof Error ? e.stack : e}\n`);
    writeFileSync(path.join(reports, "schemathesis.json"), JSON.stringify({ passed: 0, failed: 1, error: String(e) }));
    process.exit(1);
  },
);

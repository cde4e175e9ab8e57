// The real console service for browser tests, screenshots and the benchmark: started as its own
// process on a free loopback port against a private database, with users made by the service's
// own user store (the same code as its CLI).
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import pg from "pg";
import { REPO_ROOT } from "../../helpers/stack.ts";
import { addUser } from "../../../console/server/users/store.ts";
import type { Role } from "../../../console/server/auth/session.ts";

export const LOG_DIR = path.join(REPO_ROOT, ".reports", "browser");
export const CONSOLE_ENTRY = process.env.CONSOLE_ENTRY ?? "console/server/main.ts";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

export interface ConsoleService {
  url: string;
  log: string;
  proc: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the console service (node + tsx, no build step) and waits until it answers. */
export async function startConsole(name: string, env: Record<string, string>): Promise<ConsoleService> {
  mkdirSync(LOG_DIR, { recursive: true });
  const port = await freePort();
  const log = path.join(LOG_DIR, `${name}.log`);
  const out = createWriteStream(log, { flags: "a" });
  const proc = spawn(process.execPath, ["--import", "tsx", CONSOLE_ENTRY], {
    cwd: REPO_ROOT,
    env: { ...process.env, CONSOLE_ADDRESS: `127.0.0.1:${port}`, NB67_ROOT: REPO_ROOT, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  proc.stdout!.pipe(out, { end: false });
  proc.stderr!.pipe(out, { end: false });
  const exited = new Promise<number | null>((r) => proc.once("exit", (c) => r(c)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000; // a loaded shared machine compiles TypeScript slowly
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`console service exited (${proc.exitCode}); see ${log}`);
    try {
      const r = await fetch(`${url}/api/session`);
      if (r.status === 401 || r.status === 200) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`console service did not answer within 180 s; see ${log}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    log,
    proc,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
}

/** Adds a user with a known password through the service's user store. */
export async function createUser(databaseUrl: string, name: string, role: Role, password: string): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 });
  try {
    await addUser(pool, name, role, "browser-test", password);
  } finally {
    await pool.end();
  }
}

/** Logs in over HTTP (no browser) and returns the cookie and CSRF token, for API cross-checks. */
export async function apiSession(url: string, user: string, password: string): Promise<{ cookie: string; csrf: string; header: string }> {
  const r = await fetch(`${url}/api/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: user, password }) });
  if (!r.ok) throw new Error(`login ${user}: ${r.status} ${await r.text()}`);
  const body = (await r.json()) as { csrfToken: string; csrfHeader: string };
  const cookie = (r.headers.get("set-cookie") ?? "").split(";")[0]!;
  return { cookie, csrf: body.csrfToken, header: body.csrfHeader };
}

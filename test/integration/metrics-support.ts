// Helpers of the exposure and metrics tests: a Connect process started the documented way, the TCP
// addresses it listens on (from /proc, so nothing outside the process can fake them), HTTP probes.
import { spawn, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync, readlinkSync } from "node:fs";
import net from "node:net";
import { REPO_ROOT } from "../helpers/stack.ts";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function hexToAddress(hex: string): string {
  if (hex.length === 8) {
    // IPv4, little-endian bytes
    return [3, 2, 1, 0].map((i) => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join(".");
  }
  // IPv6: four little-endian 32-bit words
  const words: string[] = [];
  for (let w = 0; w < 4; w++) {
    const chunk = hex.slice(w * 8, w * 8 + 8);
    const bytes = [3, 2, 1, 0].map((i) => chunk.slice(i * 2, i * 2 + 2)).join("");
    words.push(bytes.slice(0, 4), bytes.slice(4, 8));
  }
  return words.map((x) => parseInt(x, 16).toString(16)).join(":");
}

/** "address:port" of every TCP socket the process listens on (IPv4 and IPv6). */
export function listening(pid: number): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      /* closed meanwhile */
    }
  }
  const out: string[] = [];
  for (const table of ["tcp", "tcp6"]) {
    let text = "";
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f.length < 10 || f[3] !== "0A" || !inodes.has(f[9])) continue; // 0A = LISTEN
      const [addr, port] = f[1].split(":");
      out.push(`${hexToAddress(addr)}:${parseInt(port, 16)}`);
    }
  }
  return out;
}

export const isLoopback = (hostPort: string): boolean => /^127\.|^0:0:0:0:0:0:0:1:|^0:0:0:0:0:ffff:7f/.test(hostPort);

export interface ConnectProc {
  proc: ChildProcess;
  pid: number;
  log: () => string;
  stop: () => Promise<void>;
}

/** Starts `bin args...` from the repository root, logging to memory; stop() SIGTERMs, then SIGKILLs. */
export function startConnect(bin: string, args: string[], env: NodeJS.ProcessEnv): ConnectProc {
  const proc = spawn(bin, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const keep = (b: Buffer) => {
    log += b.toString();
    if (log.length > 400_000) log = log.slice(-200_000);
  };
  proc.stdout!.on("data", keep);
  proc.stderr!.on("data", keep);
  const exited = new Promise<void>((r) => proc.once("exit", () => r()));
  return {
    proc,
    pid: proc.pid!,
    log: () => log,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      const t = setTimeout(() => proc.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(t);
    },
  };
}

export async function httpStatus(url: string, init?: RequestInit): Promise<number | undefined> {
  try {
    const r = await fetch(url, { ...init, signal: AbortSignal.timeout(3000) });
    await r.arrayBuffer();
    return r.status;
  } catch {
    return undefined;
  }
}

/** Polls until `fn` returns a truthy value or the deadline passes; returns the last value. */
export async function waitFor<T>(fn: () => Promise<T> | T, timeoutMs: number, everyMs = 500): Promise<T> {
  const end = Date.now() + timeoutMs;
  let v = await fn();
  while (!v && Date.now() < end) {
    await new Promise((r) => setTimeout(r, everyMs));
    v = await fn();
  }
  return v;
}

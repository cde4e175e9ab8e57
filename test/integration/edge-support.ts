/**
 * Support for the edge (MQTT) integration tests: a private Mosquitto per test file
 * (tools/mqtt/mosquitto.sh in a temp dir, own ports), the simulator as a child process, and
 * certificates made with openssl.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { REPO_ROOT } from "../helpers/stack.ts";

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

export interface Mosquitto {
  dir: string;
  port: number;
  tlsPort: number;
  stop(): void;
}

/** Starts a private Mosquitto (plain listener on `port`; TLS on `tlsPort` when tls is given). */
export async function startMosquitto(tls?: { ca: string; cert: string; key: string; requireCert?: boolean }): Promise<Mosquitto> {
  const dir = mkdtempSync(path.join(tmpdir(), "nb67-mosquitto-"));
  const port = await freePort();
  const tlsPort = await freePort();
  const env: NodeJS.ProcessEnv = { ...process.env, MOSQUITTO_PORT: String(port), MOSQUITTO_TLS_PORT: String(tlsPort) };
  if (tls) Object.assign(env, { MOSQUITTO_TLS_CA: tls.ca, MOSQUITTO_TLS_CERT: tls.cert, MOSQUITTO_TLS_KEY: tls.key, MOSQUITTO_TLS_REQUIRE_CERT: String(tls.requireCert ?? true) });
  const r = spawnSync(path.join(REPO_ROOT, "tools/mqtt/mosquitto.sh"), ["start", dir], { env, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`mosquitto did not start: ${r.stdout}${r.stderr}`);
  return {
    dir,
    port,
    tlsPort,
    stop() {
      spawnSync(path.join(REPO_ROOT, "tools/mqtt/mosquitto.sh"), ["stop", dir], { encoding: "utf8" });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface SimRun {
  exited: Promise<{ code: number | null; stderr: string }>;
  kill(): void;
}

/** Runs the simulator CLI (tools/sim/main.ts) with the given arguments. */
export function runSim(args: string[], env: Record<string, string> = {}): SimRun {
  const proc = spawn(path.join(REPO_ROOT, "node_modules/.bin/tsx"), ["tools/sim/main.ts", ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  proc.stderr!.on("data", (d) => (stderr += d));
  return {
    exited: new Promise((resolve) => proc.once("exit", (code) => resolve({ code, stderr }))),
    kill: () => proc.kill("SIGTERM"),
  };
}

function openssl(args: string[], cwd: string): void {
  const r = spawnSync("openssl", args, { cwd, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${r.stderr}`);
}

export interface Certs {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A client certificate signed by another CA (the broker must refuse it). */
  rogueCert: string;
  rogueKey: string;
  cleanup(): void;
}

/** A CA, a server certificate for 127.0.0.1 and client certificates (one signed by a rogue CA). */
export function makeCerts(): Certs {
  const dir = mkdtempSync(path.join(tmpdir(), "nb67-certs-"));
  const p = (f: string) => path.join(dir, f);
  const ca = (name: string) => openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", `/CN=${name}`, "-keyout", `${name}.key`, "-out", `${name}.crt`], dir);
  const leaf = (name: string, signer: string, ext: string) => {
    openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${name}`, "-keyout", `${name}.key`, "-out", `${name}.csr`], dir);
    writeFileSync(p(`${name}.ext`), ext);
    openssl(["x509", "-req", "-in", `${name}.csr`, "-CA", `${signer}.crt`, "-CAkey", `${signer}.key`, "-CAcreateserial", "-days", "2", "-extfile", `${name}.ext`, "-out", `${name}.crt`], dir);
  };
  ca("test-ca");
  ca("rogue-ca");
  leaf("server", "test-ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  leaf("nb67-edge", "test-ca", "extendedKeyUsage=clientAuth\n");
  leaf("rogue", "rogue-ca", "extendedKeyUsage=clientAuth\n");
  return {
    dir,
    ca: p("test-ca.crt"),
    serverCert: p("server.crt"),
    serverKey: p("server.key"),
    clientCert: p("nb67-edge.crt"),
    clientKey: p("nb67-edge.key"),
    rogueCert: p("rogue.crt"),
    rogueKey: p("rogue.key"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

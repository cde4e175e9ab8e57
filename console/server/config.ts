// Console configuration from the environment, validated once at start-up: a bad value stops the
// service with the variable's name and the reason, never a silent default.
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = process.env.NB67_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface ConsoleConfig {
  host: string;
  port: number;
  tls?: { cert: Buffer; key: Buffer };
  databaseUrl: string;
  dbPoolSize: number;
  kafkaBrokers: string[];
  parsedTopic: string;
  deadLetterTopic: string;
  /** Consumer groups whose lag the pipeline page shows (stage name -> group). */
  lagGroups: Record<string, string>;
  /** Live feed: own consumer group prefix; empty brokers list disables the feed. */
  liveGroup: string;
  liveEnabled: boolean;
  offlineAfterMs: number;
  connectReadyUrls: string[];
  devMode: boolean;
  sessionTtlMs: number;
  sessionIdleMs: number;
  loginMaxFailures: number;
  loginWindowMs: number;
  loginLockoutMs: number;
  loginIpMaxFailures: number;
  predictIntervalMs: number;
  predictRulesPath: string;
  componentLifePath: string;
  wasmPath: string;
  webDist: string;
  exportMaxRangeMs: number;
  /** Trusted reverse proxy (X-Forwarded-For) – off by default. */
  trustProxy: boolean;
}

export class ConfigError extends Error {}

/** Go-style duration ("300ms", "5m", "1h30m", "2s") to milliseconds. */
export function parseDuration(name: string, v: string): number {
  const s = v.trim();
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let consumed = 0;
  const mult: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
  while ((m = re.exec(s))) {
    total += Number(m[1]) * mult[m[2]];
    consumed = re.lastIndex;
  }
  if (s === "" || consumed !== s.length || !Number.isFinite(total) || total <= 0) {
    throw new ConfigError(`${name}=${JSON.stringify(v)}: expected a duration such as 300ms, 30s, 5m, 1h`);
  }
  return total;
}

function int(name: string, v: string, min: number, max: number): number {
  if (!/^\d+$/.test(v.trim())) throw new ConfigError(`${name}=${JSON.stringify(v)}: expected an integer`);
  const n = Number(v);
  if (n < min || n > max) throw new ConfigError(`${name}=${v}: must be between ${min} and ${max}`);
  return n;
}

function bool(name: string, v: string): boolean {
  const s = v.trim().toLowerCase();
  if (["1", "true", "yes", "on"].includes(s)) return true;
  if (["0", "false", "no", "off", ""].includes(s)) return false;
  throw new ConfigError(`${name}=${JSON.stringify(v)}: expected true or false`);
}

function address(name: string, v: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(v.trim());
  if (!m) throw new ConfigError(`${name}=${JSON.stringify(v)}: expected host:port, e.g. 127.0.0.1:8080`);
  const port = Number(m[2]);
  if (port > 65535) throw new ConfigError(`${name}=${v}: port out of range`);
  return { host: m[1].replace(/^\[|\]$/g, ""), port };
}

function urlList(name: string, v: string): string[] {
  return v
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      let u: URL;
      try {
        u = new URL(s);
      } catch {
        throw new ConfigError(`${name}: ${JSON.stringify(s)} is not a URL`);
      }
      if (u.protocol !== "http:" && u.protocol !== "https:") throw new ConfigError(`${name}: ${s}: only http(s) URLs`);
      return u.toString();
    });
}

/** Reads and validates the configuration; `env` defaults to process.env, `over` wins over both. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, over: Partial<ConsoleConfig> = {}): ConsoleConfig {
  const g = (k: string, d: string) => (env[k] === undefined || env[k] === "" ? d : (env[k] as string));
  const addr = address("CONSOLE_ADDRESS", g("CONSOLE_ADDRESS", "127.0.0.1:8080"));
  const certPath = env.CONSOLE_TLS_CERT ?? "";
  const keyPath = env.CONSOLE_TLS_KEY ?? "";
  let tls: ConsoleConfig["tls"];
  if (certPath || keyPath) {
    if (!certPath || !keyPath) throw new ConfigError("CONSOLE_TLS_CERT and CONSOLE_TLS_KEY must be set together");
    try {
      tls = { cert: readFileSync(certPath), key: readFileSync(keyPath) };
    } catch (e) {
      throw new ConfigError(`CONSOLE_TLS_CERT/KEY: cannot read: ${(e as Error).message}`);
    }
  }
  const databaseUrl = g("TSDB_URL", "postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable");
  try {
    const u = new URL(databaseUrl);
    if (u.protocol !== "postgres:" && u.protocol !== "postgresql:") throw new Error("scheme");
  } catch {
    throw new ConfigError("TSDB_URL: expected postgres://user@host:port/db");
  }
  const brokers = g("KAFKA_BOOTSTRAP_SERVER", "127.0.0.1:19092")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  for (const b of brokers) address("KAFKA_BOOTSTRAP_SERVER", b);
  const cfg: ConsoleConfig = {
    host: addr.host,
    port: addr.port,
    tls,
    databaseUrl,
    dbPoolSize: int("CONSOLE_DB_POOL", g("CONSOLE_DB_POOL", "10"), 1, 200),
    kafkaBrokers: brokers,
    parsedTopic: g("PARSED_TOPIC_NAME", "signal-parsed"),
    deadLetterTopic: g("DEAD_LETTER_TOPIC", "signal-dead-letter"),
    lagGroups: { ingest: g("INGEST_GROUP", "nb67-ingest"), store: g("STORE_GROUP", "nb67-store") },
    liveGroup: g("CONSOLE_LIVE_GROUP", "nb67-console-live"),
    liveEnabled: bool("CONSOLE_LIVE", g("CONSOLE_LIVE", "true")),
    offlineAfterMs: parseDuration("OFFLINE_AFTER", g("OFFLINE_AFTER", "5m")),
    connectReadyUrls: urlList("CONNECT_READY_URLS", g("CONNECT_READY_URLS", "http://127.0.0.1:4195/ready")),
    devMode: bool("DEV_MODE", g("DEV_MODE", "false")),
    sessionTtlMs: parseDuration("CONSOLE_SESSION_TTL", g("CONSOLE_SESSION_TTL", "12h")),
    sessionIdleMs: parseDuration("CONSOLE_SESSION_IDLE", g("CONSOLE_SESSION_IDLE", "2h")),
    loginMaxFailures: int("CONSOLE_LOGIN_MAX_FAILURES", g("CONSOLE_LOGIN_MAX_FAILURES", "5"), 1, 1000),
    loginWindowMs: parseDuration("CONSOLE_LOGIN_WINDOW", g("CONSOLE_LOGIN_WINDOW", "15m")),
    loginLockoutMs: parseDuration("CONSOLE_LOGIN_LOCKOUT", g("CONSOLE_LOGIN_LOCKOUT", "15m")),
    loginIpMaxFailures: int("CONSOLE_LOGIN_IP_MAX_FAILURES", g("CONSOLE_LOGIN_IP_MAX_FAILURES", "30"), 1, 100000),
    predictIntervalMs: parseDuration("PREDICT_INTERVAL", g("PREDICT_INTERVAL", "60s")),
    predictRulesPath: path.resolve(REPO_ROOT, g("PREDICT_RULES", "config/predict-rules.yaml")),
    componentLifePath: path.resolve(REPO_ROOT, g("COMPONENT_LIFE", "config/component-life.yaml")),
    wasmPath: path.resolve(REPO_ROOT, g("NB67_WASM", "dist/nb67.wasm")),
    webDist: path.resolve(REPO_ROOT, g("CONSOLE_WEB_DIST", "console/web/dist")),
    exportMaxRangeMs: parseDuration("CONSOLE_EXPORT_MAX_RANGE", g("CONSOLE_EXPORT_MAX_RANGE", "31d")),
    trustProxy: bool("CONSOLE_TRUST_PROXY", g("CONSOLE_TRUST_PROXY", "false")),
  };
  return { ...cfg, ...over };
}

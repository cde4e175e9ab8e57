// startConsole(): build, start the live feed and listen; used by main.ts and by tests (browser
// tests too): `const c = await startConsole(loadConfig(env, { port: 0 })); c.url; await c.close()`.
import type { FastifyInstance } from "fastify";
import { buildApp, type BuildOptions } from "./app.ts";
import type { ConsoleConfig } from "./config.ts";
import { loadConfig } from "./config.ts";

export interface RunningConsole {
  url: string;
  port: number;
  app: FastifyInstance;
  close(): Promise<void>;
}

export async function startConsole(cfg: ConsoleConfig, opts: BuildOptions = {}): Promise<RunningConsole> {
  const app = await buildApp(cfg, opts);
  await app.listen({ host: cfg.host, port: cfg.port });
  const addr = app.server.address();
  const port = typeof addr === "object" && addr ? addr.port : cfg.port;
  await app.live?.start();
  const host = cfg.host.includes(":") ? `[${cfg.host}]` : cfg.host;
  return { url: `${cfg.tls ? "https" : "http"}://${host}:${port}`, port, app, close: () => app.close() };
}

/** Convenience for tests: start on a free port against a database. */
export function startConsoleFor(o: { databaseUrl: string; kafkaBrokers?: string[]; port?: number; env?: NodeJS.ProcessEnv; logger?: boolean }): Promise<RunningConsole> {
  const cfg = loadConfig({ ...(o.env ?? {}), TSDB_URL: o.databaseUrl, KAFKA_BOOTSTRAP_SERVER: (o.kafkaBrokers ?? ["127.0.0.1:19092"]).join(","), CONSOLE_ADDRESS: `127.0.0.1:${o.port ?? 0}` });
  return startConsole(cfg, { logger: o.logger ?? false });
}

// Builds the console service: one fastify plugin per feature folder, every route with JSON Schemas
// for input and output (the OpenAPI document at /api/openapi.json is generated from them), the
// session guard in front of every /api route, the live WebSocket and the built web app.
import { existsSync } from "node:fs";
import cookie from "@fastify/cookie";
import fastifyStatic from "@fastify/static";
import swagger from "@fastify/swagger";
import websocket from "@fastify/websocket";
import Fastify, { type FastifyInstance } from "fastify";
import type pg from "pg";
import authRoutes from "./auth/routes.ts";
import { installGuard } from "./auth/session.ts";
import type { ConsoleConfig } from "./config.ts";
import deviceRoutes from "./devices/routes.ts";
import episodeRoutes from "./episodes/routes.ts";
import exportRoutes from "./exports/routes.ts";
import fleetRoutes from "./fleet/routes.ts";
import healthRoutes from "./health/routes.ts";
import { createPool } from "./lib/db.ts";
import { installErrorHandler } from "./lib/errors.ts";
import liveRoutes, { LiveHub } from "./live/routes.ts";
import pipelineRoutes from "./pipeline/routes.ts";
import thresholdRoutes from "./thresholds/routes.ts";
import trendRoutes from "./trends/routes.ts";
import userRoutes from "./users/routes.ts";

declare module "fastify" {
  interface FastifyInstance {
    db: pg.Pool;
    cfg: ConsoleConfig;
    live?: LiveHub;
  }
}

export interface BuildOptions {
  /** Use this pool instead of creating one from cfg.databaseUrl (tests). */
  pool?: pg.Pool;
  logger?: boolean | object;
}

export async function buildApp(cfg: ConsoleConfig, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? { level: process.env.CONSOLE_LOG_LEVEL ?? "warn" },
    https: cfg.tls ? { cert: cfg.tls.cert, key: cfg.tls.key } : null,
    trustProxy: cfg.trustProxy,
    bodyLimit: 64 * 1024,
    // Unknown properties are refused (400), not silently dropped; types are not coerced in bodies.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: "array", allErrors: false } },
  } as Parameters<typeof Fastify>[0]) as unknown as FastifyInstance;

  app.decorate("cfg", cfg);
  app.decorate("db", opts.pool ?? createPool(cfg.databaseUrl, cfg.dbPoolSize));
  if (!opts.pool) app.addHook("onClose", async () => app.db.end());

  installErrorHandler(app);
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: "3.0.3",
      info: {
        title: "NB67 operator console API",
        version: "1.0.0",
        description:
          "Session cookie from POST /api/login (HttpOnly, SameSite=Strict); every write needs the session's CSRF token in the x-csrf-token header. Errors: {error, message}. Live feed: WebSocket /api/live (see console/server/API.md).",
      },
      components: { securitySchemes: { session: { type: "apiKey", in: "cookie", name: cfg.tls ? "__Host-nb67_session" : "nb67_session" } } },
      security: [{ session: [] }],
    },
  });
  await app.register(websocket, { options: { maxPayload: 16 * 1024 } });
  installGuard(app);
  // The live hub belongs to the root instance (startConsole starts it after listen; close stops it).
  const hub = new LiveHub(app.db, cfg, app.log);
  app.decorate("live", hub);
  app.addHook("onClose", async () => hub.stop());

  // Security headers for every answer (the web app is same-origin, bundled, no CDN).
  app.addHook("onSend", async (_req, reply) => {
    reply.header("x-content-type-options", "nosniff");
    reply.header("x-frame-options", "DENY");
    reply.header("referrer-policy", "same-origin");
    reply.header("content-security-policy", "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'");
    if (cfg.tls) reply.header("strict-transport-security", "max-age=31536000");
  });

  app.get("/api/openapi.json", { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  app.get(
    "/api/ready",
    { config: { public: true }, schema: { tags: ["pipeline"], summary: "Readiness of this console instance (database reachable)", security: [], response: { 200: { type: "object", additionalProperties: false, required: ["ok"], properties: { ok: { type: "boolean" } } }, 503: { type: "object", additionalProperties: false, required: ["ok"], properties: { ok: { type: "boolean" } } } } } },
    async (_req, reply) => {
      try {
        await app.db.query("SELECT 1");
        return { ok: true };
      } catch {
        return reply.code(503).send({ ok: false });
      }
    },
  );

  for (const plugin of [authRoutes, userRoutes, fleetRoutes, deviceRoutes, episodeRoutes, trendRoutes, healthRoutes, thresholdRoutes, pipelineRoutes, exportRoutes, liveRoutes]) {
    await app.register(plugin);
  }

  // The web app (built by console/web into console/web/dist), if present.
  if (existsSync(cfg.webDist)) {
    await app.register(fastifyStatic, { root: cfg.webDist, prefix: "/", index: ["index.html"], wildcard: false });
  }
  return app;
}

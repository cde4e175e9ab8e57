// Console routes with fastify.inject and a scripted database (no stack needed): the guard (401,
// CSRF 403, role 403), schema validation (400 for unknown or out-of-range input), the error handler
// (no stack trace or SQL in a 500), the OpenAPI document, and the pure rules (status, resolution,
// config validation, password hashing, episode filters as parameters).
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import type pg from "pg";
import { buildApp } from "../../console/server/app.ts";
import { ConfigError, loadConfig, parseDuration } from "../../console/server/config.ts";
import { hashPassword, randomPassword, verifyPassword } from "../../console/server/auth/password.ts";
import { deviceStatus, trainStatus } from "../../console/server/fleet/queries.ts";
import { chooseResolution, MAX_POINTS } from "../../console/server/trends/queries.ts";
import { episodeWhere } from "../../console/server/episodes/queries.ts";

type Handler = { re: RegExp; rows: (params: unknown[]) => unknown[] | Error };

/** A pg.Pool stand-in: each query is answered by the first handler whose pattern matches its text. */
function fakePool(handlers: Handler[]): pg.Pool & { log: { text: string; params: unknown[] }[] } {
  const log: { text: string; params: unknown[] }[] = [];
  const query = async (q: string | { text: string; values?: unknown[] }, params: unknown[] = []) => {
    const text = typeof q === "string" ? q : q.text;
    const values = typeof q === "string" ? params : (q.values ?? []);
    log.push({ text, params: values });
    const h = handlers.find((x) => x.re.test(text));
    const r = h ? h.rows(values) : [];
    if (r instanceof Error) throw r;
    return { rows: r, rowCount: r.length };
  };
  return {
    log,
    query,
    connect: async () => ({ query, release: () => {} }),
    end: async () => {},
    on: () => {},
  } as unknown as pg.Pool & { log: { text: string; params: unknown[] }[] };
}

const users: Record<string, { id: number; name: string; role: string; csrf: string }> = {
  viewertoken: { id: 1, name: "vera", role: "viewer", csrf: "csrf-v" },
  engtoken: { id: 2, name: "emil", role: "engineer", csrf: "csrf-e" },
  admintoken: { id: 3, name: "ada", role: "admin", csrf: "csrf-a" },
};
const byHash = new Map(Object.entries(users).map(([t, u]) => [createHash("sha256").update(t).digest("hex"), u]));

let app: FastifyInstance;
let pool: ReturnType<typeof fakePool>;
let failNext = false;

beforeAll(async () => {
  pool = fakePool([
    {
      re: /UPDATE console_session s/,
      rows: (p) => {
        const u = byHash.get((p[0] as Buffer).toString("hex"));
        return u ? [{ id: u.id, name: u.name, role: u.role, csrf_token: u.csrf }] : [];
      },
    },
    { re: /FROM device_latest l\s+LEFT JOIN/, rows: () => (failNext ? new Error('relation "device_latest" does not exist at SELECT secret_column') : []) },
    { re: /FROM report_alert_source ORDER BY/, rows: () => [] },
    { re: /SELECT count\(\*\)::int AS n FROM report_event/, rows: () => [{ n: 0 }] },
    { re: /console_threshold_version ORDER BY id DESC LIMIT 1/, rows: () => [] },
    { re: /nb67_effective_rules/, rows: (p) => [{ p: JSON.parse(p[0] as string) }] },
  ]);
  app = await buildApp(loadConfig({ CONSOLE_LIVE: "false", TSDB_URL: "postgres://x@127.0.0.1:1/none" }), { pool, logger: false });
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

const cookie = (t: string) => ({ cookie: `nb67_session=${t}` });

describe("console guard", () => {
  it("answers 401 without a session on every /api route except login, openapi and ready", async () => {
    const spec = app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const open = new Set(["/api/login", "/api/ready"]);
    let checked = 0;
    for (const [p, ops] of Object.entries(spec.paths)) {
      for (const m of Object.keys(ops)) {
        if (open.has(p)) continue;
        const url = p.replace(/\{[^}]+\}/g, "1");
        const r = await app.inject({ method: m.toUpperCase() as "GET", url });
        expect(r.statusCode, `${m} ${p}`).toBe(401);
        expect(r.json()).toEqual({ error: "unauthenticated", message: "log in first" });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(25);
    expect((await app.inject({ url: "/api/live" })).statusCode).toBe(401);
  });

  it("refuses a write without or with a wrong CSRF token (403) and a viewer's write (403)", async () => {
    const body = { reason: "test", changes: { f_fas: { temp_diff_max: 9 } } };
    const noCsrf = await app.inject({ method: "PUT", url: "/api/thresholds", headers: cookie("engtoken"), payload: body });
    expect(noCsrf.statusCode).toBe(403);
    expect(noCsrf.json().error).toBe("csrf");
    const wrong = await app.inject({ method: "PUT", url: "/api/thresholds", headers: { ...cookie("engtoken"), "x-csrf-token": "csrf-v" }, payload: body });
    expect(wrong.statusCode).toBe(403);
    const viewer = await app.inject({ method: "POST", url: "/api/episodes/1/ack", headers: { ...cookie("viewertoken"), "x-csrf-token": "csrf-v" }, payload: {} });
    expect(viewer.statusCode).toBe(403);
    expect(viewer.json().error).toBe("forbidden");
    const engOnUsers = await app.inject({ method: "POST", url: "/api/users", headers: { ...cookie("engtoken"), "x-csrf-token": "csrf-e" }, payload: { name: "x", role: "viewer" } });
    expect(engOnUsers.statusCode).toBe(403);
  });

  it("returns the session with its CSRF token", async () => {
    const r = await app.inject({ url: "/api/session", headers: cookie("viewertoken") });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ user: { name: "vera", role: "viewer" }, csrfToken: "csrf-v", csrfHeader: "x-csrf-token" });
  });
});

describe("console input validation", () => {
  const get = (url: string) => app.inject({ url, headers: cookie("viewertoken") });
  it("refuses unknown query parameters, bad types, out-of-range values and bad patterns with 400", async () => {
    for (const url of [
      "/api/fleet?x=1",
      "/api/episodes?limit=0",
      "/api/episodes?limit=100000",
      "/api/episodes?state=maybe",
      "/api/episodes?from=yesterday",
      "/api/devices/abc",
      "/api/devices/07001;DROP",
      "/api/trends?dvc_no=0700101&fields=fas_u1&from=2026-01-01T00:00:00Z",
      "/api/trends?dvc_no=0700101&fields=fas_u1%27--&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z",
      "/api/episodes/0",
      "/api/episodes/-1",
      "/api/audit?limit=abc",
    ]) {
      const r = await get(url);
      expect(r.statusCode, url).toBe(400);
      expect(r.json().error, url).toBe("bad_request");
    }
  });
  it("refuses unknown body properties and unknown threshold names before any database write", async () => {
    const h = { ...cookie("engtoken"), "x-csrf-token": "csrf-e" };
    const extra = await app.inject({ method: "POST", url: "/api/episodes/1/ack", headers: h, payload: { note: "n", admin: true } });
    expect(extra.statusCode).toBe(400);
    const unknown = await app.inject({ method: "PUT", url: "/api/thresholds", headers: h, payload: { reason: "r", changes: { f_fas: { nope: 1 } } } });
    expect(unknown.statusCode).toBe(400);
    const notNumber = await app.inject({ method: "PUT", url: "/api/thresholds", headers: h, payload: { reason: "r", changes: { f_fas: { temp_diff_max: "8; DROP TABLE x" } } } });
    expect(notNumber.statusCode).toBe(400);
    const longReason = await app.inject({ method: "PUT", url: "/api/thresholds", headers: h, payload: { reason: "x".repeat(501), changes: {} } });
    expect(longReason.statusCode).toBe(400);
    const writes = pool.log.filter((q) => /INSERT|UPDATE console_threshold|console_episode_ack/.test(q.text) && !/console_session/.test(q.text));
    expect(writes).toEqual([]);
  });
  it("passes client times to PostgreSQL as UTC, so an offset PostgreSQL refuses (+22:22) is not a 500", async () => {
    const r = await get("/api/episodes?from=0507-03-14T20:36:00%2B22:22");
    expect(r.statusCode).toBe(200);
    const q = pool.log.filter((x) => /FROM report_event e/.test(x.text)).at(-1)!;
    expect(q.params).toContain("0507-03-13T22:14:00.000Z");
  });
  it("answers a PostgreSQL data exception (SQLSTATE class 22) with a 400, not a 500", async () => {
    failNext = true;
    const old = pool.query;
    (pool as unknown as { query: unknown }).query = async () => {
      throw Object.assign(new Error("time zone displacement out of range"), { code: "22009" });
    };
    const r = await get("/api/fleet");
    (pool as unknown as { query: unknown }).query = old;
    failNext = false;
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ error: "bad_request", message: "a value is out of range" });
  });
  it("rejects a trend field that is not in the generated field list", async () => {
    const r = await get("/api/trends?dvc_no=0700101&fields=no_such_field&from=2026-01-01T00:00:00Z&to=2026-01-01T01:00:00Z");
    expect(r.statusCode).toBe(400);
    expect(r.json().message).toMatch(/unknown field no_such_field/);
  });
});

describe("console error handler", () => {
  it("answers a database failure with a 500 that holds neither the SQL nor a stack trace", async () => {
    failNext = true;
    const r = await app.inject({ url: "/api/fleet", headers: cookie("viewertoken") });
    failNext = false;
    expect(r.statusCode).toBe(500);
    expect(r.json().error).toBe("internal");
    expect(r.body).not.toMatch(/secret_column|device_latest|SELECT|at .*\.ts/);
  });
  it("serves the OpenAPI document without a session, with closed schemas", async () => {
    const r = await app.inject({ url: "/api/openapi.json" });
    expect(r.statusCode).toBe(200);
    const doc = r.json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/fleet", "/api/episodes", "/api/trends", "/api/thresholds", "/api/exports/raw.csv"]));
    const body = doc.paths["/api/episodes/{id}/shelve"].post.requestBody.content["application/json"].schema;
    expect(body.additionalProperties).toBe(false);
  });
});

describe("console rules", () => {
  it("derives a device's status: offline > alarm (episode or live fault bit) > warning > shelved > normal", () => {
    const base = { offline: false, alarms: 0, warnings: 0, shelved: 0, live_faults: [] as string[] };
    expect(deviceStatus(base)).toBe("normal");
    expect(deviceStatus({ ...base, shelved: 1 })).toBe("shelved");
    expect(deviceStatus({ ...base, shelved: 1, warnings: 1 })).toBe("warning");
    expect(deviceStatus({ ...base, warnings: 1, live_faults: ["bflt_tempover"] })).toBe("alarm");
    expect(deviceStatus({ ...base, alarms: 2 })).toBe("alarm");
    expect(deviceStatus({ ...base, alarms: 2, offline: true })).toBe("offline");
    expect(trainStatus(["normal", "offline", "warning"])).toBe("warning");
    expect(trainStatus(["offline", "offline"])).toBe("offline");
    expect(trainStatus(["shelved", "normal"])).toBe("shelved");
  });
  it("chooses the trend resolution from the range and keeps every series within ~2,000 points", () => {
    const h = 3600_000;
    expect(chooseResolution(h)).toEqual({ resolution: "raw", step_s: 2 });
    expect(chooseResolution(2 * h).resolution).toBe("raw");
    expect(chooseResolution(2 * h + 1).resolution).toBe("1m");
    expect(chooseResolution(48 * h).resolution).toBe("1m");
    expect(chooseResolution(49 * h).resolution).toBe("1h");
    for (const r of [60_000, h, 2 * h, 24 * h, 48 * h, 30 * 24 * h, 365 * 24 * h, 400 * 24 * h]) {
      const c = chooseResolution(r);
      expect(r / 1000 / c.step_s, String(r)).toBeLessThanOrEqual(MAX_POINTS + 1);
    }
  });
  it("builds episode filters as parameters only", () => {
    const evil = "HVAC101' OR 1=1 --";
    const w = episodeWhere({ state: "active", code: evil, train: "07001", carriage: 3, unit: 2, from: "2026-01-01T00:00:00Z" });
    expect(w.where).not.toContain(evil);
    expect(w.where).not.toContain("07001");
    expect(w.params).toEqual(["07001", 3, evil, 2, "2026-01-01T00:00:00Z"]);
    expect(w.where).toMatch(/e\.code = \$3 OR e\.event_key = \$3/);
  });
  it("validates the configuration with the variable's name in the error", () => {
    expect(loadConfig({}).port).toBe(8080);
    expect(loadConfig({}).host).toBe("127.0.0.1");
    expect(loadConfig({}).offlineAfterMs).toBe(300_000);
    expect(parseDuration("X", "1h30m")).toBe(5_400_000);
    expect(() => loadConfig({ CONSOLE_ADDRESS: "8080" })).toThrow(/CONSOLE_ADDRESS/);
    expect(() => loadConfig({ OFFLINE_AFTER: "5 minutes" })).toThrow(/OFFLINE_AFTER/);
    expect(() => loadConfig({ CONSOLE_TLS_CERT: "/nonexistent" })).toThrow(/together/);
    expect(() => loadConfig({ CONNECT_READY_URLS: "ftp://x/ready" })).toThrow(ConfigError);
    expect(() => loadConfig({ TSDB_URL: "mysql://x" })).toThrow(/TSDB_URL/);
    expect(() => loadConfig({ CONSOLE_LOGIN_MAX_FAILURES: "0" })).toThrow(/between/);
  });
  it("hashes passwords with scrypt, salted, and verifies them", async () => {
    const a = await hashPassword("correct horse battery");
    const b = await hashPassword("correct horse battery");
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("correct horse battery", a)).toBe(true);
    expect(await verifyPassword("correct horse batterY", a)).toBe(false);
    expect(await verifyPassword("x", "plain")).toBe(false);
    const pw = randomPassword();
    expect(pw).toMatch(/^[A-Za-z2-9]{20}$/);
  });
});

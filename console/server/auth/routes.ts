// Login, logout and the current session. Lock-out and rate limiting are counted in PostgreSQL
// (console_login_failure), so every console instance sees the same failures.
import type { FastifyInstance } from "fastify";
import { audit } from "../lib/audit.ts";
import { HttpError } from "../lib/errors.ts";
import { errors, obj } from "../lib/schemas.ts";
import { dummyHash, verifyPassword } from "./password.ts";
import { CSRF_HEADER, clearSessionCookie, createSession, setSessionCookie } from "./session.ts";

export const UserName = { type: "string", pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$", maxLength: 64 } as const;
export const Role = { type: "string", enum: ["viewer", "engineer", "admin"] } as const;
const SessionBody = obj(
  {
    user: obj({ name: { type: "string" }, role: Role }, ["name", "role"]),
    csrfToken: { type: "string" },
    csrfHeader: { type: "string" },
  },
  ["user", "csrfToken", "csrfHeader"],
);

export default async function authRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: { username: string; password: string } }>(
    "/api/login",
    {
      config: { public: true },
      schema: {
        tags: ["auth"],
        summary: "Log in; sets the HttpOnly session cookie and returns the CSRF token for writes",
        body: obj({ username: UserName, password: { type: "string", minLength: 1, maxLength: 200 } }, ["username", "password"]),
        response: { 200: SessionBody, ...errors },
      },
    },
    async (req, reply) => {
      const cfg = app.cfg;
      const name = req.body.username.toLowerCase();
      const { rows: lock } = await app.db.query(
        `SELECT (SELECT count(*)::int FROM console_login_failure
                  WHERE username = $1 AND at > now() - $3::int * interval '1 millisecond') AS user_failures,
                (SELECT max(at) FROM console_login_failure WHERE username = $1) AS last_failure,
                (SELECT count(*)::int FROM console_login_failure
                  WHERE ip = $2 AND at > now() - $3::int * interval '1 millisecond') AS ip_failures,
                now() AS now`,
        [name, req.ip, cfg.loginWindowMs],
      );
      const l = lock[0];
      const lockedUntil = l.last_failure ? new Date(new Date(l.last_failure).getTime() + cfg.loginLockoutMs) : null;
      if (l.user_failures >= cfg.loginMaxFailures && lockedUntil && lockedUntil > new Date(l.now)) {
        throw new HttpError(429, "locked", `too many failed logins for this user; try again after ${lockedUntil.toISOString()}`);
      }
      if (l.ip_failures >= cfg.loginIpMaxFailures) {
        throw new HttpError(429, "rate_limited", "too many failed logins from this address; try again later");
      }
      const { rows } = await app.db.query("SELECT id, name, role, password_hash, disabled FROM console_user WHERE name = $1", [name]);
      const u = rows[0];
      const ok = await verifyPassword(req.body.password, u?.password_hash ?? (await dummyHash()));
      if (!u || !ok || u.disabled) {
        await app.db.query("INSERT INTO console_login_failure (username, ip) VALUES ($1, $2)", [name, req.ip]);
        throw new HttpError(401, "invalid_credentials", "wrong user name or password");
      }
      await app.db.query(
        `WITH a AS (DELETE FROM console_login_failure WHERE username = $1 OR at < now() - interval '1 day')
         DELETE FROM console_session WHERE expires_at < now()`,
        [name],
      );
      const s = await createSession(app, Number(u.id), req);
      await audit(app.db, { actor: u.name, action: "login", targetKind: "session", target: u.name, after: { ip: req.ip } });
      setSessionCookie(app, reply, s.token);
      return { user: { name: u.name, role: u.role }, csrfToken: s.csrfToken, csrfHeader: CSRF_HEADER };
    },
  );

  app.get(
    "/api/session",
    { schema: { tags: ["auth"], summary: "The current session (401 when not logged in)", response: { 200: SessionBody, ...errors } } },
    async (req) => ({ user: { name: req.user!.name, role: req.user!.role }, csrfToken: req.user!.csrfToken, csrfHeader: CSRF_HEADER }),
  );

  app.post(
    "/api/logout",
    { schema: { tags: ["auth"], summary: "End this session", response: { 204: { type: "null" }, ...errors } } },
    async (req, reply) => {
      await app.db.query("DELETE FROM console_session WHERE token_hash = $1", [req.user!.tokenHash]);
      await audit(app.db, { actor: req.user!.name, action: "logout", targetKind: "session", target: req.user!.name });
      clearSessionCookie(app, reply);
      return reply.code(204).send();
    },
  );
}

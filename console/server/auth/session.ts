// Sessions live in PostgreSQL (console_session), so any console instance behind a load balancer
// serves any user. The cookie carries a random token; the table keeps only its SHA-256, so a
// database dump cannot be replayed as cookies. Writes need the session's CSRF token in a header.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HttpError } from "../lib/errors.ts";

export type Role = "viewer" | "engineer" | "admin";
export const ROLES: Role[] = ["viewer", "engineer", "admin"];
export const CSRF_HEADER = "x-csrf-token";

export interface SessionUser {
  id: number;
  name: string;
  role: Role;
  csrfToken: string;
  tokenHash: Buffer;
}

declare module "fastify" {
  interface FastifyRequest {
    user?: SessionUser;
  }
  interface FastifyContextConfig {
    /** No session needed (login, OpenAPI document, readiness). */
    public?: boolean;
    /** Least role for this route (default viewer). */
    role?: Role;
  }
}

export const rank = (r: Role) => ROLES.indexOf(r);
export const sha256 = (s: string) => createHash("sha256").update(s).digest();

export function cookieName(tls: boolean): string {
  // __Host- binds the cookie to this origin (Secure, Path=/, no Domain) when TLS is on.
  return tls ? "__Host-nb67_session" : "nb67_session";
}

export async function createSession(app: FastifyInstance, userId: number, req: FastifyRequest): Promise<{ token: string; csrfToken: string }> {
  const token = randomBytes(32).toString("base64url");
  const csrfToken = randomBytes(24).toString("base64url");
  await app.db.query(
    `INSERT INTO console_session (token_hash, user_id, csrf_token, expires_at, ip, user_agent)
     VALUES ($1, $2, $3, now() + $4::int * interval '1 millisecond', $5, $6)`,
    [sha256(token), userId, csrfToken, app.cfg.sessionTtlMs, req.ip, String(req.headers["user-agent"] ?? "").slice(0, 200)],
  );
  return { token, csrfToken };
}

export function setSessionCookie(app: FastifyInstance, reply: FastifyReply, token: string): void {
  reply.setCookie(cookieName(!!app.cfg.tls), token, {
    httpOnly: true,
    sameSite: "strict",
    secure: !!app.cfg.tls,
    path: "/",
    maxAge: Math.floor(app.cfg.sessionTtlMs / 1000),
  });
}

export function clearSessionCookie(app: FastifyInstance, reply: FastifyReply): void {
  reply.clearCookie(cookieName(!!app.cfg.tls), { path: "/", httpOnly: true, sameSite: "strict", secure: !!app.cfg.tls });
}

/** The session of a request's cookie, or undefined (expired, idle too long, user disabled). */
export async function lookupSession(app: FastifyInstance, req: FastifyRequest): Promise<SessionUser | undefined> {
  const token = req.cookies?.[cookieName(!!app.cfg.tls)];
  if (!token || token.length > 100) return undefined;
  const h = sha256(token);
  const { rows } = await app.db.query(
    `UPDATE console_session s
        SET last_seen_at = now()
       FROM console_user u
      WHERE s.token_hash = $1 AND u.id = s.user_id AND NOT u.disabled
        AND s.expires_at > now() AND s.last_seen_at > now() - $2::int * interval '1 millisecond'
      RETURNING u.id, u.name, u.role, s.csrf_token`,
    [h, app.cfg.sessionIdleMs],
  );
  if (!rows[0]) return undefined;
  return { id: Number(rows[0].id), name: rows[0].name, role: rows[0].role, csrfToken: rows[0].csrf_token, tokenHash: h };
}

function sameToken(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

const WRITE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/** onRequest hook: every /api route needs a session unless marked public; writes need the CSRF
 *  header; the route's role is checked here, before the body is even parsed. */
export function installGuard(app: FastifyInstance): void {
  app.addHook("onRequest", async (req) => {
    if (!req.url.startsWith("/api/")) return;
    const cfg = req.routeOptions.config ?? {};
    if (cfg.public) return;
    const user = await lookupSession(app, req);
    if (!user) throw new HttpError(401, "unauthenticated", "log in first");
    req.user = user;
    if (WRITE.has(req.method)) {
      const h = req.headers[CSRF_HEADER];
      if (typeof h !== "string" || !sameToken(h, user.csrfToken)) {
        throw new HttpError(403, "csrf", `missing or wrong ${CSRF_HEADER} header`);
      }
    }
    const need = cfg.role ?? "viewer";
    if (rank(user.role) < rank(need)) throw new HttpError(403, "forbidden", `needs the ${need} role`);
  });
}

// User administration (admin role): list, add (random password shown once), change role,
// disable/enable, reset password. Every change is audited; disabling or a role change ends the
// user's sessions so it takes effect at once.
import type { FastifyInstance } from "fastify";
import { UserName, Role } from "../auth/routes.ts";
import type { Role as RoleT } from "../auth/session.ts";
import { audit, tx } from "../lib/audit.ts";
import { badRequest, notFound } from "../lib/errors.ts";
import { errors, NoQuery, NullableTimestamp, obj, Timestamp } from "../lib/schemas.ts";
import { addUser, resetPassword } from "./store.ts";

const User = obj(
  {
    name: { type: "string" },
    role: Role,
    disabled: { type: "boolean" },
    created_at: Timestamp,
    created_by: { type: ["string", "null"] },
    last_login: NullableTimestamp,
    locked: { type: "boolean" },
  },
  ["name", "role", "disabled", "created_at"],
);
const NameParams = obj({ name: UserName }, ["name"]);
const admin = { role: "admin" as const };

export default async function userRoutes(app: FastifyInstance): Promise<void> {
  app.get("/api/users", { config: admin, schema: { tags: ["users"], summary: "All users", querystring: NoQuery, response: { 200: obj({ users: { type: "array", items: User } }, ["users"]), ...errors } } }, async () => {
    const { rows } = await app.db.query(
      `SELECT u.name, u.role, u.disabled, u.created_at, u.created_by,
              (SELECT max(at) FROM console_audit a WHERE a.action = 'login' AND a.actor = u.name) AS last_login,
              (SELECT count(*) FROM console_login_failure f
                WHERE f.username = u.name AND f.at > now() - $1::int * interval '1 millisecond') >= $2 AS locked
         FROM console_user u ORDER BY u.name`,
      [app.cfg.loginWindowMs, app.cfg.loginMaxFailures],
    );
    return { users: rows };
  });

  app.post<{ Body: { name: string; role: RoleT } }>(
    "/api/users",
    {
      config: admin,
      schema: {
        tags: ["users"],
        summary: "Add a user; the response holds the random password, shown only this once",
        body: obj({ name: UserName, role: Role }, ["name", "role"]),
        response: { 201: obj({ name: { type: "string" }, role: Role, password: { type: "string" } }, ["name", "role", "password"]), ...errors },
      },
    },
    async (req, reply) => {
      const pw = await addUser(app.db, req.body.name, req.body.role, req.user!.name);
      return reply.code(201).send({ name: req.body.name.toLowerCase(), role: req.body.role, password: pw });
    },
  );

  app.patch<{ Params: { name: string }; Body: { role?: RoleT; disabled?: boolean; reason: string } }>(
    "/api/users/:name",
    {
      config: admin,
      schema: {
        tags: ["users"],
        summary: "Change a user's role or disable/enable it (ends its sessions)",
        params: NameParams,
        body: obj({ role: Role, disabled: { type: "boolean" }, reason: { type: "string", minLength: 1, maxLength: 500 } }, ["reason"]),
        response: { 200: User, ...errors },
      },
    },
    async (req) => {
      const name = req.params.name.toLowerCase();
      if (req.body.role === undefined && req.body.disabled === undefined) throw badRequest("nothing to change: give role and/or disabled");
      if (name === req.user!.name && (req.body.disabled || (req.body.role && req.body.role !== "admin"))) {
        throw badRequest("you cannot disable or demote yourself (ask another admin)");
      }
      return tx(app.db, async (c) => {
        const { rows: b } = await c.query("SELECT name, role, disabled FROM console_user WHERE name = $1 FOR UPDATE", [name]);
        if (!b[0]) throw notFound(`no user ${name}`);
        const { rows } = await c.query(
          `UPDATE console_user SET role = coalesce($2, role), disabled = coalesce($3, disabled) WHERE name = $1
           RETURNING name, role, disabled, created_at, created_by`,
          [name, req.body.role ?? null, req.body.disabled ?? null],
        );
        // a real change ends the user's sessions so it applies at once
        if (rows[0].role !== b[0].role || rows[0].disabled !== b[0].disabled) {
          await c.query("DELETE FROM console_session WHERE user_id = (SELECT id FROM console_user WHERE name = $1)", [name]);
        }
        await audit(c, { actor: req.user!.name, action: "user.update", targetKind: "user", target: name, before: b[0], after: { name, role: rows[0].role, disabled: rows[0].disabled }, reason: req.body.reason });
        return { ...rows[0], last_login: null, locked: false };
      });
    },
  );

  app.post<{ Params: { name: string } }>(
    "/api/users/:name/password",
    {
      config: admin,
      schema: {
        tags: ["users"],
        summary: "Reset a user's password to a new random one (shown once); ends its sessions",
        params: NameParams,
        response: { 200: obj({ name: { type: "string" }, password: { type: "string" } }, ["name", "password"]), ...errors },
      },
    },
    async (req) => {
      if (req.params.name.toLowerCase() === req.user!.name) throw badRequest("you cannot reset your own password here (ask another admin, or use the CLI)");
      const pw = await resetPassword(app.db, req.params.name, req.user!.name);
      if (!pw) throw notFound(`no user ${req.params.name.toLowerCase()}`);
      return { name: req.params.name.toLowerCase(), password: pw };
    },
  );

  app.get<{ Querystring: { limit: number; before?: number } }>(
    "/api/audit",
    {
      schema: {
        tags: ["users"],
        summary: "The audit trail, newest first (before = id for paging)",
        querystring: obj({ limit: { type: "integer", minimum: 1, maximum: 500, default: 100 }, before: { type: "integer", minimum: 1, maximum: 9007199254740991 } }),
        response: {
          200: obj(
            {
              items: {
                type: "array",
                items: obj(
                  {
                    id: { type: "integer" },
                    at: Timestamp,
                    actor: { type: "string" },
                    action: { type: "string" },
                    target_kind: { type: "string" },
                    target: { type: "string" },
                    before: {},
                    after: {},
                    reason: { type: ["string", "null"] },
                  },
                  ["id", "at", "actor", "action", "target_kind", "target"],
                ),
              },
            },
            ["items"],
          ),
          ...errors,
        },
      },
    },
    async (req) => {
      const { rows } = await app.db.query(
        `SELECT id, at, actor, action, target_kind, target, before, after, reason FROM console_audit
          WHERE ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $1`,
        [req.query.limit, req.query.before ?? null],
      );
      return { items: rows };
    },
  );
}

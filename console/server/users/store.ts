// Users: shared by the admin routes and the CLI (console/server/cli.ts).
import type pg from "pg";
import { hashPassword, randomPassword } from "../auth/password.ts";
import type { Role } from "../auth/session.ts";
import { audit } from "../lib/audit.ts";
import { conflict } from "../lib/errors.ts";

export const USER_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Creates a user with a random password (or the given one) and returns the password once. */
export async function addUser(db: pg.Pool, name: string, role: Role, actor: string, password?: string): Promise<string> {
  if (!USER_NAME_RE.test(name)) throw new Error(`user name ${JSON.stringify(name)}: letters, digits, . _ - (max 64)`);
  if (!["viewer", "engineer", "admin"].includes(role)) throw new Error(`role ${role}: viewer, engineer or admin`);
  const pw = password ?? randomPassword();
  if (pw.length < 12) throw new Error("password: at least 12 characters");
  const hash = await hashPassword(pw);
  const { rowCount } = await db.query(
    `INSERT INTO console_user (name, role, password_hash, created_by) VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING`,
    [name.toLowerCase(), role, hash, actor],
  );
  if (!rowCount) throw conflict(`user ${name.toLowerCase()} exists`);
  await audit(db, { actor, action: "user.add", targetKind: "user", target: name.toLowerCase(), after: { role } });
  return pw;
}

/** Sets a new random password (and ends the user's sessions); returns it once. */
export async function resetPassword(db: pg.Pool, name: string, actor: string): Promise<string | undefined> {
  const pw = randomPassword();
  const { rows } = await db.query(
    `WITH u AS (UPDATE console_user SET password_hash = $2, password_changed_at = now() WHERE name = $1 RETURNING id)
     , s AS (DELETE FROM console_session WHERE user_id IN (SELECT id FROM u))
     SELECT id FROM u`,
    [name.toLowerCase(), await hashPassword(pw)],
  );
  if (!rows[0]) return undefined;
  await audit(db, { actor, action: "user.password_reset", targetKind: "user", target: name.toLowerCase() });
  return pw;
}

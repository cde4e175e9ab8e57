// The audit trail: who, when, what, before, after, reason. Written in the same transaction as the
// change it describes (pass the transaction's client), so there is never a change without its entry.
import type pg from "pg";

export interface AuditEntry {
  actor: string;
  action: string;
  targetKind: string;
  target: string;
  before?: unknown;
  after?: unknown;
  reason?: string | null;
}

export async function audit(db: pg.Pool | pg.PoolClient, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO console_audit (actor, action, target_kind, target, before, after, reason)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7)`,
    [e.actor, e.action, e.targetKind, e.target, e.before === undefined ? null : JSON.stringify(e.before), e.after === undefined ? null : JSON.stringify(e.after), e.reason ?? null],
  );
}

/** Runs fn in a transaction on one pooled client. */
export async function tx<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query("BEGIN");
    const r = await fn(c);
    await c.query("COMMIT");
    return r;
  } catch (e) {
    await c.query("ROLLBACK").catch(() => {});
    throw e;
  } finally {
    c.release();
  }
}

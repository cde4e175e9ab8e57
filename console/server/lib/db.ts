// The PostgreSQL pool. Every statement is bounded by a statement timeout (CONSOLE_STATEMENT_TIMEOUT),
// so one bad request cannot hold a connection for ever; exports use their own client and timeout.
import pg from "pg";

// numeric and bigint counts arrive as strings by default; the console casts in SQL where it needs
// numbers (::int, ::float8), and parses int8 for ids it returns.
pg.types.setTypeParser(20, (v) => Number(v));

export function createPool(url: string, size: number, statementTimeoutMs = 15_000): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: size,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
    application_name: "nb67-console",
    options: `-c statement_timeout=${statementTimeoutMs} -c jit=off`,
  } as pg.PoolConfig);
  // A connection that dies while idle must not crash the process.
  pool.on("error", () => {});
  return pool;
}

// Console administration from the shell (TSDB_URL as for the service):
//   npx tsx console/server/cli.ts user add <name> --role viewer|engineer|admin [--if-missing]
//       prints the new random password once (stdout: "<name> <password>")
//   npx tsx console/server/cli.ts user reset-password <name>
//   npx tsx console/server/cli.ts user list
import { parseArgs } from "node:util";
import pg from "pg";
import type { Role } from "./auth/session.ts";
import { addUser, resetPassword } from "./users/store.ts";

const usage = "usage: cli.ts user add <name> --role viewer|engineer|admin [--if-missing] | user reset-password <name> | user list";

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { role: { type: "string" }, "if-missing": { type: "boolean" } } });
  const [topic, cmd, name] = positionals;
  if (topic !== "user" || !cmd) {
    process.stderr.write(usage + "\n");
    return 2;
  }
  const db = new pg.Pool({ connectionString: process.env.TSDB_URL ?? "postgres://nb67@127.0.0.1:15432/nb67?sslmode=disable", max: 2 });
  try {
    if (cmd === "add") {
      const role = values.role as Role | undefined;
      if (!name || !role || !["viewer", "engineer", "admin"].includes(role)) {
        process.stderr.write(usage + "\n");
        return 2;
      }
      if (values["if-missing"]) {
        const { rows } = await db.query("SELECT 1 FROM console_user WHERE name = $1", [name.toLowerCase()]);
        if (rows.length) {
          process.stderr.write(`user ${name.toLowerCase()} exists; nothing changed\n`);
          return 0;
        }
      }
      const pw = await addUser(db, name, role, `cli:${process.env.USER ?? "unknown"}`);
      process.stdout.write(`${name.toLowerCase()} ${pw}\n`);
      return 0;
    }
    if (cmd === "reset-password" && name) {
      const pw = await resetPassword(db, name, `cli:${process.env.USER ?? "unknown"}`);
      if (!pw) {
        process.stderr.write(`no user ${name}\n`);
        return 1;
      }
      process.stdout.write(`${name.toLowerCase()} ${pw}\n`);
      return 0;
    }
    if (cmd === "list") {
      const { rows } = await db.query("SELECT name, role, disabled, created_at FROM console_user ORDER BY name");
      for (const r of rows) process.stdout.write(`${r.name}\t${r.role}\t${r.disabled ? "disabled" : "active"}\t${r.created_at.toISOString()}\n`);
      return 0;
    }
    process.stderr.write(usage + "\n");
    return 2;
  } catch (e) {
    process.stderr.write(`cli: ${e instanceof Error ? e.message : e}\n`);
    return 1;
  } finally {
    await db.end();
  }
}

main().then((c) => process.exit(c));

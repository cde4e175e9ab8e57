// The console service: `npx tsx console/server/main.ts` (make console). Configuration from the
// environment (console/server/config.ts, console/server/API.md); a bad value stops it at once.
import { ConfigError, loadConfig } from "./config.ts";
import { startConsole } from "./start.ts";

try {
  const cfg = loadConfig();
  const c = await startConsole(cfg);
  process.stdout.write(`console: listening on ${c.url}\n`);
  const stop = async () => {
    await c.close();
    process.exit(0);
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
} catch (e) {
  if (e instanceof ConfigError) {
    process.stderr.write(`console: configuration error: ${e.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`console: ${e instanceof Error ? e.message : e}\n`);
  process.exit(1);
}

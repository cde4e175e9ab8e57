import { defineConfig } from "vitest/config";

// Browser tests drive the console web app in Debian's chromium against the real console service
// and the local stack; one file at a time (each starts its own service and browser).
export default defineConfig({
  test: {
    root: new URL("../..", import.meta.url).pathname,
    include: ["test/browser/**/*.test.ts"],
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
    reporters: ["default"],
  },
});

import { defineConfig } from "vitest/config";

// Integration tests share one local stack (Kafka, PostgreSQL), so files run one
// at a time; unit tests are CPU-bound and also run serially on 2-core CI.
export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    reporters: ["default"],
  },
});

// TEST_STACK=containers: the integration suite against Kafka and PostgreSQL in containers and
// Connect from the bundle image, started once per run by the globalSetup (test/helpers/containers-setup.ts).
// Run it with `TEST_STACK=containers make test-integration` (brings the project's dockerd up, builds
// the images, runs this, brings dockerd down). Files run one at a time, as on the local stack.
import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.ts";

/** Integration tests that do not run on this provider, and why. */
export const EXCLUDED: Record<string, string> = {
  "test/integration/stack.test.ts": "checks the local stack itself: tools/stack/stack.sh status and the checkout's Connect binary against tools/connect/go.mod",
  "test/integration/migrations-postgres.test.ts": "tests the local stack's PostgreSQL script (tools/stack/postgres.sh clusters) and the benchmarks' scratch databases",
  "test/integration/migrations-timescaledb.test.ts": "builds its own private PostgreSQL installation with TimescaleDB on the host; nothing of it comes from the stack",
  "test/integration/topics.test.ts": "tests tools/stack/topics.sh, the local stack's provisioning (the globalSetup runs it against the container broker too)",
  "test/integration/ingest-kafka-security.test.ts": "runs private TLS/SASL brokers on the host (tools/kafka/secure.sh), not the stack's broker",
  "test/integration/edge.test.ts": "needs Mosquitto, a host process of the local stack (tools/mqtt/mosquitto.sh)",
  "test/integration/edge-tls.test.ts": "needs Mosquitto, a host process of the local stack (tools/mqtt/mosquitto.sh)",
  "test/integration/metrics-exposure.test.ts": "reads the listening sockets of the Connect process by its PID (/proc); under tools/docker/connect-in-image.sh that PID is the docker client, whose sockets are not Connect's",
  "test/integration/metrics.test.ts": "the metrics of `make run` (every pipeline in one process after a 31-minute back-fill): a local-stack scenario, and the longest file of the suite",
};

/** Slow files the local stage already runs; left out of CI's containers stage for its time budget.
 * CONTAINERS_ALL=true runs them too (they pass there: ingest-crash's SIGKILLs reach the container through
 * tools/docker/connect-in-image.sh's watchdog). */
export const BUDGET: Record<string, string> = {
  "test/integration/ingest-crash.test.ts": "3 SIGKILLs of Connect with restarts, ~4 min; the same pipeline is killed in the local stage",
  "test/integration/store-outage.test.ts": "stops PostgreSQL for 30 s twice, ~3 min; the same store path is tested in the local stage",
};

export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: ["test/integration/**/*.test.ts", "test/containers/**/*.test.ts"], // containers/: the images themselves
      exclude: [
        "**/node_modules/**",
        ...Object.keys(EXCLUDED),
        ...(process.env.CONTAINERS_ALL === "true" ? [] : Object.keys(BUDGET)),
      ],
      globalSetup: ["test/helpers/containers-setup.ts"],
      setupFiles: ["test/helpers/containers-env.ts"],
      env: { TEST_STACK: "containers" },
    },
  }),
);

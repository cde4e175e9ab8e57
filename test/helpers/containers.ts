/**
 * Kafka and PostgreSQL in containers for TEST_STACK=containers, started ONCE per test run by
 * test/helpers/containers-setup.ts (vitest globalSetup of test/vitest.containers.config.ts), never
 * per worker or file.
 *
 * Images from the environment:
 * - TEST_KAFKA_IMAGE: default the official Redpanda image; an image whose name contains "redpanda"
 *   is started as Redpanda, any other as the project's Apache Kafka image
 *   (tools/images/test-kafka: KAFKA_PORT / KAFKA_CONTROLLER_PORT).
 * - TEST_PG_IMAGE: default a TimescaleDB pg15 image; any image that follows the official postgres
 *   image's conventions (POSTGRES_USER/DB/PASSWORD, `postgres -c ...`), such as
 *   tools/images/test-postgres.
 * Where no registry is reachable (this project's machines) the run sets both to the local images
 * tools/images/test-images.sh builds.
 *
 * Host networking only (DOCKER_HOST is the project's dockerd, which has no bridge): both listen on
 * 127.0.0.1 on ports of their own (TEST_KAFKA_PORT 29092 + controller 29093, TEST_PG_PORT 25432),
 * so they run beside the local stack (19092 / 15432).
 */
import { randomBytes } from "node:crypto";
import type { StartedTestContainer } from "testcontainers";

export const DEFAULT_TEST_KAFKA_IMAGE = "docker.redpanda.com/redpandadata/redpanda:v24.2.7";
export const DEFAULT_TEST_PG_IMAGE = "timescale/timescaledb:2.17.2-pg15";

export interface ContainerEndpoints {
  kafkaBrokers: string[];
  pgUrl: string;
}

export interface RunningContainers extends ContainerEndpoints {
  stop(): Promise<void>;
}

function port(name: string, def: number): number {
  const v = Number(process.env[name] ?? def);
  if (!Number.isInteger(v) || v < 1 || v > 65535) throw new Error(`${name}=${process.env[name]}: expected a TCP port`);
  return v;
}

/** `onPostgres` runs as soon as PostgreSQL is up, while Kafka may still be starting. */
export async function startContainers(onPostgres?: (pgUrl: string) => Promise<void> | void): Promise<RunningContainers> {
  // host networking and no reaper container: the project's dockerd runs without a bridge
  process.env.TESTCONTAINERS_HOST_OVERRIDE ??= "127.0.0.1";
  process.env.TESTCONTAINERS_RYUK_DISABLED ??= "true";
  const { GenericContainer, Wait } = await import("testcontainers");
  const kafkaImage = process.env.TEST_KAFKA_IMAGE || DEFAULT_TEST_KAFKA_IMAGE;
  const pgImage = process.env.TEST_PG_IMAGE || DEFAULT_TEST_PG_IMAGE;
  const kafkaPort = port("TEST_KAFKA_PORT", 29092);
  const controllerPort = port("TEST_KAFKA_CONTROLLER_PORT", kafkaPort + 1);
  const pgPort = port("TEST_PG_PORT", 25432);
  const addr = `127.0.0.1:${kafkaPort}`;

  const kafka = /redpanda/i.test(kafkaImage)
    ? new GenericContainer(kafkaImage)
        .withCommand([
          "redpanda", "start", "--mode", "dev-container", "--smp", "1", "--overprovisioned",
          "--kafka-addr", `PLAINTEXT://${addr}`, "--advertise-kafka-addr", `PLAINTEXT://${addr}`,
          "--rpc-addr", `127.0.0.1:${controllerPort}`, "--advertise-rpc-addr", `127.0.0.1:${controllerPort}`,
          "--pandaproxy-addr", `127.0.0.1:${kafkaPort + 2}`, "--schema-registry-addr", `127.0.0.1:${kafkaPort + 3}`,
          "--set", `redpanda.admin=[{address: 127.0.0.1, port: ${kafkaPort + 4}}]`,
        ])
        .withWaitStrategy(Wait.forLogMessage(/Successfully started Redpanda/))
    : new GenericContainer(kafkaImage)
        .withEnvironment({ KAFKA_PORT: String(kafkaPort), KAFKA_CONTROLLER_PORT: String(controllerPort) })
        .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/));

  // A fresh random password each run: the server is on loopback, but not open to every local user.
  const password = randomBytes(18).toString("base64url");
  const postgres = new GenericContainer(pgImage)
    .withEnvironment({ POSTGRES_USER: "nb67", POSTGRES_DB: "nb67", POSTGRES_PASSWORD: password })
    // the local stack's settings that matter to the tests (tools/stack/postgres.sh)
    .withCommand(["postgres", "-c", `port=${pgPort}`, "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=200", "-c", "timezone=UTC"])
    // over TCP: the official image's init phase runs a socket-only server first
    .withWaitStrategy(Wait.forSuccessfulCommand(`pg_isready -q -h 127.0.0.1 -p ${pgPort} -U nb67 -d nb67`));

  const pgUrl = `postgres://nb67:${password}@127.0.0.1:${pgPort}/nb67?sslmode=disable`;
  const started: StartedTestContainer[] = [];
  const stop = async () => {
    await Promise.allSettled(started.splice(0).map((c) => c.stop({ timeout: 10_000 })));
  };
  try {
    const results = await Promise.allSettled(
      [kafka, postgres].map(async (c) => {
        const s = await c.withNetworkMode("host").withLabels({ "nb67.test": "stack" }).withStartupTimeout(240_000).start();
        started.push(s);
        if (c === postgres) await onPostgres?.(pgUrl);
        return s;
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  } catch (e) {
    await stop();
    throw e;
  }
  return {
    kafkaBrokers: [addr],
    pgUrl,
    stop,
  };
}

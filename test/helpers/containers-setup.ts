/**
 * vitest globalSetup of test/vitest.containers.config.ts (TEST_STACK=containers): starts Kafka and
 * PostgreSQL in containers once for the whole run (test/helpers/containers.ts), brings the database
 * to head with sql/apply.sh and creates the pipeline topics with tools/stack/topics.ts as
 * `make stack-up` does, points Connect at the bundle image (tools/docker/connect-in-image.sh), hands
 * the endpoints to every worker (provide -> test/helpers/containers-env.ts) and stops everything
 * at teardown, including Connect containers a test left behind.
 *
 * Environment: DOCKER_HOST (required: the project's dockerd, `tools/docker/dockerd.sh env`),
 * TEST_KAFKA_IMAGE, TEST_PG_IMAGE (test/helpers/containers.ts), TEST_CONNECT_IMAGE (the bundle
 * image, default nb67/bundle:local; "local" runs the checkout's .tools/bin/redpanda-connect instead).
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { startContainers } from "./containers.ts";
import { REPO_ROOT } from "./stack.ts";

declare module "vitest" {
  export interface ProvidedContext {
    nb67Env: Record<string, string>;
  }
}

const WRAPPER_STATE = path.join(REPO_ROOT, ".tools/run/connect-in-image.env");

function run(what: string, cmd: string, args: string[], env: Record<string, string> = {}): string {
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
  if (r.status !== 0) throw new Error(`containers: ${what} failed (${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function removeLeftoverConnects(): void {
  const ids = spawnSync("docker", ["ps", "-aq", "--filter", "label=nb67.test=connect"], { encoding: "utf8" }).stdout.trim();
  if (ids) spawnSync("docker", ["rm", "-f", ...ids.split(/\s+/)], { encoding: "utf8" });
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  if (!process.env.DOCKER_HOST) {
    throw new Error('TEST_STACK=containers needs DOCKER_HOST: eval "$(tools/docker/dockerd.sh up && tools/docker/dockerd.sh env)", or `TEST_STACK=containers make test-integration`');
  }
  const t0 = Date.now();
  const env: Record<string, string> = { TEST_STACK: "containers" };
  const image = process.env.TEST_CONNECT_IMAGE ?? "nb67/bundle:local";
  if (image !== "local") {
    // read once here, not by every Connect start
    const out = run(`docker image inspect ${image}`, "docker", ["image", "inspect", "-f", "{{index .Config.Entrypoint 0}} {{.Config.WorkingDir}}", image]).trim();
    const [entrypoint, workdir] = out.split(" ");
    Object.assign(env, {
      CONNECT_BIN: path.join(REPO_ROOT, "tools/docker/connect-in-image.sh"),
      TEST_CONNECT_IMAGE: image,
      TEST_CONNECT_ENTRYPOINT: process.env.TEST_CONNECT_ENTRYPOINT || entrypoint,
      TEST_CONNECT_WORKDIR: process.env.TEST_CONNECT_WORKDIR || workdir || "/",
    });
  } else {
    env.CONNECT_BIN = path.join(REPO_ROOT, ".tools/bin/redpanda-connect");
  }
  // the schema is applied while Kafka is still starting
  const stack = await startContainers((pgUrl) => {
    run("sql/apply.sh", "bash", [path.join(REPO_ROOT, "sql/apply.sh")], { TSDB_URL: pgUrl });
  });
  try {
    env.KAFKA_BOOTSTRAP_SERVER = stack.kafkaBrokers.join(",");
    env.TSDB_URL = stack.pgUrl;
    // idempotent; on a broker seconds old its metadata read right after a create can still fail
    // (UNKNOWN_TOPIC_OR_PARTITION), so try again
    for (let attempt = 1; ; attempt++) {
      try {
        run("tools/stack/topics.ts", path.join(REPO_ROOT, "node_modules/.bin/tsx"), ["tools/stack/topics.ts"], { KAFKA_BOOTSTRAP_SERVER: env.KAFKA_BOOTSTRAP_SERVER });
        break;
      } catch (e) {
        if (attempt >= 3) throw e;
        await new Promise((r) => setTimeout(r, 2000));
      }
    }
  } catch (e) {
    await stack.stop();
    throw e;
  }
  Object.assign(process.env, env);
  project.provide("nb67Env", env);
  // for Connect started with a reduced environment (tools/docker/connect-in-image.sh reads it)
  mkdirSync(path.dirname(WRAPPER_STATE), { recursive: true });
  writeFileSync(
    WRAPPER_STATE,
    ["DOCKER_HOST", "TEST_CONNECT_IMAGE", "TEST_CONNECT_ENTRYPOINT", "TEST_CONNECT_WORKDIR"]
      .filter((k) => process.env[k])
      .map((k) => `${k}=${process.env[k]}\n`)
      .join(""),
  );
  console.log(`containers: Kafka ${env.KAFKA_BOOTSTRAP_SERVER}, PostgreSQL ${stack.pgUrl.replace(/:[^:@/]+@/, ":***@")}, Connect ${env.TEST_CONNECT_IMAGE ?? "local binary"} (ready in ${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  return async () => {
    rmSync(WRAPPER_STATE, { force: true });
    removeLeftoverConnects();
    await stack.stop();
  };
}

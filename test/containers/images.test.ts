// The images of `make images` against the local stack (Kafka, PostgreSQL), on the project's dockerd
// (tools/docker/dockerd.sh; started here if it is not running and stopped again afterwards), with
// host networking, so every port is on 127.0.0.1:
// - nb67/migrate brings a fresh database to the schema (sql/apply.sh in the image);
// - nb67/bundle in streams mode (ingest + store, the image's own modules, pipelines and root config)
//   decodes simulator frames from Kafka and stores each distinct one as one row; its HEALTHCHECK
//   (/ready) turns healthy; it runs as a non-root user;
// - nb67/console answers /api/ready, its HEALTHCHECK turns healthy, non-root.
// Every container is removed afterwards. Run: npx vitest run --config test/vitest.config.ts test/containers/images.test.ts
import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FrameSimulator } from "../../tools/sim/sim.ts";
import { closeKafka, createTopic, deleteTopic, listTopics } from "../helpers/kafka.ts";
import { REPO_ROOT, freePort, createTestDatabase, getStack, type TestDatabase } from "../helpers/stack.ts";
import { decodeFrame, names, naturalKey, pipelineEnv, produceMany, rowCount, waitFor } from "../integration/ingest-support.ts";

const DOCKERD = path.join(REPO_ROOT, "tools/docker/dockerd.sh");
const TAG = process.env.TEST_IMAGE_TAG ?? "local";
const BUNDLE = `nb67/bundle:${TAG}`;
const MIGRATE = `nb67/migrate:${TAG}`;
const CONSOLE = `nb67/console:${TAG}`;
const LABEL = "nb67.test=images";

let dockerEnv: NodeJS.ProcessEnv = process.env;
function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = dockerEnv) {
  return spawnSync(cmd, args, { cwd: REPO_ROOT, env, encoding: "utf8", timeout: 600_000 });
}
function docker(args: string[], env: NodeJS.ProcessEnv = dockerEnv): string {
  const r = sh("docker", args, env);
  if (r.status !== 0) throw new Error(`docker ${args.slice(0, 3).join(" ")} failed (${r.status ?? r.signal}): ${r.stderr}${r.stdout}`);
  return r.stdout.trim();
}
/** `docker run -d` with the values passed by name (-e NAME), never on a command line. */
function runDetached(name: string, image: string, env: Record<string, string>, args: string[] = []): void {
  const e = Object.keys(env).flatMap((k) => ["-e", k]);
  docker(["run", "-d", "--name", name, "--label", LABEL, "--network", "host", ...e, image, ...args], { ...dockerEnv, ...env });
}
function logsOf(name: string): string {
  const r = sh("docker", ["logs", "--tail", "40", name]);
  return `${r.stdout}${r.stderr}`;
}
function health(name: string): string {
  return docker(["inspect", "--format", "{{.State.Health.Status}}", name]);
}

describe("images: nb67/migrate, nb67/bundle and nb67/console against the local stack", () => {
  const n = names("images");
  const bundle = `nb67-it-bundle-${n.id}`;
  const consoleName = `nb67-it-console-${n.id}`;
  let startedDockerd = false;
  let db: TestDatabase;
  let bundlePort = 0;
  let consolePort = 0;
  let expectedRows = 0;

  beforeAll(async () => {
    if (sh("bash", [DOCKERD, "status"], process.env).status !== 0) {
      const up = sh("bash", [DOCKERD, "up"], process.env);
      if (up.status !== 0) throw new Error(`dockerd did not start: ${up.stderr}`);
      startedDockerd = true;
    }
    const host = /export DOCKER_HOST=(\S+)/.exec(sh("bash", [DOCKERD, "env"], process.env).stdout)?.[1];
    if (!host) throw new Error("tools/docker/dockerd.sh env printed no DOCKER_HOST");
    dockerEnv = { ...process.env, DOCKER_HOST: host };
    for (const img of [BUNDLE, MIGRATE, CONSOLE]) {
      if (sh("docker", ["image", "inspect", img]).status !== 0) throw new Error(`${img} is missing: run \`make images\``);
    }
    db = await createTestDatabase("images"); // empty: the migrate image applies the schema
    await createTopic(n.source, 3);
    await createTopic(n.parsed, 3);
    await createTopic(n.dead, 1);
    [bundlePort, consolePort] = [await freePort(), await freePort()];
  }, 300_000);

  afterAll(async () => {
    const ids = sh("docker", ["ps", "-aq", "--filter", `label=${LABEL}`]).stdout.trim().split(/\s+/).filter(Boolean);
    if (ids.length) sh("docker", ["rm", "-f", ...ids]);
    if (startedDockerd) sh("bash", [DOCKERD, "down"], process.env);
    for (const t of (await listTopics()).filter((x) => x.includes(n.id))) await deleteTopic(t).catch(() => {});
    await closeKafka();
    await db?.drop();
  }, 120_000);

  it("nb67/migrate applies the schema to an empty database, and again changes nothing", async () => {
    const env = { ...dockerEnv, TSDB_URL: db.url };
    for (let i = 0; i < 2; i++) {
      const r = sh("docker", ["run", "--rm", "--label", LABEL, "--network", "host", "-e", "TSDB_URL", MIGRATE], env);
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    }
    expect(await rowCount(db.url, "macda")).toBe(0); // the table exists (count of a missing one throws)
  }, 300_000);

  it("nb67/bundle decodes the frames from Kafka and stores each distinct one as a row", async () => {
    const stack = await getStack();
    const sim = new FrameSimulator({ trains: 1, start: Date.now() - 10 * 60_000, corruptShare: 0, seed: 67 });
    const frames = [...sim.frames(300)].map((f) => f.frame);
    const keys = new Set<string>();
    for (const f of frames) {
      const d = await decodeFrame(f);
      if (d.ok) keys.add(naturalKey(d.record!));
    }
    expectedRows = keys.size;
    expect(expectedRows).toBeGreaterThan(100);
    runDetached(
      bundle,
      BUNDLE,
      {
        ...pipelineEnv(n, db.url),
        KAFKA_BOOTSTRAP_SERVER: stack.kafkaBrokers.join(","),
        CONNECT_HTTP_ADDRESS: `127.0.0.1:${bundlePort}`,
        LOG_LEVEL: "WARN",
      },
      ["streams", "--no-api", "-o", "rpk-connect.yaml", "pipelines/ingest.yaml", "pipelines/store.yaml"],
    );
    await waitFor(
      "the bundle's /ready",
      async () => (await fetch(`http://127.0.0.1:${bundlePort}/ready`).catch(() => undefined))?.status === 200,
      90_000,
    ).catch((e) => {
      throw new Error(`${e.message}\n${logsOf(bundle)}`);
    });
    await produceMany(n.source, frames.map((f, i) => ({ key: `k${i % 7}`, value: f })));
    await waitFor("rows", async () => (await rowCount(db.url)) >= expectedRows, 120_000).catch((e) => {
      throw new Error(`${e.message} (${expectedRows} expected)\n${logsOf(bundle)}`);
    });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await rowCount(db.url)).toBe(expectedRows);
    console.log(`images: ${frames.length} frames -> ${expectedRows} rows stored by ${BUNDLE}`);
    expect(await rowCount(db.url, "macda_dead_letter")).toBe(0);
  }, 300_000);

  it("nb67/bundle turns healthy (HEALTHCHECK on /ready) and runs as a non-root user", async () => {
    const status = await waitFor("healthy", async () => (health(bundle) === "healthy" ? "healthy" : undefined), 90_000, 1000).catch(
      (e) => `${e.message}: ${health(bundle)} ${docker(["inspect", "--format", "{{json .State.Health.Log}}", bundle])}`,
    );
    expect(status).toBe("healthy");
    const uid = docker(["exec", bundle, "id", "-u"]);
    expect(uid).toMatch(/^\d+$/);
    expect(uid).not.toBe("0");
  }, 120_000);

  it("nb67/console answers /api/ready, turns healthy and runs as a non-root user", async () => {
    const stack = await getStack();
    runDetached(consoleName, CONSOLE, {
      TSDB_URL: db.url,
      KAFKA_BOOTSTRAP_SERVER: stack.kafkaBrokers.join(","),
      CONSOLE_ADDRESS: `127.0.0.1:${consolePort}`,
      PARSED_TOPIC_NAME: n.parsed,
      DEAD_LETTER_TOPIC: n.dead,
      CONSOLE_LIVE_GROUP: `nb67-console-live-${n.id}`,
      INGEST_GROUP: n.ingestGroup,
      STORE_GROUP: n.storeGroup,
      CONNECT_READY_URLS: `http://127.0.0.1:${bundlePort}/ready`,
    });
    const res = await waitFor(
      "the console's /api/ready",
      async () => {
        const r = await fetch(`http://127.0.0.1:${consolePort}/api/ready`).catch(() => undefined);
        return r?.status === 200 ? r.json() : undefined;
      },
      90_000,
    ).catch((e) => {
      throw new Error(`${e.message}\n${logsOf(consoleName)}`);
    });
    expect(res).toEqual({ ok: true });
    // the web app is in the image and served
    const index = await fetch(`http://127.0.0.1:${consolePort}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain("<script");
    const status = await waitFor("healthy", async () => (health(consoleName) === "healthy" ? "healthy" : undefined), 90_000, 1000).catch(
      (e) => `${e.message}: ${health(consoleName)} ${docker(["inspect", "--format", "{{json .State.Health.Log}}", consoleName])}`,
    );
    expect(status).toBe("healthy");
    const uid = docker(["exec", consoleName, "id", "-u"]);
    expect(uid).toMatch(/^\d+$/);
    expect(uid).not.toBe("0");
  }, 180_000);
});

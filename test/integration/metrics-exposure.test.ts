// Exposure: every way the README documents to run the pipelines (all in one process, each pipeline
// alone) listens on loopback only by default, refuses the streams REST API (POST /streams/x would
// create a stream, e.g. with a `command` processor: remote code execution; GET /streams/x shows the
// config with the environment filled in), and still answers /ready and /metrics, all a probe needs.
// The commands are read from the README itself, so the documentation is what is tested.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeKafka, createTopic, deleteTopic } from "../helpers/kafka.ts";
import { createTestDatabase, getStack, REPO_ROOT, type TestDatabase } from "../helpers/stack.ts";
import { freePort, httpStatus, isLoopback, listening, startConnect, waitFor } from "./metrics-support.ts";

const pipelineFiles = readdirSync(path.join(REPO_ROOT, "pipelines"))
  .filter((f) => /\.ya?ml$/.test(f))
  .map((f) => `pipelines/${f}`)
  .sort();

/** The commands in the README's "Running the pipelines yourself" section that run pipelines. */
function documentedCommands(): string[][] {
  const readme = readFileSync(path.join(REPO_ROOT, "README.md"), "utf8");
  const start = readme.indexOf("## Running the pipelines yourself");
  expect(start, "README section 'Running the pipelines yourself'").toBeGreaterThan(0);
  const section = readme.slice(start, readme.indexOf("\n## ", start + 10));
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const cmds: string[][] = [];
  for (const line of blocks.join("\n").split("\n")) {
    const words = line.replace(/#.*$/, "").trim().split(/\s+/).filter(Boolean);
    if (!words.some((w) => w.startsWith("pipelines/"))) continue;
    // `rpk connect X` and the bundled build are the same program; run the bundled build.
    const i = words[0] === "rpk" && words[1] === "connect" ? 2 : words[0].endsWith("redpanda-connect") ? 1 : -1;
    if (i < 0) continue;
    cmds.push(words.slice(i));
  }
  return cmds;
}

/** Expands a documented command into concrete argument lists: a glob runs every file at once, a
 *  single named pipeline stands for "any one pipeline alone", so each file is run alone. */
function expand(args: string[]): string[][] {
  const idx = args.findIndex((a) => a.startsWith("pipelines/"));
  if (args[idx].includes("*")) return [[...args.slice(0, idx), ...pipelineFiles, ...args.slice(idx + 1)]];
  return pipelineFiles.map((f) => [...args.slice(0, idx), f, ...args.slice(idx + 1)]);
}

describe("documented ways of running the pipelines expose only loopback /ready and /metrics", () => {
  let db: TestDatabase;
  const id = `exp${Date.now().toString(36)}`;
  const topics = { in: `${id}-in`, parsed: `${id}-parsed`, dead: `${id}-dead` };
  let runs: string[][] = [];

  beforeAll(async () => {
    await getStack();
    db = await createTestDatabase("exposure", { applySchema: true });
    for (const t of Object.values(topics)) await createTopic(t, 1);
    const seen = new Set<string>();
    for (const c of documentedCommands()) {
      for (const args of expand(c)) {
        const k = args.join(" ");
        if (!seen.has(k)) runs.push(args), seen.add(k);
      }
    }
  });

  afterAll(async () => {
    for (const t of Object.values(topics)) await deleteTopic(t).catch(() => undefined);
    await closeKafka();
    await db?.drop();
  });

  it("the README documents running all pipelines together and one alone", () => {
    expect(runs.some((r) => pipelineFiles.every((f) => r.includes(f)))).toBe(true);
    expect(runs.filter((r) => r.filter((a) => a.startsWith("pipelines/")).length === 1)).toHaveLength(pipelineFiles.length);
  });

  it("each listens on 127.0.0.1 only, refuses /streams, answers /ready and /metrics", async () => {
    const stack = await getStack();
    const problems: string[] = [];
    for (const args of runs) {
      const port = await freePort();
      const what = `connect ${args.join(" ")}`;
      const c = startConnect(stack.connectBin, args, {
        // Only this test's resources; CONNECT_HTTP_ADDRESS is the root config's knob, default loopback:4195,
        // so the port is moved to a free one the same way an operator would.
        CONNECT_HTTP_ADDRESS: `127.0.0.1:${port}`,
        TSDB_URL: db.url,
        KAFKA_BOOTSTRAP_SERVER: stack.kafkaBrokers.join(","),
        SOURCE_TOPIC_NAME: topics.in,
        PARSED_TOPIC_NAME: topics.parsed,
        DEAD_LETTER_TOPIC: topics.dead,
        ARCHIVE_TOPIC_PREFIX: `${id}-archive-`,
        INGEST_GROUP: `${id}-ingest`,
        STORE_GROUP: `${id}-store`,
        LOG_LEVEL: "WARN",
        GOMEMLIMIT: "256MiB",
      });
      try {
        const base = `http://127.0.0.1:${port}`;
        // Sockets first: whatever the process binds, it binds at start.
        const addrs = await waitFor(() => {
          const a = c.proc.exitCode === null ? listening(c.pid) : ["exited"];
          return a.length ? a : undefined;
        }, 30_000);
        if (!addrs || addrs[0] === "exited") {
          problems.push(`${what}: never listened (${addrs ? "exited" : "timeout"}); log: ${c.log().slice(-1500)}`);
          continue;
        }
        for (const a of addrs.filter((x) => !isLoopback(x))) problems.push(`${what}: listens on ${a}`);
        if (!addrs.includes(`127.0.0.1:${port}`)) {
          problems.push(`${what}: not listening on CONNECT_HTTP_ADDRESS 127.0.0.1:${port} (found ${addrs})`);
          continue;
        }
        // /ready answers 200 once every input and output is connected, 503 before: both are answers a
        // probe can use (pipelines/edge.yaml has no MQTT broker here, so it stays 503).
        await waitFor(async () => (await httpStatus(`${base}/ready`)) === 200, 20_000);
        const ready = await httpStatus(`${base}/ready`);
        if (ready !== 200 && ready !== 503) problems.push(`${what}: /ready answered ${ready}; log: ${c.log().slice(-1500)}`);
        const metrics = await httpStatus(`${base}/metrics`);
        if (metrics !== 200) problems.push(`${what}: /metrics answered ${metrics}`);
        const post = await httpStatus(`${base}/streams/x`, {
          method: "POST",
          body: "input: {generate: {count: 1, mapping: 'root = 1'}}\npipeline: {processors: [{command: {name: id}}]}\noutput: {drop: {}}\n",
        });
        if (post !== 404) problems.push(`${what}: POST /streams/x answered ${post}, not 404`);
        for (const p of ["/streams", `/streams/${path.basename(args.find((a) => a.startsWith("pipelines/"))!, ".yaml")}`]) {
          const got = await httpStatus(`${base}${p}`);
          if (got !== 404) problems.push(`${what}: GET ${p} answered ${got}, not 404`);
        }
      } finally {
        await c.stop();
      }
    }
    expect(problems).toEqual([]);
  }, 600_000);
});

// The local stack is real: Kafka round trip, PostgreSQL query, pinned Connect binary, status script.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeKafka, consumeAll, createTopic, deleteTopic, headerText, produce } from "../helpers/kafka.ts";
import { createTestDatabase, getStack, REPO_ROOT, type Stack, type TestDatabase } from "../helpers/stack.ts";

let stack: Stack;
let db: TestDatabase | undefined;
const topic = `stack-test-${Date.now()}`;

beforeAll(async () => {
  stack = await getStack();
});

afterAll(async () => {
  await deleteTopic(topic).catch(() => undefined);
  await closeKafka();
  await db?.drop();
});

describe("local stack", () => {
  it("round-trips binary records with keys and headers through Kafka", async () => {
    expect(await createTopic(topic, 3)).toBe(true);
    expect(await createTopic(topic, 3)).toBe(false); // idempotent
    const frame = Buffer.from([0xaa, 0x55, 0x00, 0xff, 0x10]);
    await produce(topic, [
      { key: "4201", value: frame, headers: { source: "stack-test" } },
      { key: "4202", value: "hello" },
    ]);
    const recs = await consumeAll(topic, { expected: 2 });
    expect(recs).toHaveLength(2);
    const byKey = new Map(recs.map((r) => [r.key?.toString(), r]));
    expect(byKey.get("4201")?.value.equals(frame)).toBe(true);
    expect(headerText(byKey.get("4201")!, "source")).toBe("stack-test");
    expect(byKey.get("4202")?.value.toString()).toBe("hello");
    // idle mode reads the whole topic and stops by itself
    expect(await consumeAll(topic, { idleMs: 500 })).toHaveLength(2);
  });

  it("answers a PostgreSQL query in an isolated test database", async () => {
    db = await createTestDatabase("stack");
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const r = await client.query<{ db: string; v: string }>(
        "SELECT current_database() AS db, current_setting('server_version_num') AS v",
      );
      expect(r.rows[0]?.db).toBe(db.name);
      expect(Number(r.rows[0]?.v)).toBeGreaterThanOrEqual(150000);
    } finally {
      await client.end();
    }
  });

  it("runs the pinned Connect binary", () => {
    const gomod = readFileSync(path.join(REPO_ROOT, "tools/connect/go.mod"), "utf8");
    const pin = /github\.com\/redpanda-data\/connect\/v4 (v\S+)/.exec(gomod)?.[1];
    expect(pin).toMatch(/^v4\./);
    const out = execFileSync(stack.connectBin, ["--version"], { encoding: "utf8" });
    expect(out).toContain(`Version: ${pin}`);
  });

  it.runIf(process.env.TEST_STACK !== "containers")("reports healthy through stack.sh status", () => {
    const r = spawnSync("bash", [path.join(REPO_ROOT, "tools/stack/stack.sh"), "status"], {
      encoding: "utf8",
    });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/kafka\s+up/);
    expect(r.stdout).toMatch(/postgres\s+up/);
  });
});

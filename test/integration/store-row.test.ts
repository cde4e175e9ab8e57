// nb67_store_batch (STORE_METHOD=bulk) on real PostgreSQL: a line "<nb67_row literal>\t<record>"
// (the row the decoder writes, docs/deviations.md D9) must store exactly what the JSON record alone
// stores, and dead-letter what the JSON path dead-letters, with the JSON record as the evidence.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { join } from "node:path";
import { createTestDatabase, type TestDatabase } from "../helpers/stack.ts";
import { loadModule, type WasmModule } from "../helpers/wasm-host.ts";
import { ROOT } from "../helpers/reference.ts";
import { FrameSimulator } from "../../tools/sim/sim.ts";
import { query, rowCount } from "./ingest-support.ts";

const td = new TextDecoder();
let db: TestDatabase;
let m: WasmModule;
/** Per frame: the signal-parsed value (envelope) and the row literal, as ingest produces them. */
const lines: Array<{ json: string; row: string }> = [];

async function store(batch: string[]): Promise<number> {
  const r = await query<{ n: number }>(db.url, "SELECT nb67_store_batch($1, 'Asia/Shanghai', 'UTC') AS n", [batch.join("\n")]);
  return r[0].n;
}
async function snapshot(table: string, order: string): Promise<string[]> {
  return (await query<{ t: string }>(db.url, `SELECT t::text AS t FROM ${table} t ORDER BY ${order}`)).map((r) => r.t);
}
async function deadLetters(): Promise<string[]> {
  return (await query<{ t: string }>(db.url, "SELECT dedup_key || ' ' || reason AS t FROM macda_dead_letter ORDER BY 1")).map((r) => r.t);
}
async function reset() {
  await query(db.url, "TRUNCATE macda; TRUNCATE macda_dead_letter");
}

describe("nb67_store_batch: row literal lines vs JSON lines", () => {
  beforeAll(async () => {
    db = await createTestDatabase("store_row", { applySchema: true });
    m = await loadModule(join(ROOT, "dist", "nb67.wasm"));
    const sim = new FrameSimulator({ trains: 2, start: Date.parse("2026-11-20T08:00:00Z"), seed: 11 });
    let i = 0;
    for (const f of sim.frames(600)) {
      // every 50th frame cut to 492 bytes (no extended fields: NULLs), every 97th with an impossible
      // device time (month 13: dead letter)
      let frame = f.frame;
      if (i % 50 === 0) frame = frame.subarray(0, 492);
      if (i % 97 === 0) {
        frame = Buffer.from(frame);
        frame[31] = 13; // msg_src_dvc_month: msg_calc_dvc_time "20yy-13-..." is no date
      }
      i++;
      const r = m.call("decode", frame, { nb67_decode: "row=true;envelope=true;parse_time=2026-11-20 08:30:00" });
      if (r.meta.nb67_error) throw new Error(r.meta.nb67_error);
      lines.push({ json: td.decode(r.body), row: r.setMeta.nb67_row });
    }
  }, 120_000);

  afterAll(async () => {
    await db?.drop();
  });

  it("stores identical rows and identical dead letters from the row literals as from the JSON", async () => {
    expect(await store(lines.map((l) => l.json))).toBe(lines.length);
    const rowsJson = await snapshot("macda", "dvc_no, dvc_time, msg_frame_no");
    const deadJson = await deadLetters();
    expect(rowsJson.length).toBeGreaterThan(500);
    expect(deadJson.length).toBeGreaterThan(3);
    await reset();
    expect(await store(lines.map((l) => `${l.row}\t${l.json}`))).toBe(lines.length);
    expect(await snapshot("macda", "dvc_no, dvc_time, msg_frame_no")).toEqual(rowsJson);
    // same dead letters; the record kept is the signal-parsed value of the line (the envelope)
    expect(await deadLetters()).toEqual(deadJson);
    const dead = await query<{ record: Buffer }>(db.url, "SELECT record FROM macda_dead_letter");
    const values = new Set(lines.map((l) => l.json));
    for (const d of dead) expect(values.has(d.record.toString())).toBe(true);
  });

  it("takes a mixed batch (some lines with a row, some without) and a replay adds nothing", async () => {
    await reset();
    const mixed = lines.map((l, i) => (i % 2 ? l.json : `${l.row}\t${l.json}`));
    expect(await store(mixed)).toBe(lines.length);
    const n = await rowCount(db.url);
    expect(await store(mixed.reverse())).toBe(0); // rows written: duplicates are ignored
    expect(await rowCount(db.url)).toBe(n);
  });

  it("fails the batch with a data error (no silent row) when a row literal does not parse", async () => {
    await reset();
    const broken = lines[1].row.replace(/^\((\d+),/, "(x$1,");
    await expect(store([`${broken}\t${lines[1].json}`])).rejects.toThrow(/invalid input syntax/);
    expect(await rowCount(db.url)).toBe(0);
  });
});

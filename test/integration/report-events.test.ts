/**
 * Reports, SQL level: episode detection (sql/51_report_events.sql) on a real PostgreSQL, with
 * minimal legacy-shaped dev_/pro_ macda and predict tables created by the test itself.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createReportDatabase, insertRow, type ReportDb } from "../helpers/platform.ts";

let db: ReportDb;
const T0 = Date.now() - 3_600_000; // one hour ago, inside the default lookback
const at = (s: number) => new Date(T0 + s * 1000);

async function update(dev = true, pushFaults = true) {
  const [r] = await db.q<{ r: Record<string, number> }>(
    "SELECT report_update_events($1, '0 s', '1 day', $2, '12 hours', '365 days') AS r",
    [dev, pushFaults],
  );
  return r!.r;
}

async function events(dvc?: string) {
  return db.q<{
    dvc_no: string; event_key: string; code: string | null; start_time: Date; end_time: Date | null;
    status: string; source_kind: string; carriage: number | null;
  }>(
    `SELECT dvc_no, event_key, code, start_time, end_time, status, source_kind, carriage
       FROM report_event WHERE $1::text IS NULL OR dvc_no = $1 ORDER BY dvc_no, event_key, start_time`,
    [dvc ?? null],
  );
}

beforeAll(async () => {
  db = await createReportDatabase("report_events");
});
afterAll(async () => {
  await db?.drop();
});

describe("report_device_ident (fix of legacy bug 25)", () => {
  it.each([
    ["0700203", "07002", "7", 3, "M1"],
    ["0701001", "07010", "7", 1, "Tc1"], // legacy split-on-'0' reported train 07001
    ["0710001", "07100", "7", 1, "Tc1"], // legacy skipped the row
    ["1234506", "12345", "12", 6, "Tc2"],
    ["0700207", "07002", "7", 7, null], // legacy KeyError killed the timer
    ["07002255", "07002", "7", 255, null],
  ])("%s / %s", async (dvc, train, line, carriage, coach) => {
    const [r] = await db.q("SELECT * FROM report_device_ident($1, $2)", [dvc, train]);
    expect(r).toEqual({ line_name: line, carriage, coach });
  });
});

describe("episodes", () => {
  it("prediction flag: one episode from first active row to first cleared row; replay adds nothing", async () => {
    const dvc = "0700203";
    for (let s = 0; s < 5; s++) await insertRow(db, "dev_predict", dvc, "07002", at(s * 60), { ref_leak_u11: s < 3 ? 1 : 0 });
    await update();
    let ev = (await events(dvc)).filter((e) => e.event_key === "HVAC101");
    expect(ev).toHaveLength(1);
    expect(ev[0]!.code).toBe("HVAC301");
    expect(ev[0]!.start_time.getTime()).toBe(at(0).getTime());
    expect(ev[0]!.end_time?.getTime()).toBe(at(180).getTime());
    expect(ev[0]!.status).toBe("closed");

    // running again, and replaying from scratch (watermark reset), creates no duplicate
    await update();
    await db.q("DELETE FROM report_event_watermark");
    await update();
    ev = (await events(dvc)).filter((e) => e.event_key === "HVAC101");
    expect(ev).toHaveLength(1);
    const outbox = await db.q("SELECT record_kind FROM report_outbox o JOIN report_event e ON e.id = o.event_id WHERE e.dvc_no = $1 ORDER BY o.id", [dvc]);
    expect(outbox.map((o) => o.record_kind)).toEqual(["start", "end"]);
  });

  it("an episode open across cycles is closed by a later cycle; a new activation is a new episode", async () => {
    const dvc = "0700204";
    await insertRow(db, "dev_predict", dvc, "07002", at(0), { f_cp_u1: 1 });
    await insertRow(db, "dev_predict", dvc, "07002", at(60), { f_cp_u1: 1 });
    await update();
    expect((await events(dvc)).map((e) => [e.event_key, e.status])).toEqual([["HVAC105", "open"]]);
    await insertRow(db, "dev_predict", dvc, "07002", at(120), { f_cp_u1: 0 });
    await insertRow(db, "dev_predict", dvc, "07002", at(180), { f_cp_u1: 1 });
    await update();
    const ev = await events(dvc);
    expect(ev.map((e) => [e.code, e.status, e.start_time.getTime(), e.end_time?.getTime() ?? null])).toEqual([
      ["HVAC405", "closed", at(0).getTime(), at(120).getTime()],
      ["HVAC405", "open", at(180).getTime(), null],
    ]);
  });

  it("fault bits: real damper fault bits map to damper codes; positions do not; uncoded bits recorded, not queued", async () => {
    const dvc = "0700205";
    await insertRow(db, "dev_macda", dvc, "07002", at(0), { fadpos_u1: 100, radpos_u1: 48, radpos_u2: 48 });
    await insertRow(db, "dev_macda", dvc, "07002", at(1), { bflt_fad_u12: 1, bflt_tcms: 1, fadpos_u1: 100 });
    await insertRow(db, "dev_macda", dvc, "07002", at(2), { bflt_fad_u11: 1, bflt_fad_u12: 0, bflt_tcms: 1 });
    await insertRow(db, "dev_macda", dvc, "07002", at(3), {});
    await update();
    const ev = await events(dvc);
    expect(ev.map((e) => [e.event_key, e.code, e.start_time.getTime(), e.end_time?.getTime()])).toEqual([
      // u11 OR u12 is one continuous damper episode
      ["HVAC137", "HVAC537", at(1).getTime(), at(3).getTime()],
      ["bflt_tcms", null, at(1).getTime(), at(3).getTime()],
    ]);
    const queued = await db.q("SELECT e.event_key FROM report_outbox o JOIN report_event e ON e.id = o.event_id WHERE e.dvc_no = $1", [dvc]);
    expect(queued.map((q) => q.event_key).sort()).toEqual(["HVAC137", "HVAC137"]);
  });

  it("carriage outside 1..6: events recorded without code, not queued, no crash", async () => {
    const dvc = "0700207";
    await insertRow(db, "dev_predict", dvc, "07002", at(0), { ref_leak_u11: 1 });
    await insertRow(db, "dev_macda", dvc, "07002", at(0), { bocflt_ef_u11: 1 });
    await update();
    const ev = await events(dvc);
    expect(ev.map((e) => [e.event_key, e.code, e.carriage])).toEqual([
      ["HVAC101", null, 7],
      ["HVAC127", null, 7],
    ]);
    const q = await db.q("SELECT count(*)::int AS n FROM report_outbox o JOIN report_event e ON e.id = o.event_id WHERE e.dvc_no = $1", [dvc]);
    expect(q[0]!.n).toBe(0);
  });

  it("pro mode reads pro_* tables by msg_calc_dvc_time; SEND_FAULT_ALARMS=false queues warnings only", async () => {
    const dvc = "0700301";
    await insertRow(db, "pro_predict", dvc, "07003", at(0), { f_aq_u2: 1 });
    await insertRow(db, "pro_macda", dvc, "07003", at(0), { bflt_emergivt: 1 });
    await update(false, false);
    const ev = await events(dvc);
    expect(ev.map((e) => [e.code, e.source_kind])).toEqual([
      ["HVAC126", "predict"],
      ["HVAC169", "fault"],
    ]);
    const q = await db.q("SELECT o.message_type FROM report_outbox o JOIN report_event e ON e.id = o.event_id WHERE e.dvc_no = $1", [dvc]);
    expect(q.map((r) => r.message_type)).toEqual(["1"]);
  });

  it("claims are exclusive and an end is never claimed before its start", async () => {
    await update();
    await db.q("UPDATE report_outbox SET sent_at = now()"); // start from a clean outbox
    const dvc = "0700206";
    await insertRow(db, "dev_predict", dvc, "07002", at(0), { f_ras: 1 });
    await insertRow(db, "dev_predict", dvc, "07002", at(60), { f_ras: 0 });
    await update();
    const a = await db.q<{ ids: string; body: string }>("SELECT * FROM report_claim_faults('A', 1, '10 minutes')");
    const b = await db.q<{ ids: string; body: string }>("SELECT * FROM report_claim_faults('B', 10, '10 minutes')");
    expect(a).toHaveLength(1);
    expect(JSON.parse(a[0]!.body)[0].endtime).toBe(0); // A got the start
    expect(b).toHaveLength(0); // B may not take the end while the start is in flight
    await db.q("SELECT report_mark_sent($1, 'A')", [a[0]!.ids]);
    const b2 = await db.q<{ body: string }>("SELECT * FROM report_claim_faults('B', 10, '10 minutes')");
    const item = JSON.parse(b2[0]!.body)[0];
    expect(item.starttime).toBe(String(at(0).getTime()));
    expect(item.endtime).toBe(String(at(60).getTime()));
    // marking with a foreign token does nothing
    const bIds = (await db.q<{ id: string }>("SELECT id FROM report_outbox WHERE claimed_by = 'B' AND sent_at IS NULL")).map((r) => r.id);
    expect(bIds).toHaveLength(1);
    const [m] = await db.q<{ n: number }>("SELECT report_mark_sent($1, 'A') AS n", [bIds.join(",")]);
    expect(m!.n).toBe(0);
    const [m2] = await db.q<{ n: number }>("SELECT report_mark_sent($1, 'B') AS n", [bIds.join(",")]);
    expect(m2!.n).toBe(1);
  });

  it("re-push after 12 hours while open; cancelled when the episode clears", async () => {
    await update();
    await db.q("UPDATE report_outbox SET sent_at = now() WHERE sent_at IS NULL");
    const dvc = "0700302";
    await insertRow(db, "dev_predict", dvc, "07003", at(0), { f_fas: 1 });
    await update();
    await db.q(
      "UPDATE report_outbox o SET sent_at = now() - interval '13 hours' FROM report_event e WHERE e.id = o.event_id AND e.dvc_no = $1",
      [dvc],
    );
    const r = await update();
    expect(r.repush).toBe(1);
    const r2 = await update();
    expect(r2.repush).toBe(0); // same 12-hour period: not queued twice
    await insertRow(db, "dev_predict", dvc, "07003", at(60), { f_fas: 0 });
    const r3 = await update();
    expect(r3.cancelled).toBe(1);
    expect(r3.ends).toBe(1);
  });
});

describe("against the project schema (sql/apply.sh: macda + legacy views, predict tables)", () => {
  // Frames stored through the store's own SQL path (nb67_store_batch) from the real frame's legacy
  // record; episodes then come from the dev_macda VIEW, as in production.
  it("real frame rows: fault bits open and close episodes, damper codes from the damper fault bits", async () => {
    const { createTestDatabase } = await import("../helpers/stack.ts");
    const { existsSync, readFileSync } = await import("node:fs");
    const path = await import("node:path");
    const { ROOT, VECTORS } = await import("../helpers/platform.ts");
    if (!existsSync(path.join(ROOT, "sql/apply.sh"))) return;
    const real = await createTestDatabase("report_real", { applySchema: true });
    const pg = (await import("pg")).default;
    const c = new pg.Client({ connectionString: real.url });
    await c.connect();
    try {
      const frame = JSON.parse(readFileSync(path.join(VECTORS, "whole_frame.expected.json"), "utf8")) as Record<string, unknown>;
      const fmt = (d: Date) => d.toISOString().slice(0, 19).replace("T", " ");
      const t1 = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000);
      const t2 = new Date(t1.getTime() + 1000);
      const rows = [
        { ...frame, msg_frame_no: 1, msg_calc_dvc_time: fmt(new Date(t1.getTime() + 8 * 3600_000)), msg_calc_parse_time: fmt(t1), bocflt_ef_u11: 1 },
        { ...frame, msg_frame_no: 2, msg_calc_dvc_time: fmt(new Date(t2.getTime() + 8 * 3600_000)), msg_calc_parse_time: fmt(t2), bocflt_ef_u11: 0 },
      ];
      await c.query("SELECT nb67_store_batch($1, 'Asia/Shanghai', 'UTC')", [rows.map((r) => JSON.stringify(r)).join("\n")]);
      const stored = await c.query("SELECT count(*)::int AS n FROM dev_macda");
      expect(stored.rows[0].n).toBe(2);
      await c.query("SELECT report_update_events(true, '0 s', '1 hour', true, '12 hours', '365 days')");
      const ev = await c.query(
        "SELECT event_key, code, status, start_time, end_time FROM report_event ORDER BY event_key",
      );
      // the real frame has all eight damper FAULT bits set (and open dampers: fadpos 100, radpos 48)
      expect(ev.rows.map((r) => [r.event_key, r.code, r.status])).toEqual([
        ["HVAC127", "HVAC327", "closed"],
        ["HVAC137", "HVAC337", "open"],
        ["HVAC138", "HVAC338", "open"],
        ["HVAC157", "HVAC357", "open"],
        ["HVAC158", "HVAC358", "open"],
        ["bflt_airmon_u1", null, "open"],
        ["bflt_airmon_u2", null, "open"],
        ["bflt_currentmon", null, "open"],
        ["bflt_diffpres_u1", null, "open"],
        ["bflt_diffpres_u2", null, "open"],
        ["bflt_exhaustval", null, "open"],
      ]);
      const h = ev.rows[0];
      expect(h.start_time.getTime()).toBe(t1.getTime());
      expect(h.end_time.getTime()).toBe(t2.getTime());
      // pro mode over the same rows: device time (Asia/Shanghai label) decides the times
      await c.query("SELECT report_update_events(false, '0 s', '1 hour', true, '12 hours', '365 days')");
      const q = await c.query("SELECT o.record_kind, e.code FROM report_outbox o JOIN report_event e ON e.id = o.event_id ORDER BY o.id");
      expect(q.rows.map((r) => `${r.record_kind}:${r.code}`).sort()).toEqual(
        ["end:HVAC327", "start:HVAC327", "start:HVAC337", "start:HVAC338", "start:HVAC357", "start:HVAC358"],
      );
      // pro mode scans pro_macda by device time: the same rows, no new episodes (unique key)
      const n = await c.query("SELECT count(*)::int AS n FROM report_event");
      expect(n.rows[0].n).toBe(11);
    } finally {
      await c.end();
      await real.drop();
    }
  });
});

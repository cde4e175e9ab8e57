// The live hub on its own (no Kafka, scripted database): a frame with a fault bit becomes an alarm
// change for subscribed clients; each device at most once per throttle period per client; a slow
// client (full socket buffer) is skipped without delaying the others, gets a fresh snapshot once
// it drains, and is dropped if it stays full.
import { afterEach, describe, expect, it } from "vitest";
import type pg from "pg";
import type WebSocket from "ws";
import { loadConfig } from "../../console/server/config.ts";
import { LiveHub } from "../../console/server/live/hub.ts";

const db = {
  query: async (text: string) => ({
    rows: /report_alert_source/.test(text)
      ? [{ source: "bocflt_ef_u11", kind: "fault", event_key: "HVAC127", code: "HVAC127", location: null, fault_name: null, level: 1 }]
      : [],
  }),
} as unknown as pg.Pool;
const log = { warn() {}, error() {}, info() {} } as never;

class FakeSocket {
  readyState = 1;
  bufferedAmount = 0;
  sent: { type: string; devices?: { dvc_no: string; status: string; values?: Record<string, unknown> }[] }[] = [];
  raw: unknown[] = [];
  terminated = false;
  private handlers: Record<string, (() => void)[]> = {};
  send(s: string | Buffer) {
    this.raw.push(s);
    this.sent.push(JSON.parse(s.toString()));
  }
  on(ev: string, f: () => void) {
    (this.handlers[ev] ??= []).push(f);
  }
  terminate() {
    this.terminated = true;
    this.readyState = 3;
  }
  close() {
    this.readyState = 3;
  }
  types() {
    return this.sent.map((m) => m.type);
  }
}

const frame = (dvc: string, fault: number, tveh = 24.5) => Buffer.from(JSON.stringify({ schema: {}, payload: { msg_calc_dvc_no: dvc, msg_calc_train_no: dvc.slice(0, 5), msg_calc_dvc_time: "2026-12-04 10:00:00", bocflt_ef_u11: fault, tveh_1: tveh } }));
let hub: LiveHub | undefined;
afterEach(async () => hub?.stop());

async function newHub(o = {}) {
  hub = new LiveHub(db, loadConfig({ CONSOLE_LIVE: "false" }), log, { flushMs: 1e9, refreshMs: 1e9, perDeviceMs: 100, maxBuffered: 1000, dropAfterMs: 50, ...o });
  await hub.start();
  return hub;
}

describe("console live hub", () => {
  it("turns a fault bit into an alarm change, throttled per device per client", async () => {
    const h = await newHub();
    const ws = new FakeSocket();
    const c = h.addClient(ws as unknown as WebSocket, "u");
    h.subscribe(c, ["*"]);
    expect(ws.types()).toEqual(["hello", "snapshot"]);
    await new Promise((r) => setTimeout(r, 110));
    h.onFrame(frame("0700101", 1));
    h.flush();
    const change = ws.sent.at(-1)!;
    expect(change.type).toBe("changes");
    expect(change.devices).toMatchObject([{ dvc_no: "0700101", status: "alarm", live_faults: ["bocflt_ef_u11"], values: { tveh_1: 24.5 } }]);
    h.onFrame(frame("0700101", 0));
    h.flush();
    expect(ws.sent.length).toBe(3); // within the throttle period: held back
    await new Promise((r) => setTimeout(r, 110));
    h.flush();
    expect(ws.sent.length).toBe(4);
    expect(ws.sent[3].devices).toMatchObject([{ dvc_no: "0700101", status: "normal" }]);
    h.onFrame(frame("0700102", 0));
    const other = new FakeSocket();
    const c2 = h.addClient(other as unknown as WebSocket, "v");
    h.subscribe(c2, ["0700101"]);
    expect(other.sent[1].devices!.map((d) => d.dvc_no)).toEqual(["0700101"]);
  });

  it("skips a slow client without delaying the others, re-snapshots it when drained, drops it when it stays slow", async () => {
    const h = await newHub();
    const fast = new FakeSocket();
    const slow = new FakeSocket();
    const gone = new FakeSocket();
    for (const s of [fast, slow, gone]) h.subscribe(h.addClient(s as unknown as WebSocket, "u"), ["*"]);
    slow.bufferedAmount = 5000;
    gone.bufferedAmount = 5000;
    await new Promise((r) => setTimeout(r, 110));
    h.onFrame(frame("0700101", 1));
    h.flush();
    expect(fast.sent.at(-1)!.type).toBe("changes");
    expect(slow.types()).toEqual(["hello", "snapshot"]);
    expect(h.stats.skipped).toBe(2);
    slow.bufferedAmount = 0;
    h.flush();
    expect(slow.sent.at(-1)).toMatchObject({ type: "snapshot", devices: [{ dvc_no: "0700101", status: "alarm" }] });
    await new Promise((r) => setTimeout(r, 60));
    h.flush();
    expect(gone.terminated).toBe(true);
    expect(h.stats.dropped).toBe(1);
    expect(h.clientCount).toBe(2);
  });

  it("ignores records that are not JSON or carry no valid device number", async () => {
    const h = await newHub();
    h.onFrame(Buffer.from("not json"));
    h.onFrame(Buffer.from(JSON.stringify({ payload: { msg_calc_dvc_no: "07001'; --" } })));
    h.onFrame(null);
    expect(h.stats.parseErrors).toBe(2);
    expect(h.stats.messages).toBe(0);
  });

  it("keyed records: decodes at most one per device per throttle period, the newest, and never loses the last one", async () => {
    const h = await newHub();
    const ws = new FakeSocket();
    h.subscribe(h.addClient(ws as unknown as WebSocket, "u"), ["*"]);
    // 50 records of one device before a flush: only the newest is decoded
    for (let i = 0; i < 50; i++) h.onFrame(frame("0700101", 0, i), Buffer.from("0700101"));
    expect(h.stats.messages).toBe(0);
    h.flush();
    expect(h.stats.messages).toBe(1);
    expect(h.stats.superseded).toBe(49);
    expect(ws.sent.at(-1)!.devices).toMatchObject([{ dvc_no: "0700101", values: { tveh_1: 49 } }]);
    // within the period: kept undecoded; the fault in the LAST record still arrives after it
    h.onFrame(frame("0700101", 1, 50), Buffer.from("0700101"));
    h.onFrame(frame("0700101", 1, 51), Buffer.from("0700101"));
    h.flush();
    expect(h.stats.messages).toBe(1);
    expect(ws.sent.length).toBe(3);
    await new Promise((r) => setTimeout(r, 110));
    h.flush();
    expect(h.stats.messages).toBe(2);
    expect(ws.sent.at(-1)!.devices).toMatchObject([{ dvc_no: "0700101", status: "alarm", values: { tveh_1: 51 } }]);
    // a key that is not a device number: decoded at once, its body decides
    h.onFrame(frame("0700103", 0), Buffer.from("x"));
    expect(h.stats.messages).toBe(3);
  });

  it("serialises a change once: every client with the same subscription gets the same buffer", async () => {
    const h = await newHub();
    const all = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    for (const s of all) h.subscribe(h.addClient(s as unknown as WebSocket, "u"), ["*"]);
    const one = new FakeSocket();
    h.subscribe(h.addClient(one as unknown as WebSocket, "u"), ["0700102"]);
    h.onFrame(frame("0700101", 1), "0700101");
    h.onFrame(frame("0700102", 0), "0700102");
    h.flush();
    expect(all[0].raw.at(-1)).toBeInstanceOf(Buffer);
    expect(all[1].raw.at(-1)).toBe(all[0].raw.at(-1));
    expect(all[2].raw.at(-1)).toBe(all[0].raw.at(-1));
    expect(all[0].sent.at(-1)!.devices!.map((d) => d.dvc_no).sort()).toEqual(["0700101", "0700102"]);
    expect(one.sent.at(-1)!.devices!.map((d) => d.dvc_no)).toEqual(["0700102"]);
  });
});

// The live feed: ONE kafkajs consumer of signal-parsed per console instance (its own consumer
// group, starting at the latest offset) keeps the newest frame facts per device; a periodic read
// of the fleet state from PostgreSQL (O(devices)) adds episodes, shelves and offline. Clients get
// a snapshot, then changes, each device at most once per second. The live path is kept cheap:
// the record key (the ingest sets it to the device number) throttles BEFORE any JSON decoding
// (only the newest record per device is kept, decoded when the device may change again, so the
// last state is never lost); a change is serialised once per flush and the same buffer goes to
// every client with the same subscription. A client whose socket buffer is full is skipped (it
// gets a fresh snapshot when it drains) and dropped if it stays full, so a slow screen never slows
// the others. The in-memory state is a cache: a restart rebuilds it.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { FastifyBaseLogger } from "fastify";
import { Kafka, logLevel, type Consumer } from "kafkajs";
import type pg from "pg";
import type WebSocket from "ws";
import type { ConsoleConfig } from "../config.ts";
import { alertCatalogue } from "../lib/alerts.ts";
import { deviceStatus, fleetState, type DeviceState } from "../fleet/queries.ts";

export interface LiveDevice extends DeviceState {
  values: Record<string, number | null>;
}

/** Frame fields every change carries (tile values), legacy (scaled) values from signal-parsed. */
export const LIVE_VALUES = ["tveh_1", "tic", "wmode_u1", "wmode_u2", "fas_u1", "fas_u2", "ras_u1", "ras_u2", "cfbk_comp_u11", "cfbk_comp_u21", "cfbk_ef_u11", "cfbk_ef_u21"];

interface Client {
  ws: WebSocket;
  user: string;
  all: boolean;
  devices: Set<string>;
  /** the subscription as one string: clients with the same one share a serialised message */
  subKey: string;
  needSnapshot: boolean;
  fullSince: number | null;
}

const DEVICE_NO = /^[0-9]{3,12}$/;
/** the ingest's device numbers (its key); other keys are not trusted to group records by device */
const DEVICE_KEY = /^[0-9]{7,8}$/;

export interface LiveOptions {
  flushMs?: number;
  perDeviceMs?: number;
  refreshMs?: number;
  maxBuffered?: number;
  dropAfterMs?: number;
}

export class LiveHub {
  private devices = new Map<string, LiveDevice>();
  private dbState = new Map<string, DeviceState>();
  private clients = new Set<Client>();
  private dirty = new Set<string>();
  /** newest undecoded record per device (by record key), decoded when the device may change again */
  private raw = new Map<string, Buffer>();
  /** when each device last went out as a change (one throttle for all clients) */
  private lastEmit = new Map<string, number>();
  private consumer?: Consumer;
  private timers: NodeJS.Timeout[] = [];
  private faultSources: string[] = [];
  private sourceKey = new Map<string, string>();
  readonly stats = { records: 0, messages: 0, parseErrors: 0, superseded: 0, keyMismatch: 0, sent: 0, skipped: 0, dropped: 0 };
  /** Resolves when the consumer has joined its group (it reads from the latest offset on). */
  readonly joined: Promise<void>;
  private setJoined!: () => void;
  private readonly o: Required<LiveOptions>;

  constructor(
    private db: pg.Pool,
    private cfg: ConsoleConfig,
    private log: FastifyBaseLogger,
    o: LiveOptions = {},
  ) {
    this.joined = new Promise((r) => (this.setJoined = r));
    this.o = { flushMs: 200, perDeviceMs: 1000, refreshMs: 5000, maxBuffered: 1 << 20, dropAfterMs: 15_000, ...o };
  }

  async start(): Promise<void> {
    const cat = await alertCatalogue(this.db);
    this.faultSources = [...cat.bySource.values()].filter((s) => s.kind === "fault").map((s) => s.source);
    this.sourceKey = new Map([...cat.bySource.values()].map((s) => [s.source, s.event_key]));
    await this.refresh().catch((e) => this.log.warn({ err: e }, "live: first fleet read failed"));
    this.timers.push(setInterval(() => this.refresh().catch((e) => this.log.warn({ err: e }, "live: fleet refresh failed")), this.o.refreshMs));
    this.timers.push(setInterval(() => this.flush(), this.o.flushMs));
    if (this.cfg.liveEnabled && this.cfg.kafkaBrokers.length) {
      const kafka = new Kafka({ clientId: "nb67-console", brokers: this.cfg.kafkaBrokers, logLevel: logLevel.NOTHING });
      // A group of its own per instance: every console instance must see every frame.
      this.consumer = kafka.consumer({ groupId: `${this.cfg.liveGroup}-${hostname()}-${randomUUID().slice(0, 8)}`, maxWaitTimeInMs: 100, sessionTimeout: 30_000 });
      this.consumer.on(this.consumer.events.GROUP_JOIN, () => this.setJoined());
      try {
        await this.consumer.connect();
        await this.consumer.subscribe({ topic: this.cfg.parsedTopic, fromBeginning: false });
        await this.consumer.run({
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) this.onFrame(m.value, m.key);
          },
        });
      } catch (e) {
        // The console keeps serving (fleet state from the database); the feed then runs on refreshes only.
        this.log.error({ err: e }, "live: Kafka consumer could not start; live changes come from the database refresh only");
      }
    }
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    for (const c of this.clients) c.ws.close(1001, "server stopping");
    await this.consumer?.disconnect().catch(() => {});
  }

  /**
   * One signal-parsed record (legacy envelope or bare payload). With a device-number key (as the
   * ingest writes it) the record is only kept as the device's newest and decoded at the next flush
   * that may send the device; without one it is decoded now (its device is in the body only).
   */
  onFrame(value: Buffer | null, key?: Buffer | string | null): void {
    if (!value) return;
    this.stats.records++;
    const k = key == null ? "" : key.toString();
    if (DEVICE_KEY.test(k)) {
      if (this.raw.has(k)) this.stats.superseded++;
      this.raw.set(k, value);
      return;
    }
    this.decode(value, null);
  }

  /** Decodes one record; the body's device number wins over the key (counted when they differ). */
  private decode(value: Buffer, key: string | null): void {
    let rec: Record<string, unknown>;
    try {
      const j = JSON.parse(value.toString("utf8"));
      rec = (j && typeof j === "object" && j.payload && typeof j.payload === "object" ? j.payload : j) as Record<string, unknown>;
    } catch {
      this.stats.parseErrors++;
      return;
    }
    const dvc = rec.msg_calc_dvc_no;
    if (typeof dvc !== "string" || !DEVICE_NO.test(dvc)) {
      this.stats.parseErrors++;
      return;
    }
    if (key !== null && dvc !== key) this.stats.keyMismatch++;
    this.stats.messages++;
    const base = this.dbState.get(dvc);
    const faults = this.faultSources.filter((s) => Number(rec[s]) > 0);
    const shelvedKeys = new Set(base?.shelved_keys ?? []);
    const live = faults.filter((b) => !shelvedKeys.has(this.sourceKey.get(b) ?? b));
    const values: Record<string, number | null> = {};
    for (const k of LIVE_VALUES) values[k] = typeof rec[k] === "number" ? (rec[k] as number) : null;
    const trainNo = typeof rec.msg_calc_train_no === "string" ? rec.msg_calc_train_no : (base?.train_no ?? dvc.slice(0, -2));
    const t = typeof rec.msg_calc_dvc_time === "string" ? new Date(rec.msg_calc_dvc_time.replace(" ", "T") + "Z") : new Date();
    const prev = this.devices.get(dvc);
    const d: LiveDevice = {
      dvc_no: dvc,
      train_no: trainNo,
      carriage: base?.carriage ?? (Number(dvc.slice(-2)) || null),
      last_seen: Number.isNaN(t.getTime()) ? (prev?.last_seen ?? new Date().toISOString()) : t.toISOString(),
      received_at: new Date().toISOString(),
      alarms: base?.alarms ?? 0,
      warnings: base?.warnings ?? 0,
      shelved: base?.shelved ?? 0,
      live_faults: live,
      status: "normal",
      values,
    };
    d.status = deviceStatus({ offline: false, alarms: d.alarms, warnings: d.warnings, shelved: d.shelved, live_faults: live });
    this.devices.set(dvc, d);
    // Values change every second; the per-client throttle bounds what is sent.
    this.dirty.add(dvc);
  }

  /** Re-reads the fleet state (episodes, shelves, offline) and marks devices whose status changed. */
  async refresh(): Promise<void> {
    const rows = await fleetState(this.db, this.cfg.offlineAfterMs);
    const fresh = new Map(rows.map((r) => [r.dvc_no, r]));
    this.dbState = fresh;
    const now = Date.now();
    for (const r of rows) {
      const cur = this.devices.get(r.dvc_no);
      // A frame seen by the consumer more recently than the database row wins for the frame facts.
      const liveNewer = cur && Date.parse(cur.received_at) > Date.parse(r.received_at) && now - Date.parse(cur.received_at) < this.cfg.offlineAfterMs;
      const next: LiveDevice = liveNewer
        ? { ...cur!, alarms: r.alarms, warnings: r.warnings, shelved: r.shelved }
        : { ...r, values: cur?.values ?? {} };
      if (liveNewer) next.status = deviceStatus({ offline: false, alarms: r.alarms, warnings: r.warnings, shelved: r.shelved, live_faults: next.live_faults });
      if (!cur || cur.status !== next.status || cur.alarms !== next.alarms || cur.warnings !== next.warnings || cur.shelved !== next.shelved) this.dirty.add(r.dvc_no);
      this.devices.set(r.dvc_no, next);
    }
    // Devices only the consumer knows (not stored yet) go offline on the same rule.
    for (const [k, d] of this.devices) {
      if (!fresh.has(k) && now - Date.parse(d.received_at) > this.cfg.offlineAfterMs && d.status !== "offline") {
        d.status = "offline";
        this.dirty.add(k);
      }
    }
  }

  snapshot(c: Client): LiveDevice[] {
    return [...this.devices.values()].filter((d) => c.all || c.devices.has(d.dvc_no));
  }

  addClient(ws: WebSocket, user: string): Client {
    const c: Client = { ws, user, all: false, devices: new Set(), subKey: "", needSnapshot: false, fullSince: null };
    this.clients.add(c);
    ws.on("close", () => this.clients.delete(c));
    this.send(c, Buffer.from(JSON.stringify({ type: "hello", user, offline_after_s: this.cfg.offlineAfterMs / 1000, per_device_ms: this.o.perDeviceMs })));
    return c;
  }

  subscribe(c: Client, devices: string[]): void {
    c.all = devices.includes("*");
    c.devices = new Set(devices.filter((d) => d !== "*"));
    c.subKey = c.all ? "*" : [...c.devices].sort().join(",");
    this.send(c, this.message("snapshot", this.snapshot(c).map((d) => JSON.stringify(d))));
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** A text frame from a UTF-8 buffer that may be shared by many clients (ws does not copy it per client). */
  private send(c: Client, buf: Buffer): boolean {
    if (c.ws.readyState !== 1) return false;
    c.ws.send(buf, { binary: false });
    this.stats.sent++;
    return true;
  }

  private message(type: "snapshot" | "changes", parts: string[]): Buffer {
    return Buffer.from(`{"type":"${type}","at":"${new Date().toISOString()}","devices":[${parts.join(",")}]}`);
  }

  /**
   * Every flushMs: decode the newest record of each device that may change again, then send the
   * devices that changed, each at most once per perDeviceMs, serialised once per subscription.
   */
  flush(): void {
    const now = Date.now();
    const may = (k: string) => now - (this.lastEmit.get(k) ?? 0) >= this.o.perDeviceMs;
    for (const [k, v] of this.raw) {
      if (!may(k)) continue;
      this.raw.delete(k);
      this.decode(v, k);
    }
    const out = new Map<string, string>();
    for (const k of this.dirty) {
      if (!may(k)) continue;
      this.dirty.delete(k);
      const d = this.devices.get(k);
      if (!d) continue;
      this.lastEmit.set(k, now);
      out.set(k, JSON.stringify(d));
    }
    const bySub = new Map<string, Buffer | null>();
    let snapAll: Buffer | undefined;
    for (const c of this.clients) {
      if (c.ws.readyState !== 1) continue;
      if (c.ws.bufferedAmount > this.o.maxBuffered) {
        // Slow client: skip it this round; drop it if it stays that slow.
        c.fullSince ??= now;
        c.needSnapshot = true;
        this.stats.skipped++;
        if (now - c.fullSince > this.o.dropAfterMs) {
          this.stats.dropped++;
          c.ws.terminate();
          this.clients.delete(c);
        }
        continue;
      }
      c.fullSince = null;
      if (c.needSnapshot) {
        c.needSnapshot = false;
        const snap = c.all ? (snapAll ??= this.message("snapshot", [...this.devices.values()].map((d) => JSON.stringify(d)))) : this.message("snapshot", this.snapshot(c).map((d) => JSON.stringify(d)));
        this.send(c, snap);
        continue;
      }
      if (!out.size) continue;
      let buf = bySub.get(c.subKey);
      if (buf === undefined) {
        const parts = c.all ? [...out.values()] : [...out].filter(([k]) => c.devices.has(k)).map(([, j]) => j);
        buf = parts.length ? this.message("changes", parts) : null;
        bySub.set(c.subKey, buf);
      }
      if (buf) this.send(c, buf);
    }
  }
}

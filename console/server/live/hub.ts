// The live feed: ONE kafkajs consumer of signal-parsed per console instance (its own consumer
// group, starting at the latest offset) keeps the newest frame facts per device; a periodic read
// of the fleet state from PostgreSQL (O(devices)) adds episodes, shelves and offline. Clients get
// a snapshot, then changes, at most one per device per second each. A client whose socket buffer
// is full is skipped (it gets a fresh snapshot when it drains) and dropped if it stays full, so a
// slow screen never slows the others. The in-memory state is a cache: a restart rebuilds it.
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
  lastSent: Map<string, number>;
  pending: Set<string>;
  needSnapshot: boolean;
  fullSince: number | null;
}

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
  private consumer?: Consumer;
  private timers: NodeJS.Timeout[] = [];
  private faultSources: string[] = [];
  private sourceKey = new Map<string, string>();
  readonly stats = { messages: 0, parseErrors: 0, sent: 0, skipped: 0, dropped: 0 };
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
        await this.consumer.run({ eachMessage: async ({ message }) => this.onFrame(message.value) });
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

  /** One signal-parsed record (legacy envelope or bare payload). */
  onFrame(value: Buffer | null): void {
    if (!value) return;
    let rec: Record<string, unknown>;
    try {
      const j = JSON.parse(value.toString("utf8"));
      rec = (j && typeof j === "object" && j.payload && typeof j.payload === "object" ? j.payload : j) as Record<string, unknown>;
    } catch {
      this.stats.parseErrors++;
      return;
    }
    const dvc = rec.msg_calc_dvc_no;
    if (typeof dvc !== "string" || !/^[0-9]{3,12}$/.test(dvc)) {
      this.stats.parseErrors++;
      return;
    }
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
    const c: Client = { ws, user, all: false, devices: new Set(), lastSent: new Map(), pending: new Set(), needSnapshot: false, fullSince: null };
    this.clients.add(c);
    ws.on("close", () => this.clients.delete(c));
    this.send(c, { type: "hello", user, offline_after_s: this.cfg.offlineAfterMs / 1000, per_device_ms: this.o.perDeviceMs });
    return c;
  }

  subscribe(c: Client, devices: string[]): void {
    c.all = devices.includes("*");
    c.devices = new Set(devices.filter((d) => d !== "*"));
    c.pending.clear();
    const snap = this.snapshot(c);
    const now = Date.now();
    for (const d of snap) c.lastSent.set(d.dvc_no, now);
    this.send(c, { type: "snapshot", at: new Date().toISOString(), devices: snap });
  }

  get clientCount(): number {
    return this.clients.size;
  }

  private send(c: Client, msg: unknown): boolean {
    if (c.ws.readyState !== 1) return false;
    c.ws.send(JSON.stringify(msg));
    this.stats.sent++;
    return true;
  }

  /** Every flushMs: per client, the changed devices it subscribed to, each at most once per perDeviceMs. */
  flush(): void {
    const dirty = this.dirty;
    this.dirty = new Set();
    const now = Date.now();
    for (const c of this.clients) {
      if (c.ws.readyState !== 1) continue;
      for (const d of dirty) if (c.all || c.devices.has(d)) c.pending.add(d);
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
        c.pending.clear();
        const snap = this.snapshot(c);
        for (const d of snap) c.lastSent.set(d.dvc_no, now);
        this.send(c, { type: "snapshot", at: new Date().toISOString(), devices: snap });
        continue;
      }
      const out: LiveDevice[] = [];
      for (const k of c.pending) {
        if (now - (c.lastSent.get(k) ?? 0) < this.o.perDeviceMs) continue;
        const d = this.devices.get(k);
        c.pending.delete(k);
        if (!d) continue;
        c.lastSent.set(k, now);
        out.push(d);
      }
      if (out.length) this.send(c, { type: "changes", at: new Date().toISOString(), devices: out });
    }
  }
}

/**
 * NB67 frame simulator (library). N trains x C carriages, R frames/s per carriage, plausible HVAC
 * physics (cooling season), compressor and fan cycles, monotonic run-time counters, and scenario
 * injection per device. Frames are built with the codec's generated encoder.
 *
 *   import { FrameSimulator, parseScenarios } from "../../tools/sim/sim.ts";
 *   const sim = new FrameSimulator({ trains: 2, rateHz: 1, start: Date.parse("2026-11-22T08:00:00Z"),
 *     scenarios: parseScenarios("leak:0700103:u11,filter:0700204:u1"), corruptShare: 0.01 });
 *   for (const f of sim.tick()) produce(f.frame)            // one frame per device
 *   const rec = sim.recordFor("0700103", Date.now())        // the record without encoding
 *
 * Healthy behaviour (chosen so that no legacy rule fires, in both rule profiles): each unit runs a
 * 10-minute cycle, on 70 % of it (unit 2 half a cycle after unit 1); the two compressors of a unit
 * stage together (same frequency, currents within noise), because the legacy f_cp rule reads "equal
 * p95 frequencies over 3 min and a p80 current difference > 2 A" as a compressor fault, and that is
 * exactly what one compressor off while the other runs would look like.
 *
 * Scenarios (comma-separated `kind:device[:target][@startMin[+rampMin][-endMin]]`, device = 7-digit
 * number or `*` for every device):
 *   leak:<dev>:u11|u12|u21|u22      refrigerant leak: suction pressure falls to ~1.2 bar, high pressure
 *                                   and superheat rise/fall accordingly, and the unit can no longer reach
 *                                   its set point, so (from half strength on) it stops cycling: both
 *                                   compressors of the unit run continuously at 45..55 Hz (legacy rule
 *                                   ref_leak_uXY: p90 suckp @5m < 2 bar with p95 f_cp @5m > 30 Hz)
 *   filter:<dev>:u1|u2              clogged filter: presdiff rises to ~450 Pa, evaporator fan on
 *                                   (rule f_presdiff_uX: p95 presdiff @30m > 300 Pa)
 *   fan:<dev>:ef_u11|..|cf_u22|exufan   fan over-current (rules f_ef_*, f_cf_*, f_exufan)
 *   sensor:<dev>:u1|u2              fresh/return-air sensor drift (+12 degC, rule f_fas/f_ras) and the
 *                                   bflt_frstemp_uX fault bit
 *   bit:<dev>:<fault bit id>        set any fault bit, e.g. bit:0700101:bflt_tempover
 *   compressor:<dev>:u1|u2          compressor current imbalance (rule f_cp_uX)
 *   airquality:<dev>:u1|u2          CO2 2000 ppm, PM2.5 120 (rule f_aq_uX)
 *   corrupt:<dev>:<share>           that share (0..1) of the device's frames is corrupt
 * `@startMin+rampMin-endMin`: the fault begins startMin minutes after the simulation start, reaches
 * full strength after rampMin more minutes and is gone (repaired) from endMin minutes after the
 * simulation start (default @0+0 and no end: full strength from the start, for ever).
 */
import { encode, type Nb67Record } from "../../codec/generated/encoder.ts";
import { mulberry32 } from "./prng.ts";

export type ScenarioKind = "leak" | "filter" | "fan" | "sensor" | "bit" | "compressor" | "airquality" | "corrupt";

export interface Scenario {
  kind: ScenarioKind;
  /** 7-digit device number, or "*" for all devices. */
  device: string;
  /** Unit / fan / bit id, or the corrupt share. */
  target: string;
  startMin: number;
  rampMin: number;
  /** Minutes after the simulation start from which the fault is gone (absent = never). */
  endMin?: number;
}

export type CorruptKind = "truncated" | "train-below-1000" | "garbage" | "empty";

export interface SimFrame {
  dvcNo: string;
  /** Simulated instant of the frame (ms since epoch). */
  tMs: number;
  frame: Buffer;
  /** The record the frame encodes (absent for corrupt frames). */
  record?: Nb67Record;
  /** Set when the frame is deliberately corrupt (the decoder must reject it). */
  corrupt?: CorruptKind;
}

export interface SimOptions {
  trains?: number;
  carriages?: number;
  /** Metro line (dvc_train_no = line * 1000 + train). */
  line?: number;
  firstTrain?: number;
  /** Frames per second per carriage. */
  rateHz?: number;
  /** Simulation start (ms since epoch). */
  start?: number;
  seed?: number;
  scenarios?: Scenario[];
  /** Share (0..1) of corrupt frames over all devices. */
  corruptShare?: number;
  /** Zone of the device clock (msg_calc_dvc_time), legacy Asia/Shanghai. */
  tz?: string;
  /** Frame length (538 = whole frame with extended fields; 492 = legacy minimum). */
  frameLength?: number;
}

const UNITS2 = ["u11", "u12", "u21", "u22"] as const;
const FANS = ["ef_u11", "ef_u12", "ef_u21", "ef_u22", "cf_u11", "cf_u12", "cf_u21", "cf_u22", "exufan"];

export function parseScenarios(spec: string | undefined): Scenario[] {
  if (!spec) return [];
  return spec
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const m = /^(\w+):([0-9]{7,8}|\*):([\w.]+)(?:@([0-9.]+)(?:\+([0-9.]+))?(?:-([0-9.]+))?)?$/.exec(s);
      if (!m) throw new Error(`scenario "${s}": expected kind:device:target[@startMin[+rampMin][-endMin]]`);
      const kind = m[1] as ScenarioKind;
      const target = m[3];
      const ok: Record<ScenarioKind, (t: string) => boolean> = {
        leak: (t) => (UNITS2 as readonly string[]).includes(t),
        filter: (t) => t === "u1" || t === "u2",
        fan: (t) => FANS.includes(t),
        sensor: (t) => t === "u1" || t === "u2",
        bit: (t) => /^(bocflt|bflt|blpflt|bscflt)_\w+$/.test(t),
        compressor: (t) => t === "u1" || t === "u2",
        airquality: (t) => t === "u1" || t === "u2",
        corrupt: (t) => Number(t) >= 0 && Number(t) <= 1,
      };
      if (!(kind in ok)) throw new Error(`scenario "${s}": unknown kind ${kind}`);
      if (!ok[kind](target)) throw new Error(`scenario "${s}": bad target ${target} for ${kind}`);
      const sc: Scenario = { kind, device: m[2], target, startMin: Number(m[4] ?? 0), rampMin: Number(m[5] ?? 0) };
      if (m[6] !== undefined) {
        sc.endMin = Number(m[6]);
        if (!(sc.endMin > sc.startMin)) throw new Error(`scenario "${s}": endMin must be after startMin`);
      }
      return sc;
    });
}

/** Uniform [0, 1) from the shared seeded PRNG. */
function prng(seed: number): () => number {
  const next = mulberry32(seed);
  return () => next() / 4294967296;
}

interface Counters {
  [k: string]: number;
}

interface DeviceState {
  dvcNo: string;
  trainNo: number; // dvc_train_no
  carriage: number;
  frameNo: number;
  rnd: () => number;
  phase: number; // compressor cycle phase offset (s)
  counters: Counters;
  lastOn: Record<string, boolean>;
  lastT: number | null;
}

/** Local wall-clock parts of an instant in a zone (cached per second). */
class LocalClock {
  private fmt: Intl.DateTimeFormat;
  private cacheSec = NaN;
  private cache: number[] = [];
  constructor(tz: string) {
    this.fmt = new Intl.DateTimeFormat("en-GB", {
      timeZone: tz,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
  }
  parts(tMs: number): number[] {
    const sec = Math.floor(tMs / 1000);
    if (sec !== this.cacheSec) {
      const p: Record<string, number> = {};
      for (const x of this.fmt.formatToParts(new Date(sec * 1000))) if (x.type !== "literal") p[x.type] = Number(x.value);
      this.cache = [p.year, p.month, p.day, p.hour, p.minute, p.second];
      this.cacheSec = sec;
    }
    return this.cache;
  }
}

const r1 = (x: number) => Math.round(x * 10) / 10;

export class FrameSimulator {
  readonly devices: DeviceState[] = [];
  readonly rateHz: number;
  readonly start: number;
  private t: number;
  private readonly scenarios: Scenario[];
  private readonly corruptShare: number;
  private readonly clock: LocalClock;
  private readonly frameLength: number;
  private readonly rnd: () => number;

  constructor(opts: SimOptions = {}) {
    const trains = opts.trains ?? 1;
    const carriages = opts.carriages ?? 6;
    const line = opts.line ?? 7;
    const first = opts.firstTrain ?? 1;
    const seed = opts.seed ?? 20240719;
    this.rateHz = opts.rateHz ?? 1;
    this.start = opts.start ?? Date.now();
    this.t = this.start;
    this.scenarios = opts.scenarios ?? [];
    this.corruptShare = opts.corruptShare ?? 0;
    this.clock = new LocalClock(opts.tz ?? "Asia/Shanghai");
    this.frameLength = opts.frameLength ?? 538;
    this.rnd = prng(seed ^ 0x5eed);
    if (line < 1 || line > 65 || first + trains - 1 > 999) throw new Error("line 1..65 and train numbers up to 999");
    for (let tr = first; tr < first + trains; tr++) {
      for (let c = 1; c <= carriages; c++) {
        const trainNo = line * 1000 + tr;
        const dvcNo = String(line).padStart(2, "0") + String(tr).padStart(3, "0") + String(c).padStart(2, "0");
        const rnd = prng(seed + trainNo * 31 + c);
        const counters: Counters = {};
        // plausible starting life: 1..3 years of service
        const age = 3e7 + rnd() * 6e7;
        for (const u of ["u11", "u21"]) {
          counters[`dwef_op_tm_${u}`] = Math.floor(age * 0.8);
          counters[`dwcf_op_tm_${u}`] = Math.floor(age * 0.5);
          counters[`dwef_op_cnt_${u}`] = Math.floor(age / 20000);
          counters[`dwcf_op_cnt_${u}`] = Math.floor(age / 3000);
        }
        for (const u of UNITS2) {
          counters[`dwcp_op_tm_${u}`] = Math.floor(age * 0.4);
          counters[`dwcp_op_cnt_${u}`] = Math.floor(age / 900);
        }
        for (const u of ["u1", "u2"]) {
          counters[`dwfad_op_cnt_${u}`] = Math.floor(age / 5000);
          counters[`dwrad_op_cnt_${u}`] = Math.floor(age / 5000);
        }
        counters.dwexufan_op_tm = Math.floor(age * 0.6);
        counters.dwexufan_op_cnt = Math.floor(age / 20000);
        counters.dwdmpexu_op_cnt = Math.floor(age / 20000);
        counters.dwemerg_op_tm = Math.floor(rnd() * 5000);
        counters.dwemerg_op_cnt = Math.floor(rnd() * 50);
        counters.dwpower = Math.floor(age / 200);
        this.devices.push({
          dvcNo,
          trainNo,
          carriage: c,
          frameNo: Math.floor(rnd() * 65536),
          rnd,
          phase: rnd() * 600,
          counters,
          lastOn: {},
          lastT: null,
        });
      }
    }
  }

  /** Current simulated time (ms). */
  get now(): number {
    return this.t;
  }

  /** One frame per device at the current time, then advance the clock by 1/rateHz s. */
  tick(): SimFrame[] {
    const out = this.devices.map((d) => this.frameFor(d, this.t));
    this.t += 1000 / this.rateHz;
    return out;
  }

  /**
   * Repair a fault while the simulation runs: every matching scenario (kind, device and, when given,
   * target) is gone from `atMs` on (default: the current simulated time). Returns how many matched.
   */
  stopScenario(kind: ScenarioKind, device: string, target?: string, atMs: number = this.t): number {
    let n = 0;
    for (const s of this.scenarios) {
      if (s.kind !== kind || s.device !== device || (target !== undefined && s.target !== target)) continue;
      const endMin = (atMs - this.start) / 60000;
      s.endMin = s.endMin === undefined ? endMin : Math.min(s.endMin, endMin);
      n++;
    }
    return n;
  }

  /** Generate `count` frames (round-robin over devices, tick by tick). */
  *frames(count = Infinity): Generator<SimFrame> {
    let n = 0;
    while (n < count) {
      for (const f of this.tick()) {
        if (n++ >= count) return;
        yield f;
      }
    }
  }

  private active(d: DeviceState, kind: ScenarioKind, tMs: number): Array<{ s: Scenario; k: number }> {
    const out: Array<{ s: Scenario; k: number }> = [];
    for (const s of this.scenarios) {
      if (s.kind !== kind || (s.device !== "*" && s.device !== d.dvcNo)) continue;
      const sinceStart = (tMs - this.start) / 60000;
      if (s.endMin !== undefined && sinceStart >= s.endMin) continue;
      const min = sinceStart - s.startMin;
      if (min < 0) continue;
      out.push({ s, k: s.rampMin > 0 ? Math.min(1, min / s.rampMin) : 1 });
    }
    return out;
  }

  private frameFor(d: DeviceState, tMs: number): SimFrame {
    const record = this.advance(d, tMs);
    let share = this.corruptShare;
    for (const { s } of this.active(d, "corrupt", tMs)) share = Math.max(share, Number(s.target));
    if (share > 0 && this.rnd() < share) {
      const kinds: CorruptKind[] = ["truncated", "train-below-1000", "garbage", "empty"];
      const kind = kinds[Math.floor(this.rnd() * kinds.length)];
      return { dvcNo: d.dvcNo, tMs, frame: corruptFrame(kind, record, this.frameLength, this.rnd), corrupt: kind };
    }
    return { dvcNo: d.dvcNo, tMs, frame: encode(record, { length: this.frameLength }), record };
  }

  /** The record of a device at time tMs without advancing counters (for tests and other tools). */
  recordFor(dvcNo: string, tMs: number): Nb67Record {
    const d = this.devices.find((x) => x.dvcNo === dvcNo);
    if (!d) throw new Error(`unknown device ${dvcNo}`);
    const saved = { frameNo: d.frameNo, counters: { ...d.counters }, lastOn: { ...d.lastOn }, lastT: d.lastT };
    const rec = this.advance(d, tMs);
    Object.assign(d, saved);
    return rec;
  }

  /** Physics of one device at tMs; advances its counters and frame number. */
  private advance(d: DeviceState, tMs: number): Nb67Record {
    const rnd = d.rnd;
    const noise = (a: number) => (rnd() * 2 - 1) * a;
    const sec = tMs / 1000;
    const dt = d.lastT === null ? 0 : Math.max(0, (tMs - d.lastT) / 1000);
    d.lastT = tMs;
    const hourOfDay = ((sec / 3600) % 24 + 24) % 24;
    const outdoor = 30 + 4 * Math.sin(((hourOfDay - 9) / 24) * 2 * Math.PI) + (d.carriage - 3.5) * 0.2;
    const target = 24;
    const r: Record<string, number | string> = {};

    // header
    Object.assign(r, {
      msg_header_code01: 0x2c,
      msg_header_code02: 0x01,
      msg_length: this.frameLength,
      msg_src_dvc_no: 72,
      msg_host_dvc_no: 41,
      msg_type: d.trainNo,
      msg_frame_no: d.frameNo,
      msg_line_no: Math.floor(d.trainNo / 1000),
      msg_train_type: 2560,
      msg_train_no: d.trainNo,
      msg_carriage_no: d.carriage,
      msg_protocal_version: 1,
      dvc_flag: 0,
      dvc_train_no: d.trainNo,
      dvc_carriage_no: d.carriage,
    });
    d.frameNo = (d.frameNo + 1) & 0xffff;
    const [Y, M, D, h, mi, s] = this.clock.parts(tMs);
    r.msg_calc_dvc_time = `20${Y - 2000}-${M}-${D} ${h}:${mi}:${s}`;
    Object.assign(r, { dvc_year: Y - 2000, dvc_month: M, dvc_day: D, dvc_hour: h, dvc_minute: mi, dvc_second: s });

    const leak: Record<string, number> = {};
    for (const { s: sc, k } of this.active(d, "leak", tMs)) leak[sc.target] = Math.max(leak[sc.target] ?? 0, k);
    // compressor cycles: 10-minute cycle per unit, on 70 %; both compressors of a unit stage together.
    // A unit with a leaking circuit (from half strength) cannot reach its set point: it runs continuously.
    const cyc = (off: number, duty: number) => ((((sec + d.phase + off) % 600) + 600) % 600) / 600 < duty;
    const leaky1 = Math.max(leak.u11 ?? 0, leak.u12 ?? 0) >= 0.5;
    const leaky2 = Math.max(leak.u21 ?? 0, leak.u22 ?? 0) >= 0.5;
    const on1 = leaky1 || cyc(0, 0.7);
    const on2 = leaky2 || cyc(300, 0.7);
    const comp: Record<string, boolean> = { u11: on1, u12: on1, u21: on2, u22: on2 };
    const imbalance: Record<string, number> = {};
    for (const { s: sc, k } of this.active(d, "compressor", tMs)) imbalance[sc.target] = k;

    for (const unit of ["u1", "u2"] as const) {
      const n = unit === "u1" ? "1" : "2";
      const running = comp[`u${n}1`] || comp[`u${n}2`];
      const mode = running ? 2 : 1;
      r[`wmode_${unit}`] = mode;
      const aq = this.active(d, "airquality", tMs).find((x) => x.s.target === unit)?.k ?? 0;
      r[`aq_t_${unit}`] = r1(target + 1 + noise(0.3));
      r[`aq_h_${unit}`] = unit === "u1" ? Math.round(55 + noise(3)) : r1(55 + noise(3));
      r[`aq_co2_${unit}`] = Math.round(700 + 1300 * aq + noise(40));
      r[`aq_tvoc_${unit}`] = Math.round(150 + noise(20));
      r[`aq_formald_${unit}`] = Math.round(20 + noise(5));
      r[`aq_pm2_5_${unit}`] = Math.round(25 + 95 * aq + noise(5));
      r[`aq_pm10_${unit}`] = Math.round(45 + 80 * aq + noise(8));
      const clog = this.active(d, "filter", tMs).find((x) => x.s.target === unit)?.k ?? 0;
      r[`presdiff_${unit}`] = r1(150 + 300 * clog + noise(8));
      const drift = this.active(d, "sensor", tMs).find((x) => x.s.target === unit)?.k ?? 0;
      r[`fas_${unit}`] = r1(outdoor + noise(0.3) + 12 * drift);
      r[`ras_${unit}`] = r1(target + 1 + noise(0.3) + 12 * drift);
      r[`fadpos_${unit}`] = 100;
      r[`radpos_${unit}`] = 48;
      // one frequency per unit (the compressors stage together); a leaking unit runs flat out
      const unitLeak = Math.max(leak[`u${n}1`] ?? 0, leak[`u${n}2`] ?? 0);
      const unitFreq = unitLeak >= 0.5 ? 50 + 5 * Math.sin(sec / 97 + d.phase) : 45 + 10 * Math.sin(sec / 97 + d.phase);
      for (const c of ["1", "2"]) {
        const u = `u${n}${c}`;
        const on = comp[u];
        const lk = leak[u] ?? 0;
        const freq = on ? unitFreq : 0;
        // a leaking circuit pumps less refrigerant: slightly less current (kept well inside the f_cp
        // rule's 2 A difference, a leak is not a compressor fault)
        const cur = on ? freq * 0.26 - 0.8 * lk + noise(0.2) + (c === "2" ? 3.5 * (imbalance[`u${n}`] ?? 0) : 0) : 0;
        r[`f_cp_${u}`] = r1(freq);
        r[`i_cp_${u}`] = r1(cur);
        r[`v_cp_${u}`] = on ? r1(380 + noise(3)) : 0;
        r[`p_cp_${u}`] = on ? r1((cur * 380 * 1.73 * 0.85) / 1000) : 0;
        r[`suckp_${u}`] = on ? r1(4.6 - 3.4 * lk + noise(0.1)) : r1(7.5 - 4 * lk + noise(0.1));
        r[`highpress_${u}`] = on ? r1(17 - 8 * lk + noise(0.3)) : r1(9 - 5 * lk + noise(0.1));
        r[`sp_${u}`] = on ? r1(6 + 9 * lk + noise(0.5)) : 0;
        r[`suckt_${u}`] = on ? r1(9 + 9 * lk + noise(0.3)) : r1(outdoor - 3);
        r[`eevpos_${u}`] = on ? Math.round(240 + 200 * lk + noise(10)) : 0;
        r[`sas_${u}`] = on ? r1(14 + 5 * lk + noise(0.3)) : r1(target + 1);
        r[`ices_${u}`] = on ? r1(5 + 4 * lk + noise(0.3)) : r1(target);
        this.count(d, `dwcp_op_tm_${u}`, `dwcp_op_cnt_${u}`, on, dt);
      }
      const anyOn = running;
      for (const c of ["1", "2"]) {
        const u = `u${n}${c}`;
        const efOver = this.active(d, "fan", tMs).find((x) => x.s.target === `ef_${u}`)?.k ?? 0;
        const cfOver = this.active(d, "fan", tMs).find((x) => x.s.target === `cf_${u}`)?.k ?? 0;
        r[`i_ef_${u}`] = r1(1.4 + 1.2 * efOver + noise(0.05));
        r[`i_cf_${u}`] = anyOn ? r1(2.2 + 1.3 * cfOver + noise(0.05)) : 0;
      }
      r[`i_hvac_${unit}`] = r1(
        Number(r[`i_cp_u${n}1`]) + Number(r[`i_cp_u${n}2`]) + Number(r[`i_ef_u${n}1`]) + Number(r[`i_ef_u${n}2`]) + Number(r[`i_cf_u${n}1`]) + Number(r[`i_cf_u${n}2`]),
      );
      // feedback bits (unit has one EF/CF feedback bit: u11 / u21)
      r[`cfbk_ef_u${n}1`] = 1;
      r[`cfbk_cf_u${n}1`] = anyOn ? 1 : 0;
      r[`cfbk_comp_u${n}1`] = comp[`u${n}1`] ? 1 : 0;
      r[`cfbk_comp_u${n}2`] = comp[`u${n}2`] ? 1 : 0;
      r[`cfbk_ap_u${n}1`] = 1;
      r[`cfbk_tpp_${unit}`] = 1;
      this.count(d, `dwef_op_tm_u${n}1`, `dwef_op_cnt_u${n}1`, true, dt);
      this.count(d, `dwcf_op_tm_u${n}1`, `dwcf_op_cnt_u${n}1`, anyOn, dt);
      r[`dwfad_op_cnt_${unit}`] = d.counters[`dwfad_op_cnt_${unit}`];
      r[`dwrad_op_cnt_${unit}`] = d.counters[`dwrad_op_cnt_${unit}`];
      if (drift > 0.5) r[`bflt_frstemp_${unit}`] = 1;
    }
    const exOver = this.active(d, "fan", tMs).find((x) => x.s.target === "exufan")?.k ?? 0;
    r.cfbk_exufan = 1;
    r.i_exufan = r1(2.5 + 2 * exOver + noise(0.05));
    this.count(d, "dwexufan_op_tm", "dwexufan_op_cnt", true, dt);
    d.counters.dwpower += (dt * (Number(r.i_hvac_u1) + Number(r.i_hvac_u2)) * 380) / 3.6e6;
    const ras = (Number(r.ras_u1) + Number(r.ras_u2)) / 2;
    Object.assign(r, {
      fas_sys: r1((Number(r.fas_u1) + Number(r.fas_u2)) / 2),
      ras_sys: r1(ras),
      tic: target,
      load: Math.round(40 + 20 * (comp.u11 ? 1 : 0) + 20 * (comp.u21 ? 1 : 0)),
      tveh_1: r1(ras + noise(0.2)),
      tveh_2: r1(ras - 0.3 + noise(0.2)),
    });
    for (const k of Object.keys(d.counters)) r[k] = Math.floor(d.counters[k]);
    for (const { s: sc } of this.active(d, "bit", tMs)) r[sc.target] = 1;
    // extended fields: a trip between two stations
    const st = Math.floor(sec / 120) % 30;
    Object.assign(r, { dmp_exu_pos: 30, start_station: 101, terminal_station: 130, cur_station: 101 + st, next_station: 102 + st });
    return r as unknown as Nb67Record;
  }

  private count(d: DeviceState, tm: string, cnt: string, on: boolean, dt: number): void {
    if (on) d.counters[tm] += dt;
    if (on && d.lastOn[tm] === false) d.counters[cnt] += 1;
    d.lastOn[tm] = on;
  }
}

function corruptFrame(kind: CorruptKind, record: Nb67Record, length: number, rnd: () => number): Buffer {
  switch (kind) {
    case "truncated":
      return encode(record, { length }).subarray(0, 100 + Math.floor(rnd() * 380));
    case "train-below-1000":
      return encode({ ...record, dvc_train_no: Math.floor(rnd() * 1000) }, { length });
    case "garbage":
      return Buffer.from(Array.from({ length: 40 + Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256)));
    case "empty":
      return Buffer.alloc(0);
  }
}

/** Legacy SRC_MODE=json wrapper for a frame. */
export function jsonWrapper(frame: Buffer): Buffer {
  return Buffer.from(JSON.stringify({ message_data: frame.toString("hex").toUpperCase() }));
}

// The app's view of the console service's data. Shapes follow the service's JSON; the adapters
// below are the one place that knows field names, so a renamed field is a one-line change.
export type Status = "normal" | "warning" | "alarm" | "offline" | "shelved";

export interface DeviceState {
  device: string;
  train: string;
  carriage: number;
  status: Status;
  lastSeen: string | null;
  alarms: number;
  warnings: number;
  shelved: number;
}

export interface Episode {
  id: string;
  kind: "alarm" | "warning";
  code: string;
  description: string;
  location: string;
  advice: string;
  device: string;
  train: string;
  carriage: number;
  unit: number | null;
  start: string;
  end: string | null;
  durationS: number | null;
  state: string;
  acknowledged: boolean;
  shelved: boolean;
  /** Station at the start (and at the end when closed). */
  stations: string;
}

type Raw = Record<string, unknown>;
const s = (v: unknown): string => (v === null || v === undefined ? "" : String(v));
const n = (v: unknown): number => (v === null || v === undefined || v === "" ? 0 : Number(v));

export function toDevice(r: Raw): DeviceState {
  const counts = (r.counts ?? r.active ?? {}) as Raw;
  return {
    device: s(r.dvc_no ?? r.device ?? r.id),
    train: s(r.train_no ?? r.train ?? r.train_id),
    carriage: n(r.carriage ?? r.carriage_no ?? r.car),
    status: (s(r.status) || "offline") as Status,
    lastSeen: (r.last_seen ?? r.lastSeen ?? null) as string | null,
    alarms: n(r.alarms ?? counts.alarm ?? counts.alarms),
    warnings: n(r.warnings ?? counts.warning ?? counts.warnings),
    shelved: n(r.shelved ?? counts.shelved),
  };
}

export function toEpisode(r: Raw): Episode {
  const end = (r.end_time ?? r.end ?? null) as string | null;
  const start = s(r.start_time ?? r.start);
  const dur = r.duration_s ?? r.durationS;
  const key = s(r.event_key);
  const unit = /_u([12])[12]?$/.exec(key);
  const stations = [r.start_station, r.end_station].filter((x) => x !== null && x !== undefined && x !== "").map(String);
  return {
    id: s(r.id),
    kind: (s(r.kind) || "alarm") as Episode["kind"],
    code: s(r.code ?? key),
    description: s(r.description ?? r.fault_name),
    location: s(r.location),
    advice: s(r.advice),
    device: s(r.dvc_no ?? r.device),
    train: s(r.train_no ?? r.train),
    carriage: n(r.carriage),
    unit: unit ? Number(unit[1]) : null,
    start,
    end,
    durationS: dur === null || dur === undefined ? (end ? (Date.parse(end) - Date.parse(start)) / 1000 : null) : n(dur),
    state: r.active === false || end ? "closed" : "active",
    acknowledged: Boolean(r.ack),
    shelved: Boolean(r.shelve),
    stations: stations.join(" → "),
  };
}

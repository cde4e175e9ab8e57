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
  const end = (r.end ?? r.ended_at ?? r.endedAt ?? null) as string | null;
  const start = s(r.start ?? r.started_at ?? r.startedAt);
  const dur = r.durationS ?? r.duration_s ?? r.duration;
  return {
    id: s(r.id),
    kind: (s(r.kind) || "alarm") as Episode["kind"],
    code: s(r.code),
    description: s(r.description ?? r.name),
    location: s(r.location),
    advice: s(r.advice ?? r.repair_advice),
    device: s(r.dvc_no ?? r.device),
    train: s(r.train_no ?? r.train ?? r.train_id),
    carriage: n(r.carriage),
    unit: r.unit === null || r.unit === undefined ? null : n(r.unit),
    start,
    end,
    durationS: dur === null || dur === undefined ? (end ? (Date.parse(end) - Date.parse(start)) / 1000 : null) : n(dur),
    state: s(r.state ?? (end ? "closed" : "active")),
    acknowledged: Boolean(r.acknowledged ?? r.acked_at ?? r.ackedAt ?? r.ack),
    shelved: Boolean(r.shelved ?? r.shelved_until ?? r.shelvedUntil ?? r.shelve),
  };
}

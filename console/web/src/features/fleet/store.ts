// Fleet state shared by the fleet and train pages: loaded once, then kept current by the live feed.
import { computed, signal } from "@preact/signals";
import { get } from "../../api/client.ts";
import { subscribe } from "../../api/live.ts";
import { toDevice, toEpisode, type DeviceState, type Episode } from "../../api/model.ts";
import { ACTIVE_EPISODES_PATH, FLEET_PATH } from "../../api/paths.ts";

export const devices = signal<Map<string, DeviceState>>(new Map());
export const active = signal<Episode[]>([]);
export const fleetError = signal<string>("");
let started = false;

export const trains = computed(() => {
  const byTrain = new Map<string, DeviceState[]>();
  for (const d of devices.value.values()) {
    const list = byTrain.get(d.train) ?? [];
    list.push(d);
    byTrain.set(d.train, list);
  }
  for (const l of byTrain.values()) l.sort((a, b) => a.carriage - b.carriage);
  return [...byTrain.entries()].sort(([a], [b]) => a.localeCompare(b, undefined, { numeric: true }));
});

const RANK: Record<string, number> = { alarm: 4, warning: 3, shelved: 2, offline: 1, normal: 0 };
export function worst(list: DeviceState[]): DeviceState["status"] {
  let w: DeviceState["status"] = "normal";
  for (const d of list) if ((RANK[d.status] ?? 0) > (RANK[w] ?? 0)) w = d.status;
  return w;
}

export async function loadFleet(): Promise<void> {
  try {
    const [f, e] = await Promise.all([
      get<{ devices?: unknown[]; trains?: unknown[] } | unknown[]>(FLEET_PATH),
      get<{ episodes?: unknown[]; items?: unknown[] } | unknown[]>(ACTIVE_EPISODES_PATH),
    ]);
    const rows = Array.isArray(f) ? f : (f.devices ?? flattenTrains(f.trains ?? []));
    devices.value = new Map(rows.map((r) => toDevice(r as Record<string, unknown>)).map((d) => [d.device, d]));
    const eps = Array.isArray(e) ? e : (e.episodes ?? e.items ?? []);
    active.value = eps.map((r) => toEpisode(r as Record<string, unknown>)).filter((x) => !x.shelved);
    fleetError.value = "";
  } catch (err) {
    fleetError.value = String((err as Error).message ?? err);
  }
}

function flattenTrains(ts: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const t of ts as Record<string, unknown>[]) {
    for (const c of (t.devices ?? t.carriages ?? []) as Record<string, unknown>[]) out.push({ train_no: t.train_no ?? t.train, ...c });
  }
  return out;
}

function applyDevice(raw: Record<string, unknown>): void {
  const d = toDevice(raw);
  if (!d.device) return;
  const prev = devices.value.get(d.device);
  const next = new Map(devices.value);
  next.set(d.device, prev ? { ...prev, ...pick(raw, d) } : d);
  devices.value = next;
}

/** Only the fields a partial change message carries overwrite the known state. */
function pick(raw: Record<string, unknown>, d: DeviceState): Partial<DeviceState> {
  const out: Partial<DeviceState> = { status: d.status };
  if ("lastSeen" in raw || "last_seen" in raw) out.lastSeen = d.lastSeen;
  if ("train" in raw) out.train = d.train;
  if ("counts" in raw || "alarms" in raw) {
    out.alarms = d.alarms;
    out.warnings = d.warnings;
    out.shelved = d.shelved;
  }
  if (!raw.status) delete out.status;
  return out;
}

function applyEpisode(raw: Record<string, unknown>): void {
  const e = toEpisode(raw);
  const rest = active.value.filter((x) => x.id !== e.id);
  active.value = e.end || e.shelved || e.state === "closed" ? rest : [e, ...rest];
}

export function startFleet(): void {
  if (started) return;
  started = true;
  subscribe((m) => {
    const type = String(m.type ?? "");
    const data = (m.data ?? m.payload ?? m) as Record<string, unknown> | Record<string, unknown>[];
    if (type === "snapshot" || type === "fleet") {
      const list = Array.isArray(data) ? data : ((data.devices ?? []) as Record<string, unknown>[]);
      for (const d of list) applyDevice(d);
    } else if (type === "device" || type === "devices" || type === "status") {
      for (const d of Array.isArray(data) ? data : [data]) applyDevice(d);
    } else if (type === "episode" || type === "episodes") {
      for (const e of Array.isArray(data) ? data : [data]) applyEpisode(e);
    }
  });
  void loadFleet();
}

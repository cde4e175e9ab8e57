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

let episodesTimer: ReturnType<typeof setTimeout> | undefined;
/** The active lists follow the devices' episode counts: a changed count reloads them once. */
function episodesChanged(): void {
  clearTimeout(episodesTimer);
  episodesTimer = setTimeout(() => void loadActive(), 300);
}

async function loadActive(): Promise<void> {
  try {
    const e = await get<{ items?: unknown[] }>(ACTIVE_EPISODES_PATH);
    active.value = (e.items ?? []).map((r) => toEpisode(r as Record<string, unknown>)).filter((x) => !x.shelved);
  } catch {
    /* the next change retries */
  }
}

/** Live values per device (the few frame fields every change carries). */
export const liveValues = signal<Map<string, Record<string, number | null>>>(new Map());

function applyDevices(list: Record<string, unknown>[]): void {
  const next = new Map(devices.value);
  const vals = new Map(liveValues.value);
  let counts = false;
  for (const raw of list) {
    const d = toDevice(raw);
    if (!d.device) continue;
    const prev = next.get(d.device);
    if (prev && (prev.alarms !== d.alarms || prev.warnings !== d.warnings || prev.shelved !== d.shelved)) counts = true;
    next.set(d.device, d);
    if (raw.values && typeof raw.values === "object") vals.set(d.device, raw.values as Record<string, number | null>);
  }
  devices.value = next;
  liveValues.value = vals;
  if (counts) episodesChanged();
}

/** Subscribes once to the live feed; every later call (a page opened) re-reads the state once. */
export function startFleet(): void {
  if (started) {
    void loadFleet();
    return;
  }
  started = true;
  subscribe((m) => {
    if ((m.type === "snapshot" || m.type === "changes") && Array.isArray(m.devices)) applyDevices(m.devices as Record<string, unknown>[]);
    // a (re)connection may have missed episode changes
    if (m.type === "snapshot") episodesChanged();
  });
  void loadFleet();
}

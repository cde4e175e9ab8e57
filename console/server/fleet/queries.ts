// Fleet state: one row per device from device_latest (kept by a trigger on macda) plus the open
// episodes (partial index report_event_open) with their shelves. O(devices + open episodes).
import type pg from "pg";
import { alertCatalogue } from "../lib/alerts.ts";

export type DeviceStatus = "normal" | "warning" | "alarm" | "offline" | "shelved";

export interface DeviceState {
  dvc_no: string;
  train_no: string;
  carriage: number | null;
  status: DeviceStatus;
  last_seen: string; // device clock of the newest frame
  received_at: string; // database clock when it was stored
  alarms: number; // active, unshelved fault episodes
  warnings: number; // active, unshelved prediction episodes
  shelved: number;
  live_faults: string[]; // fault bits set in the newest frame
  shelved_keys?: string[]; // event keys of the shelved open episodes
}

export const FLEET_SQL = `
  SELECT l.dvc_no, l.train_no, l.carriage, l.dvc_time AS last_seen, l.received_at, l.faults,
         l.received_at < now() - $1::int * interval '1 millisecond' AS offline,
         coalesce(e.alarms, 0) AS alarms, coalesce(e.warnings, 0) AS warnings,
         coalesce(e.shelved, 0) AS shelved, coalesce(e.shelved_keys, '{}') AS shelved_keys
    FROM device_latest l
    LEFT JOIN (
      SELECT e.dvc_no,
             count(*) FILTER (WHERE e.source_kind = 'fault' AND s.id IS NULL)::int AS alarms,
             count(*) FILTER (WHERE e.source_kind = 'predict' AND s.id IS NULL)::int AS warnings,
             count(s.id)::int AS shelved,
             array_agg(e.event_key) FILTER (WHERE s.id IS NOT NULL) AS shelved_keys
        FROM report_event e
        LEFT JOIN console_shelve s ON s.event_id = e.id AND s.ended_at IS NULL AND s.until > now()
       WHERE e.status = 'open'
       GROUP BY e.dvc_no) e ON e.dvc_no = l.dvc_no
   WHERE ($2::text IS NULL OR l.train_no = $2)
   ORDER BY l.train_no, l.carriage NULLS LAST, l.dvc_no`;

export interface FleetRow {
  dvc_no: string;
  train_no: string;
  carriage: number | null;
  last_seen: Date;
  received_at: Date;
  faults: string[];
  offline: boolean;
  alarms: number;
  warnings: number;
  shelved: number;
  shelved_keys: string[];
}

/** Status rule (shared with the live feed): offline > alarm > warning > shelved > normal. A fault
 *  bit set in the newest frame is an alarm at once (episodes are detected later, in batches) unless
 *  its episode is shelved. */
export function deviceStatus(
  r: { offline: boolean; alarms: number; warnings: number; shelved: number; live_faults: string[] },
): DeviceStatus {
  if (r.offline) return "offline";
  if (r.alarms > 0 || r.live_faults.length > 0) return "alarm";
  if (r.warnings > 0) return "warning";
  if (r.shelved > 0) return "shelved";
  return "normal";
}

export async function fleetState(db: pg.Pool, offlineAfterMs: number, train: string | null = null): Promise<DeviceState[]> {
  const [{ rows }, cat] = await Promise.all([db.query<FleetRow>(FLEET_SQL, [offlineAfterMs, train]), alertCatalogue(db)]);
  return rows.map((r) => {
    const shelvedKeys = new Set(r.shelved_keys);
    const live = r.faults.filter((b) => !shelvedKeys.has(cat.bySource.get(b)?.event_key ?? b));
    return {
      dvc_no: r.dvc_no,
      train_no: r.train_no,
      carriage: r.carriage,
      last_seen: r.last_seen.toISOString(),
      received_at: r.received_at.toISOString(),
      alarms: r.alarms,
      warnings: r.warnings,
      shelved: r.shelved,
      live_faults: live,
      shelved_keys: r.shelved_keys,
      status: deviceStatus({ offline: r.offline, alarms: r.alarms, warnings: r.warnings, shelved: r.shelved, live_faults: live }),
    };
  });
}

const ORDER: DeviceStatus[] = ["normal", "shelved", "warning", "alarm", "offline"];
/** The worst status of a set of devices (a train): alarm beats warning; offline only when all are. */
export function trainStatus(ds: DeviceStatus[]): DeviceStatus {
  if (ds.length && ds.every((s) => s === "offline")) return "offline";
  return ds.filter((s) => s !== "offline").reduce<DeviceStatus>((a, s) => (ORDER.indexOf(s) > ORDER.indexOf(a) ? s : a), "normal");
}

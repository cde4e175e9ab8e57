// Official alert catalogue (report_alert_source, seeded from the platform's table): per source
// column its episode key, official code template, location and description. Read once per process
// (reference data) and refreshed every 10 minutes.
import type pg from "pg";

export interface AlertSource {
  source: string;
  kind: "predict" | "fault";
  event_key: string;
  code: string | null;
  location: string | null;
  fault_name: string | null;
  level: number | null;
}

let cache: { at: number; bySource: Map<string, AlertSource>; byKey: Map<string, AlertSource[]> } | undefined;

export async function alertCatalogue(db: pg.Pool): Promise<{ bySource: Map<string, AlertSource>; byKey: Map<string, AlertSource[]> }> {
  if (cache && Date.now() - cache.at < 600_000) return cache;
  const { rows } = await db.query<AlertSource>(
    "SELECT source, kind, event_key, code, location, fault_name, level FROM report_alert_source ORDER BY kind, ord",
  );
  const byKey = new Map<string, AlertSource[]>();
  for (const r of rows) byKey.set(`${r.kind}:${r.event_key}`, [...(byKey.get(`${r.kind}:${r.event_key}`) ?? []), r]);
  cache = { at: Date.now(), bySource: new Map(rows.map((r) => [r.source, r])), byKey };
  return cache;
}

/** Carriage-specific code (HVAC1xx -> HVAC<carriage>xx), as the platform receives it. */
export function carriageCode(template: string | null, carriage: number | null): string | null {
  if (!template || !/^HVAC1\d\d$/.test(template) || !carriage || carriage < 1 || carriage > 6) return template;
  return `HVAC${carriage}${template.slice(5)}`;
}

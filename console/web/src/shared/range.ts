// Time ranges in the URL: a preset (range=1h|1d|7d|30d|1y) or an explicit from/to in unix seconds.
import type { Route } from "../router.ts";

export const PRESETS: Record<string, number> = { "1h": 3600, "1d": 86400, "7d": 7 * 86400, "30d": 30 * 86400, "1y": 365 * 86400 };

export interface Range {
  from: number;
  to: number;
  preset: string | null;
}

export function rangeFrom(r: Route, fallback = "1d", now = Date.now()): Range {
  const from = Number(r.query.get("from"));
  const to = Number(r.query.get("to"));
  if (from > 0 && to > from) return { from, to, preset: null };
  const preset = r.query.get("range") ?? fallback;
  const span = PRESETS[preset] ?? PRESETS[fallback]!;
  const end = Math.ceil(now / 60_000) * 60; // whole minutes keep the URL-derived request cacheable
  return { from: end - span, to: end, preset };
}

export const iso = (sec: number) => new Date(sec * 1000).toISOString();

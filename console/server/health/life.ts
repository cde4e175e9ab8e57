// Component life model from config/component-life.yaml, validated when loaded.
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { fieldCatalogue } from "../lib/fields.ts";

export interface Component {
  id: string;
  name: string;
  counter: string;
  unit: "seconds" | "actions";
  rated: number;
  rated_unit: "hours" | "actions";
}
export interface LifeModel {
  bands: { watch: number; replace: number };
  rate_window_days: number;
  components: Component[];
}

export function loadLife(path: string): LifeModel {
  const y = parse(readFileSync(path, "utf8")) as LifeModel;
  const { byId } = fieldCatalogue();
  const bad = (m: string) => new Error(`${path}: ${m}`);
  if (!y?.bands || !(y.bands.watch > 0 && y.bands.replace > y.bands.watch && y.bands.replace <= 100)) throw bad("bands: 0 < watch < replace <= 100");
  if (!(y.rate_window_days >= 1 && y.rate_window_days <= 365)) throw bad("rate_window_days: 1..365");
  if (!Array.isArray(y.components) || !y.components.length) throw bad("components: a non-empty list");
  for (const c of y.components) {
    if (!/^[a-z0-9_]{1,40}$/.test(c.id)) throw bad(`component id ${c.id}`);
    if (!byId.has(c.counter) || byId.get(c.counter)!.group !== "counter") throw bad(`${c.id}: counter ${c.counter} is not a counter field`);
    if (!(c.unit === "seconds" || c.unit === "actions")) throw bad(`${c.id}: unit seconds|actions`);
    if (!(c.rated > 0)) throw bad(`${c.id}: rated > 0`);
    if (c.unit === "seconds" ? c.rated_unit !== "hours" : c.rated_unit !== "actions") throw bad(`${c.id}: rated_unit must be hours for seconds, actions for actions`);
  }
  return y;
}

export function band(pct: number, b: LifeModel["bands"]): "healthy" | "watch" | "replace" {
  return pct >= b.replace ? "replace" : pct >= b.watch ? "watch" : "healthy";
}

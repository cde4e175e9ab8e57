// The settings declared in config/settings.yaml and the one way each type is parsed. Used by the
// startup check (check.ts), the README table (readme.ts) and the drift tests (test/unit/settings*).
//
// Entry keys: name, group, type, default, used_by, description (required); values (enum), min/max
// (duration, int, size), units: iec (size: only B/KiB/MiB/GiB/TiB, as Go's GOMEMLIMIT), pattern
// (string), list (hostport), optional, secret, must_exist (path), check (predict-rules).
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

export const REPO_ROOT = process.env.NB67_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const SETTINGS_FILE = path.join(REPO_ROOT, "config/settings.yaml");

export const TYPES = ["bool", "duration", "int", "size", "url", "enum", "path", "string", "regex", "cron", "yaml", "hostport"] as const;
export type SettingType = (typeof TYPES)[number];

export interface Setting {
  name: string;
  group: string;
  type: SettingType;
  default: string;
  used_by: string[];
  description: string;
  values?: string[];
  min?: string | number;
  max?: string | number;
  units?: "iec";
  pattern?: string;
  list?: boolean;
  optional?: boolean;
  secret?: boolean;
  must_exist?: boolean;
  check?: "predict-rules";
}

const KEYS = new Set([
  "name", "group", "type", "default", "used_by", "description", "values", "min", "max", "units",
  "pattern", "list", "optional", "secret", "must_exist", "check",
]);

/** Reads and shape-checks config/settings.yaml; throws with every problem found. */
export function loadSettings(file = SETTINGS_FILE): Setting[] {
  const doc = YAML.parse(readFileSync(file, "utf8")) as { settings?: unknown };
  if (!doc || !Array.isArray(doc.settings)) throw new Error(`${file}: expected a list under "settings:"`);
  const problems: string[] = [];
  const seen = new Set<string>();
  const out: Setting[] = [];
  for (const [i, raw] of (doc.settings as Record<string, unknown>[]).entries()) {
    const where = `${file}: entry ${i + 1}${typeof raw?.name === "string" ? ` (${raw.name})` : ""}`;
    if (!raw || typeof raw !== "object") { problems.push(`${where}: not a mapping`); continue; }
    for (const k of Object.keys(raw)) if (!KEYS.has(k)) problems.push(`${where}: unknown key "${k}"`);
    const s = raw as unknown as Setting;
    if (typeof s.name !== "string" || !/^[A-Z][A-Z0-9_]*$/.test(s.name)) problems.push(`${where}: name must match [A-Z][A-Z0-9_]*`);
    else if (seen.has(s.name)) problems.push(`${where}: declared twice`);
    else seen.add(s.name);
    if (!TYPES.includes(s.type)) problems.push(`${where}: type must be one of ${TYPES.join("|")}`);
    if (typeof s.default !== "string") problems.push(`${where}: default must be a string (quote numbers and booleans)`);
    if (typeof s.group !== "string" || !s.group) problems.push(`${where}: group is required`);
    if (typeof s.description !== "string" || !s.description.trim() || s.description.includes("\n")) problems.push(`${where}: description must be one line`);
    if (!Array.isArray(s.used_by) || s.used_by.some((u) => typeof u !== "string")) problems.push(`${where}: used_by must be a list of names`);
    if (s.type === "enum" && (!Array.isArray(s.values) || s.values.length === 0)) problems.push(`${where}: enum needs values`);
    if (s.pattern !== undefined) {
      try { new RegExp(s.pattern); } catch (e) { problems.push(`${where}: pattern does not compile: ${(e as Error).message}`); }
    }
    out.push(s);
  }
  if (problems.length) throw new Error(problems.join("\n"));
  return out;
}

const DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, "µs": 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Go's time.ParseDuration, in seconds; undefined when it would not parse. */
export function parseDuration(v: string): number | undefined {
  if (v === "0") return 0;
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|ms|s|m|h))+$/.exec(v);
  if (!m) return undefined;
  let total = 0;
  for (const part of v.replace(/^[+-]/, "").matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/g)) {
    total += Number(part[1]) * DURATION_UNITS[part[2]];
  }
  return m[1] === "-" ? -total : total;
}

const SIZE_UNITS: Record<string, number> = {
  "": 1, b: 1, k: 1e3, kb: 1e3, m: 1e6, mb: 1e6, g: 1e9, gb: 1e9, t: 1e12, tb: 1e12,
  ki: 1024, kib: 1024, mi: 1024 ** 2, mib: 1024 ** 2, gi: 1024 ** 3, gib: 1024 ** 3, ti: 1024 ** 4, tib: 1024 ** 4,
};
const IEC_UNITS = new Set(["", "B", "KiB", "MiB", "GiB", "TiB"]);

/** Bytes of "65536", "1MB", "64 KiB" (Connect's humanised sizes); undefined when it would not parse. */
export function parseSize(v: string, iec = false): number | undefined {
  const m = /^(\d{1,15})(?:\s*([A-Za-z]{1,3}))?$/.exec(v.trim());
  if (!m) return undefined;
  const unit = m[2] ?? "";
  if (iec && !IEC_UNITS.has(unit)) return undefined;
  const f = SIZE_UNITS[unit.toLowerCase()];
  return f === undefined ? undefined : Number(m[1]) * f;
}

function bound(s: Setting, key: "min" | "max"): number | undefined {
  const b = s[key];
  if (b === undefined) return undefined;
  if (s.type === "duration") return parseDuration(String(b));
  if (s.type === "size") return parseSize(String(b));
  return Number(b);
}

const CRON_FIELD = /^[0-9A-Za-z*?/,\-LW#]+$/;

/**
 * Why `value` is not acceptable for `s` (one short clause), or undefined when it is. `value` is what
 * Connect would use: the environment value, or the default when that is unset or empty.
 */
export function problem(s: Setting, value: string): string | undefined {
  const min = bound(s, "min");
  const max = bound(s, "max");
  if (value === "") {
    if (s.optional || s.default === "") return undefined;
    return "must not be empty";
  }
  switch (s.type) {
    case "bool":
      return value === "true" || value === "false" ? undefined : "must be exactly true or false";
    case "duration": {
      const d = parseDuration(value);
      if (d === undefined) return `must be a duration with a unit (e.g. ${s.default || "60s"})`;
      const lo = min ?? 0;
      if (s.min === undefined ? d <= 0 : d < lo) return s.min === undefined ? "must be a duration > 0" : `must be at least ${s.min}`;
      if (max !== undefined && d > max) return `must be at most ${s.max}`;
      return undefined;
    }
    case "int": {
      if (!/^-?\d{1,15}$/.test(value)) return "must be a whole number";
      const n = Number(value);
      if (n < (min ?? 0)) return `must be at least ${min ?? 0}`;
      if (max !== undefined && n > max) return `must be at most ${max}`;
      return undefined;
    }
    case "size": {
      const n = parseSize(value, s.units === "iec");
      if (n === undefined) return s.units === "iec" ? "must be a size like 768MiB (B, KiB, MiB, GiB, TiB)" : "must be a size like 65536, 64KiB or 1MB";
      if (n <= 0) return "must be > 0";
      if (min !== undefined && n < min) return `must be at least ${s.min}`;
      if (max !== undefined && n > max) return `must be at most ${s.max}`;
      return undefined;
    }
    case "url": {
      let u: URL;
      try { u = new URL(value); } catch { return "must be an absolute URL (scheme://host/...)"; }
      if (!u.host) return "must name a host";
      return undefined;
    }
    case "enum":
      return s.values!.includes(value) ? undefined : `must be one of ${s.values!.join(", ")}`;
    case "path":
      return value.includes("\0") ? "must be a path" : undefined;
    case "string":
      if (s.pattern && !new RegExp(s.pattern).test(value)) return `must match ${s.pattern}`;
      return undefined;
    case "regex":
      try { new RegExp(value); return undefined; } catch (e) { return `must be a regular expression (${(e as Error).message})`; }
    case "cron": {
      const spec = value.replace(/^TZ=[A-Za-z_+\-/0-9]+ /, "");
      if (/^@(yearly|annually|monthly|weekly|daily|midnight|hourly|every \S+)$/.test(spec)) return undefined;
      const f = spec.trim().split(/\s+/);
      return (f.length === 5 || f.length === 6) && f.every((x) => CRON_FIELD.test(x))
        ? undefined
        : "must be a cron expression of 5 or 6 fields (optionally prefixed with TZ=Area/City)";
    }
    case "yaml":
      try { YAML.parse(value); return undefined; } catch (e) { return `must be YAML (${(e as Error).message.split("\n")[0]})`; }
    case "hostport": {
      const parts = s.list ? value.split(",").map((p) => p.trim()) : [value];
      for (const p of parts) {
        const m = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(p);
        if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) return `must be host:port${s.list ? "[,host:port...]" : ""} (got "${p}")`;
      }
      return undefined;
    }
  }
}

/** The value Connect uses: environment, or the default when unset or empty. */
export function effective(s: Setting, env: NodeJS.ProcessEnv): string {
  const v = env[s.name];
  return v === undefined || v === "" ? s.default : v;
}

/** Every `${NAME}` / `${NAME:default}` in a Connect YAML text, in order. */
export function interpolations(text: string): { name: string; default?: string }[] {
  const out: { name: string; default?: string }[] = [];
  // Connect's own pattern (internal/config/env_vars.go), without the |func suffix we do not use.
  for (const m of text.matchAll(/\$\{([0-9A-Za-z_.]+)(?::((?:\$\{[^}]+\}|[^}])*))?\}/g)) {
    out.push(m[2] === undefined ? { name: m[1] } : { name: m[1], default: m[2] });
  }
  return out;
}

/** Names read with Bloblang's env("NAME"). */
export function envCalls(text: string): string[] {
  return [...text.matchAll(/\benv\(\s*"([A-Za-z0-9_]+)"\s*\)/g)].map((m) => m[1]);
}

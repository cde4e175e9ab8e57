// Rule parameters: factory set (config/predict-rules.yaml), operator overrides (PostgreSQL,
// console_threshold_version), the effective set (nb67_effective_rules, the same SQL the predict
// stream calls) and validation by the module itself (dist/nb67.wasm `predict` on body "{}": it
// checks the parameters before anything else and answers nb67_error with the parameter's name).
import { readFileSync } from "node:fs";
import type pg from "pg";
import { parse } from "yaml";
import { loadNb67, type Nb67Module } from "../lib/wasm.ts";

export type Params = Record<string, Record<string, number | number[]>>;

let mod: Promise<Nb67Module> | undefined;
export function nb67(path: string): Promise<Nb67Module> {
  mod ??= loadNb67(path);
  return mod;
}

export function loadFactory(path: string): Params {
  return parse(readFileSync(path, "utf8")) as Params;
}

export function profile(): string {
  return process.env.PREDICT_PROFILE || "default";
}

/** The module's verdict on a parameter set: undefined = valid, else its reason. */
export async function validate(wasmPath: string, params: Params): Promise<string | undefined> {
  const m = await nb67(wasmPath);
  const r = m.call("predict", "{}", { nb67_params: JSON.stringify(params), nb67_profile: profile() });
  if (r.error) return `module trapped: ${r.error}`;
  return r.meta.nb67_error || undefined;
}

/** Runs the 26 rules on one predict input (nb67_predict_input's JSON) with the given parameters. */
export async function evaluate(wasmPath: string, input: string, params: Params): Promise<{ fired: string[]; skip?: string; error?: string }> {
  const m = await nb67(wasmPath);
  const r = m.call("predict", input, { nb67_params: JSON.stringify(params), nb67_profile: profile() });
  if (r.error) return { fired: [], error: r.error };
  if (r.meta.nb67_error) return { fired: [], error: r.meta.nb67_error };
  if (r.meta.nb67_skip) return { fired: [], skip: r.meta.nb67_skip };
  return { fired: (r.meta.nb67_fired ?? "").split(",").filter(Boolean) };
}

export function merge(factory: Params, overrides: Params): Params {
  const out: Params = JSON.parse(JSON.stringify(factory));
  for (const [g, kv] of Object.entries(overrides)) out[g] = { ...(out[g] ?? {}), ...kv };
  return out;
}

export async function currentVersion(db: pg.Pool | pg.PoolClient): Promise<{ id: number; overrides: Params; created_at: Date | null; created_by: string | null }> {
  const { rows } = await db.query("SELECT id, overrides, created_at, created_by FROM console_threshold_version ORDER BY id DESC LIMIT 1");
  return rows[0] ? { id: Number(rows[0].id), overrides: rows[0].overrides, created_at: rows[0].created_at, created_by: rows[0].created_by } : { id: 0, overrides: {}, created_at: null, created_by: null };
}

/** The effective set as the predict stream computes it (the SQL function, not a copy of it). */
export async function effective(db: pg.Pool, factory: Params): Promise<Params> {
  const { rows } = await db.query("SELECT nb67_effective_rules($1::jsonb) AS p", [JSON.stringify(factory)]);
  return rows[0].p;
}

export interface DiffEntry {
  group: string;
  name: string;
  factory: unknown;
  before: unknown;
  after: unknown;
}

export function diff(factory: Params, before: Params, after: Params): DiffEntry[] {
  const out: DiffEntry[] = [];
  const groups = new Set([...Object.keys(before), ...Object.keys(after)]);
  for (const g of groups) {
    const names = new Set([...Object.keys(before[g] ?? {}), ...Object.keys(after[g] ?? {})]);
    for (const n of names) {
      const b = before[g]?.[n];
      const a = after[g]?.[n];
      if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ group: g, name: n, factory: factory[g]?.[n] ?? null, before: b ?? null, after: a ?? null });
    }
  }
  return out;
}

/** Drops overrides equal to the factory value, so "reset" and "set to the factory value" agree. */
export function normalise(factory: Params, overrides: Params): Params {
  const out: Params = {};
  for (const [g, kv] of Object.entries(overrides)) {
    for (const [n, v] of Object.entries(kv)) {
      if (JSON.stringify(factory[g]?.[n]) === JSON.stringify(v)) continue;
      (out[g] ??= {})[n] = v;
    }
  }
  return out;
}

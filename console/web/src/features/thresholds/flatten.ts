// Rule parameters are nested ({rule: {param: value}}); the page edits them as "rule.param" rows.
export type Value = number | number[] | string;
export type Flat = Record<string, Value>;

export function flatten(obj: unknown, prefix = ""): Flat {
  const out: Flat = {};
  if (!obj || typeof obj !== "object") return out;
  for (const [k, v] of Object.entries(obj as Record<string, unknown>)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (v && typeof v === "object" && !Array.isArray(v)) Object.assign(out, flatten(v, key));
    else out[key] = v as Value;
  }
  return out;
}

export function unflatten(flat: Flat): Record<string, Record<string, Value>> {
  const out: Record<string, Record<string, Value>> = {};
  for (const [k, v] of Object.entries(flat)) {
    const i = k.indexOf(".");
    const rule = k.slice(0, i), param = k.slice(i + 1);
    (out[rule] ??= {})[param] = v;
  }
  return out;
}

export const show = (v: Value | undefined) => (v === undefined ? "–" : Array.isArray(v) ? v.join(", ") : String(v));

/** Text typed by the operator -> the value's type (lists stay lists); NaN is kept for the server to refuse. */
export function parseValue(text: string, like: Value | undefined): Value {
  if (Array.isArray(like)) return text.split(/[,\s]+/).filter(Boolean).map(Number);
  const n = Number(text.trim());
  return text.trim() === "" || Number.isNaN(n) ? text : n;
}

export const same = (a: Value | undefined, b: Value | undefined) => JSON.stringify(a) === JSON.stringify(b);

export interface Change {
  key: string;
  from: Value | undefined;
  to: Value;
}

export function diff(before: Flat, after: Flat): Change[] {
  return Object.keys(after)
    .filter((k) => !same(before[k], after[k]))
    .sort()
    .map((k) => ({ key: k, from: before[k], to: after[k]! }));
}

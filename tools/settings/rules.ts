// PREDICT_RULES at startup: the file must parse as YAML and dist/nb67.wasm's `predict` must accept
// it, the same pre-flight the predict stream does on its first run (body "{}": the module checks
// profile and parameters before the body, so good rules give nb67_skip, bad ones nb67_error). The
// module is called as Connect's `wasm` processor calls it (host module "benthos_wasm").
import { readFileSync } from "node:fs";
import YAML from "yaml";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Calls `fn` once with `body` and `meta`; returns the metadata the module set, or a trap. */
export async function callWasm(wasmPath: string, fn: string, body: string, meta: Record<string, string>): Promise<{ meta: Record<string, string>; error?: string }> {
  const module = await WebAssembly.compile(readFileSync(wasmPath));
  const set: Record<string, string> = {};
  let inst: WebAssembly.Instance | undefined;
  const ex = () => inst!.exports as Record<string, unknown>;
  const mem = () => new Uint8Array((ex().memory as WebAssembly.Memory).buffer);
  const read = (p: number, n: number) => mem().slice(p >>> 0, (p >>> 0) + (n >>> 0));
  const inbound: number[] = [];
  const copyIn = (data: Uint8Array): bigint => {
    const alloc = (ex().allocate ?? ex().malloc) as (n: number) => number;
    const ptr = alloc(data.length) >>> 0;
    inbound.push(ptr);
    mem().set(data, ptr);
    return (BigInt(ptr) << 32n) | BigInt(data.length);
  };
  inst = await WebAssembly.instantiate(module, {
    benthos_wasm: {
      v0_msg_as_bytes: () => copyIn(enc.encode(body)),
      v0_msg_set_bytes: () => undefined,
      v0_msg_get_meta: (kp: number, kl: number) => copyIn(enc.encode(meta[dec.decode(read(kp, kl))] ?? "")),
      v0_msg_set_meta: (kp: number, kl: number, vp: number, vl: number) => {
        set[dec.decode(read(kp, kl))] = dec.decode(read(vp, vl));
      },
    },
  });
  try {
    (ex()[fn] as () => void)();
    return { meta: set };
  } catch (e) {
    return { meta: set, error: String((e as Error).message ?? e) };
  } finally {
    const free = ex().free as ((p: number) => void) | undefined;
    if (free) for (const p of inbound) free(p);
  }
}

/** Why the rules file is unusable, or undefined when the module accepts it. */
export async function rulesProblem(rulesPath: string, profile: string, wasmPath: string): Promise<string | undefined> {
  let text: string;
  try {
    text = readFileSync(rulesPath, "utf8");
  } catch (e) {
    return `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
  let params: unknown;
  try {
    params = YAML.parse(text);
  } catch (e) {
    return `is not valid YAML: ${(e as Error).message.split("\n")[0].replace(/:\s*$/, "")}`;
  }
  if (!params || typeof params !== "object" || Array.isArray(params)) return "must be a YAML mapping of rule groups";
  let r;
  try {
    r = await callWasm(wasmPath, "predict", "{}", { nb67_params: JSON.stringify(params), nb67_profile: profile });
  } catch (e) {
    return `could not be checked: the module ${wasmPath} did not load (${(e as Error).message}); run make build`;
  }
  if (r.error) return `rejected by the module: ${r.error}`;
  if (r.meta.nb67_error) return `rejected: ${r.meta.nb67_error}`;
  return undefined;
}

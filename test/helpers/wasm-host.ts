// A Node host for dist/nb67.wasm that calls the module exactly as Redpanda Connect's `wasm` processor
// does (docs/architecture.md, "Host interface"):
// - imports only module "benthos_wasm" (v0_msg_as_bytes, v0_msg_set_bytes, v0_msg_get_meta,
//   v0_msg_set_meta); instantiation fails if the module wants anything else;
// - as_bytes / get_meta allocate through the module's `allocate` if exported, else `malloc`, write the
//   bytes there and return (ptr << 32) | len; a missing metadata key reads as "" (len 0, but the host
//   still allocates, as Connect does);
// - set_bytes / set_meta copy out immediately; if `deallocate` is exported it is called on each outbound
//   buffer right after the copy (Connect does this; our module must not export it);
// - after the exported function returns — or traps — `free` is called on every inbound buffer;
// - a trap becomes an error result; the same instance is reused for the next call (Connect re-pools it).
//
// Usage:
//   const m = await loadModule("dist/nb67.wasm");
//   const r = m.call("decode", frameBytes, { nb67_validate: "strict" });
//   r.body (Uint8Array), r.meta (Record<string,string>, only keys the module set), r.error (trap text)
import { readFileSync } from "node:fs";

export interface CallResult {
  /** The message body after the call (unchanged input bytes if the module did not set it). */
  body: Uint8Array;
  /** Metadata after the call: the input metadata plus what the module set. */
  meta: Record<string, string>;
  /** Only the keys the module set during this call. */
  setMeta: Record<string, string>;
  /** True if set_bytes was called. */
  bodySet: boolean;
  /** Trap message when the exported function trapped (Connect would flag the batch with it). */
  error?: string;
}

export interface WasmModule {
  call(fn: string, body: Uint8Array, meta?: Record<string, string>): CallResult;
  /** Current linear memory size in bytes. */
  memoryBytes(): number;
  /** Names of the exports. */
  exports: string[];
  /** Imports the module declares, as "module.name". */
  imports: string[];
  instance: WebAssembly.Instance;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export async function loadModule(path: string | Uint8Array): Promise<WasmModule> {
  const bytes = typeof path === "string" ? readFileSync(path) : path;
  const module = await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>);
  const imports = WebAssembly.Module.imports(module).map((i) => `${i.module}.${i.name}`);

  // Per-call state, as in Connect's runner (reset before each call).
  let body: Uint8Array = new Uint8Array(0);
  let bodySet = false;
  let meta: Record<string, string> = {};
  let setMeta: Record<string, string> = {};
  let inbound: number[] = [];

  // eslint-disable-next-line prefer-const
  let instance: WebAssembly.Instance;
  const mem = () => (instance.exports.memory as WebAssembly.Memory).buffer;
  const alloc = (n: number): number => {
    const ex = instance.exports as Record<string, unknown>;
    const f = (ex.allocate ?? ex.malloc) as ((n: number) => number) | undefined;
    if (!f) throw new Error("module exports neither allocate nor malloc");
    return f(n) >>> 0;
  };
  const dealloc = (ptr: number, len: number) => {
    const f = (instance.exports as Record<string, unknown>).deallocate as ((p: number, n: number) => void) | undefined;
    if (f) f(ptr, len);
  };
  const copyIn = (data: Uint8Array): bigint => {
    const ptr = alloc(data.length);
    inbound.push(ptr);
    new Uint8Array(mem()).set(data, ptr);
    return (BigInt(ptr) << 32n) | BigInt(data.length);
  };
  const read = (ptr: number, len: number): Uint8Array => new Uint8Array(mem(), ptr >>> 0, len >>> 0).slice();

  const host = {
    benthos_wasm: {
      v0_msg_as_bytes: (): bigint => copyIn(body),
      v0_msg_set_bytes: (ptr: number, len: number): void => {
        body = read(ptr, len);
        bodySet = true;
        dealloc(ptr, len);
      },
      v0_msg_get_meta: (kp: number, kl: number): bigint => {
        const key = dec.decode(read(kp, kl));
        dealloc(kp, kl);
        return copyIn(enc.encode(meta[key] ?? ""));
      },
      v0_msg_set_meta: (kp: number, kl: number, vp: number, vl: number): void => {
        const key = dec.decode(read(kp, kl));
        const val = dec.decode(read(vp, vl));
        meta[key] = val;
        setMeta[key] = val;
        dealloc(kp, kl);
        dealloc(vp, vl);
      },
    },
  };
  instance = await WebAssembly.instantiate(module, host);
  const exportNames = WebAssembly.Module.exports(module).map((e) => e.name);

  return {
    exports: exportNames,
    imports,
    instance,
    memoryBytes: () => mem().byteLength,
    call(fn: string, input: Uint8Array, inMeta: Record<string, string> = {}): CallResult {
      const f = instance.exports[fn] as (() => void) | undefined;
      if (typeof f !== "function") throw new Error(`module does not export ${fn}`);
      body = input;
      bodySet = false;
      meta = { ...inMeta };
      setMeta = {};
      inbound = [];
      let error: string | undefined;
      try {
        f();
      } catch (e) {
        error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      } finally {
        const free = instance.exports.free as ((p: number) => void) | undefined;
        for (const p of inbound) {
          try {
            free?.(p);
          } catch (e) {
            error ??= `free trapped: ${e instanceof Error ? e.message : e}`;
          }
        }
      }
      return { body, meta, setMeta, bodySet, error };
    },
  };
}

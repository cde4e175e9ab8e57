// Calls dist/nb67.wasm's exports the way Redpanda Connect's `wasm` processor does (host module
// "benthos_wasm": the body and metadata are copied in through the module's malloc, results copied
// out), so the console validates and evaluates rule parameters with the very code the predict
// stream runs. One instance, calls are synchronous and short.
import { readFileSync } from "node:fs";

export interface WasmCall {
  body: string;
  meta: Record<string, string>;
  error?: string;
}

export interface Nb67Module {
  call(fn: "predict" | "decode", body: string, meta: Record<string, string>): WasmCall;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

export async function loadNb67(path: string): Promise<Nb67Module> {
  const module = await WebAssembly.compile(readFileSync(path));
  let body = new Uint8Array(0);
  let meta: Record<string, string> = {};
  let setMeta: Record<string, string> = {};
  let inbound: number[] = [];
  // eslint-disable-next-line prefer-const
  let inst: WebAssembly.Instance;
  const ex = () => inst.exports as Record<string, unknown>;
  const mem = () => new Uint8Array((ex().memory as WebAssembly.Memory).buffer);
  const copyIn = (data: Uint8Array): bigint => {
    const ptr = (ex().malloc as (n: number) => number)(data.length) >>> 0;
    inbound.push(ptr);
    mem().set(data, ptr);
    return (BigInt(ptr) << 32n) | BigInt(data.length);
  };
  const read = (p: number, n: number) => mem().slice(p >>> 0, (p >>> 0) + (n >>> 0));
  inst = await WebAssembly.instantiate(module, {
    benthos_wasm: {
      v0_msg_as_bytes: () => copyIn(body),
      v0_msg_set_bytes: (p: number, n: number) => {
        body = read(p, n);
      },
      v0_msg_get_meta: (kp: number, kl: number) => copyIn(enc.encode(meta[dec.decode(read(kp, kl))] ?? "")),
      v0_msg_set_meta: (kp: number, kl: number, vp: number, vl: number) => {
        const k = dec.decode(read(kp, kl));
        const v = dec.decode(read(vp, vl));
        meta[k] = v;
        setMeta[k] = v;
      },
    },
  });
  return {
    call(fn, input, inMeta) {
      body = enc.encode(input);
      meta = { ...inMeta };
      setMeta = {};
      inbound = [];
      let error: string | undefined;
      try {
        (ex()[fn] as () => void)();
      } catch (e) {
        error = String((e as Error).message ?? e);
      } finally {
        for (const p of inbound) (ex().free as (p: number) => void)(p);
      }
      return { body: dec.decode(body), meta: setMeta, error };
    },
  };
}

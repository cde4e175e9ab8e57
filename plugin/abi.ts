// The Redpanda Connect `wasm` processor ABI (host module "benthos_wasm"), and the
// small output writer every exported function uses.
//
// Rules this file encodes (docs/architecture.md, "Host interface"):
// - The host calls `malloc` for every inbound buffer (body, metadata value) and
//   calls `free` on each of them after the exported function returns, even after
//   a trap. So inbound buffers are valid for the whole call and we never free them.
// - Outbound buffers are copied by the host immediately, so one reusable scratch
//   block serves every set_bytes/set_meta call.
// - Runtime `minimal`: each exported function ends with `finish()` (__collect),
//   when nothing managed is live, so memory stays flat across millions of calls.
// - Nothing here imports from `env`: no console, Date, Math.random or trace.

@external("benthos_wasm", "v0_msg_as_bytes")
declare function v0_msg_as_bytes(): u64;
@external("benthos_wasm", "v0_msg_set_bytes")
declare function v0_msg_set_bytes(ptr: usize, len: usize): void;
@external("benthos_wasm", "v0_msg_get_meta")
declare function v0_msg_get_meta(keyPtr: usize, keyLen: usize): u64;
@external("benthos_wasm", "v0_msg_set_meta")
declare function v0_msg_set_meta(keyPtr: usize, keyLen: usize, valPtr: usize, valLen: usize): void;

/** Allocator the host uses for inbound buffers. Raw TLSF blocks, outside the GC. */
export function malloc(size: usize): usize {
  return heap.alloc(size);
}

/** Called by the host on every inbound buffer after the exported function returns. */
export function free(ptr: usize): void {
  heap.free(ptr);
}

// ---- inbound -------------------------------------------------------------

/** Pointer and length of the current message body, set by readBody(). */
export let bodyPtr: usize = 0;
export let bodyLen: usize = 0;

/** Fetch the message body into module memory (the host allocates it via malloc). */
export function readBody(): void {
  const v = v0_msg_as_bytes();
  bodyPtr = <usize>(v >>> 32);
  bodyLen = <usize>(v & 0xffffffff);
}

/** Metadata value as a string; "" when absent (the host cannot tell absent from empty). */
export function getMeta(key: string): string {
  const kLen = writeKey(key);
  const v = v0_msg_get_meta(keyBuf, kLen);
  const len = <usize>(v & 0xffffffff);
  if (len == 0) return "";
  return String.UTF8.decodeUnsafe(<usize>(v >>> 32), len);
}

/** A metadata key encoded once (at instance start) into a block outside the GC, for the hot path. */
export class MetaKey {
  ptr: usize;
  len: usize;
  constructor(key: string) {
    this.len = <usize>String.UTF8.byteLength(key);
    this.ptr = heap.alloc(this.len);
    String.UTF8.encodeUnsafe(changetype<usize>(key), key.length, this.ptr);
  }
}

/**
 * Metadata value as raw bytes in module memory, packed as (ptr << 32) | len; len 0 when absent.
 * The host allocated the buffer and frees it after the call, so it is valid until then.
 */
export function getMetaRaw(key: MetaKey): u64 {
  return v0_msg_get_meta(key.ptr, key.len);
}

// ---- outbound ------------------------------------------------------------

// Key scratch: metadata keys are short ASCII names.
let keyBuf: usize = heap.alloc(64);
let keyCap: usize = 64;

function writeKey(key: string): usize {
  const n = <usize>String.UTF8.byteLength(key);
  if (n > keyCap) {
    keyBuf = heap.realloc(keyBuf, n);
    keyCap = n;
  }
  String.UTF8.encodeUnsafe(changetype<usize>(key), key.length, keyBuf);
  return n;
}

// Value scratch for set_meta.
let valBuf: usize = heap.alloc(256);
let valCap: usize = 256;

/** Set a metadata key to a string value. */
export function setMeta(key: string, value: string): void {
  const kLen = writeKey(key);
  const n = <usize>String.UTF8.byteLength(value);
  if (n > valCap) {
    valBuf = heap.realloc(valBuf, n);
    valCap = n;
  }
  String.UTF8.encodeUnsafe(changetype<usize>(value), value.length, valBuf);
  v0_msg_set_meta(keyBuf, kLen, valBuf, n);
}

/** Set a metadata key to raw bytes already in module memory. */
export function setMetaKey(key: MetaKey, ptr: usize, len: usize): void {
  v0_msg_set_meta(key.ptr, key.len, ptr, len);
}

// ---- body writer -----------------------------------------------------------
// A growable byte buffer kept for the life of the instance (never freed, so it
// is not clobbered by __collect: heap.alloc blocks are outside the GC).

let outBuf: usize = heap.alloc(8192);
let outCap: usize = 8192;
export let outLen: usize = 0;

export function outReset(): void {
  outLen = 0;
}

@inline
function ensure(extra: usize): void {
  const need = outLen + extra;
  if (need > outCap) {
    let cap = outCap << 1;
    while (cap < need) cap <<= 1;
    outBuf = heap.realloc(outBuf, cap);
    outCap = cap;
  }
}

export function outByte(b: u8): void {
  ensure(1);
  store<u8>(outBuf + outLen, b);
  outLen += 1;
}

/** Copy bytes (for example a static key fragment from a data segment). */
export function outBytes(ptr: usize, len: usize): void {
  ensure(len);
  memory.copy(outBuf + outLen, ptr, len);
  outLen += len;
}

/** ASCII/UTF-8 text. */
export function outStr(s: string): void {
  const n = <usize>String.UTF8.byteLength(s);
  ensure(n);
  String.UTF8.encodeUnsafe(changetype<usize>(s), s.length, outBuf + outLen);
  outLen += n;
}

/** Replace the message body with what was written since outReset(). */
export function commitBody(): void {
  v0_msg_set_bytes(outBuf, outLen);
}

/** Replace the message body with `len` bytes at `ptr` (the host copies them at once). */
export function setBody(ptr: usize, len: usize): void {
  v0_msg_set_bytes(ptr, len);
}

/**
 * Set nb67_error from inside abort(). `abort` is compiled before this file's globals are initialised
 * (asc: "used before its declaration" for keyBuf/valBuf, even for module-level memory.data), so this
 * uses function-local static segments only. The value is truncated to 256 bytes.
 */
export function setErrorOnAbort(message: string): void {
  const ERR_KEY = memory.data<u8>([0x6e, 0x62, 0x36, 0x37, 0x5f, 0x65, 0x72, 0x72, 0x6f, 0x72]); // nb67_error
  const ERR_VAL = memory.data(256 * 3);
  const units = min<i32>(message.length, 256);
  const n = String.UTF8.encodeUnsafe(changetype<usize>(message), units, ERR_VAL);
  v0_msg_set_meta(ERR_KEY, 10, ERR_VAL, n);
}

/** End of every exported call: reclaim managed garbage while nothing is live. */
@inline
export function finish(): void {
  __collect();
}

/**
 * abort() of every module (`--use abort=plugin/abi/onAbort`, so no module imports anything from `env`).
 * Reached only on an internal bug (a failed assertion or an out-of-range access): say so on the
 * message, then trap so Connect flags the batch.
 */
export function onAbort(message: string | null, fileName: string | null, line: u32, column: u32): void {
  setErrorOnAbort("internal error in the nb67 module" + (message !== null ? ": " + message : ""));
  unreachable();
}

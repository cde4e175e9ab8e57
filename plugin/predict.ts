// WASM export `predict` (contract: docs/architecture.md, "predict").
//
// In:  body = JSON object {data3m, data5m, data10m, data15m, data20m, data30m: {alias: number|null},
//      ...identity fields}; metadata nb67_profile ("" | "default" | "legacy-compat") and
//      nb67_params (JSON of config/predict-rules.yaml; absent = legacy values).
// Out: body = {identity fields in input order..., 26 flags 0/1 in legacy column order};
//      metadata nb67_dvc_no (when msg_calc_dvc_no is a string) and nb67_fired (comma list).
// A missing window or a null aggregate the rules read: metadata nb67_skip = reason, body
// unchanged (legacy inserts nothing). Malformed JSON or bad parameters: nb67_error = reason,
// body unchanged. Never traps on input.
import { bodyLen, bodyPtr, commitBody, finish, outByte, outBytes, outReset, outStr, readBody, getMeta, setMeta } from "./abi";
import { JsonReader, T_NULL, T_NUM, T_OBJ, T_STR } from "./json";
import {
  evaluate,
  FLAG_NAMES,
  NEED_W10,
  NEED_W15,
  NEED_W15_DEFAULT,
  NEED_W20,
  NEED_W3,
  NEED_W30,
  NEED_W5,
  NFLAGS,
  Params,
  Windows,
} from "./rules";

const WINDOW_NAMES: StaticArray<string> = ["data3m", "data5m", "data10m", "data15m", "data20m", "data30m"];

const V_NUM: u8 = 0;
const V_NULL: u8 = 1;
const V_BAD: u8 = 2;

class Win {
  keys: Array<string> = new Array<string>();
  vals: Array<f64> = new Array<f64>();
  kinds: Array<u8> = new Array<u8>();

  /** Index of the last member with this key, or -1. */
  find(k: string): i32 {
    for (let i = this.keys.length - 1; i >= 0; i--) if (this.keys[i] == k) return i;
    return -1;
  }
}

class WinSet extends Windows {
  w: StaticArray<Win | null> = new StaticArray<Win | null>(6);

  get(i: i32, name: string): f64 {
    const win = this.w[i]!;
    return win.vals[win.find(name)];
  }
}

let skipReason: string = "";

/** Check the aggregates a window must provide. Returns an error reason or "" (skips recorded). */
function need(ws: WinSet, wi: i32, names: StaticArray<string>): string {
  const win = ws.w[wi]!;
  const wn = WINDOW_NAMES[wi];
  for (let i = 0; i < names.length; i++) {
    const n = names[i];
    const j = win.find(n);
    if (j < 0) return wn + " has no aggregate '" + n + "'";
    const k = win.kinds[j];
    if (k == V_BAD) return wn + "." + n + " is not a number";
    if (k == V_NULL && skipReason.length == 0) skipReason = "null aggregate " + wn + "." + n;
  }
  return "";
}

function fail(reason: string): void {
  setMeta("nb67_error", "predict: " + reason);
}

function run(): void {
  // ---- profile and parameters
  const profile = getMeta("nb67_profile");
  let legacy = false;
  if (profile == "legacy-compat") legacy = true;
  else if (profile.length != 0 && profile != "default") {
    fail("unknown nb67_profile '" + profile + "' (expected 'default' or 'legacy-compat')");
    return;
  }
  const params = new Params();
  const ptext = getMeta("nb67_params");
  if (ptext.length != 0) {
    const e = params.load(ptext);
    if (e.length != 0) {
      fail(e);
      return;
    }
  }

  // ---- body
  const r = new JsonReader(bodyPtr, bodyLen);
  if (r.kind() != T_OBJ) {
    fail(bodyLen == 0 ? "empty body" : "body is not a JSON object");
    return;
  }
  r.expect(0x7b);
  const ws = new WinSet();
  const present = new StaticArray<bool>(6);
  // identity members: raw spans [keyStart, keyEnd) [valStart, valEnd)
  const idSpans = new Array<usize>();
  let dvcNo: string = "";
  let haveDvc = false;
  if (!r.accept(0x7d)) {
    while (true) {
      if (r.peek() != 0x22) {
        r.fail("expected object key");
        fail("bad JSON: " + r.err);
        return;
      }
      const ks = r.p;
      const key = r.str();
      const ke = r.p;
      if (!r.ok || !r.expect(0x3a)) {
        fail("bad JSON: " + r.err);
        return;
      }
      let wi = -1;
      for (let i = 0; i < 6; i++) if (WINDOW_NAMES[i] == key) wi = i;
      if (wi >= 0) {
        const k = r.kind();
        if (k == T_NULL) {
          r.nul();
          present[wi] = false;
          ws.w[wi] = null;
        } else if (k == T_OBJ) {
          const win = new Win();
          r.expect(0x7b);
          if (!r.accept(0x7d)) {
            while (true) {
              if (r.peek() != 0x22) {
                r.fail("expected object key");
                break;
              }
              const a = r.str();
              if (!r.ok || !r.expect(0x3a)) break;
              const vk = r.kind();
              win.keys.push(a);
              if (vk == T_NUM) {
                if (!r.number()) break;
                win.vals.push(r.num);
                win.kinds.push(V_NUM);
              } else if (vk == T_NULL) {
                r.nul();
                win.vals.push(0);
                win.kinds.push(V_NULL);
              } else {
                if (!r.skip()) break;
                win.vals.push(0);
                win.kinds.push(V_BAD);
              }
              if (r.accept(0x2c)) continue;
              r.expect(0x7d);
              break;
            }
          }
          if (!r.ok) {
            fail("bad JSON: " + r.err);
            return;
          }
          present[wi] = true;
          ws.w[wi] = win;
        } else {
          fail("window " + key + " must be an object or null");
          return;
        }
      } else {
        let isFlag = false;
        for (let i = 0; i < NFLAGS; i++) if (FLAG_NAMES[i] == key) isFlag = true;
        r.peek();
        const vs = r.p;
        if (key == "msg_calc_dvc_no" && r.kind() == T_STR) {
          dvcNo = r.str();
          haveDvc = r.err.length == 0;
        } else {
          r.skip();
        }
        if (!r.ok) {
          fail("bad JSON: " + r.err);
          return;
        }
        // flags are outputs: an input member with a flag's name is not passed through
        if (!isFlag) {
          idSpans.push(ks);
          idSpans.push(ke);
          idSpans.push(vs);
          idSpans.push(r.p);
        }
      }
      if (r.accept(0x2c)) continue;
      if (!r.expect(0x7d)) {
        fail("bad JSON: " + r.err);
        return;
      }
      break;
    }
  }
  if (!r.atEnd()) {
    fail("bad JSON: " + r.err);
    return;
  }

  // ---- windows and aggregates
  for (let i = 0; i < 6; i++) {
    if (!present[i]) {
      setMeta("nb67_skip", "missing window " + WINDOW_NAMES[i]);
      return;
    }
  }
  skipReason = "";
  let e = need(ws, 0, NEED_W3);
  if (e.length == 0) e = need(ws, 1, NEED_W5);
  if (e.length == 0) e = need(ws, 2, NEED_W10);
  if (e.length == 0) e = need(ws, 3, NEED_W15);
  if (e.length == 0 && !legacy) e = need(ws, 3, NEED_W15_DEFAULT);
  if (e.length == 0) e = need(ws, 4, NEED_W20);
  if (e.length == 0) e = need(ws, 5, NEED_W30);
  if (e.length != 0) {
    fail(e);
    return;
  }
  if (skipReason.length != 0) {
    setMeta("nb67_skip", skipReason);
    return;
  }

  // ---- rules
  const flags = new StaticArray<u8>(NFLAGS);
  evaluate(ws, params, legacy, flags);

  // ---- output
  outReset();
  outByte(0x7b);
  let first = true;
  for (let i = 0; i < idSpans.length; i += 4) {
    if (!first) outByte(0x2c);
    first = false;
    outBytes(idSpans[i], idSpans[i + 1] - idSpans[i]);
    outByte(0x3a);
    outBytes(idSpans[i + 2], idSpans[i + 3] - idSpans[i + 2]);
  }
  let fired = "";
  for (let i = 0; i < NFLAGS; i++) {
    if (!first) outByte(0x2c);
    first = false;
    outByte(0x22);
    outStr(FLAG_NAMES[i]);
    outByte(0x22);
    outByte(0x3a);
    outByte(flags[i] ? 0x31 : 0x30);
    if (flags[i]) fired = fired.length ? fired + "," + FLAG_NAMES[i] : FLAG_NAMES[i];
  }
  outByte(0x7d);
  commitBody();
  if (haveDvc) setMeta("nb67_dvc_no", dvcNo);
  setMeta("nb67_fired", fired);
}

export function predict(): void {
  readBody();
  run();
  finish();
}

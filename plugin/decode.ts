// `decode`: one raw NB67 frame in the body → the legacy JSON record (docs/legacy.md §2.1).
//
// Contract (docs/architecture.md, "decode"):
// - success: body = JSON object with the 228 legacy fields in legacy order (bits 0/1, ÷10 rule), then
//   msg_calc_train_no, msg_calc_dvc_no, msg_calc_dvc_time, then — only for bodies of at least 498 bytes —
//   the five extended fields. No msg_calc_parse_time (no clock here; the pipeline adds it).
//   Metadata nb67_dvc_no (legacy device number) and nb67_dvc_ts (the device time as zero-padded
//   ISO-8601 local time without zone; set only when it is a real calendar instant). The train number
//   and the legacy time text are in the body only (docs/deviations.md D5).
// - rejection: body unchanged, metadata nb67_error = reason. Never traps.
// - options: ONE metadata value, nb67_decode, read once per message: entries name=value separated by
//   ";", each name at most once, absent/empty = all defaults. Every Connect host call costs more than
//   the decoding of a field group (docs/architecture.md, "Host interface"), so options are not read
//   key by key; they are not cached per instance either, because Connect hands any pooled instance any
//   message, and a message must never be decoded with another message's options.
//   - validate=none|header|strict (default none = what legacy accepts): header = also the 0x2C 0x01
//     marker and msg_length == body length; strict = header + plausible source-device and device-clock
//     date/time.
//   - for the ingest pipeline's hot path (docs/deviations.md D8): parse_time=<the pipeline's clock, e.g.
//     2026-11-22 19:00:00> is written as msg_calc_parse_time right after msg_calc_dvc_time, and
//     envelope=true wraps the record in the legacy envelope
//     {"schema":{"type":"struct","name":"ACSignal"},"payload":…}. Absent, the output is exactly the
//     contract above. Doing this here instead of a Bloblang string edit saves ~40% of the ingest CPU.
//   - for the store (docs/deviations.md D9): row=true asks for metadata nb67_row = the record as a
//     PostgreSQL row literal of the raw stored values, in the column order of the generated type
//     macda_row_shape: (legacy raw values,"dvc_no","dvc_time","parse_time"|empty, extended raw
//     values|empty). Ingest sends it as a header of signal-parsed; the bulk store parses it ~3x
//     cheaper than the JSON.
//   An empty value is the default. Any other name or value rejects the frame with a reason, before
//   any other check.
// The layout-dependent part (offsets, keys, scaling) is generated into ./generated/layout.ts.
import { bodyLen, bodyPtr, finish, getMetaRaw, MetaKey, readBody, setBody, setMeta, setMetaKey } from "./abi";
import {
  EXTENDED_KEYS,
  EXTENDED_MIN_LENGTH,
  LEGACY_MIN_LENGTH,
  MAX_JSON_LENGTH,
  MAX_ROW_LENGTH,
  OFF_CARRIAGE_NO,
  OFF_DEVICE_CLOCK_DAY,
  OFF_DEVICE_CLOCK_HOUR,
  OFF_DEVICE_CLOCK_MINUTE,
  OFF_DEVICE_CLOCK_MONTH,
  OFF_DEVICE_CLOCK_SECOND,
  OFF_DEVICE_CLOCK_YEAR,
  OFF_DVC_TIME_DAY,
  OFF_DVC_TIME_HOUR,
  OFF_DVC_TIME_MINUTE,
  OFF_DVC_TIME_MONTH,
  OFF_DVC_TIME_SECOND,
  OFF_DVC_TIME_YEAR,
  OFF_HEADER_MARKER_1,
  OFF_HEADER_MARKER_2,
  OFF_MSG_LENGTH,
  OFF_TRAIN_NO,
  putKeyMsgCalcDvcNo,
  putKeyMsgCalcDvcTime,
  putKeyMsgCalcTrainNo,
  writeExtended,
  writeExtendedRaw,
  writeLegacy,
  writeLegacyRaw,
} from "./generated/layout";
import { putPadded, putU32 } from "./digits";

// Output buffers in the static data segment: outside the heap, never freed, never collected.
// (+ 256: the optional envelope and msg_calc_parse_time, both bounded below)
const OUT: usize = memory.data(<i32>MAX_JSON_LENGTH + 64 + 256);
const TS: usize = memory.data(32);
const ROW: usize = memory.data(<i32>MAX_ROW_LENGTH);

const HEADER_MARKER_1: u32 = 0x2c;
const HEADER_MARKER_2: u32 = 0x01;
const MIN_TRAIN_NO: u32 = 1000;

const MAX_PARSE_TIME_LENGTH: usize = 64;
const ENVELOPE_HEAD = '{"schema":{"type":"struct","name":"ACSignal"},"payload":';
const PARSE_TIME_KEY = ',"msg_calc_parse_time":"';

const MODE_NONE: i32 = 0;
const MODE_HEADER: i32 = 1;
const MODE_STRICT: i32 = 2;

// Metadata keys, encoded once per instance (static data, not per message state).
const K_DECODE = new MetaKey("nb67_decode");
const K_ROW = new MetaKey("nb67_row");
const K_DVC_NO = new MetaKey("nb67_dvc_no");
const K_DVC_TS = new MetaKey("nb67_dvc_ts");

// The options of the current message (reset by readOptions() at the start of every call).
let mode = MODE_NONE;
let envelope = false;
let row = false;
let ptPtr: usize = 0;
let ptLen: usize = 0;

export function decode(): void {
  readBody();
  let reason = readOptions();
  if (reason === null) reason = decodeFrame(bodyPtr, bodyLen);
  if (reason !== null) setMeta("nb67_error", reason);
  finish();
}

// Option names and values compared as little-endian words of their bytes (no string compare loops:
// Connect compiles this module for every pooled instance, and that code was a quarter of its size).
const W_VALIDATE: u64 = 0x65746164696c6176; // "validate"
const W_ENVELOPE: u64 = 0x65706f6c65766e65; // "envelope"
const W_PARSE_TI: u64 = 0x69745f6573726170; // "parse_ti" + "me"
const W_ME: u16 = 0x656d;
const W_RO: u16 = 0x6f72; // "ro" + "w"
const W_W: u8 = 0x77;
const W_NONE: u32 = 0x656e6f6e; // "none"
const W_HEAD: u32 = 0x64616568; // "head" + "er"
const W_ER: u16 = 0x7265;
const W_STRI: u32 = 0x69727473; // "stri" + "ct"
const W_CT: u16 = 0x7463;
const W_TRUE: u32 = 0x65757274; // "true"
const W_FALS: u32 = 0x736c6166; // "fals" + "e"
const W_E: u8 = 0x65;

const NAME_VALIDATE: u32 = 1;
const NAME_ENVELOPE: u32 = 2;
const NAME_ROW: u32 = 4;
const NAME_PARSE_TIME: u32 = 8;

// rejection kinds of readOptions (the reason text is built only then, in optionError)
const E_NOT_PAIR = 1;
const E_NAME = 2;
const E_TWICE = 3;
const E_VALIDATE = 4;
const E_ENVELOPE = 5;
const E_ROW = 6;
const E_PARSE_TIME = 7;

/** Parse nb67_decode (one host call); returns null or the rejection reason. */
function readOptions(): string | null {
  mode = MODE_NONE;
  envelope = false;
  row = false;
  ptPtr = 0;
  ptLen = 0;
  const v = getMetaRaw(K_DECODE);
  const p = <usize>(v >>> 32);
  const n = <usize>(v & 0xffffffff);
  let seen: u32 = 0;
  let i: usize = 0;
  while (i < n) {
    let end = i;
    while (end < n && load<u8>(p + end) != 0x3b) end++; // ;
    if (end > i) {
      let eq = i;
      while (eq < end && load<u8>(p + eq) != 0x3d) eq++; // =
      if (eq == end) return optionError(E_NOT_PAIR, p + i, end - i);
      const np = p + i;
      const nl = eq - i;
      const vp = eq + 1 + p;
      const vl = end - eq - 1;
      let name: u32 = 0;
      if (nl == 8 && load<u64>(np) == W_VALIDATE) name = NAME_VALIDATE;
      else if (nl == 8 && load<u64>(np) == W_ENVELOPE) name = NAME_ENVELOPE;
      else if (nl == 3 && load<u16>(np) == W_RO && load<u8>(np + 2) == W_W) name = NAME_ROW;
      else if (nl == 10 && load<u64>(np) == W_PARSE_TI && load<u16>(np + 8) == W_ME) name = NAME_PARSE_TIME;
      else return optionError(E_NAME, np, nl);
      if (seen & name) return optionError(E_TWICE, np, nl);
      seen |= name;
      if (name == NAME_VALIDATE) {
        if (vl == 0 || (vl == 4 && load<u32>(vp) == W_NONE)) mode = MODE_NONE;
        else if (vl == 6 && load<u32>(vp) == W_HEAD && load<u16>(vp + 4) == W_ER) mode = MODE_HEADER;
        else if (vl == 6 && load<u32>(vp) == W_STRI && load<u16>(vp + 4) == W_CT) mode = MODE_STRICT;
        else return optionError(E_VALIDATE, vp, vl);
      } else if (name == NAME_PARSE_TIME) {
        if (vl > MAX_PARSE_TIME_LENGTH || !plainText(vp, vl)) return optionError(E_PARSE_TIME, vp, vl);
        ptPtr = vp;
        ptLen = vl;
      } else {
        // envelope / row: true, false or empty (= false)
        const yes = vl == 4 && load<u32>(vp) == W_TRUE;
        if (!yes && vl != 0 && !(vl == 5 && load<u32>(vp) == W_FALS && load<u8>(vp + 4) == W_E)) {
          return optionError(name == NAME_ENVELOPE ? E_ENVELOPE : E_ROW, vp, vl);
        }
        if (name == NAME_ENVELOPE) envelope = yes;
        else row = yes;
      }
    }
    i = end + 1;
  }
  return null;
}

/** The reason for a bad nb67_decode; q/n is the offending entry, name or value. */
function optionError(kind: i32, q: usize, n: usize): string {
  const t = '"' + String.UTF8.decodeUnsafe(q, min<usize>(n, 64)) + (n > 64 ? '…"' : '"');
  switch (kind) {
    case E_NOT_PAIR: return "nb67_decode entry " + t + " is not name=value";
    case E_NAME: return "unknown nb67_decode option " + t + ": expected validate, envelope, row or parse_time";
    case E_TWICE: return "nb67_decode names " + t + " twice";
    case E_VALIDATE: return "unknown nb67_decode validate " + t + ": expected none, header or strict";
    case E_ENVELOPE: return "unknown nb67_decode envelope " + t + ": expected true or false";
    case E_ROW: return "unknown nb67_decode row " + t + ": expected true or false";
    default: return "nb67_decode parse_time must be at most 64 printable ASCII characters without quotes or backslashes";
  }
}

/** Decode the frame at p (n bytes) with the options readOptions() set; returns null on success or the rejection reason. */
function decodeFrame(p: usize, n: usize): string | null {
  if (n < LEGACY_MIN_LENGTH) {
    return "frame too short: " + u(n) + " bytes, need " + u(LEGACY_MIN_LENGTH);
  }
  if (mode >= MODE_HEADER) {
    const m1 = <u32>load<u8>(p + OFF_HEADER_MARKER_1);
    const m2 = <u32>load<u8>(p + OFF_HEADER_MARKER_2);
    if (m1 != HEADER_MARKER_1 || m2 != HEADER_MARKER_2) {
      return "bad header marker " + hex2(m1) + " " + hex2(m2) + ", expected 0x2C 0x01";
    }
    const declared = <u32>bswap<u16>(load<u16>(p + OFF_MSG_LENGTH));
    if (<usize>declared != n) {
      return "msg_length " + declared.toString() + " does not match the body length " + u(n);
    }
  }

  if (mode >= MODE_STRICT) {
    if (!plausible(p, OFF_DVC_TIME_YEAR, OFF_DVC_TIME_MONTH, OFF_DVC_TIME_DAY, OFF_DVC_TIME_HOUR, OFF_DVC_TIME_MINUTE, OFF_DVC_TIME_SECOND)) {
      return "implausible source-device time (msg_src_dvc_*): " + timeText(p, OFF_DVC_TIME_YEAR, OFF_DVC_TIME_MONTH, OFF_DVC_TIME_DAY, OFF_DVC_TIME_HOUR, OFF_DVC_TIME_MINUTE, OFF_DVC_TIME_SECOND);
    }
    if (!plausible(p, OFF_DEVICE_CLOCK_YEAR, OFF_DEVICE_CLOCK_MONTH, OFF_DEVICE_CLOCK_DAY, OFF_DEVICE_CLOCK_HOUR, OFF_DEVICE_CLOCK_MINUTE, OFF_DEVICE_CLOCK_SECOND)) {
      return "implausible device clock (dvc_year..dvc_second): " + timeText(p, OFF_DEVICE_CLOCK_YEAR, OFF_DEVICE_CLOCK_MONTH, OFF_DEVICE_CLOCK_DAY, OFF_DEVICE_CLOCK_HOUR, OFF_DEVICE_CLOCK_MINUTE, OFF_DEVICE_CLOCK_SECOND);
    }
  }
  const trainNo = <u32>bswap<u16>(load<u16>(p + OFF_TRAIN_NO));
  if (trainNo < MIN_TRAIN_NO) {
    return "dvc_train_no " + trainNo.toString() + " < 1000: cannot derive train number";
  }

  // ---- the record ----
  let o = OUT;
  if (envelope) o = putAscii(o, ENVELOPE_HEAD);
  o = writeLegacy(p, o);

  // msg_calc_train_no = zpad(line, 2) + zpad(train, 3); msg_calc_dvc_no = that + zpad(carriage, 2)
  // (no memory.copy on the hot path: wazero runs it as a call out of the compiled code)
  o = putKeyMsgCalcTrainNo(o);
  store<u8>(o++, 0x22);
  o = putPadded(o, trainNo / 1000, 2);
  o = putPadded(o, trainNo % 1000, 3);
  store<u8>(o++, 0x22);

  o = putKeyMsgCalcDvcNo(o);
  store<u8>(o++, 0x22);
  const dvcStart = o;
  o = putPadded(o, trainNo / 1000, 2);
  o = putPadded(o, trainNo % 1000, 3);
  o = putPadded(o, <u32>load<u8>(p + OFF_CARRIAGE_NO), 2);
  const dvcLen = o - dvcStart;
  store<u8>(o++, 0x22);

  // msg_calc_dvc_time = "20" + Y + "-" + M + "-" + D + " " + h + ":" + m + ":" + s, no padding
  o = putKeyMsgCalcDvcTime(o);
  store<u8>(o++, 0x22);
  const timeStart = o;
  o = writeTime(p, o);
  const timeLen = o - timeStart;
  store<u8>(o++, 0x22);

  if (ptLen > 0) {
    o = putAscii(o, PARSE_TIME_KEY);
    for (let i: usize = 0; i < ptLen; i++) store<u8>(o + i, load<u8>(ptPtr + i)); // short: no memory.copy call
    o += ptLen;
    store<u8>(o++, 0x22);
  }

  if (n >= EXTENDED_MIN_LENGTH) o = writeExtended(p, o);
  store<u8>(o++, 0x7d); // }
  if (envelope) store<u8>(o++, 0x7d); // } of the envelope

  setBody(OUT, o - OUT);
  if (row) {
    let r = ROW;
    store<u8>(r++, 0x28); // (
    r = writeLegacyRaw(p, r);
    r = putQuoted(r, dvcStart, dvcLen);
    store<u8>(r++, 0x2c);
    r = putQuoted(r, timeStart, timeLen);
    store<u8>(r++, 0x2c);
    if (ptLen > 0) r = putQuoted(r, ptPtr, ptLen);
    if (n >= EXTENDED_MIN_LENGTH) r = writeExtendedRaw(p, r);
    else for (let i = 0; i < EXTENDED_KEYS; i++) store<u8>(r++, 0x2c); // NULLs
    store<u8>(r++, 0x29); // )
    setMetaKey(K_ROW, ROW, r - ROW);
  }
  setMetaKey(K_DVC_NO, dvcStart, dvcLen);
  if (plausible(p, OFF_DVC_TIME_YEAR, OFF_DVC_TIME_MONTH, OFF_DVC_TIME_DAY, OFF_DVC_TIME_HOUR, OFF_DVC_TIME_MINUTE, OFF_DVC_TIME_SECOND)) {
    setMetaKey(K_DVC_TS, TS, writeIso(p, TS) - TS);
  }
  return null;
}

/** `"` + n bytes at q + `"` at o (the text has no `"` or `\`: device number, time, checked parse time). */
function putQuoted(o: usize, q: usize, n: usize): usize {
  store<u8>(o++, 0x22);
  for (let i: usize = 0; i < n; i++) store<u8>(o + i, load<u8>(q + i));
  o += n;
  store<u8>(o++, 0x22);
  return o;
}

/** Printable ASCII (0x20..0x7E) without `"` or `\`, so it can go inside a JSON string as is. */
function plainText(p: usize, n: usize): bool {
  for (let i: usize = 0; i < n; i++) {
    const c = <u32>load<u8>(p + i);
    if (c < 0x20 || c > 0x7e || c == 0x22 || c == 0x5c) return false;
  }
  return true;
}

/** Write an ASCII string literal. */
function putAscii(o: usize, s: string): usize {
  for (let i = 0; i < s.length; i++) store<u8>(o + <usize>i, <u8>s.charCodeAt(i));
  return o + <usize>s.length;
}

/** The legacy time text from the msg_src_dvc_* fields. */
function writeTime(p: usize, o: usize): usize {
  store<u8>(o, 0x32);
  store<u8>(o + 1, 0x30);
  o = putU32(o + 2, <u32>load<u8>(p + OFF_DVC_TIME_YEAR));
  store<u8>(o++, 0x2d);
  o = putU32(o, <u32>load<u8>(p + OFF_DVC_TIME_MONTH));
  store<u8>(o++, 0x2d);
  o = putU32(o, <u32>load<u8>(p + OFF_DVC_TIME_DAY));
  store<u8>(o++, 0x20);
  o = putU32(o, <u32>load<u8>(p + OFF_DVC_TIME_HOUR));
  store<u8>(o++, 0x3a);
  o = putU32(o, <u32>load<u8>(p + OFF_DVC_TIME_MINUTE));
  store<u8>(o++, 0x3a);
  o = putU32(o, <u32>load<u8>(p + OFF_DVC_TIME_SECOND));
  return o;
}

/** YYYY-MM-DDTHH:MM:SS from the msg_src_dvc_* fields (year = 2000 + Y). */
function writeIso(p: usize, o: usize): usize {
  o = putPadded(o, 2000 + <u32>load<u8>(p + OFF_DVC_TIME_YEAR), 4);
  store<u8>(o++, 0x2d);
  o = putPadded(o, <u32>load<u8>(p + OFF_DVC_TIME_MONTH), 2);
  store<u8>(o++, 0x2d);
  o = putPadded(o, <u32>load<u8>(p + OFF_DVC_TIME_DAY), 2);
  store<u8>(o++, 0x54);
  o = putPadded(o, <u32>load<u8>(p + OFF_DVC_TIME_HOUR), 2);
  store<u8>(o++, 0x3a);
  o = putPadded(o, <u32>load<u8>(p + OFF_DVC_TIME_MINUTE), 2);
  store<u8>(o++, 0x3a);
  o = putPadded(o, <u32>load<u8>(p + OFF_DVC_TIME_SECOND), 2);
  return o;
}

/** A real calendar instant in year 2000 + Y (month 1..12, day within the month, h < 24, m, s < 60). */
function plausible(p: usize, oy: usize, omo: usize, od: usize, oh: usize, omi: usize, os: usize): bool {
  const y = 2000 + <u32>load<u8>(p + oy);
  const mo = <u32>load<u8>(p + omo);
  const d = <u32>load<u8>(p + od);
  if (mo < 1 || mo > 12 || d < 1) return false;
  let dim: u32 = 31;
  if (mo == 4 || mo == 6 || mo == 9 || mo == 11) dim = 30;
  else if (mo == 2) dim = (y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)) ? 29 : 28;
  if (d > dim) return false;
  return <u32>load<u8>(p + oh) < 24 && <u32>load<u8>(p + omi) < 60 && <u32>load<u8>(p + os) < 60;
}

function timeText(p: usize, oy: usize, omo: usize, od: usize, oh: usize, omi: usize, os: usize): string {
  return (
    "20" + b(p + oy) + "-" + b(p + omo) + "-" + b(p + od) + " " + b(p + oh) + ":" + b(p + omi) + ":" + b(p + os)
  );
}

function b(addr: usize): string {
  return (<u32>load<u8>(addr)).toString();
}

function u(n: usize): string {
  return (<u32>n).toString();
}

function hex2(v: u32): string {
  const digits = "0123456789ABCDEF";
  return "0x" + digits.charAt(<i32>(v >> 4)) + digits.charAt(<i32>(v & 15));
}
